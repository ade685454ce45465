//! A compiled module: its descriptor and the runtime types of its types.

use crate::types::{self, FuncType};
use std::sync::Arc;
use wasmc_abi::descriptor::*;
use wasmc_abi::ABI_VERSION;

/// A compiled module, ready to instantiate. Cheap to clone; immutable, so
/// it may be shared between threads.
#[derive(Clone)]
pub struct Module(pub(crate) Arc<ModuleInner>);

pub(crate) struct ModuleInner {
    pub(crate) desc: &'static ModuleDesc,
    /// Runtime type (`*const VMRtt`) of each module type index.
    pub(crate) type_ids: Vec<u64>,
    /// Canonical encodings of the global and table types (import matching).
    pub(crate) global_types: Vec<Vec<u8>>,
    pub(crate) table_types: Vec<Vec<u8>>,
}

impl Module {
    /// # Safety
    /// `desc` must be a module descriptor emitted by the wasmc compiler whose
    /// code stays mapped for the rest of the process.
    pub unsafe fn from_descriptor(desc: *const ModuleDesc) -> Result<Module, String> {
        // SAFETY: `desc` is a live descriptor for the rest of the process
        // (contract).
        let desc: &'static ModuleDesc = unsafe { &*desc };
        if desc.abi_version != ABI_VERSION {
            return Err(format!(
                "module was compiled for runtime ABI {} but this runtime has ABI {}",
                desc.abi_version, ABI_VERSION
            ));
        }
        // SAFETY: `desc` is a compiler-emitted descriptor, live for the
        // process (this function's contract).
        unsafe { crate::code::register(desc) };
        // SAFETY: the compiler emits every descriptor slice (this one and
        // those below) as `len` elements of its documented type, in the
        // same read-only, never unmapped image (contract).
        let types: &[TypeDesc] = unsafe { desc.types.as_slice() };
        // SAFETY: as above, each type's encoding is live bytes.
        let rtts = unsafe { types::canonicalize(types) };
        // SAFETY: as above.
        let globals: &[GlobalDesc] = unsafe { desc.globals.as_slice() };
        // SAFETY: as above.
        let canonical_global = |g: &GlobalDesc| types::canonical_val(unsafe { g.encoding.as_slice() }, &rtts);
        let global_types = globals.iter().map(canonical_global).collect();
        // SAFETY: as above.
        let tables: &[TableDesc] = unsafe { desc.tables.as_slice() };
        // SAFETY: as above.
        let canonical_table = |t: &TableDesc| types::canonical_val(unsafe { t.elem_encoding.as_slice() }, &rtts);
        let table_types = tables.iter().map(canonical_table).collect();
        let type_ids = rtts.into_iter().map(|r| r as u64).collect();
        Ok(Module(Arc::new(ModuleInner { desc, type_ids, global_types, table_types })))
    }

    pub fn desc(&self) -> &'static ModuleDesc {
        self.0.desc
    }

    /// The descriptor's tables, typed.
    fn slice<T>(s: &Slice) -> &'static [T] {
        // SAFETY: `Module` is only made by `from_descriptor`, whose contract
        // is that every slice of the descriptor is `len` valid elements of
        // its documented type, live for the process; the typed accessors
        // below are the only callers and pass each field with its type.
        unsafe { s.as_slice() }
    }
    pub(crate) fn funcs(&self) -> &'static [FuncDesc] {
        Self::slice(&self.0.desc.funcs)
    }
    pub(crate) fn import_descs(&self) -> &'static [ImportDesc] {
        Self::slice(&self.0.desc.imports)
    }
    pub(crate) fn table_descs(&self) -> &'static [TableDesc] {
        Self::slice(&self.0.desc.tables)
    }
    pub(crate) fn memory_descs(&self) -> &'static [MemoryDesc] {
        Self::slice(&self.0.desc.memories)
    }
    pub(crate) fn global_descs(&self) -> &'static [GlobalDesc] {
        Self::slice(&self.0.desc.globals)
    }
    pub(crate) fn export_descs(&self) -> &'static [ExportDesc] {
        Self::slice(&self.0.desc.exports)
    }
    pub(crate) fn tag_descs(&self) -> &'static [TagDesc] {
        Self::slice(&self.0.desc.tags)
    }
    pub(crate) fn data_descs(&self) -> &'static [DataDesc] {
        Self::slice(&self.0.desc.data)
    }
    pub(crate) fn elem_descs(&self) -> &'static [ElemDesc] {
        Self::slice(&self.0.desc.elems)
    }
    /// The items of element segment `i`.
    pub(crate) fn elem_items(&self, i: usize) -> &'static [ConstExpr] {
        Self::slice(&self.elem_descs()[i].items)
    }
    /// The bytes of data segment `i` (empty if there is none).
    pub(crate) fn segment_bytes(&self, i: usize) -> &'static [u8] {
        self.data_descs().get(i).map_or(&[], |d| Self::slice(&d.bytes))
    }

    /// A name of the descriptor (any of its slices is live bytes).
    pub(crate) fn str(&self, s: &Slice) -> &'static str {
        // SAFETY: as in `slice`: every descriptor slice is live memory of
        // `len` elements of at least one byte; `as_str` checks UTF-8.
        unsafe { s.as_str() }
    }

    pub fn name(&self) -> &'static str {
        self.str(&self.0.desc.name)
    }

    /// `(module, name, kind)` of each import, in order.
    /// The imports an instantiation must be given; imports bound at link
    /// time to C functions are not among them.
    pub fn imports(&self) -> Vec<(&'static str, &'static str, u32)> {
        self.dynamic_imports().map(|i| (self.str(&i.module), self.str(&i.name), i.kind)).collect()
    }

    pub(crate) fn dynamic_imports(&self) -> impl Iterator<Item = &'static ImportDesc> + '_ {
        let funcs = self.funcs();
        self.import_descs()
            .iter()
            .filter(move |i| !(i.kind == KIND_FUNC && funcs[i.index as usize].imported == IMPORT_STATIC))
    }

    /// The type of function `index`.
    pub fn func_type(&self, index: u32) -> FuncType {
        let f = &self.funcs()[index as usize];
        self.type_at(f.type_index)
    }

    pub fn type_at(&self, type_index: u32) -> FuncType {
        types::func_type(self.0.type_ids[type_index as usize]).unwrap_or_else(|| FuncType::new(&[], &[]))
    }
}
