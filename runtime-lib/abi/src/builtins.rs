//! Runtime entry points that generated code calls. Generated code reaches
//! them through a table of function pointers whose address sits in the
//! vmctx header ([`crate::vmctx::OFF_BUILTINS`]), so a compiled module has no
//! undefined symbols and can be loaded as a shared object into any process
//! that holds the runtime. All use the platform C calling convention.

/// Parameter/result types of builtins: `I32`, `I64` (also pointers), `Vmctx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinTy {
    Vmctx,
    I32,
    I64,
}

use BuiltinTy::*;

macro_rules! builtins {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal ( $($p:ident),* ) -> [ $($r:ident),* ]; )*) => {
        /// Index into the builtins table.
        #[repr(u32)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Builtin { $( $(#[$doc])* $variant ),* }

        impl Builtin {
            pub const ALL: &'static [Builtin] = &[ $(Builtin::$variant),* ];
            pub fn name(self) -> &'static str {
                match self { $(Builtin::$variant => $name),* }
            }
            pub fn params(self) -> &'static [BuiltinTy] {
                match self { $(Builtin::$variant => &[$($p),*]),* }
            }
            pub fn results(self) -> &'static [BuiltinTy] {
                match self { $(Builtin::$variant => &[$($r),*]),* }
            }
            /// Byte offset of this entry in the builtins table.
            pub fn offset(self) -> u32 {
                self as u32 * crate::PTR
            }
        }
    };
}

builtins! {
    /// (vmctx, memory, delta pages) -> old size in pages, or -1.
    MemoryGrow = "memory_grow"(Vmctx, I32, I64) -> [I64];
    /// (vmctx, memory, dst, byte, len) -> 1 ok / 0 out of bounds.
    MemoryFill = "memory_fill"(Vmctx, I32, I64, I32, I64) -> [I32];
    /// (vmctx, dst memory, src memory, dst, src, len) -> ok.
    MemoryCopy = "memory_copy"(Vmctx, I32, I32, I64, I64, I64) -> [I32];
    /// (vmctx, memory, data segment, dst, src, len) -> ok.
    MemoryInit = "memory_init"(Vmctx, I32, I32, I64, I32, I32) -> [I32];
    /// (vmctx, data segment).
    DataDrop = "data_drop"(Vmctx, I32) -> [];
    /// (vmctx, table, init value, delta) -> old size, or -1.
    TableGrow = "table_grow"(Vmctx, I32, I64, I64) -> [I64];
    /// (vmctx, table, dst, value, len) -> ok.
    TableFill = "table_fill"(Vmctx, I32, I64, I64, I64) -> [I32];
    /// (vmctx, dst table, src table, dst, src, len) -> ok.
    TableCopy = "table_copy"(Vmctx, I32, I32, I64, I64, I64) -> [I32];
    /// (vmctx, table, elem segment, dst, src, len) -> ok.
    TableInit = "table_init"(Vmctx, I32, I32, I64, I32, I32) -> [I32];
    /// (vmctx, elem segment).
    ElemDrop = "elem_drop"(Vmctx, I32) -> [];
    /// (vmctx, status) -> never returns: unwinds to the nearest entry with
    /// the trap or host status (used after a host function reports one).
    Raise = "raise"(Vmctx, I32) -> [];
    /// (vmctx, rtt, size in bytes) -> zeroed object with its header set;
    /// the allocation slow path (may collect; traps when the heap is full).
    GcAlloc = "gc_alloc"(Vmctx, I64, I64) -> [I64];
    /// (vmctx, object): the write barrier's slow path, remembering an old
    /// object that now points into the nursery.
    GcRemember = "gc_remember"(Vmctx, I64) -> [];
    /// (vmctx, array rtt, data segment, offset, length) -> array, or 0 when
    /// the segment range is out of bounds.
    ArrayNewData = "array_new_data"(Vmctx, I64, I32, I32, I32) -> [I64];
    /// (vmctx, array rtt, elem segment, offset, length) -> array, or 0.
    ArrayNewElem = "array_new_elem"(Vmctx, I64, I32, I32, I32) -> [I64];
    /// (vmctx, dst array, dst index, src array, src index, len) -> ok:
    /// memmove semantics (overlap allowed), with write barriers.
    ArrayCopy = "array_copy"(Vmctx, I64, I32, I64, I32, I32) -> [I32];
    /// (vmctx, array, index, data segment, offset, len) -> status:
    /// 1 ok, 0 array out of bounds, 2 segment out of bounds.
    ArrayInitData = "array_init_data"(Vmctx, I64, I32, I32, I32, I32) -> [I32];
    /// (vmctx, array, index, elem segment, offset, len) -> status as above.
    ArrayInitElem = "array_init_elem"(Vmctx, I64, I32, I32, I32, I32) -> [I32];
    /// (vmctx, shared memory, effective address, expected, timeout ns) ->
    /// 0 woken, 1 value not equal, 2 timed out. Generated code has checked
    /// alignment and bounds; a negative timeout waits forever.
    MemoryAtomicWait32 = "memory_atomic_wait32"(Vmctx, I32, I64, I32, I64) -> [I32];
    /// As `MemoryAtomicWait32` for a 64-bit value.
    MemoryAtomicWait64 = "memory_atomic_wait64"(Vmctx, I32, I64, I64, I64) -> [I32];
    /// (vmctx, shared memory, effective address, count) -> waiters woken.
    MemoryAtomicNotify = "memory_atomic_notify"(Vmctx, I32, I64, I32) -> [I32];
    /// (vmctx, exception object) -> never returns: resumes at the innermost
    /// handler that matches, or unwinds to the entry as an uncaught
    /// exception. Called in the wasm (`tail`) convention, as a `try_call`
    /// when a handler of the caller's own frame could match, so that the
    /// handler's frame restores no callee-saved register (see
    /// `runtime-lib/src/exn/DESIGN.md`).
    Throw = "throw"(Vmctx, I64) -> [];
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn offsets_are_dense() {
        for (i, b) in Builtin::ALL.iter().enumerate() {
            assert_eq!(b.offset(), i as u32 * 8);
        }
    }
}
