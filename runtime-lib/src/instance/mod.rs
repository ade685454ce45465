//! Instances: a module's vmctx and the memories, tables, globals, segments
//! and host data it owns.
//!
//! * `module`: the compiled module (descriptor and runtime types).
//! * `store`: the store that instances share (GC heap, limits, handles),
//!   and the roots it tells the collector about.
//!
//! Building an instance (`crate::instantiate`) sits above the builtins,
//! whose table every vmctx points at.
//!
//! An instance is complete before it is shared (`Rc`): instantiation
//! builds every field first; what constant expressions and segments
//! initialize afterwards lives in the vmctx (global slots), in tables and
//! in `RefCell`s, all written through shared references.

mod module;
mod store;

pub use module::Module;
pub use store::Store;
pub(crate) use store::StoreInner;

use crate::host::{Caller, HostFuncCtx, HostTrap};
use crate::memory::Memory;
use crate::table::Table;
use crate::trap::Error;
use crate::val::{Extern, Global};
use std::alloc::Layout;
use std::any::Any;
use std::cell::{Cell, OnceCell, RefCell, UnsafeCell};
use std::rc::Rc;
use wasmc_abi::descriptor::*;
use wasmc_abi::vmctx::{self, VMOffsets};
use wasmc_abi::{VMFuncRef, ValRaw};

/// A live instance. Neither `Send` nor `Sync` (see [`Store`]).
#[derive(Clone)]
pub struct Instance(pub(crate) Rc<InstanceInner>);

/// The vmctx allocation, freed when its owner drops (also on every early
/// return of instantiation).
pub(crate) struct VmctxAlloc {
    pub(crate) ptr: *mut u8,
    layout: Layout,
}

impl VmctxAlloc {
    pub(crate) fn new(offsets: &VMOffsets) -> Option<VmctxAlloc> {
        let layout = Layout::from_size_align(offsets.size.max(16) as usize, 16).ok()?;
        // SAFETY: `layout` has a non-zero size.
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
        (!ptr.is_null()).then_some(VmctxAlloc { ptr, layout })
    }
}

impl Drop for VmctxAlloc {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout, freed only here.
        unsafe { std::alloc::dealloc(self.ptr, self.layout) };
    }
}

/// Host data an instance was created with (WASI state, an embedder's
/// state), lent out one borrow at a time.
#[derive(Default)]
pub(crate) struct HostData {
    items: Vec<UnsafeCell<Box<dyn Any>>>,
    /// Set while some `Caller` has a `&mut` into `items`.
    lent: Cell<bool>,
}

impl HostData {
    pub(crate) fn new(items: Vec<Box<dyn Any>>) -> HostData {
        HostData { items: items.into_iter().map(UnsafeCell::new).collect(), lent: Cell::new(false) }
    }

    /// The first item of type `T`.
    ///
    /// # Safety
    /// The caller holds the `lent` flag (set by it, or by the `Caller` it
    /// borrows from) for as long as the result is live.
    #[allow(clippy::mut_from_ref)]
    unsafe fn find<T: 'static>(&self) -> Option<&mut T> {
        // SAFETY: the `lent` flag, held by the caller, makes this the only
        // live borrow of the items.
        self.items.iter().find_map(|i| unsafe { &mut *i.get() }.downcast_mut::<T>())
    }
}

pub(crate) struct InstanceInner {
    /// Tag checked by `from_vmctx`: host contexts never carry it.
    pub(crate) magic: u64,
    pub(crate) module: Module,
    pub(crate) store: Store,
    pub(crate) vmctx: VmctxAlloc,
    pub(crate) offsets: VMOffsets,
    pub(crate) memories: Vec<Memory>,
    pub(crate) tables: Vec<Table>,
    pub(crate) globals: Vec<Global>,
    pub(crate) imported_tags: Vec<crate::val::Tag>,
    /// The tags defined here: their addresses are their identities, so
    /// the slice never moves (vmctx slots and other instances point in).
    pub(crate) own_tags: Box<[crate::val::TagData]>,
    /// Boxed: funcrefs point at these contexts, so they must not move.
    #[allow(clippy::vec_box)]
    pub(crate) host_ctxs: Vec<Box<HostFuncCtx>>,
    /// The imports, kept alive as long as the instance refers to them.
    pub(crate) _imports: Vec<Extern>,
    pub(crate) data_dropped: Vec<Cell<bool>>,
    pub(crate) elems: Vec<RefCell<Option<Vec<u64>>>>,
    pub(crate) host_data: HostData,
    /// What an embedding API keeps per instance (the C API's user data
    /// and allocator names); set once after instantiation, then only read.
    pub(crate) embedder: OnceCell<Box<dyn Any>>,
}

pub(crate) const MAGIC: u64 = 0x7761_736d_6369_6e73; // "wasmcins"

impl InstanceInner {
    /// The instance owning `vmctx`, if it is an instance's vmctx.
    ///
    /// # Safety
    /// `vmctx` must be null, a live vmctx, or a live host context, and the
    /// instance must stay alive for `'a`.
    pub(crate) unsafe fn from_vmctx<'a>(vmctx: *mut u8) -> Option<&'a InstanceInner> {
        if vmctx.is_null() {
            return None;
        }
        // A host context (`VMHostCtx`) keeps zero where a vmctx keeps its
        // instance pointer; the magic and back pointer confirm the rest.
        // SAFETY: both kinds of context are at least a header long and
        // 8-aligned (contract).
        let p = unsafe { *(vmctx.add(vmctx::OFF_INSTANCE as usize) as *const *const InstanceInner) };
        if p.is_null() || !(p as usize).is_multiple_of(std::mem::align_of::<InstanceInner>()) {
            return None;
        }
        // SAFETY: a non-null word there is the instance pointer that
        // instantiation wrote (a host context has zero), live for `'a`.
        let inst = unsafe { &*p };
        (inst.magic == MAGIC && inst.vmctx.ptr == vmctx).then_some(inst)
    }

    pub(crate) fn vmctx(&self) -> *mut u8 {
        self.vmctx.ptr
    }

    fn export_memory(&self, name: &str) -> Option<Memory> {
        let exports = self.module.export_descs();
        let e = exports.iter().find(|e| e.kind == KIND_MEMORY && self.module.str(&e.name) == name)?;
        self.memories.get(e.index as usize).cloned()
    }

    pub(crate) fn funcref_ptr(&self, index: u32) -> *mut VMFuncRef {
        assert!(index < self.offsets.counts.functions, "function index out of range");
        // SAFETY: the funcref array lies inside the vmctx allocation and
        // `index` is in range (checked above).
        unsafe { self.vmctx.ptr.add(self.offsets.funcref(index) as usize) as *mut VMFuncRef }
    }

    pub(crate) fn global_ptr(&self, index: u32) -> *mut ValRaw {
        assert!(index < self.offsets.counts.globals, "global index out of range");
        // SAFETY: the global pointer array lies inside the vmctx and
        // `index` is in range; instantiation filled every entry before
        // anything reads it.
        unsafe { *(self.vmctx.ptr.add(self.offsets.global_ptr(index) as usize) as *const *mut ValRaw) }
    }

    pub(crate) fn store(&self) -> &StoreInner {
        &self.store.0
    }

    pub(crate) fn store_handle(&self) -> &Store {
        &self.store
    }

    pub(crate) fn module(&self) -> &Module {
        &self.module
    }

    pub(crate) fn globals_list(&self) -> &[Global] {
        &self.globals
    }

    /// Number of items of element segment `seg` (0 once dropped).
    pub(crate) fn elem_len(&self, seg: u32) -> usize {
        self.elems[seg as usize].borrow().as_ref().map_or(0, |v| v.len())
    }

    pub(crate) fn with_elems<R>(&self, seg: u32, f: impl FnOnce(&[u64]) -> R) -> R {
        f(self.elems[seg as usize].borrow().as_deref().unwrap_or(&[]))
    }

    pub(crate) fn data_bytes(&self, seg: u32) -> &'static [u8] {
        match self.data_dropped.get(seg as usize) {
            Some(dropped) if !dropped.get() => self.module.segment_bytes(seg as usize),
            _ => &[],
        }
    }

    /// Every root slot this instance holds outside the stack.
    pub(crate) fn for_each_root(&self, f: &mut dyn FnMut(*mut u64)) {
        use crate::gc::ops::is_gc_ty;
        for g in self.globals.iter().filter(|g| is_gc_ty(g.ty)) {
            f(g.ptr as *mut u64);
        }
        for t in self.tables.iter().filter(|t| is_gc_ty(t.elem_type())) {
            t.for_each_slot(f);
        }
        for seg in &self.elems {
            // A segment being filled is borrowed by its writer, which
            // never collects while it holds the borrow.
            if let Ok(mut s) = seg.try_borrow_mut() {
                s.iter_mut().flatten().for_each(|v| f(v));
            }
        }
    }

    /// The memory host functions see: the export named "memory", else
    /// memory 0.
    fn default_memory(&self) -> Option<Memory> {
        self.export_memory("memory").or_else(|| self.memories.first().cloned())
    }
}

fn no_instance() -> HostTrap {
    HostTrap::Error("host function called without an instance".into())
}

impl<'a> Caller<'a> {
    fn instance(&self) -> Result<&'a InstanceInner, HostTrap> {
        // SAFETY: `vmctx` is the context the host function was imported
        // into (or null), which is alive while it calls the host function.
        unsafe { InstanceInner::from_vmctx(self.vmctx) }.ok_or_else(no_instance)
    }

    /// The caller's exported linear memory named "memory", else memory 0.
    /// While the host function holds it, calling into wasm fails (wasm
    /// could write it).
    pub fn memory(&mut self) -> Result<&mut [u8], HostTrap> {
        let mem = self.instance()?.default_memory();
        let mem = mem.ok_or_else(|| HostTrap::Error("the calling module exports no memory".into()))?;
        self.start_lending();
        // SAFETY: the memory's accessible bytes are `byte_len` from `base`;
        // it lives as long as the calling instance, which outlives this
        // call. An unshared memory can neither grow nor be written by wasm
        // while the slice is borrowed, since no wasm runs while this
        // caller lends (`start_lending`; `call_raw` refuses) and host
        // functions run on the store's one thread. A shared memory may be
        // grown meanwhile by another thread, which never moves nor shrinks
        // it (the slice stays valid, only shorter than the memory), and
        // written by other threads' generated code, outside Rust's view as
        // if by another process: every host use of the slice indexes it
        // with bounds checks and derives no Rust invariant from its bytes,
        // so a racing guest thread can only make the host read torn guest
        // data, never reach outside the slice.
        Ok(unsafe { std::slice::from_raw_parts_mut(mem.base(), mem.byte_len() as usize) })
    }

    /// The calling instance's host data of type `T` (for example WASI's
    /// state). An error if there is none, or if it is lent to another host
    /// function further up the stack (the instance was re-entered).
    pub fn data_mut<T: 'static>(&mut self) -> Result<&mut T, HostTrap> {
        let inst = self.instance()?;
        if self.lent.is_none() {
            if inst.host_data.lent.replace(true) {
                return Err(HostTrap::Error("the instance's host data is in use by an outer host call".into()));
            }
            self.lent = Some(&inst.host_data.lent);
        }
        self.start_lending();
        // SAFETY: this caller holds the `lent` flag until it drops, and
        // the result borrows the caller mutably, so it is the only live
        // borrow of the host data.
        unsafe { inst.host_data.find::<T>() }
            .ok_or_else(|| HostTrap::Error("the instance was created without this host state".into()))
    }
}

impl Instance {
    /// Looks up an export by name.
    pub fn export(&self, name: &str) -> Option<Extern> {
        let inner = &self.0;
        let exports = inner.module.export_descs();
        let e = exports.iter().find(|e| inner.module.str(&e.name) == name)?;
        Some(match e.kind {
            KIND_FUNC => Extern::Func(self.func(e.index)),
            KIND_MEMORY => Extern::Memory(inner.memories[e.index as usize].clone()),
            KIND_TABLE => Extern::Table(inner.tables[e.index as usize].clone()),
            KIND_GLOBAL => {
                let mut g = inner.globals[e.index as usize].clone();
                if e.index >= inner.module.desc().num_imported_globals {
                    g._owner = Rc::new(self.0.clone());
                }
                Extern::Global(g)
            }
            KIND_TAG => {
                let imported = inner.imported_tags.len();
                match inner.imported_tags.get(e.index as usize) {
                    Some(t) => Extern::Tag(t.clone()),
                    None => Extern::Tag(crate::val::Tag {
                        ptr: &inner.own_tags[e.index as usize - imported],
                        _owner: Rc::new(self.0.clone()),
                    }),
                }
            }
            _ => return None,
        })
    }

    /// Export names with their kinds.
    pub fn export_names(&self) -> Vec<(&'static str, u32)> {
        self.0.module.export_descs().iter().map(|e| (self.0.module.str(&e.name), e.kind)).collect()
    }

    fn func(&self, index: u32) -> crate::val::Func {
        let ptr = self.0.funcref_ptr(index);
        // SAFETY: instantiation filled in every funcref of the vmctx.
        let type_id = unsafe { (*ptr).type_id };
        let ty = crate::types::func_type(type_id).unwrap_or_else(|| self.0.module.func_type(index));
        crate::val::Func { ptr, ty, host: None, _owner: Rc::new(self.0.clone()) }
    }

    pub fn module(&self) -> &Module {
        &self.0.module
    }
}

pub(crate) fn trap_error(trap: wasmc_abi::Trap) -> Error {
    Error::Trap { trap, message: None, backtrace: Vec::new() }
}

impl Extern {
    /// The value a funcref import/export denotes, for the spec harness.
    pub fn as_val(&self) -> Option<crate::val::Val> {
        match self {
            Extern::Func(f) => Some(crate::val::Val::FuncRef(f.as_raw())),
            Extern::Global(g) => Some(g.get()),
            _ => None,
        }
    }
}
