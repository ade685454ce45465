//! Instantiation: from a module descriptor and resolved imports to a live
//! vmctx, following the spec's order (imports, globals, tables, memories,
//! element segments, data segments, start function).

use crate::host::HostFuncCtx;
use crate::memory::Memory;
use crate::table::Table;
use crate::trap::Error;
use crate::types::{self, FuncType};
use crate::val::{call_raw, Extern, Func, Global, Val};
use crate::wasi::WasiCtx;
use std::alloc::Layout;
use std::cell::{Cell, RefCell, UnsafeCell};
use std::sync::Arc;
use wasmc_abi::descriptor::*;
use wasmc_abi::vmctx::{self, VMCounts, VMLimits, VMOffsets};
use wasmc_abi::{Trap, VMFuncRef, ValRaw, ABI_VERSION};

/// A compiled module, ready to instantiate. Cheap to clone.
#[derive(Clone)]
pub struct Module(Arc<ModuleInner>);

struct ModuleInner {
    desc: &'static ModuleDesc,
    /// Runtime type (`*const VMRtt`) of each module type index.
    type_ids: Vec<u64>,
    /// Canonical encodings of the global and table types (import matching).
    global_types: Vec<Vec<u8>>,
    table_types: Vec<Vec<u8>>,
}

impl Module {
    /// # Safety
    /// `desc` must be a module descriptor emitted by the wasmc compiler whose
    /// code stays mapped for the rest of the process.
    pub unsafe fn from_descriptor(desc: *const ModuleDesc) -> Result<Module, String> {
        let desc: &'static ModuleDesc = unsafe { &*desc };
        if desc.abi_version != ABI_VERSION {
            return Err(format!(
                "module was compiled for runtime ABI {} but this runtime has ABI {}",
                desc.abi_version, ABI_VERSION
            ));
        }
        crate::code::register(desc);
        let types: &[TypeDesc] = unsafe { desc.types.as_slice() };
        let rtts = types::canonicalize(types);
        let globals: &[GlobalDesc] = unsafe { desc.globals.as_slice() };
        let global_types =
            globals.iter().map(|g| types::canonical_val(unsafe { g.encoding.as_slice() }, &rtts)).collect();
        let tables: &[TableDesc] = unsafe { desc.tables.as_slice() };
        let table_types =
            tables.iter().map(|t| types::canonical_val(unsafe { t.elem_encoding.as_slice() }, &rtts)).collect();
        let type_ids = rtts.into_iter().map(|r| r as u64).collect();
        Ok(Module(Arc::new(ModuleInner { desc, type_ids, global_types, table_types })))
    }

    pub fn desc(&self) -> &'static ModuleDesc {
        self.0.desc
    }

    pub fn name(&self) -> &'static str {
        unsafe { self.0.desc.name.as_str() }
    }

    /// `(module, name, kind)` of each import, in order.
    /// The imports an instantiation must be given; imports bound at link
    /// time to C functions are not among them.
    pub fn imports(&self) -> Vec<(&'static str, &'static str, u32)> {
        self.dynamic_imports().map(|i| unsafe { (i.module.as_str(), i.name.as_str(), i.kind) }).collect()
    }

    fn dynamic_imports(&self) -> impl Iterator<Item = &'static ImportDesc> {
        let desc = self.0.desc;
        let imports: &[ImportDesc] = unsafe { desc.imports.as_slice() };
        let funcs: &[FuncDesc] = unsafe { desc.funcs.as_slice() };
        imports.iter().filter(move |i| !(i.kind == KIND_FUNC && funcs[i.index as usize].imported == IMPORT_STATIC))
    }

    /// The type of function `index`.
    pub fn func_type(&self, index: u32) -> FuncType {
        let f = &unsafe { self.0.desc.funcs.as_slice::<FuncDesc>() }[index as usize];
        self.type_at(f.type_index)
    }

    pub fn type_at(&self, type_index: u32) -> FuncType {
        types::func_type(self.0.type_ids[type_index as usize]).unwrap_or_else(|| FuncType::new(&[], &[]))
    }
}

/// A group of instances that may call each other; they share stack limits.
/// A store is used by one thread at a time.
#[derive(Clone)]
pub struct Store(pub(crate) Arc<StoreInner>);

pub(crate) struct StoreInner {
    limits: Box<UnsafeCell<VMLimits>>,
    heap: UnsafeCell<crate::gc::Heap>,
    /// The store's instances, whose globals, tables and segments are roots.
    instances: UnsafeCell<Vec<std::sync::Weak<InstanceInner>>>,
    /// Host-held references (handles), see [`Store::root`].
    handles: UnsafeCell<Handles>,
}

/// Host-held references. A handle is `generation << 32 | slot`; the
/// generation comes from a process-wide counter, so a released handle, or
/// one of another store, never names a live slot (until 2^32 roots later).
#[derive(Default)]
struct Handles {
    /// (generation, value); `None` marks a free slot.
    slots: Vec<(u32, Option<u64>)>,
    free: Vec<u32>,
}

static HANDLE_GENERATION: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

impl Handles {
    fn slot(&mut self, handle: u64) -> Option<&mut Option<u64>> {
        let (gen, index) = ((handle >> 32) as u32, handle as u32);
        match self.slots.get_mut(index as usize) {
            Some((g, v)) if *g == gen && v.is_some() => Some(v),
            _ => None,
        }
    }
}

impl StoreInner {
    /// # Safety
    /// Only on the thread using the store, with no other borrow live.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn heap_mut(&self) -> &mut crate::gc::Heap {
        unsafe { &mut *self.heap.get() }
    }

    pub(crate) fn limits(&self) -> *mut VMLimits {
        self.limits.get()
    }

    /// Visits every root slot outside the stack.
    pub(crate) fn for_each_other_root(&self, f: &mut dyn FnMut(*mut u64)) {
        use crate::gc::ops::is_gc_ty;
        let instances = unsafe { &*self.instances.get() };
        for inst in instances.iter().filter_map(|w| w.upgrade()) {
            for g in inst.globals_list() {
                if is_gc_ty(g.ty) {
                    f(g.ptr as *mut u64);
                }
            }
            for t in &inst.tables {
                if is_gc_ty(t.elem_type()) {
                    for e in unsafe { t.elems() }.iter_mut() {
                        f(e);
                    }
                }
            }
            for seg in &inst.elems {
                if let Ok(mut s) = seg.try_borrow_mut() {
                    for v in s.iter_mut().flatten() {
                        f(v);
                    }
                }
            }
        }
        for v in unsafe { &mut *self.handles.get() }.slots.iter_mut().filter_map(|(_, v)| v.as_mut()) {
            f(v);
        }
    }

    /// See [`Store::root`].
    pub(crate) fn root(&self, value: u64) -> u64 {
        let handles = unsafe { &mut *self.handles.get() };
        let gen = loop {
            let g = HANDLE_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if g != 0 {
                break g;
            }
        };
        let index = match handles.free.pop() {
            Some(i) => {
                handles.slots[i as usize] = (gen, Some(value));
                i
            }
            None => {
                handles.slots.push((gen, Some(value)));
                handles.slots.len() as u32 - 1
            }
        };
        (gen as u64) << 32 | index as u64
    }

    pub(crate) fn rooted(&self, handle: u64) -> Option<u64> {
        unsafe { &mut *self.handles.get() }.slot(handle).and_then(|v| *v)
    }

    pub(crate) fn release(&self, handle: u64) -> bool {
        let handles = unsafe { &mut *self.handles.get() };
        match handles.slot(handle) {
            Some(v) => {
                *v = None;
                handles.free.push(handle as u32);
                true
            }
            None => false,
        }
    }

    /// Number of live handles.
    pub(crate) fn root_count(&self) -> usize {
        let handles = unsafe { &*self.handles.get() };
        handles.slots.len() - handles.free.len()
    }
}

unsafe impl Send for StoreInner {}
unsafe impl Sync for StoreInner {}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    pub fn new() -> Store {
        Self::with_heap(crate::gc::HeapConfig::default().from_env())
    }

    pub fn with_heap(config: crate::gc::HeapConfig) -> Store {
        let mut heap = crate::gc::Heap::new(config);
        let limits = Box::new(UnsafeCell::new(VMLimits::default()));
        heap.reset_nursery(unsafe { &mut *limits.get() });
        Store(Arc::new(StoreInner {
            limits,
            heap: UnsafeCell::new(heap),
            instances: UnsafeCell::new(Vec::new()),
            handles: UnsafeCell::new(Handles::default()),
        }))
    }

    /// Keeps `value` (a GC reference) alive and up to date across
    /// collections until [`Store::release`]; returns the handle (never 0).
    pub fn root(&self, value: u64) -> u64 {
        self.0.root(value)
    }

    /// The current value of a handle (objects move); `None` once released.
    pub fn rooted(&self, handle: u64) -> Option<u64> {
        self.0.rooted(handle)
    }

    /// Releases a handle; false if it was not live.
    pub fn release(&self, handle: u64) -> bool {
        self.0.release(handle)
    }

    /// (minor collections, major collections, old generation bytes).
    pub fn gc_stats(&self) -> (u64, u64, usize) {
        unsafe { &*self.0.heap.get() }.stats()
    }
}

/// Bytes of native stack kept free below the wasm stack limit for host
/// functions, builtins and signal handling.
const STACK_RESERVE: usize = 256 * 1024;

/// Lowest address of the current thread's stack.
///
/// For the main thread glibc's `pthread_getattr_np` parses
/// `/proc/self/maps` (tens of microseconds, a visible share of an
/// executable's start-up); there the stack's extent is the
/// `RLIMIT_STACK` below the current stack pointer (less a page of slack
/// for what lies above `main`'s frame).
fn thread_stack_bottom() -> usize {
    unsafe {
        if libc::getpid() == libc::gettid() {
            let mut rl: libc::rlimit = std::mem::zeroed();
            if libc::getrlimit(libc::RLIMIT_STACK, &mut rl) == 0 && rl.rlim_cur != libc::RLIM_INFINITY {
                let marker = 0u8;
                let sp = &marker as *const u8 as usize;
                return sp.saturating_sub(rl.rlim_cur as usize - 64 * 1024);
            }
        }
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return 0;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        addr as usize
    }
}

/// Sets the store's stack limit for the current thread on the outermost
/// entry into wasm and clears it when that entry returns.
pub(crate) struct StackLimitGuard {
    limits: *mut VMLimits,
    set: bool,
}

impl StackLimitGuard {
    pub(crate) fn enter(limits: *mut VMLimits) -> StackLimitGuard {
        if limits.is_null() {
            return StackLimitGuard { limits, set: false };
        }
        let l = unsafe { &mut *limits };
        if l.stack_limit != 0 {
            return StackLimitGuard { limits, set: false };
        }
        let bottom = thread_stack_bottom();
        l.stack_limit = if bottom == 0 { 0 } else { (bottom + STACK_RESERVE) as u64 };
        StackLimitGuard { limits, set: true }
    }
}

impl Drop for StackLimitGuard {
    fn drop(&mut self) {
        if self.set {
            unsafe { (*self.limits).stack_limit = 0 };
        }
    }
}

/// The limits block of the instance owning `vmctx`, or null for a host
/// function's context.
pub(crate) fn limits_of(vmctx: u64) -> *mut VMLimits {
    match unsafe { InstanceInner::from_vmctx(vmctx as *mut u8) } {
        Some(inst) => inst.store.0.limits.get(),
        None => std::ptr::null_mut(),
    }
}

/// A live instance.
#[derive(Clone)]
pub struct Instance(pub(crate) Arc<InstanceInner>);

pub(crate) struct InstanceInner {
    /// Tag checked by `from_vmctx`: host contexts never carry it.
    magic: u64,
    module: Module,
    store: Store,
    vmctx: *mut u8,
    offsets: VMOffsets,
    pub(crate) memories: Vec<Memory>,
    pub(crate) tables: Vec<Table>,
    globals: Vec<Global>,
    /// Boxed: funcrefs point at these contexts, so they must not move.
    #[allow(clippy::vec_box)]
    host_ctxs: RefCell<Vec<Box<HostFuncCtx>>>,
    imports: Vec<Extern>,
    pub(crate) data_dropped: Vec<Cell<bool>>,
    pub(crate) elems: Vec<RefCell<Option<Vec<u64>>>>,
    wasi: UnsafeCell<Option<WasiCtx>>,
    /// What an embedding API keeps per instance (the C API's user data
    /// and allocator names); set once after instantiation.
    pub(crate) embedder: UnsafeCell<Option<Box<dyn std::any::Any>>>,
}

unsafe impl Send for InstanceInner {}
unsafe impl Sync for InstanceInner {}

const MAGIC: u64 = 0x7761_736d_6369_6e73; // "wasmcins"

impl Drop for InstanceInner {
    fn drop(&mut self) {
        unsafe { std::alloc::dealloc(self.vmctx, vmctx_layout(&self.offsets)) };
    }
}

fn vmctx_layout(o: &VMOffsets) -> Layout {
    Layout::from_size_align(o.size.max(16) as usize, 16).expect("vmctx layout")
}

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

impl InstanceInner {
    /// The instance owning `vmctx`, if it is an instance's vmctx.
    ///
    /// # Safety
    /// `vmctx` must be null, a vmctx, or a host context.
    pub(crate) unsafe fn from_vmctx<'a>(vmctx: *mut u8) -> Option<&'a InstanceInner> {
        if vmctx.is_null() {
            return None;
        }
        // A host context (`VMHostCtx`) keeps zero where a vmctx keeps its
        // instance pointer; the magic and back pointer confirm the rest.
        let p = unsafe { *(vmctx.add(vmctx::OFF_INSTANCE as usize) as *const *const InstanceInner) };
        if p.is_null() || !(p as usize).is_multiple_of(std::mem::align_of::<InstanceInner>()) {
            return None;
        }
        let inst = unsafe { &*p };
        if inst.magic == MAGIC && inst.vmctx == vmctx {
            Some(inst)
        } else {
            None
        }
    }

    /// The memory host functions see. Host calls run while no wasm code
    /// runs, so nothing else accesses the memory during the borrow.
    #[allow(clippy::mut_from_ref)]
    pub(crate) fn default_memory_slice(&self) -> Option<&mut [u8]> {
        let mem = self.export_memory("memory").or_else(|| self.memories.first().cloned())?;
        // The memory outlives this borrow: the instance holds it.
        Some(unsafe { std::slice::from_raw_parts_mut(mem.base(), mem.byte_len() as usize) })
    }

    #[allow(clippy::mut_from_ref)]
    pub(crate) fn wasi_mut(&self) -> Option<&mut WasiCtx> {
        unsafe { (*self.wasi.get()).as_mut() }
    }

    fn export_memory(&self, name: &str) -> Option<Memory> {
        let exports: &[ExportDesc] = unsafe { self.module.0.desc.exports.as_slice() };
        let e = exports.iter().find(|e| e.kind == KIND_MEMORY && unsafe { e.name.as_str() } == name)?;
        self.memories.get(e.index as usize).cloned()
    }

    pub(crate) fn funcref_ptr(&self, index: u32) -> *mut VMFuncRef {
        unsafe { self.vmctx.add(self.offsets.funcref(index) as usize) as *mut VMFuncRef }
    }

    fn global_ptr(&self, index: u32) -> *mut ValRaw {
        unsafe { *(self.vmctx.add(self.offsets.global_ptr(index) as usize) as *const *mut ValRaw) }
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

    pub(crate) fn store_heap_limit(&self) -> usize {
        unsafe { self.store.0.heap_mut() }.config.max_heap_bytes
    }

    /// Number of items of element segment `seg` (0 once dropped).
    pub(crate) fn elem_len(&self, seg: u32) -> usize {
        self.elems[seg as usize].borrow().as_ref().map_or(0, |v| v.len())
    }

    pub(crate) fn with_elems(&self, seg: u32, f: impl FnOnce(&[u64])) {
        f(self.elems[seg as usize].borrow().as_deref().unwrap_or(&[]))
    }

    pub(crate) fn data_bytes(&self, seg: u32) -> &'static [u8] {
        let data: &[DataDesc] = unsafe { self.module.0.desc.data.as_slice() };
        match data.get(seg as usize) {
            Some(d) if !self.data_dropped[seg as usize].get() => unsafe { d.bytes.as_slice() },
            _ => &[],
        }
    }

    /// Evaluates a constant expression (offsets, initializers, elements).
    fn eval(&self, e: &ConstExpr) -> Result<ValRaw, Error> {
        Ok(match e.kind {
            EXPR_VALUE => ValRaw::from_u128(e.bits[0] as u128 | (e.bits[1] as u128) << 64),
            EXPR_REF_NULL => ValRaw::default(),
            EXPR_REF_FUNC => ValRaw::from_u64(self.funcref_ptr(e.index) as u64),
            EXPR_GLOBAL_GET => unsafe { *self.global_ptr(e.index) },
            _ => {
                let entry: unsafe extern "C" fn(*mut u8, *mut ValRaw) -> u32 =
                    unsafe { std::mem::transmute(e.array_call as usize) };
                let mut out = [ValRaw::default(); 1];
                let vmctx = self.vmctx;
                let ptr = out.as_mut_ptr();
                let _g = StackLimitGuard::enter(self.store.0.limits.get());
                let mut call = || unsafe {
                    entry(vmctx, ptr);
                };
                // SAFETY: the closure captures only `Copy` values (`entry`,
                // `vmctx`, `ptr`) and owns nothing with a destructor; `_g`
                // and `out` live in this frame, outside the closure.
                unsafe { crate::trap::catch_traps(&mut call) }?;
                out[0]
            }
        })
    }
}

fn import_mismatch(module: &str, name: &str, what: &str) -> InstantiateError {
    InstantiateError::Link(format!("incompatible import type for `{module}::{name}`: {what}"))
}

impl Instance {
    /// Instantiates `module` with `imports` given in the module's import order.
    pub fn new(store: &Store, module: &Module, imports: &[Extern]) -> Result<Instance, InstantiateError> {
        Self::with_wasi(store, module, imports, None)
    }

    pub fn with_wasi(
        store: &Store,
        module: &Module,
        imports: &[Extern],
        wasi: Option<WasiCtx>,
    ) -> Result<Instance, InstantiateError> {
        let desc = module.0.desc;
        let import_descs: Vec<&ImportDesc> = module.dynamic_imports().collect();
        if imports.len() != import_descs.len() {
            return Err(InstantiateError::Link(format!(
                "expected {} imports, got {}",
                import_descs.len(),
                imports.len()
            )));
        }
        let funcs: &[FuncDesc] = unsafe { desc.funcs.as_slice() };
        let table_descs: &[TableDesc] = unsafe { desc.tables.as_slice() };
        let memory_descs: &[MemoryDesc] = unsafe { desc.memories.as_slice() };
        let global_descs: &[GlobalDesc] = unsafe { desc.globals.as_slice() };
        let counts = VMCounts {
            memories: memory_descs.len() as u32,
            tables: table_descs.len() as u32,
            globals: global_descs.len() as u32,
            defined_globals: global_descs.len() as u32 - desc.num_imported_globals,
            functions: funcs.len() as u32,
        };
        let offsets = VMOffsets::new(counts);
        let vmctx = unsafe { std::alloc::alloc_zeroed(vmctx_layout(&offsets)) };
        if vmctx.is_null() {
            return Err(InstantiateError::Resource("out of memory allocating an instance".into()));
        }
        let data: &[DataDesc] = unsafe { desc.data.as_slice() };
        let elems: &[ElemDesc] = unsafe { desc.elems.as_slice() };

        // Check imports first, collecting memories, tables and globals.
        let mut memories = Vec::new();
        let mut tables = Vec::new();
        let mut globals = Vec::new();
        let mut import_funcs = Vec::new();
        for (d, ext) in import_descs.iter().zip(imports) {
            let (m, n) = unsafe { (d.module.as_str(), d.name.as_str()) };
            match (d.kind, ext) {
                (KIND_FUNC, Extern::Func(f)) => {
                    let want = module.0.type_ids[funcs[d.index as usize].type_index as usize];
                    let actual = unsafe { (*f.ptr).type_id } as *const wasmc_abi::gc::VMRtt;
                    if !types::rtt_subtype(actual, want as *const wasmc_abi::gc::VMRtt) {
                        unsafe { std::alloc::dealloc(vmctx, vmctx_layout(&offsets)) };
                        return Err(import_mismatch(m, n, "function type differs"));
                    }
                    import_funcs.push((d.index, f.clone()));
                }
                (KIND_MEMORY, Extern::Memory(mem)) => {
                    let want = &memory_descs[d.index as usize];
                    let max_ok = want.max_pages == NO_MAX || mem.max_pages() <= want.max_pages;
                    if mem.pages() < want.min_pages
                        || !max_ok
                        || (want.max_pages != NO_MAX && mem.max_pages() == 65536 && want.max_pages < 65536)
                    {
                        unsafe { std::alloc::dealloc(vmctx, vmctx_layout(&offsets)) };
                        return Err(import_mismatch(m, n, "memory limits differ"));
                    }
                    memories.push(mem.clone());
                }
                (KIND_TABLE, Extern::Table(t)) => {
                    let want = &table_descs[d.index as usize];
                    let max_ok = match (want.max, t.max()) {
                        (NO_MAX, _) => true,
                        (_, None) => false,
                        (w, Some(h)) => h <= w,
                    };
                    let want_elem: &[u8] = &module.0.table_types[d.index as usize];
                    if t.elem_encoding() != want_elem || t.len() < want.min || !max_ok {
                        unsafe { std::alloc::dealloc(vmctx, vmctx_layout(&offsets)) };
                        return Err(import_mismatch(m, n, "table type differs"));
                    }
                    tables.push(t.clone());
                }
                (KIND_GLOBAL, Extern::Global(g)) => {
                    let want = &global_descs[d.index as usize];
                    let want_ty: &[u8] = &module.0.global_types[d.index as usize];
                    // Mutable globals are invariant, immutable ones covariant.
                    let ty_ok =
                        if g.mutable { &*g.encoding == want_ty } else { types::val_subtype(&g.encoding, want_ty) };
                    if !ty_ok || g.mutable != (want.mutable != 0) {
                        unsafe { std::alloc::dealloc(vmctx, vmctx_layout(&offsets)) };
                        return Err(import_mismatch(m, n, "global type differs"));
                    }
                    globals.push(g.clone());
                }
                _ => {
                    unsafe { std::alloc::dealloc(vmctx, vmctx_layout(&offsets)) };
                    return Err(import_mismatch(m, n, "kind differs"));
                }
            }
        }

        let mut inst = InstanceInner {
            magic: MAGIC,
            module: module.clone(),
            store: store.clone(),
            vmctx,
            offsets,
            memories,
            tables,
            globals: Vec::new(),
            host_ctxs: RefCell::new(Vec::new()),
            imports: imports.to_vec(),
            data_dropped: data.iter().map(|_| Cell::new(false)).collect(),
            elems: Vec::new(),
            wasi: UnsafeCell::new(wasi),
            embedder: UnsafeCell::new(None),
        };
        // Defined memories (no initializer can observe them before data segments).
        for md in &memory_descs[desc.num_imported_memories as usize..] {
            let max = (md.max_pages != NO_MAX).then_some(md.max_pages);
            if md.flags & MEMORY_FLAG_64 != 0 {
                return Err(InstantiateError::Resource("memory64 is not supported".into()));
            }
            inst.memories.push(Memory::new(md.min_pages, max).map_err(InstantiateError::Resource)?);
        }
        let inst = Arc::new(inst);
        unsafe { &mut *store.0.instances.get() }.push(Arc::downgrade(&inst));
        // From here on `inst` owns the vmctx; fill it in.
        let ip = Arc::as_ptr(&inst);
        let write = |off: u32, v: u64| unsafe { *(vmctx.add(off as usize) as *mut u64) = v };
        write(vmctx::OFF_BUILTINS, crate::builtins::table_address());
        write(vmctx::OFF_LIMITS, store.0.limits.get() as u64);
        write(vmctx::OFF_TYPE_IDS, module.0.type_ids.as_ptr() as u64);
        write(vmctx::OFF_INSTANCE, ip as u64);
        for (i, m) in inst.memories.iter().enumerate() {
            write(offsets.memory_base(i as u32), m.base() as u64);
            write(offsets.memory_def(i as u32), m.def_ptr() as u64);
        }
        // Functions: imports first (host functions get a context bound to
        // this instance), then defined functions.
        for (i, f) in import_funcs.iter() {
            let (i, slot) = (*i as usize, inst.funcref_ptr(*i));
            let value = if let Some(body) = &f.host {
                let ctx = Box::new(HostFuncCtx {
                    header: wasmc_abi::VMHostCtx {
                        array_call: crate::host::host_array_call as *const () as u64,
                        reserved: [0; 3],
                    },
                    slots: f.ty.params.len().max(f.ty.results.len()),
                    caller_vmctx: Cell::new(vmctx),
                    body: body.clone(),
                });
                let r = VMFuncRef {
                    wasm_call: funcs[i].wasm_call,
                    array_call: crate::host::host_array_call as *const () as u64,
                    type_id: unsafe { (*f.ptr).type_id },
                    vmctx: &*ctx as *const HostFuncCtx as u64,
                };
                inst.host_ctxs.borrow_mut().push(ctx);
                r
            } else {
                unsafe { *f.ptr }
            };
            unsafe { *slot = value };
        }
        for (i, f) in funcs.iter().enumerate() {
            // Defined functions and imports bound to C functions (whose
            // trampoline passes this instance to C as the caller).
            if f.imported == IMPORT_DYNAMIC {
                continue;
            }
            unsafe {
                *inst.funcref_ptr(i as u32) = VMFuncRef {
                    wasm_call: f.wasm_call,
                    array_call: f.array_call,
                    type_id: module.0.type_ids[f.type_index as usize],
                    vmctx: vmctx as u64,
                };
            }
        }
        // SAFETY of the casts below: nothing else references `inst` yet.
        let inst_mut = unsafe { &mut *(ip as *mut InstanceInner) };
        // Globals: imported ones point at their owner's slot.
        for (i, g) in inst_mut
            .imports
            .iter()
            .filter_map(|e| match e {
                Extern::Global(g) => Some(g.clone()),
                _ => None,
            })
            .enumerate()
        {
            write(offsets.global_ptr(i as u32), g.ptr as u64);
            inst_mut.globals.push(g);
        }
        // Defined globals keep no owner of their own (that would be a cycle);
        // `export` hands out handles that hold the instance.
        let owner: Arc<dyn std::any::Any + Send + Sync> = Arc::new(());
        for (i, gd) in global_descs.iter().enumerate().skip(desc.num_imported_globals as usize) {
            let slot = unsafe {
                vmctx.add(offsets.global_storage(i as u32 - desc.num_imported_globals) as usize) as *mut ValRaw
            };
            write(offsets.global_ptr(i as u32), slot as u64);
            let v = inst.eval(&gd.init).map_err(InstantiateError::Trap)?;
            unsafe { *slot = v };
            let encoding: Arc<[u8]> = module.0.global_types[i].as_slice().into();
            inst_mut.globals.push(Global {
                ptr: slot,
                ty: gd.ty as u8,
                encoding,
                mutable: gd.mutable != 0,
                _owner: owner.clone(),
            });
        }
        // Tables.
        for td in &table_descs[desc.num_imported_tables as usize..] {
            let init = inst.eval(&td.init).map_err(InstantiateError::Trap)?.u64();
            let max = (td.max != NO_MAX).then_some(td.max);
            let enc = module.0.table_types[inst_mut.tables.len()].clone();
            inst_mut.tables.push(Table::with_encoding(enc, td.min, max, init).map_err(InstantiateError::Resource)?);
        }
        for (i, t) in inst.tables.iter().enumerate() {
            write(offsets.table_def(i as u32), t.def_ptr() as u64);
        }
        // Element segments: evaluate every item, then apply active ones.
        // Items are stored as they are made: they are GC roots while later
        // items are evaluated (which may allocate and collect).
        inst_mut.elems = elems.iter().map(|_| RefCell::new(Some(Vec::new()))).collect();
        for (i, e) in elems.iter().enumerate() {
            let items: &[ConstExpr] = unsafe { e.items.as_slice() };
            for it in items {
                let v = inst.eval(it).map_err(InstantiateError::Trap)?.u64();
                if let Some(vals) = inst.elems[i].borrow_mut().as_mut() {
                    vals.push(v);
                }
            }
        }
        let instance = Instance(inst);
        instance.init_segments_and_start(elems, data).inspect_err(|_| {
            // Segments applied before the trap may have stored this
            // instance's functions into imported tables, where other
            // instances can still call them: keep it alive.
            std::mem::forget(instance.clone());
        })?;
        Ok(instance)
    }

    fn init_segments_and_start(&self, elems: &[ElemDesc], data: &[DataDesc]) -> Result<(), InstantiateError> {
        let instance = self;
        let desc = self.0.module.0.desc;
        for (i, e) in elems.iter().enumerate() {
            match e.mode {
                SEG_ACTIVE => {
                    let offset = instance.0.eval(&e.offset).map_err(InstantiateError::Trap)?.u64();
                    let n = instance.0.elems[i].borrow().as_ref().map_or(0, |v| v.len()) as u64;
                    if !crate::builtins::table_init(&instance.0, e.table, i as u32, offset, 0, n) {
                        return Err(InstantiateError::Trap(trap_error(Trap::TableOutOfBounds)));
                    }
                    *instance.0.elems[i].borrow_mut() = None;
                }
                SEG_DECLARED => *instance.0.elems[i].borrow_mut() = None,
                _ => {}
            }
        }
        for (i, d) in data.iter().enumerate() {
            if d.mode == SEG_ACTIVE {
                let offset = instance.0.eval(&d.offset).map_err(InstantiateError::Trap)?.u64();
                let len = d.bytes.len;
                if !crate::builtins::memory_init(&instance.0, d.memory, i as u32, offset, 0, len) {
                    return Err(InstantiateError::Trap(trap_error(Trap::MemoryOutOfBounds)));
                }
                instance.0.data_dropped[i].set(true);
            }
        }
        if desc.start != NONE {
            let f = instance.0.funcref_ptr(desc.start);
            let mut slots = [ValRaw::default(); 1];
            unsafe { call_raw(f, &mut slots) }.map_err(InstantiateError::Trap)?;
        }
        Ok(())
    }

    /// Looks up an export by name.
    pub fn export(&self, name: &str) -> Option<Extern> {
        let inner = &self.0;
        let exports: &[ExportDesc] = unsafe { inner.module.0.desc.exports.as_slice() };
        let e = exports.iter().find(|e| unsafe { e.name.as_str() } == name)?;
        Some(match e.kind {
            KIND_FUNC => Extern::Func(self.func(e.index)),
            KIND_MEMORY => Extern::Memory(inner.memories[e.index as usize].clone()),
            KIND_TABLE => Extern::Table(inner.tables[e.index as usize].clone()),
            KIND_GLOBAL => {
                let mut g = inner.globals[e.index as usize].clone();
                if e.index >= inner.module.0.desc.num_imported_globals {
                    g._owner = Arc::new(self.0.clone());
                }
                Extern::Global(g)
            }
            _ => return None,
        })
    }

    /// Export names with their kinds.
    pub fn export_names(&self) -> Vec<(&'static str, u32)> {
        let exports: &[ExportDesc] = unsafe { self.0.module.0.desc.exports.as_slice() };
        exports.iter().map(|e| (unsafe { e.name.as_str() }, e.kind)).collect()
    }

    fn func(&self, index: u32) -> Func {
        let ptr = self.0.funcref_ptr(index);
        let ty = types::func_type(unsafe { (*ptr).type_id }).unwrap_or_else(|| self.0.module.func_type(index));
        Func { ptr, ty, host: None, _owner: Arc::new(self.0.clone()) }
    }

    pub fn module(&self) -> &Module {
        &self.0.module
    }
}

pub(crate) fn trap_error(trap: Trap) -> Error {
    Error::Trap { trap, message: None, backtrace: Vec::new() }
}

impl Extern {
    /// The value a funcref import/export denotes, for the spec harness.
    pub fn as_val(&self) -> Option<Val> {
        match self {
            Extern::Func(f) => Some(Val::FuncRef(f.as_raw())),
            Extern::Global(g) => Some(g.get()),
            _ => None,
        }
    }
}
