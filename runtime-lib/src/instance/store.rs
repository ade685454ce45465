//! Stores: a group of instances that may call each other, with the GC heap,
//! the stack limits and the host-held references they share.

use super::InstanceInner;
use crate::gc::{Gc, Heap, HeapConfig, RootSource};
use std::cell::UnsafeCell;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU32, Ordering};
use wasmc_abi::vmctx::VMLimits;

/// A group of instances that may call each other; they share stack limits
/// and the GC heap. Neither `Send` nor `Sync`: everything in a store is
/// used by one thread (the C API, whose callers may move a store between
/// threads, states that rule in `wasmc.h`).
#[derive(Clone)]
pub struct Store(pub(crate) Rc<StoreInner>);

pub(crate) struct StoreInner {
    /// Read and written by generated code (stack limit, nursery bump
    /// pointer) through the vmctx, hence a stable boxed cell.
    limits: Box<UnsafeCell<VMLimits>>,
    heap: UnsafeCell<Heap>,
    /// The store's instances, whose globals, tables and segments are roots.
    instances: UnsafeCell<Vec<Weak<InstanceInner>>>,
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

static HANDLE_GENERATION: AtomicU32 = AtomicU32::new(1);

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
    pub(crate) fn limits(&self) -> *mut VMLimits {
        self.limits.get()
    }

    /// The collector's view of this store: its heap, its limits (the
    /// nursery bump pointer) and its roots.
    ///
    /// # Safety
    /// No other `Gc` of this store, and no other reference into its heap
    /// or limits, may be live while the result is; generated code of this
    /// store is suspended (in the builtin that calls this).
    pub(crate) unsafe fn gc(&self) -> Gc<'_> {
        // SAFETY: exclusive access for the result's lifetime (contract);
        // both cells live as long as `self`.
        let (heap, limits) = unsafe { (&mut *self.heap.get(), &mut *self.limits.get()) };
        Gc { heap, limits, roots: self }
    }

    /// The heap's statistics, read while no `Gc` is live.
    pub(crate) fn heap_stats(&self) -> (u64, u64, usize) {
        // SAFETY: `Gc`s exist only inside builtins, which never call back
        // into the host: none is live here (one thread uses the store).
        unsafe { &*self.heap.get() }.stats()
    }

    pub(crate) fn add_instance(&self, inst: &Rc<InstanceInner>) {
        // SAFETY: one thread uses the store, and no reference into
        // `instances` outlives a call of this module's functions.
        let instances = unsafe { &mut *self.instances.get() };
        // Drop the entries of instances that are gone, so a long-lived
        // store that instantiates repeatedly does not grow without bound.
        instances.retain(|w| w.strong_count() > 0);
        instances.push(Rc::downgrade(inst));
    }

    /// Runs `f` on the handle table.
    fn with_handles<R>(&self, f: impl FnOnce(&mut Handles) -> R) -> R {
        // SAFETY: one thread uses the store; `f` cannot reach the handle
        // table again (this module's closures do not call out), so the
        // borrow is unique.
        f(unsafe { &mut *self.handles.get() })
    }

    /// See [`Store::root`].
    pub(crate) fn root(&self, value: u64) -> u64 {
        let gen = loop {
            let g = HANDLE_GENERATION.fetch_add(1, Ordering::Relaxed);
            if g != 0 {
                break g;
            }
        };
        self.with_handles(|handles| {
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
        })
    }

    pub(crate) fn rooted(&self, handle: u64) -> Option<u64> {
        self.with_handles(|h| h.slot(handle).and_then(|v| *v))
    }

    pub(crate) fn release(&self, handle: u64) -> bool {
        self.with_handles(|handles| match handles.slot(handle) {
            Some(v) => {
                *v = None;
                handles.free.push(handle as u32);
                true
            }
            None => false,
        })
    }

    /// Number of live handles.
    pub(crate) fn root_count(&self) -> usize {
        self.with_handles(|h| h.slots.len() - h.free.len())
    }
}

impl RootSource for StoreInner {
    /// Every root slot outside the stack: the globals, tables and element
    /// segments of the store's live instances, and the handles.
    fn for_each_root(&self, f: &mut dyn FnMut(*mut u64)) {
        // SAFETY: one thread uses the store; `add_instance`, the only
        // writer, is not running during a collection.
        let instances = unsafe { &*self.instances.get() };
        for inst in instances.iter().filter_map(Weak::upgrade) {
            inst.for_each_root(f);
        }
        self.with_handles(|h| h.slots.iter_mut().filter_map(|(_, v)| v.as_mut()).for_each(|v| f(v)));
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    pub fn new() -> Store {
        Self::with_heap(HeapConfig::default().from_env())
    }

    pub fn with_heap(config: HeapConfig) -> Store {
        let mut heap = Heap::new(config);
        let mut limits = Box::new(UnsafeCell::new(VMLimits::default()));
        heap.reset_nursery(limits.get_mut());
        Store(Rc::new(StoreInner {
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
        self.0.heap_stats()
    }
}
