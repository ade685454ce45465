//! The C signature of an import bound to a C function (a static import:
//! `wasmc build app.wasm host.c`, `--lib`): `(caller, params...)` returning
//! the single result, or returning nothing with a pointer to each result
//! appended when there are none or several (`header.rs` writes the same
//! prototype).
//!
//! A v128 is `wasmc_v128_t` in C, `struct { uint8_t bytes[16]; }` (lane
//! bytes in wasm's little-endian order), taken and returned by value. Each
//! supported ABI passes such a struct as two eightbytes in integer
//! registers, low half first, and returns it in two (x86_64 SysV: rax:rdx,
//! AAPCS64: x0:x1, RISC-V LP64D: a0:a1), so the CLIF signature splits a
//! v128 into two `i64` (low, high) and a v128 result into two `i64` returns.
//! Two independent `i64` differ from one struct only when a single integer
//! register is left for it:
//! * x86_64 SysV (psABI 3.2.3: "If there are no registers available for
//!   any eightbyte of an argument, the whole argument is passed on the
//!   stack") puts the whole struct on the stack, and the free register goes
//!   to the next integer argument: that argument is moved before the two
//!   halves, or, when there is none, a padding word fills the register.
//! * AAPCS64 (rule C.13) puts it on the stack and sets NGRN to 8, so no
//!   later argument uses a general register either: a padding word fills x7.
//! * RISC-V LP64D passes the low half in a7 and the high half on the stack,
//!   as two `i64` are.
//!
//! On the stack the struct takes two 8-byte slots in argument order, as
//! two `i64` do. Checked against gcc 12 (`-O2 -S`) for the three targets;
//! `tests/capi/exe_v128.c` calls such functions on each (the cross tests
//! run it under qemu).

use crate::func::clif_type;
use crate::module::FuncType;
use cranelift_codegen::ir::{types, AbiParam, Signature};
use cranelift_codegen::isa::TargetIsa;
use target_lexicon::Architecture;
use wasmparser::ValType;

/// Where one argument of the C function comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum CArg {
    /// The calling instance (the trampoline's vmctx).
    Caller,
    /// Wasm parameter `i`, not a v128.
    Param(usize),
    /// The low or high eightbyte of v128 parameter `i`.
    Low(usize),
    High(usize),
    /// The address of result `i`'s slot.
    Result(usize),
    /// An unused word (0) that fills the last integer register.
    Pad,
}

/// How the C function of a static import is called.
pub(crate) struct CImport {
    pub sig: Signature,
    /// One per parameter of `sig`, in order.
    pub args: Vec<CArg>,
    /// Results are written through `CArg::Result` pointers (none or several).
    pub by_pointer: bool,
}

/// What a v128 does when one integer register is left (see the module docs).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Straddle {
    /// x86_64: it goes to the stack; the next integer argument takes the register.
    StackNextTakesRegister,
    /// aarch64: it goes to the stack; the register stays unused.
    StackRegisterUnused,
    /// riscv64: the low half takes the register.
    Split,
}

/// Integer argument registers and the straddle rule of `arch`.
fn rules(arch: Architecture) -> (usize, Straddle) {
    match arch {
        Architecture::X86_64 => (6, Straddle::StackNextTakesRegister),
        Architecture::Aarch64(_) => (8, Straddle::StackRegisterUnused),
        _ => (8, Straddle::Split),
    }
}

/// Size and alignment of a result slot of `CArg::Result` (a v128 fits).
pub(crate) const RESULT_SLOT: u32 = 16;

pub(crate) fn c_import(ty: &FuncType, isa: &dyn TargetIsa) -> CImport {
    let by_pointer = ty.results.len() != 1;
    let mut logical = vec![CArg::Caller];
    logical.extend((0..ty.params.len()).map(CArg::Param));
    if by_pointer {
        logical.extend((0..ty.results.len()).map(CArg::Result));
    }
    let is_v128 = |a: &CArg| matches!(a, CArg::Param(i) if ty.params[*i] == ValType::V128);
    let is_int = |a: &CArg| match a {
        CArg::Param(i) => !matches!(ty.params[*i], ValType::F32 | ValType::F64 | ValType::V128),
        _ => true,
    };
    let (mut left, straddle) = rules(isa.triple().architecture);
    let mut taken = vec![false; logical.len()];
    let mut args = Vec::new();
    for k in 0..logical.len() {
        if taken[k] {
            continue;
        }
        let a = logical[k];
        if is_v128(&a) {
            let CArg::Param(i) = a else { unreachable!() };
            if left == 1 && straddle != Straddle::Split {
                let next = (k + 1..logical.len()).find(|&j| !taken[j] && is_int(&logical[j]) && !is_v128(&logical[j]));
                match next {
                    Some(j) if straddle == Straddle::StackNextTakesRegister => {
                        taken[j] = true;
                        args.push(logical[j]);
                    }
                    _ => args.push(CArg::Pad),
                }
                left = 0;
            }
            args.extend([CArg::Low(i), CArg::High(i)]);
            left = left.saturating_sub(2);
        } else {
            if is_int(&a) {
                left = left.saturating_sub(1);
            }
            args.push(a);
        }
    }
    let mut sig = Signature::new(isa.default_call_conv());
    sig.params.extend(args.iter().map(|a| {
        AbiParam::new(match a {
            CArg::Param(i) => clif_type(ty.params[*i]),
            _ => types::I64,
        })
    }));
    match ty.results.as_slice() {
        [ValType::V128] => sig.returns.extend([AbiParam::new(types::I64), AbiParam::new(types::I64)]),
        [r] => sig.returns.push(AbiParam::new(clif_type(*r))),
        _ => {}
    }
    CImport { sig, args, by_pointer }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CArg::*;

    fn plan(triple: &str, params: &[ValType], results: &[ValType]) -> Vec<CArg> {
        let mut opts = crate::Options::host(crate::OutputKind::Loadable);
        opts.triple = triple.parse().unwrap();
        let isa = crate::isa::build_isa(&opts).unwrap();
        let ty = FuncType { params: params.to_vec(), results: results.to_vec() };
        c_import(&ty, &*isa).args
    }

    use ValType::{F64, I32, I64, V128};

    #[test]
    fn v128_is_two_words_while_two_registers_are_left() {
        for t in ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "riscv64gc-unknown-linux-gnu"] {
            assert_eq!(plan(t, &[V128, I32], &[V128]), [Caller, Low(0), High(0), Param(1)], "{t}");
            assert_eq!(plan(t, &[V128], &[V128, I32]), [Caller, Low(0), High(0), Result(0), Result(1)], "{t}");
        }
    }

    #[test]
    fn x86_64_gives_the_last_register_to_the_next_integer() {
        let t = "x86_64-unknown-linux-gnu";
        // caller + 4 integers: one register (r9) left.
        let p = [I32, I32, I64, I32, V128, F64, I32, I32];
        let want = [Caller, Param(0), Param(1), Param(2), Param(3), Param(6), Low(4), High(4), Param(5), Param(7)];
        assert_eq!(plan(t, &p, &[]), want);
        // No integer follows but a result pointer.
        assert_eq!(plan(t, &[I32, I32, I32, I32, V128], &[I32, I32])[5..], [Result(0), Low(4), High(4), Result(1)]);
        // Nothing follows: padding.
        assert_eq!(plan(t, &[I32, I32, I32, I32, V128, F64], &[V128])[5..], [Pad, Low(4), High(4), Param(5)]);
    }

    #[test]
    fn aarch64_pads_the_last_register() {
        let p = [I64, I64, I64, I64, I64, I64, V128, I32];
        let got = plan("aarch64-unknown-linux-gnu", &p, &[]);
        assert_eq!(got[7..], [Pad, Low(6), High(6), Param(7)]);
        let got = plan("riscv64gc-unknown-linux-gnu", &p, &[]);
        assert_eq!(got[7..], [Low(6), High(6), Param(7)]);
    }
}
