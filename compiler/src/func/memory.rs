//! Linear memory access. A 32-bit memory is a 4 GiB reservation plus a
//! 4 GiB guard (see the runtime's memory.rs), so an access is `base +
//! zext(addr) + offset` with no bounds check: out-of-bounds accesses fault
//! and the trap table maps the fault to "out of bounds memory access".

use super::{readonly, trap_code, trusted, FuncTranslator};
use crate::error::Result;
use cranelift_codegen::ir::{types, Endianness, InstBuilder, MemFlagsData, Type, Value};
use wasmc_abi::{Builtin, Trap, VMMemoryDef};
use wasmparser::{MemArg, Operator};

pub(super) fn heap_flags() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little).with_trap_code(Some(trap_code(Trap::MemoryOutOfBounds)))
}

#[derive(Clone, Copy)]
enum Load {
    Plain(Type),
    U8(Type),
    S8(Type),
    U16(Type),
    S16(Type),
    U32,
    S32,
}

impl FuncTranslator<'_, '_> {
    /// The native address of `memarg` applied to the popped i32 address,
    /// with the part of the offset that fits in an immediate split off.
    pub(super) fn address(&mut self, m: &MemArg) -> (Value, i32) {
        let addr = self.pop();
        let addr = self.i64_of_u32(addr);
        let wasmparser::MemArgTarget::Memory(mem) = m.target else {
            unreachable!("GC array accesses are not memory operators")
        };
        let base = self.memory_base[mem as usize];
        let mut eff = self.b.ins().iadd(base, addr);
        if m.offset <= i32::MAX as u64 {
            return (eff, m.offset as i32);
        }
        eff = self.b.ins().iadd_imm_s(eff, m.offset as i64);
        (eff, 0)
    }

    fn load(&mut self, m: &MemArg, kind: Load) {
        let (p, off) = self.address(m);
        let f = heap_flags();
        let ins = self.b.ins();
        let v = match kind {
            Load::Plain(t) => ins.load(t, f, p, off),
            Load::U8(t) => ins.uload8(t, f, p, off),
            Load::S8(t) => ins.sload8(t, f, p, off),
            Load::U16(t) => ins.uload16(t, f, p, off),
            Load::S16(t) => ins.sload16(t, f, p, off),
            Load::U32 => ins.uload32(f, p, off),
            Load::S32 => ins.sload32(f, p, off),
        };
        self.push(v);
    }

    /// Stores the popped value, truncated to `bits` (0 = whole value).
    fn store(&mut self, m: &MemArg, bits: u8) {
        let v = self.pop();
        let (p, off) = self.address(m);
        let f = heap_flags();
        let ins = self.b.ins();
        match bits {
            8 => ins.istore8(f, v, p, off),
            16 => ins.istore16(f, v, p, off),
            32 => ins.istore32(f, v, p, off),
            _ => ins.store(f, v, p, off),
        };
    }

    /// The memory's current size in bytes.
    fn memory_bytes(&mut self, mem: u32) -> Value {
        let def = self.load_vmctx(types::I64, self.env.offsets.memory_def(mem), readonly());
        self.b.ins().load(types::I64, trusted(), def, VMMemoryDef::OFF_LENGTH as i32)
    }

    /// Handles memory operators; returns false for anything else.
    pub(super) fn memory(&mut self, op: &Operator<'_>) -> Result<bool> {
        use types::{F32, F64, I32, I64};
        use Operator as O;
        match *op {
            O::I32Load { ref memarg } => self.load(memarg, Load::Plain(I32)),
            O::I64Load { ref memarg } => self.load(memarg, Load::Plain(I64)),
            O::F32Load { ref memarg } => self.load(memarg, Load::Plain(F32)),
            O::F64Load { ref memarg } => self.load(memarg, Load::Plain(F64)),
            O::I32Load8S { ref memarg } => self.load(memarg, Load::S8(I32)),
            O::I32Load8U { ref memarg } => self.load(memarg, Load::U8(I32)),
            O::I32Load16S { ref memarg } => self.load(memarg, Load::S16(I32)),
            O::I32Load16U { ref memarg } => self.load(memarg, Load::U16(I32)),
            O::I64Load8S { ref memarg } => self.load(memarg, Load::S8(I64)),
            O::I64Load8U { ref memarg } => self.load(memarg, Load::U8(I64)),
            O::I64Load16S { ref memarg } => self.load(memarg, Load::S16(I64)),
            O::I64Load16U { ref memarg } => self.load(memarg, Load::U16(I64)),
            O::I64Load32S { ref memarg } => self.load(memarg, Load::S32),
            O::I64Load32U { ref memarg } => self.load(memarg, Load::U32),
            O::I32Store { ref memarg } | O::I64Store { ref memarg } => self.store(memarg, 0),
            O::F32Store { ref memarg } | O::F64Store { ref memarg } => self.store(memarg, 0),
            O::I32Store8 { ref memarg } | O::I64Store8 { ref memarg } => self.store(memarg, 8),
            O::I32Store16 { ref memarg } | O::I64Store16 { ref memarg } => self.store(memarg, 16),
            O::I64Store32 { ref memarg } => self.store(memarg, 32),
            O::MemorySize { mem } => {
                let bytes = self.memory_bytes(mem);
                let pages = self.b.ins().ushr_imm_u(bytes, 16);
                let v = self.b.ins().ireduce(I32, pages);
                self.push(v);
            }
            O::MemoryGrow { mem } => {
                let delta = self.pop();
                let delta = self.i64_of_u32(delta);
                let idx = self.i32_const(mem);
                let old = self.call_builtin(Builtin::MemoryGrow, &[idx, delta]).expect("returns old size");
                let v = self.b.ins().ireduce(I32, old);
                self.push(v);
            }
            O::MemoryFill { mem } => {
                let n = self.pop();
                let val = self.pop();
                let d = self.pop();
                let (idx, d, n) = (self.i32_const(mem), self.i64_of_u32(d), self.i64_of_u32(n));
                self.call_checked(Builtin::MemoryFill, &[idx, d, val, n], Trap::MemoryOutOfBounds);
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let n = self.pop();
                let s = self.pop();
                let d = self.pop();
                let (dm, sm) = (self.i32_const(dst_mem), self.i32_const(src_mem));
                let (d, s, n) = (self.i64_of_u32(d), self.i64_of_u32(s), self.i64_of_u32(n));
                self.call_checked(Builtin::MemoryCopy, &[dm, sm, d, s, n], Trap::MemoryOutOfBounds);
            }
            O::MemoryInit { data_index, mem } => {
                let n = self.pop();
                let s = self.pop();
                let d = self.pop();
                let (m, seg, d) = (self.i32_const(mem), self.i32_const(data_index), self.i64_of_u32(d));
                self.call_checked(Builtin::MemoryInit, &[m, seg, d, s, n], Trap::MemoryOutOfBounds);
            }
            O::DataDrop { data_index } => {
                let seg = self.i32_const(data_index);
                self.call_builtin(Builtin::DataDrop, &[seg]);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
