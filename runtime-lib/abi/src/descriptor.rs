//! The module descriptor: a read-only data object the compiler emits into
//! every object file and the runtime instantiates from. Pointers inside are
//! filled in by the linker (data relocations), so the descriptor is usable
//! in place with no parsing.
//!
//! All pointers are `u64`; all structs are `repr(C)` with naturally aligned
//! fields only, so the layout is identical on every 64-bit target. The
//! compiler serialises these with [`Layout`] offsets; the runtime reads them
//! by casting.

/// `{ ptr, len }`: a byte string or an array of `T` in the descriptor.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Slice {
    pub ptr: u64,
    pub len: u64,
}

impl Slice {
    pub const SIZE: u32 = 16;
    /// # Safety
    /// `ptr` must point at `len` valid `T`s that live for `'a`.
    pub unsafe fn as_slice<'a, T>(&self) -> &'a [T] {
        if self.len == 0 {
            &[]
        } else {
            unsafe { core::slice::from_raw_parts(self.ptr as *const T, self.len as usize) }
        }
    }
    /// # Safety
    /// As for [`Slice::as_slice`].
    pub unsafe fn as_str<'a>(&self) -> &'a str {
        core::str::from_utf8(unsafe { self.as_slice::<u8>() }).unwrap_or("<invalid utf-8>")
    }
}

/// Sentinel for "no index" (no start function, no maximum, ...).
pub const NONE: u32 = u32::MAX;
pub const NO_MAX: u64 = u64::MAX;

/// Export/import kinds.
pub const KIND_FUNC: u32 = 0;
pub const KIND_TABLE: u32 = 1;
pub const KIND_MEMORY: u32 = 2;
pub const KIND_GLOBAL: u32 = 3;
pub const KIND_TAG: u32 = 4;

/// Value type codes (the wasm binary encoding's first byte).
pub const TY_I32: u8 = 0x7f;
pub const TY_I64: u8 = 0x7e;
pub const TY_F32: u8 = 0x7d;
pub const TY_F64: u8 = 0x7c;
pub const TY_V128: u8 = 0x7b;
pub const TY_FUNCREF: u8 = 0x70;
pub const TY_EXTERNREF: u8 = 0x6f;
/// Representation of every other (GC) reference: `anyref` and below.
pub const TY_ANYREF: u8 = 0x6e;

/// Reference value types in type encodings: a prefix byte, then the heap
/// type: an abstract heap type's code (`0x70` func, `0x6f` extern, `0x73`
/// nofunc, `0x72` noextern, `0x6e` any, `0x6d` eq, `0x6c` i31, `0x6b`
/// struct, `0x6a` array, `0x71` none) or a concrete type.
pub const REF_NULLABLE: u8 = 0x63;
pub const REF_NONNULL: u8 = 0x64;
/// In the descriptor: a concrete type as a little-endian u32 module type
/// index.
pub const HEAP_TYPE_INDEX: u8 = 0x00;
/// In the runtime's canonical form: a type of the same recursion group, a
/// little-endian u32 index within the group.
pub const HEAP_REC: u8 = 0x01;
/// In the runtime's canonical form: a canonical runtime type, its
/// `*const VMRtt` as a little-endian u64.
pub const HEAP_RTT: u8 = 0x02;

/// Type structures: function, struct, array (the binary format's bytes).
pub const TYPE_FUNC: u8 = 0x60;
pub const TYPE_STRUCT: u8 = 0x5f;
pub const TYPE_ARRAY: u8 = 0x5e;
/// Packed storage types of fields and elements.
pub const STORAGE_I8: u8 = 0x78;
pub const STORAGE_I16: u8 = 0x77;

/// The root object, exported under the module's descriptor symbol.
#[repr(C)]
#[derive(Debug)]
pub struct ModuleDesc {
    pub abi_version: u32,
    pub start: u32,
    pub name: Slice,
    /// `[TypeDesc]`, indexed by type index.
    pub types: Slice,
    /// `[ImportDesc]`, in import order.
    pub imports: Slice,
    /// `[FuncDesc]` for the whole function index space.
    pub funcs: Slice,
    pub num_imported_funcs: u32,
    pub num_imported_tables: u32,
    pub num_imported_memories: u32,
    pub num_imported_globals: u32,
    /// `[TableDesc]` for the whole table index space (imports first).
    pub tables: Slice,
    /// `[MemoryDesc]` for the whole memory index space.
    pub memories: Slice,
    /// `[GlobalDesc]` for the whole global index space.
    pub globals: Slice,
    /// `[ExportDesc]`.
    pub exports: Slice,
    /// `[DataDesc]`.
    pub data: Slice,
    /// `[ElemDesc]`.
    pub elems: Slice,
    /// `[TagDesc]` for the whole tag index space (imports first).
    pub tags: Slice,
    pub num_imported_tags: u32,
    pub reserved: u32,
}

/// A tag: the function type of its parameters (no results), and the name
/// an uncaught exception of it reports.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TagDesc {
    pub name: Slice,
    pub type_index: u32,
    pub reserved: u32,
}

/// A defined type. `encoding` is its structure as [`crate::typeenc`]
/// writes and reads it: `[0x60, u32 n, params..., u32 m, results...]`,
/// `[0x5f, u32 n, (storage, mutable)*]` or `[0x5e, storage, mutable]`,
/// each value type one code byte (numbers) or a reference encoding (see
/// [`REF_NULLABLE`]), storage a value type or a packed type.
/// The runtime canonicalizes each recursion group into runtime types
/// (`VMRtt`): equal groups in any module give the same runtime types.
#[repr(C)]
#[derive(Debug)]
pub struct TypeDesc {
    pub encoding: Slice,
    /// First type index of this type's recursion group, and its size.
    pub group_start: u32,
    pub group_len: u32,
    /// Declared supertype ([`NONE`] if none).
    pub supertype: u32,
    pub is_final: u32,
}

#[repr(C)]
#[derive(Debug)]
pub struct ImportDesc {
    pub module: Slice,
    pub name: Slice,
    pub kind: u32,
    /// Index in the kind's own index space (function 3, memory 0, ...).
    pub index: u32,
}

#[repr(C)]
#[derive(Debug)]
pub struct FuncDesc {
    /// Native code in the wasm (`tail`) convention. For an imported
    /// function: the trampoline that calls a host function of its type.
    pub wasm_call: u64,
    /// C-ABI array-call entry, or 0 if the function never escapes.
    pub array_call: u64,
    pub type_index: u32,
    /// 0 defined here; [`IMPORT_DYNAMIC`] resolved at instantiation;
    /// [`IMPORT_STATIC`] bound at link time to a C function (see `mangle`).
    pub imported: u32,
    pub code_len: u64,
    /// Name for backtraces (name section, else `wasm-function[N]`).
    pub name: Slice,
    /// `[TrapSite]`, sorted by offset.
    pub traps: Slice,
    /// `[Safepoint]`, sorted by return address offset: where GC references
    /// live in this function's frame at each call.
    pub safepoints: Slice,
    /// `[u32]`: SP-relative offsets of live GC references, referenced by
    /// the safepoints.
    pub stack_slots: Slice,
    /// `[crate::exn::HandlerSite]`, sorted by return address offset: the
    /// calls inside a `try_table` (or legacy `try`) and what catches there.
    pub handler_sites: Slice,
    /// `[crate::exn::Handler]`, referenced by the handler sites.
    pub handlers: Slice,
}

/// A call site in a function: `ret_offset` is the return address's offset
/// into the function; `stack_slots[first..first + count]` are the offsets
/// from the stack pointer at the call of the slots holding GC references;
/// that stack pointer is the function's frame pointer minus `frame_size`
/// (on every target, whatever the callee's frame looks like).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Safepoint {
    pub ret_offset: u32,
    pub first: u32,
    pub count: u32,
    pub frame_size: u32,
}

pub const IMPORT_DYNAMIC: u32 = 1;
pub const IMPORT_STATIC: u32 = 2;

/// A trapping instruction at `offset` bytes into its function.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TrapSite {
    pub offset: u32,
    /// A [`crate::Trap`] discriminant.
    pub code: u32,
}

#[repr(C)]
#[derive(Debug)]
pub struct TableDesc {
    /// Representation of the elements (TY_FUNCREF, TY_EXTERNREF).
    pub elem_type: u32,
    pub flags: u32,
    /// The element type's full encoding, for import matching.
    pub elem_encoding: Slice,
    pub min: u64,
    pub max: u64,
    /// Initial element value (the table's init expression, else null).
    pub init: ConstExpr,
}

pub const MEMORY_FLAG_SHARED: u32 = 1;
pub const MEMORY_FLAG_64: u32 = 2;

#[repr(C)]
#[derive(Debug)]
pub struct MemoryDesc {
    pub min_pages: u64,
    pub max_pages: u64,
    pub flags: u32,
    pub page_size_log2: u32,
}

#[repr(C)]
#[derive(Debug)]
pub struct GlobalDesc {
    /// Representation of the value (a TY_* code).
    pub ty: u32,
    pub mutable: u32,
    /// The value type's full encoding, for import matching.
    pub encoding: Slice,
    /// Initializer for a defined global.
    pub init: ConstExpr,
}

#[repr(C)]
#[derive(Debug)]
pub struct ExportDesc {
    pub name: Slice,
    pub kind: u32,
    pub index: u32,
}

pub const SEG_ACTIVE: u32 = 0;
pub const SEG_PASSIVE: u32 = 1;
pub const SEG_DECLARED: u32 = 2;

/// Active data segments of at least [`DATA_MAP_MIN_BYTES`] with a constant
/// offset are placed (padding before them, the descriptor object aligned
/// to [`DATA_MAP_ALIGN`]) so that the address of their bytes is congruent
/// to their guest offset modulo `DATA_MAP_ALIGN`. The runtime can then map
/// the executable's own file pages into the memory, copy-on-write, instead
/// of copying the bytes (any page size up to 64 KiB): start-up does not
/// depend on the size of the data, and untouched data costs no memory.
pub const DATA_MAP_MIN_BYTES: u64 = 256 << 10;
pub const DATA_MAP_ALIGN: u64 = 64 << 10;

#[repr(C)]
#[derive(Debug)]
pub struct DataDesc {
    pub mode: u32,
    pub memory: u32,
    pub offset: ConstExpr,
    pub bytes: Slice,
}

#[repr(C)]
#[derive(Debug)]
pub struct ElemDesc {
    pub mode: u32,
    pub table: u32,
    pub offset: ConstExpr,
    /// `[ConstExpr]`, one per element.
    pub items: Slice,
}

/// Constant expression kinds. Simple forms are stored as data; anything
/// else (extended constant arithmetic, later GC allocation) is compiled to
/// native code and called through `array_call`.
pub const EXPR_VALUE: u32 = 0;
pub const EXPR_REF_NULL: u32 = 1;
pub const EXPR_REF_FUNC: u32 = 2;
pub const EXPR_GLOBAL_GET: u32 = 3;
pub const EXPR_COMPILED: u32 = 4;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ConstExpr {
    pub kind: u32,
    /// Function index for `EXPR_REF_FUNC`, global index for `EXPR_GLOBAL_GET`.
    pub index: u32,
    /// Little-endian value bits for `EXPR_VALUE`.
    pub bits: [u64; 2],
    /// For `EXPR_COMPILED`: `extern "C" fn(vmctx, *mut ValRaw) -> u32`.
    pub array_call: u64,
}

/// Byte sizes and field offsets the compiler uses when serialising.
pub struct Layout;

impl Layout {
    pub const MODULE: u32 = core::mem::size_of::<ModuleDesc>() as u32;
    pub const TYPE: u32 = core::mem::size_of::<TypeDesc>() as u32;
    pub const IMPORT: u32 = core::mem::size_of::<ImportDesc>() as u32;
    pub const FUNC: u32 = core::mem::size_of::<FuncDesc>() as u32;
    pub const TRAP: u32 = core::mem::size_of::<TrapSite>() as u32;
    pub const SAFEPOINT: u32 = core::mem::size_of::<Safepoint>() as u32;
    pub const TABLE: u32 = core::mem::size_of::<TableDesc>() as u32;
    pub const MEMORY: u32 = core::mem::size_of::<MemoryDesc>() as u32;
    pub const GLOBAL: u32 = core::mem::size_of::<GlobalDesc>() as u32;
    pub const EXPORT: u32 = core::mem::size_of::<ExportDesc>() as u32;
    pub const DATA: u32 = core::mem::size_of::<DataDesc>() as u32;
    pub const ELEM: u32 = core::mem::size_of::<ElemDesc>() as u32;
    pub const EXPR: u32 = core::mem::size_of::<ConstExpr>() as u32;
    pub const TAG: u32 = core::mem::size_of::<TagDesc>() as u32;
    pub const HANDLER_SITE: u32 = core::mem::size_of::<crate::exn::HandlerSite>() as u32;
    pub const HANDLER: u32 = core::mem::size_of::<crate::exn::Handler>() as u32;
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::offset_of;

    /// The compiler writes these structs field by field in declaration order
    /// with natural alignment; pin the sizes so any edit is deliberate.
    #[test]
    fn sizes_are_pinned() {
        assert_eq!(Layout::MODULE, 8 + 16 * 4 + 16 + 16 * 6 + 16 + 8);
        assert_eq!(Layout::TAG, 24);
        assert_eq!(Layout::TYPE, 32);
        assert_eq!(Layout::IMPORT, 40);
        assert_eq!(Layout::FUNC, 128);
        assert_eq!(Layout::SAFEPOINT, 16);
        assert_eq!(Layout::TRAP, 8);
        assert_eq!(Layout::EXPR, 32);
        assert_eq!(Layout::TABLE, 24 + 16 + 32);
        assert_eq!(Layout::MEMORY, 24);
        assert_eq!(Layout::GLOBAL, 8 + 16 + 32);
        assert_eq!(Layout::EXPORT, 24);
        assert_eq!(Layout::DATA, 8 + 32 + 16);
        assert_eq!(Layout::ELEM, 8 + 32 + 16);
        assert_eq!(offset_of!(ModuleDesc, num_imported_funcs), 8 + 16 * 4);
        assert_eq!(offset_of!(FuncDesc, name), 32);
    }
}
