//! The contract between the wasmc compiler and its runtime library.
//!
//! Everything that both sides must agree on is declared here, once: the
//! vmctx layout, function-reference layout, the module descriptor the
//! compiler emits and the runtime instantiates from, trap codes, and the
//! runtime entry points (builtins) that generated code calls.
//!
//! wasmc only targets 64-bit little-endian machines (x86_64, aarch64,
//! riscv64), so every pointer in these layouts is 8 bytes and the `repr(C)`
//! structs below have the same layout on every target. The compiler reads
//! offsets from here; the runtime casts memory to these structs. Tests at the
//! bottom pin the offsets so a change cannot slip through unnoticed.
#![no_std]

pub mod builtins;
pub mod descriptor;
pub mod exn;
pub mod gc;
pub mod mangle;
pub mod trap;
pub mod typeenc;
pub mod vmctx;

pub use builtins::Builtin;
pub use trap::Trap;

/// Bumped whenever any layout in this crate changes; the runtime refuses a
/// module descriptor built against another version.
pub const ABI_VERSION: u32 = 7;

/// Size of a pointer on every supported target.
pub const PTR: u32 = 8;

/// A wasm value as it crosses between native code and generated code in
/// "array calls": every argument and result occupies one 16-byte slot.
#[repr(C, align(16))]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct ValRaw(pub [u8; 16]);

impl ValRaw {
    pub const SIZE: u32 = 16;
    pub fn from_u64(v: u64) -> Self {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&v.to_le_bytes());
        ValRaw(b)
    }
    pub fn from_u128(v: u128) -> Self {
        ValRaw(v.to_le_bytes())
    }
    pub fn u32(&self) -> u32 {
        u32::from_le_bytes([self.0[0], self.0[1], self.0[2], self.0[3]])
    }
    pub fn u64(&self) -> u64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.0[..8]);
        u64::from_le_bytes(b)
    }
    pub fn u128(&self) -> u128 {
        u128::from_le_bytes(self.0)
    }
}

/// A function reference: what `ref.func` produces, what funcref tables hold
/// (by pointer) and what each function slot of a vmctx contains.
///
/// * `wasm_call`: native code in the `tail` calling convention taking
///   `(vmctx, wasm params...) -> wasm results`.
/// * `array_call`: a C-ABI entry `fn(vmctx, *mut ValRaw) -> u32` that reads
///   the parameters from the slots and writes the results back into them.
///   It returns 0, or a [`Trap`] code / host status for host functions.
/// * `type_id`: the function's canonical runtime type (`*const VMRtt`).
/// * `vmctx`: the callee's vmctx (for host functions, its host context).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VMFuncRef {
    pub wasm_call: u64,
    pub array_call: u64,
    pub type_id: u64,
    pub vmctx: u64,
}

impl VMFuncRef {
    pub const SIZE: u32 = 32;
    pub const OFF_WASM_CALL: u32 = 0;
    pub const OFF_ARRAY_CALL: u32 = 8;
    pub const OFF_TYPE_ID: u32 = 16;
    pub const OFF_VMCTX: u32 = 24;
}

/// The definition of a linear memory, shared by its owner and importers.
/// `base` never moves for 32-bit memories (a full 4 GiB + guard
/// reservation); `length` is in bytes and changes on `memory.grow`.
#[repr(C)]
#[derive(Debug)]
pub struct VMMemoryDef {
    pub base: u64,
    pub length: u64,
}

impl VMMemoryDef {
    pub const OFF_BASE: u32 = 0;
    pub const OFF_LENGTH: u32 = 8;
}

/// The definition of a table. Elements are pointer-sized: a
/// `*const VMFuncRef` for funcref tables, an opaque reference otherwise;
/// 0 is null. `base` moves when the table grows.
#[repr(C)]
#[derive(Debug)]
pub struct VMTableDef {
    pub base: u64,
    pub length: u64,
}

impl VMTableDef {
    pub const OFF_BASE: u32 = 0;
    pub const OFF_LENGTH: u32 = 8;
    pub const ELEM_SIZE: u32 = 8;
}

/// The context of a host function: `funcref.vmctx` points at one of these.
/// The tail-to-host trampoline the compiler emits loads `array_call` from
/// offset 0 and calls it with the host context itself as first argument;
/// when that fails it calls the `throw` builtin found through `builtins`.
/// `no_limits` and `no_instance` are always zero: where a vmctx holds its
/// limits and instance pointers (`vmctx::OFF_LIMITS`, `OFF_INSTANCE`), so
/// a zero there tells the runtime "not an instance".
#[repr(C)]
pub struct VMHostCtx {
    pub array_call: u64,
    pub no_limits: u64,
    /// The runtime's builtins table (`vmctx::OFF_BUILTINS` of a vmctx).
    pub builtins: u64,
    pub no_instance: u64,
}

impl VMHostCtx {
    pub const OFF_ARRAY_CALL: u32 = 0;
    pub const OFF_BUILTINS: u32 = 16;
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn funcref_layout() {
        assert_eq!(size_of::<VMFuncRef>() as u32, VMFuncRef::SIZE);
        assert_eq!(offset_of!(VMFuncRef, wasm_call) as u32, VMFuncRef::OFF_WASM_CALL);
        assert_eq!(offset_of!(VMFuncRef, array_call) as u32, VMFuncRef::OFF_ARRAY_CALL);
        assert_eq!(offset_of!(VMFuncRef, type_id) as u32, VMFuncRef::OFF_TYPE_ID);
        assert_eq!(offset_of!(VMFuncRef, vmctx) as u32, VMFuncRef::OFF_VMCTX);
    }

    #[test]
    fn memory_and_table_layout() {
        assert_eq!(offset_of!(VMMemoryDef, base) as u32, VMMemoryDef::OFF_BASE);
        assert_eq!(offset_of!(VMMemoryDef, length) as u32, VMMemoryDef::OFF_LENGTH);
        assert_eq!(offset_of!(VMTableDef, base) as u32, VMTableDef::OFF_BASE);
        assert_eq!(offset_of!(VMTableDef, length) as u32, VMTableDef::OFF_LENGTH);
        assert_eq!(offset_of!(VMHostCtx, array_call) as u32, VMHostCtx::OFF_ARRAY_CALL);
        assert_eq!(offset_of!(VMHostCtx, builtins) as u32, VMHostCtx::OFF_BUILTINS);
        assert_eq!(offset_of!(VMHostCtx, no_limits) as u32, crate::vmctx::OFF_LIMITS);
        assert_eq!(offset_of!(VMHostCtx, no_instance) as u32, crate::vmctx::OFF_INSTANCE);
        assert_eq!(size_of::<ValRaw>() as u32, ValRaw::SIZE);
    }
}
