//! The threads proposal's memory operators: atomic loads, stores,
//! read-modify-write and compare-exchange at every width, `atomic.fence`,
//! and `memory.atomic.wait32/64` / `memory.atomic.notify`.
//!
//! Every access is sequentially consistent (Cranelift's atomic instructions
//! are), on shared and unshared memories alike. The order of checks follows
//! the spec's reference interpreter: a misaligned effective address traps
//! "unaligned atomic" before any bounds check, then an out-of-bounds access
//! faults in the guard region like a plain access. Cranelift's atomic
//! instructions take no offset, so the effective address is computed in
//! full here.

use super::memory::heap_flags;
use super::{trap_code, FuncTranslator};
use cranelift_codegen::ir::{types, AtomicRmwOp, InstBuilder, MemFlagsData, Type, Value};
use wasmc_abi::{Builtin, Trap};
use wasmparser::{MemArg, Operator};

#[derive(Clone, Copy)]
enum Kind {
    Load,
    Store,
    Rmw(AtomicRmwOp),
    Cmpxchg,
}

/// One atomic memory operator: what it does, the wasm type it produces or
/// consumes, and the width of the memory access.
#[derive(Clone, Copy)]
struct Atomic {
    kind: Kind,
    ty: Type,
    access: Type,
}

/// The table of atomic memory operators.
fn describe<'m>(op: &'m Operator<'_>) -> Option<(Atomic, &'m MemArg)> {
    use types::{I16, I32, I64, I8};
    use AtomicRmwOp::{Add, And, Or, Sub, Xchg, Xor};
    use Kind::{Cmpxchg, Load, Rmw, Store};
    use Operator as O;
    let a = |kind, ty, access| Atomic { kind, ty, access };
    Some(match op {
        O::I32AtomicLoad { memarg } => (a(Load, I32, I32), memarg),
        O::I64AtomicLoad { memarg } => (a(Load, I64, I64), memarg),
        O::I32AtomicLoad8U { memarg } => (a(Load, I32, I8), memarg),
        O::I32AtomicLoad16U { memarg } => (a(Load, I32, I16), memarg),
        O::I64AtomicLoad8U { memarg } => (a(Load, I64, I8), memarg),
        O::I64AtomicLoad16U { memarg } => (a(Load, I64, I16), memarg),
        O::I64AtomicLoad32U { memarg } => (a(Load, I64, I32), memarg),
        O::I32AtomicStore { memarg } => (a(Store, I32, I32), memarg),
        O::I64AtomicStore { memarg } => (a(Store, I64, I64), memarg),
        O::I32AtomicStore8 { memarg } => (a(Store, I32, I8), memarg),
        O::I32AtomicStore16 { memarg } => (a(Store, I32, I16), memarg),
        O::I64AtomicStore8 { memarg } => (a(Store, I64, I8), memarg),
        O::I64AtomicStore16 { memarg } => (a(Store, I64, I16), memarg),
        O::I64AtomicStore32 { memarg } => (a(Store, I64, I32), memarg),
        O::I32AtomicRmwAdd { memarg } => (a(Rmw(Add), I32, I32), memarg),
        O::I64AtomicRmwAdd { memarg } => (a(Rmw(Add), I64, I64), memarg),
        O::I32AtomicRmw8AddU { memarg } => (a(Rmw(Add), I32, I8), memarg),
        O::I32AtomicRmw16AddU { memarg } => (a(Rmw(Add), I32, I16), memarg),
        O::I64AtomicRmw8AddU { memarg } => (a(Rmw(Add), I64, I8), memarg),
        O::I64AtomicRmw16AddU { memarg } => (a(Rmw(Add), I64, I16), memarg),
        O::I64AtomicRmw32AddU { memarg } => (a(Rmw(Add), I64, I32), memarg),
        O::I32AtomicRmwSub { memarg } => (a(Rmw(Sub), I32, I32), memarg),
        O::I64AtomicRmwSub { memarg } => (a(Rmw(Sub), I64, I64), memarg),
        O::I32AtomicRmw8SubU { memarg } => (a(Rmw(Sub), I32, I8), memarg),
        O::I32AtomicRmw16SubU { memarg } => (a(Rmw(Sub), I32, I16), memarg),
        O::I64AtomicRmw8SubU { memarg } => (a(Rmw(Sub), I64, I8), memarg),
        O::I64AtomicRmw16SubU { memarg } => (a(Rmw(Sub), I64, I16), memarg),
        O::I64AtomicRmw32SubU { memarg } => (a(Rmw(Sub), I64, I32), memarg),
        O::I32AtomicRmwAnd { memarg } => (a(Rmw(And), I32, I32), memarg),
        O::I64AtomicRmwAnd { memarg } => (a(Rmw(And), I64, I64), memarg),
        O::I32AtomicRmw8AndU { memarg } => (a(Rmw(And), I32, I8), memarg),
        O::I32AtomicRmw16AndU { memarg } => (a(Rmw(And), I32, I16), memarg),
        O::I64AtomicRmw8AndU { memarg } => (a(Rmw(And), I64, I8), memarg),
        O::I64AtomicRmw16AndU { memarg } => (a(Rmw(And), I64, I16), memarg),
        O::I64AtomicRmw32AndU { memarg } => (a(Rmw(And), I64, I32), memarg),
        O::I32AtomicRmwOr { memarg } => (a(Rmw(Or), I32, I32), memarg),
        O::I64AtomicRmwOr { memarg } => (a(Rmw(Or), I64, I64), memarg),
        O::I32AtomicRmw8OrU { memarg } => (a(Rmw(Or), I32, I8), memarg),
        O::I32AtomicRmw16OrU { memarg } => (a(Rmw(Or), I32, I16), memarg),
        O::I64AtomicRmw8OrU { memarg } => (a(Rmw(Or), I64, I8), memarg),
        O::I64AtomicRmw16OrU { memarg } => (a(Rmw(Or), I64, I16), memarg),
        O::I64AtomicRmw32OrU { memarg } => (a(Rmw(Or), I64, I32), memarg),
        O::I32AtomicRmwXor { memarg } => (a(Rmw(Xor), I32, I32), memarg),
        O::I64AtomicRmwXor { memarg } => (a(Rmw(Xor), I64, I64), memarg),
        O::I32AtomicRmw8XorU { memarg } => (a(Rmw(Xor), I32, I8), memarg),
        O::I32AtomicRmw16XorU { memarg } => (a(Rmw(Xor), I32, I16), memarg),
        O::I64AtomicRmw8XorU { memarg } => (a(Rmw(Xor), I64, I8), memarg),
        O::I64AtomicRmw16XorU { memarg } => (a(Rmw(Xor), I64, I16), memarg),
        O::I64AtomicRmw32XorU { memarg } => (a(Rmw(Xor), I64, I32), memarg),
        O::I32AtomicRmwXchg { memarg } => (a(Rmw(Xchg), I32, I32), memarg),
        O::I64AtomicRmwXchg { memarg } => (a(Rmw(Xchg), I64, I64), memarg),
        O::I32AtomicRmw8XchgU { memarg } => (a(Rmw(Xchg), I32, I8), memarg),
        O::I32AtomicRmw16XchgU { memarg } => (a(Rmw(Xchg), I32, I16), memarg),
        O::I64AtomicRmw8XchgU { memarg } => (a(Rmw(Xchg), I64, I8), memarg),
        O::I64AtomicRmw16XchgU { memarg } => (a(Rmw(Xchg), I64, I16), memarg),
        O::I64AtomicRmw32XchgU { memarg } => (a(Rmw(Xchg), I64, I32), memarg),
        O::I32AtomicRmwCmpxchg { memarg } => (a(Cmpxchg, I32, I32), memarg),
        O::I64AtomicRmwCmpxchg { memarg } => (a(Cmpxchg, I64, I64), memarg),
        O::I32AtomicRmw8CmpxchgU { memarg } => (a(Cmpxchg, I32, I8), memarg),
        O::I32AtomicRmw16CmpxchgU { memarg } => (a(Cmpxchg, I32, I16), memarg),
        O::I64AtomicRmw8CmpxchgU { memarg } => (a(Cmpxchg, I64, I8), memarg),
        O::I64AtomicRmw16CmpxchgU { memarg } => (a(Cmpxchg, I64, I16), memarg),
        O::I64AtomicRmw32CmpxchgU { memarg } => (a(Cmpxchg, I64, I32), memarg),
        _ => return None,
    })
}

impl FuncTranslator<'_, '_> {
    /// Handles the threads proposal's operators; returns false for anything
    /// else.
    pub(super) fn atomic(&mut self, op: &Operator<'_>) -> bool {
        match *op {
            Operator::AtomicFence { .. } => {
                self.b.ins().fence();
            }
            Operator::MemoryAtomicNotify { ref memarg } => {
                let count = self.pop();
                let (p, ea) = self.atomic_address(memarg, types::I32);
                // Bounds: notify traps out of bounds even when it wakes
                // nobody, so touch the word it names.
                self.b.ins().atomic_load(types::I32, heap_flags(), p);
                let woken = if self.memory_is_shared(memarg) {
                    let mem = self.i32_const(memory_index(memarg));
                    self.call_builtin(Builtin::MemoryAtomicNotify, &[mem, ea, count]).expect("returns a count")
                } else {
                    // Nothing can wait on an unshared memory.
                    self.b.ins().iconst(types::I32, 0)
                };
                self.push(woken);
            }
            Operator::MemoryAtomicWait32 { ref memarg } => self.wait(memarg, types::I32),
            Operator::MemoryAtomicWait64 { ref memarg } => self.wait(memarg, types::I64),
            ref other => match describe(other) {
                Some((a, memarg)) => self.atomic_access(a, memarg),
                None => return false,
            },
        }
        true
    }

    fn atomic_access(&mut self, a: Atomic, memarg: &MemArg) {
        let f = heap_flags();
        match a.kind {
            Kind::Load => {
                let (p, _) = self.atomic_address(memarg, a.access);
                let v = self.b.ins().atomic_load(a.access, f, p);
                let v = self.zero_extend(v, a.ty);
                self.push(v);
            }
            Kind::Store => {
                let v = self.pop();
                let (p, _) = self.atomic_address(memarg, a.access);
                let v = self.narrow(v, a.access);
                self.b.ins().atomic_store(f, v, p);
            }
            Kind::Rmw(op) => {
                let v = self.pop();
                let (p, _) = self.atomic_address(memarg, a.access);
                let v = self.narrow(v, a.access);
                let old = self.b.ins().atomic_rmw(a.access, f, op, p, v);
                let old = self.zero_extend(old, a.ty);
                self.push(old);
            }
            Kind::Cmpxchg => {
                let replacement = self.pop();
                let expected = self.pop();
                let (p, _) = self.atomic_address(memarg, a.access);
                let (e, r) = (self.narrow(expected, a.access), self.narrow(replacement, a.access));
                let e = self.cas_expected(e);
                let old = self.b.ins().atomic_cas(f, p, e, r);
                let old = self.zero_extend(old, a.ty);
                self.push(old);
            }
        }
    }

    /// `memory.atomic.wait32/64`: traps on an unshared memory (after the
    /// alignment and bounds checks, as the spec orders them); on a shared
    /// one the runtime compares and sleeps.
    fn wait(&mut self, memarg: &MemArg, ty: Type) {
        let timeout = self.pop();
        let expected = self.pop();
        let (p, ea) = self.atomic_address(memarg, ty);
        self.b.ins().atomic_load(ty, heap_flags(), p);
        if !self.memory_is_shared(memarg) {
            self.trap(Trap::ExpectedSharedMemory);
            return;
        }
        let mem = self.i32_const(memory_index(memarg));
        let builtin = if ty == types::I32 { Builtin::MemoryAtomicWait32 } else { Builtin::MemoryAtomicWait64 };
        let r = self.call_builtin(builtin, &[mem, ea, expected, timeout]).expect("returns a status");
        self.push(r);
    }

    /// Pops the i32 address of an atomic access of `access`'s width and
    /// returns its native address and its wasm effective address, after
    /// trapping if the latter is not a multiple of the width.
    fn atomic_address(&mut self, memarg: &MemArg, access: Type) -> (Value, Value) {
        let addr = self.pop();
        let addr = self.i64_of_u32(addr);
        // Both are below 2^32, so the sum cannot wrap.
        let ea = if memarg.offset == 0 { addr } else { self.b.ins().iadd_imm_s(addr, memarg.offset as i64) };
        let bytes = access.bytes() as i64;
        if bytes > 1 {
            let misaligned = self.b.ins().band_imm_s(ea, bytes - 1);
            self.b.ins().trapnz(misaligned, trap_code(Trap::UnalignedAtomic));
        }
        let base = self.memory_base[memory_index(memarg) as usize];
        let p = self.b.ins().iadd(base, ea);
        (p, ea)
    }

    /// Works around Cranelift 0.135's aarch64 compare-exchange loop (the
    /// ARMv8.0 form, without LSE): for a 32-bit access it compares the
    /// loaded value with the whole 64-bit register of `expected`, whose
    /// upper half `ireduce` (a no-op) leaves as it was. A round trip
    /// through a float register, which the mid-end does not fold, writes
    /// the value with a 32-bit `fmov`, clearing the upper half.
    fn cas_expected(&mut self, e: Value) -> Value {
        let aarch64 = matches!(self.env.isa.triple().architecture, target_lexicon::Architecture::Aarch64(_));
        if !aarch64 || self.b.func.dfg.value_type(e) != types::I32 {
            return e;
        }
        let f = self.b.ins().bitcast(types::F32, MemFlagsData::new(), e);
        self.b.ins().bitcast(types::I32, MemFlagsData::new(), f)
    }

    fn memory_is_shared(&self, memarg: &MemArg) -> bool {
        self.env.info.memories[memory_index(memarg) as usize].shared
    }

    /// A loaded narrow value zero-extended to the operator's type.
    fn zero_extend(&mut self, v: Value, ty: Type) -> Value {
        if self.b.func.dfg.value_type(v) == ty {
            return v;
        }
        self.b.ins().uextend(ty, v)
    }

    /// An operand truncated to the access width.
    fn narrow(&mut self, v: Value, access: Type) -> Value {
        if self.b.func.dfg.value_type(v) == access {
            return v;
        }
        self.b.ins().ireduce(access, v)
    }
}

fn memory_index(memarg: &MemArg) -> u32 {
    match memarg.target {
        wasmparser::MemArgTarget::Memory(m) => m,
        _ => unreachable!("atomic operators name a memory"),
    }
}
