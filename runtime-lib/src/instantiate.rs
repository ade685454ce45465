//! Instantiation: from a module descriptor and resolved imports to a live
//! vmctx, following the spec's order (imports, globals, tables, memories,
//! element segments, data segments, start function).
//!
//! Everything the instance owns is built before it is shared: the import
//! checks come first (before the vmctx is allocated), then memories,
//! tables (of nulls), global handles (their slots zero) and host function
//! contexts. Only then is the instance put in an `Rc` and registered with
//! its store, and the constant expressions, which may run generated code
//! that allocates and collects (and so reads the instance's roots), fill
//! in global slots, table contents and segment items through shared
//! references.

use crate::call::call_raw;
use crate::host::HostFuncCtx;
use crate::instance::{trap_error, HostData, Instance, InstanceInner, Module, Store, VmctxAlloc, MAGIC};
use crate::memory::Memory;
use crate::stack::StackLimitGuard;
use crate::table::Table;
use crate::trap::{catch_traps, Error};
use crate::types;
use crate::val::{Extern, Func, Global, Tag, TagData};
use std::any::Any;
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;
use wasmc_abi::descriptor::*;
use wasmc_abi::exn::VMTag;
use wasmc_abi::vmctx::{self, VMCounts, VMOffsets};
use wasmc_abi::{Trap, VMFuncRef, VMHostCtx, ValRaw};

/// Why instantiation failed.
#[derive(Debug)]
pub enum InstantiateError {
    /// An import is missing or has the wrong type (`assert_unlinkable`).
    Link(String),
    /// A segment or the start function trapped (`assert_uninstantiable`).
    Trap(Error),
    /// Out of resources (address space, table size).
    Resource(String),
}

impl std::fmt::Display for InstantiateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstantiateError::Link(m) | InstantiateError::Resource(m) => write!(f, "{m}"),
            InstantiateError::Trap(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for InstantiateError {}

fn import_mismatch(module: &str, name: &str, what: &str) -> InstantiateError {
    InstantiateError::Link(format!("incompatible import type for `{module}::{name}`: {what}"))
}

/// The imports, checked against the module's import types and sorted by
/// kind.
#[derive(Default)]
struct Imports {
    funcs: Vec<(u32, Func)>,
    memories: Vec<Memory>,
    tables: Vec<Table>,
    globals: Vec<Global>,
    tags: Vec<Tag>,
}

fn check_imports(module: &Module, imports: &[Extern]) -> Result<Imports, InstantiateError> {
    let import_descs: Vec<&ImportDesc> = module.dynamic_imports().collect();
    if imports.len() != import_descs.len() {
        return Err(InstantiateError::Link(format!("expected {} imports, got {}", import_descs.len(), imports.len())));
    }
    let (funcs, tables, memories, globals) =
        (module.funcs(), module.table_descs(), module.memory_descs(), module.global_descs());
    let mut out = Imports::default();
    for (d, ext) in import_descs.iter().zip(imports) {
        let (m, n) = (module.str(&d.module), module.str(&d.name));
        match (d.kind, ext) {
            (KIND_FUNC, Extern::Func(f)) => {
                let want = module.0.type_ids[funcs[d.index as usize].type_index as usize];
                // SAFETY: a `Func`'s funcref is live while the `Func` is.
                let actual = unsafe { (*f.ptr).type_id } as *const wasmc_abi::gc::VMRtt;
                if !types::rtt_subtype(actual, want as *const wasmc_abi::gc::VMRtt) {
                    return Err(import_mismatch(m, n, "function type differs"));
                }
                out.funcs.push((d.index, f.clone()));
            }
            (KIND_MEMORY, Extern::Memory(mem)) => {
                let want = &memories[d.index as usize];
                let max_ok = want.max_pages == NO_MAX || mem.max_pages() <= want.max_pages;
                if mem.pages() < want.min_pages
                    || !max_ok
                    || (want.max_pages != NO_MAX && mem.max_pages() == 65536 && want.max_pages < 65536)
                {
                    return Err(import_mismatch(m, n, "memory limits differ"));
                }
                if mem.is_shared() != (want.flags & MEMORY_FLAG_SHARED != 0) {
                    return Err(import_mismatch(m, n, "memory sharing differs"));
                }
                out.memories.push(mem.clone());
            }
            (KIND_TABLE, Extern::Table(t)) => {
                let want = &tables[d.index as usize];
                let max_ok = match (want.max, t.max()) {
                    (NO_MAX, _) => true,
                    (_, None) => false,
                    (w, Some(h)) => h <= w,
                };
                let want_elem: &[u8] = &module.0.table_types[d.index as usize];
                if t.elem_encoding() != want_elem || t.len() < want.min || !max_ok {
                    return Err(import_mismatch(m, n, "table type differs"));
                }
                out.tables.push(t.clone());
            }
            (KIND_GLOBAL, Extern::Global(g)) => {
                let want = &globals[d.index as usize];
                let want_ty: &[u8] = &module.0.global_types[d.index as usize];
                // Mutable globals are invariant, immutable ones covariant.
                let ty_ok = if g.mutable { &*g.encoding == want_ty } else { types::val_subtype(&g.encoding, want_ty) };
                if !ty_ok || g.mutable != (want.mutable != 0) {
                    return Err(import_mismatch(m, n, "global type differs"));
                }
                out.globals.push(g.clone());
            }
            (KIND_TAG, Extern::Tag(t)) => {
                let want = module.0.type_ids[module.tag_descs()[d.index as usize].type_index as usize];
                // SAFETY: a `Tag` keeps its defining instance, and so its
                // `TagData`, alive.
                let actual = unsafe { (*t.ptr).vm.type_id };
                // Tag types match exactly (no subtyping: payloads flow both
                // ways, into `throw` and out of `catch`).
                if actual != want {
                    return Err(import_mismatch(m, n, "tag type differs"));
                }
                out.tags.push(t.clone());
            }
            _ => return Err(import_mismatch(m, n, "kind differs")),
        }
    }
    Ok(out)
}

impl Instance {
    /// Instantiates `module` with `imports` given in the module's import order.
    pub fn new(store: &Store, module: &Module, imports: &[Extern]) -> Result<Instance, InstantiateError> {
        Self::with_host_data(store, module, imports, Vec::new())
    }

    /// Instantiates `module` with host data that its host functions reach
    /// through [`crate::Caller::data_mut`] (WASI's state, say).
    pub fn with_host_data(
        store: &Store,
        module: &Module,
        imports: &[Extern],
        host_data: Vec<Box<dyn Any>>,
    ) -> Result<Instance, InstantiateError> {
        let desc = module.desc();
        let checked = check_imports(module, imports)?;
        let (funcs, global_descs) = (module.funcs(), module.global_descs());
        let counts = VMCounts {
            memories: module.memory_descs().len() as u32,
            tables: module.table_descs().len() as u32,
            globals: global_descs.len() as u32,
            defined_globals: global_descs.len() as u32 - desc.num_imported_globals,
            functions: funcs.len() as u32,
            tags: module.tag_descs().len() as u32,
        };
        let offsets = VMOffsets::new(counts);
        let vmctx = VmctxAlloc::new(&offsets)
            .ok_or_else(|| InstantiateError::Resource("out of memory allocating an instance".into()))?;
        let base = vmctx.ptr;
        let write = |off: u32, v: u64| {
            assert!(off + 8 <= offsets.size, "vmctx write out of range");
            // SAFETY: `off + 8` lies inside the zeroed, 16-aligned vmctx
            // allocation (checked), and every VMOffsets field is 8-aligned;
            // nothing else references the vmctx yet, or (after sharing)
            // nothing reads this word concurrently (one thread per store).
            unsafe { *(base.add(off as usize) as *mut u64) = v }
        };

        // Memories: imported, then defined ones (no initializer can observe
        // them before data segments).
        let mut memories = checked.memories;
        for md in &module.memory_descs()[desc.num_imported_memories as usize..] {
            if md.flags & MEMORY_FLAG_64 != 0 {
                return Err(InstantiateError::Resource("memory64 is not supported".into()));
            }
            memories.push(memory_for(md).map_err(InstantiateError::Resource)?);
        }
        // Tables: imported, then defined ones, null until their initializer
        // has run.
        let mut tables = checked.tables;
        for (i, td) in module.table_descs().iter().enumerate().skip(desc.num_imported_tables as usize) {
            let max = (td.max != NO_MAX).then_some(td.max);
            let enc = module.0.table_types[i].clone();
            tables.push(Table::with_encoding(enc, td.min, max).map_err(InstantiateError::Resource)?);
        }
        // Globals: imported ones point at their owner's slot; defined ones
        // at their slot in this vmctx (zero, a null reference, until their
        // initializer runs). Defined globals keep no owner of their own
        // (that would be a cycle); `export` hands out handles that hold
        // the instance.
        let mut globals = checked.globals;
        let no_owner: Rc<dyn Any> = Rc::new(());
        for (i, gd) in global_descs.iter().enumerate().skip(desc.num_imported_globals as usize) {
            let off = offsets.global_storage(i as u32 - desc.num_imported_globals);
            assert!(off + 16 <= offsets.size, "global slot out of range");
            // SAFETY: in bounds (checked); a slot address, not dereferenced.
            let ptr = unsafe { base.add(off as usize) } as *mut ValRaw;
            let encoding: Rc<[u8]> = module.0.global_types[i].as_slice().into();
            globals.push(Global { ptr, ty: gd.ty as u8, encoding, mutable: gd.mutable != 0, _owner: no_owner.clone() });
        }
        // Host functions imported get a context bound to this instance.
        let mut host_ctxs = Vec::new();
        let mut import_refs = Vec::new();
        for (index, f) in &checked.funcs {
            // SAFETY: a `Func`'s funcref is live while the `Func` is.
            let imported = unsafe { *f.ptr };
            let value = match &f.host {
                Some(body) => {
                    let ctx = Box::new(HostFuncCtx {
                        header: VMHostCtx {
                            array_call: crate::host::host_array_call as *const () as u64,
                            no_limits: 0,
                            builtins: crate::builtins::table_address(),
                            no_instance: 0,
                        },
                        slots: f.ty.params.len().max(f.ty.results.len()),
                        caller_vmctx: base,
                        body: body.clone(),
                    });
                    let r = VMFuncRef {
                        wasm_call: funcs[*index as usize].wasm_call,
                        array_call: crate::host::host_array_call as *const () as u64,
                        type_id: imported.type_id,
                        vmctx: &*ctx as *const HostFuncCtx as u64,
                    };
                    host_ctxs.push(ctx);
                    r
                }
                None => imported,
            };
            import_refs.push((*index, value));
        }

        // Tags defined here: their exception types and names.
        let mut own_tags = Vec::new();
        for td in &module.tag_descs()[desc.num_imported_tags as usize..] {
            let type_id = module.0.type_ids[td.type_index as usize];
            let exn_rtt = types::exception_rtt(type_id)
                .ok_or_else(|| InstantiateError::Resource("a tag's type is not a function type".into()))?;
            own_tags.push(TagData { vm: VMTag { exn_rtt, type_id }, name: module.str(&td.name) });
        }

        let elems = module.elem_descs();
        let inst = Rc::new(InstanceInner {
            magic: MAGIC,
            module: module.clone(),
            store: store.clone(),
            vmctx,
            offsets,
            memories,
            tables,
            globals,
            imported_tags: checked.tags,
            own_tags: own_tags.into_boxed_slice(),
            host_ctxs,
            _imports: imports.to_vec(),
            data_dropped: module.data_descs().iter().map(|_| Cell::new(false)).collect(),
            elems: elems.iter().map(|_| RefCell::new(Some(Vec::new()))).collect(),
            host_data: HostData::new(host_data),
            embedder: OnceCell::new(),
        });
        debug_assert_eq!(inst.host_ctxs.len(), checked.funcs.iter().filter(|(_, f)| f.host.is_some()).count());

        // The header, memories, tables, global pointers and funcrefs.
        write(vmctx::OFF_BUILTINS, crate::builtins::table_address());
        write(vmctx::OFF_LIMITS, store.0.limits() as u64);
        write(vmctx::OFF_TYPE_IDS, module.0.type_ids.as_ptr() as u64);
        write(vmctx::OFF_INSTANCE, Rc::as_ptr(&inst) as u64);
        for (i, m) in inst.memories.iter().enumerate() {
            write(offsets.memory_base(i as u32), m.base() as u64);
            write(offsets.memory_def(i as u32), m.def_ptr() as u64);
        }
        for (i, t) in inst.tables.iter().enumerate() {
            write(offsets.table_def(i as u32), t.def_ptr() as u64);
        }
        for (i, g) in inst.globals.iter().enumerate() {
            write(offsets.global_ptr(i as u32), g.ptr as u64);
        }
        let tag_ptrs =
            inst.imported_tags.iter().map(|t| t.ptr).chain(inst.own_tags.iter().map(|t| t as *const TagData));
        for (i, p) in tag_ptrs.enumerate() {
            write(offsets.tag(i as u32), p as u64);
        }
        for (i, value) in import_refs {
            // SAFETY: `funcref_ptr` checks the index; the slot is in the
            // vmctx, which nothing reads yet.
            unsafe { *inst.funcref_ptr(i) = value };
        }
        for (i, f) in funcs.iter().enumerate() {
            // Defined functions and imports bound to C functions (whose
            // trampoline passes this instance to C as the caller).
            if f.imported == IMPORT_DYNAMIC {
                continue;
            }
            let value = VMFuncRef {
                wasm_call: f.wasm_call,
                array_call: f.array_call,
                type_id: module.0.type_ids[f.type_index as usize],
                vmctx: base as u64,
            };
            // SAFETY: as above.
            unsafe { *inst.funcref_ptr(i as u32) = value };
        }
        // From here on generated code may run and collect: the store must
        // see this instance's roots.
        store.0.add_instance(&inst);

        for (i, gd) in global_descs.iter().enumerate().skip(desc.num_imported_globals as usize) {
            let v = inst.eval(&gd.init).map_err(InstantiateError::Trap)?;
            let slot = inst.globals[i].ptr;
            // SAFETY: `slot` is this instance's own global slot in its
            // vmctx (made above); no reference to it is live (collections,
            // which update it, only run inside `eval`).
            unsafe { *slot = v };
        }
        for (i, td) in module.table_descs().iter().enumerate().skip(desc.num_imported_tables as usize) {
            let init = inst.eval(&td.init).map_err(InstantiateError::Trap)?.u64();
            let t = &inst.tables[i];
            // SAFETY: `init` is the table's initializer, which validation
            // typed as its element type.
            unsafe { t.fill(0, t.len(), init) };
        }
        // Element segments: evaluate every item, then apply active ones.
        // Items are stored as they are made: they are GC roots while later
        // items are evaluated (which may allocate and collect).
        for (i, _) in elems.iter().enumerate() {
            for it in module.elem_items(i) {
                let v = inst.eval(it).map_err(InstantiateError::Trap)?.u64();
                if let Some(vals) = inst.elems[i].borrow_mut().as_mut() {
                    vals.push(v);
                }
            }
        }
        let instance = Instance(inst);
        instance.init_segments_and_start().inspect_err(|_| {
            // Segments applied before the trap may have stored this
            // instance's functions into imported tables, where other
            // instances can still call them: keep it alive.
            std::mem::forget(instance.clone());
        })?;
        Ok(instance)
    }

    fn init_segments_and_start(&self) -> Result<(), InstantiateError> {
        let inst = &self.0;
        let module = &inst.module;
        for (i, e) in module.elem_descs().iter().enumerate() {
            match e.mode {
                SEG_ACTIVE => {
                    let offset = inst.eval(&e.offset).map_err(InstantiateError::Trap)?.u64();
                    let ok = inst.with_elems(i as u32, |items| inst.tables[e.table as usize].init_from(offset, items));
                    if !ok {
                        return Err(InstantiateError::Trap(trap_error(Trap::TableOutOfBounds)));
                    }
                    *inst.elems[i].borrow_mut() = None;
                }
                SEG_DECLARED => *inst.elems[i].borrow_mut() = None,
                _ => {}
            }
        }
        for (i, d) in module.data_descs().iter().enumerate() {
            if d.mode == SEG_ACTIVE {
                let offset = inst.eval(&d.offset).map_err(InstantiateError::Trap)?.u64();
                let bytes = inst.data_bytes(i as u32);
                if !inst.memories[d.memory as usize].init_from_image(offset, bytes) {
                    return Err(InstantiateError::Trap(trap_error(Trap::MemoryOutOfBounds)));
                }
                inst.data_dropped[i].set(true);
            }
        }
        let start = module.desc().start;
        if start != NONE {
            let f = inst.funcref_ptr(start);
            let mut slots = [ValRaw::default(); 1];
            // SAFETY: the start function's funcref was filled in above; it
            // takes and returns nothing (validation), so one slot suffices.
            unsafe { call_raw(f, &mut slots) }.map_err(InstantiateError::Trap)?;
        }
        Ok(())
    }
}

impl InstanceInner {
    /// Evaluates a constant expression (offsets, initializers, elements).
    pub(crate) fn eval(&self, e: &ConstExpr) -> Result<ValRaw, Error> {
        Ok(match e.kind {
            EXPR_VALUE => ValRaw::from_u128(e.bits[0] as u128 | (e.bits[1] as u128) << 64),
            EXPR_REF_NULL => ValRaw::default(),
            EXPR_REF_FUNC => ValRaw::from_u64(self.funcref_ptr(e.index) as u64),
            // SAFETY: the pointer is this instance's global slot or an
            // imported one (live while the import is held), written above.
            EXPR_GLOBAL_GET => unsafe { *self.global_ptr(e.index) },
            _ => {
                // SAFETY: other expressions are compiled into a function of
                // the array-call signature (`ConstExpr::array_call`).
                let entry: unsafe extern "C" fn(*mut u8, *mut ValRaw) -> u32 =
                    unsafe { std::mem::transmute(e.array_call as usize) };
                let mut out = [ValRaw::default(); 1];
                let (vmctx, ptr) = (self.vmctx(), out.as_mut_ptr());
                // SAFETY: the limits block is this instance's store's.
                let _g = unsafe { StackLimitGuard::enter(self.store.0.limits()) };
                // SAFETY: the closure owns nothing with a destructor; the
                // entry writes its one result to `out`.
                unsafe {
                    catch_traps(&mut || {
                        entry(vmctx, ptr);
                    })
                }?;
                out[0]
            }
        })
    }
}

/// A new memory of the type `md` describes (shared or not).
pub(crate) fn memory_for(md: &MemoryDesc) -> Result<Memory, String> {
    let max = (md.max_pages != NO_MAX).then_some(md.max_pages);
    match max {
        Some(max) if md.flags & MEMORY_FLAG_SHARED != 0 => Memory::new_shared(md.min_pages, max),
        _ => Memory::new(md.min_pages, max),
    }
}
