//! Layout of an instance's vmctx: the block of memory every wasm function
//! receives as its hidden first argument.
//!
//! ```text
//! header (64 bytes)     builtins, limits, type ids, instance, GC fields
//! memories              per memory: { base, *VMMemoryDef }      16 bytes
//! tables                per table:  *VMTableDef                  8 bytes
//! global pointers       per global: *slot (imported or own)      8 bytes
//! global storage        per defined global: 16-byte slot
//! funcrefs              per function (imported, then defined): VMFuncRef
//! tags                  per tag (imported, then defined): *VMTag     8 bytes
//! ```
//!
//! The sizes depend only on the module's counts, so the compiler and the
//! runtime compute the same offsets from the same [`VMOffsets`].

use crate::{VMFuncRef, PTR};

/// Fixed header fields.
pub const OFF_BUILTINS: u32 = 0;
/// `*mut VMLimits`: shared by all instances of one store, so a call from
/// one instance into another checks the same stack limit.
pub const OFF_LIMITS: u32 = 8;
/// `*const u64`: the runtime type (`*const VMRtt`) of each module type index.
pub const OFF_TYPE_IDS: u32 = 16;
/// `*mut` the runtime's own instance object.
pub const OFF_INSTANCE: u32 = 24;
pub const HEADER_SIZE: u32 = 64;

/// Per-store limits, reached through [`OFF_LIMITS`].
#[repr(C)]
#[derive(Debug, Default)]
pub struct VMLimits {
    /// Lowest address the native stack may reach; every wasm prologue
    /// compares its new stack pointer against it and traps below it.
    pub stack_limit: u64,
    /// GC nursery: allocation bump pointer and its limit. Generated code
    /// allocates inline while `next + size <= limit`.
    pub gc_next: u64,
    pub gc_limit: u64,
    /// The nursery's address range, for the write barrier's "is young" test.
    pub nursery_start: u64,
    pub nursery_end: u64,
}

impl VMLimits {
    pub const OFF_STACK_LIMIT: u32 = 0;
    pub const OFF_GC_NEXT: u32 = 8;
    pub const OFF_GC_LIMIT: u32 = 16;
    pub const OFF_NURSERY_START: u32 = 24;
    pub const OFF_NURSERY_END: u32 = 32;
}

/// Bytes of each memory entry: `{ base: *mut u8, def: *mut VMMemoryDef }`.
pub const MEMORY_ENTRY_SIZE: u32 = 16;
pub const MEMORY_ENTRY_OFF_BASE: u32 = 0;
pub const MEMORY_ENTRY_OFF_DEF: u32 = 8;
/// Every global slot is 16 bytes so that v128 globals fit.
pub const GLOBAL_SLOT_SIZE: u32 = 16;

/// Counts of a module's entities that determine its vmctx layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VMCounts {
    pub memories: u32,
    pub tables: u32,
    pub globals: u32,
    pub defined_globals: u32,
    pub functions: u32,
    pub tags: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VMOffsets {
    pub counts: VMCounts,
    pub memories: u32,
    pub tables: u32,
    pub global_ptrs: u32,
    pub global_storage: u32,
    pub funcrefs: u32,
    pub tags: u32,
    pub size: u32,
}

impl VMOffsets {
    pub const fn new(counts: VMCounts) -> Self {
        let memories = HEADER_SIZE;
        let tables = memories + counts.memories * MEMORY_ENTRY_SIZE;
        let global_ptrs = tables + counts.tables * PTR;
        // Keep the 16-byte global slots 16-byte aligned.
        let global_storage = (global_ptrs + counts.globals * PTR + 15) & !15;
        let funcrefs = global_storage + counts.defined_globals * GLOBAL_SLOT_SIZE;
        let tags = funcrefs + counts.functions * VMFuncRef::SIZE;
        let size = tags + counts.tags * PTR;
        VMOffsets { counts, memories, tables, global_ptrs, global_storage, funcrefs, tags, size }
    }
    pub const fn memory_base(&self, index: u32) -> u32 {
        self.memories + index * MEMORY_ENTRY_SIZE + MEMORY_ENTRY_OFF_BASE
    }
    pub const fn memory_def(&self, index: u32) -> u32 {
        self.memories + index * MEMORY_ENTRY_SIZE + MEMORY_ENTRY_OFF_DEF
    }
    pub const fn table_def(&self, index: u32) -> u32 {
        self.tables + index * PTR
    }
    pub const fn global_ptr(&self, index: u32) -> u32 {
        self.global_ptrs + index * PTR
    }
    /// Slot of the `defined_index`-th defined (not imported) global.
    pub const fn global_storage(&self, defined_index: u32) -> u32 {
        self.global_storage + defined_index * GLOBAL_SLOT_SIZE
    }
    pub const fn funcref(&self, func_index: u32) -> u32 {
        self.funcrefs + func_index * VMFuncRef::SIZE
    }
    /// Slot of tag `tag_index`'s `*const VMTag` (its identity).
    pub const fn tag(&self, tag_index: u32) -> u32 {
        self.tags + tag_index * PTR
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_do_not_overlap() {
        let o =
            VMOffsets::new(VMCounts { memories: 2, tables: 3, globals: 5, defined_globals: 4, functions: 7, tags: 2 });
        assert_eq!(o.memories, HEADER_SIZE);
        assert_eq!(o.tables, 64 + 32);
        assert_eq!(o.global_ptrs, 96 + 24);
        assert_eq!(o.global_storage % 16, 0);
        assert!(o.global_storage >= o.global_ptrs + 5 * 8);
        assert_eq!(o.funcrefs, o.global_storage + 4 * 16);
        assert_eq!(o.tags, o.funcrefs + 7 * 32);
        assert_eq!(o.tag(1), o.tags + 8);
        assert_eq!(o.size, o.tags + 2 * 8);
        assert_eq!(o.memory_def(1), 64 + 16 + 8);
    }

    #[test]
    fn limits_layout() {
        use core::mem::offset_of;
        assert_eq!(offset_of!(VMLimits, stack_limit) as u32, VMLimits::OFF_STACK_LIMIT);
        assert_eq!(offset_of!(VMLimits, gc_next) as u32, VMLimits::OFF_GC_NEXT);
        assert_eq!(offset_of!(VMLimits, gc_limit) as u32, VMLimits::OFF_GC_LIMIT);
        assert_eq!(offset_of!(VMLimits, nursery_start) as u32, VMLimits::OFF_NURSERY_START);
        assert_eq!(offset_of!(VMLimits, nursery_end) as u32, VMLimits::OFF_NURSERY_END);
    }
}
