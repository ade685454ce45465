//! Stores and the roots that keep GC objects alive for the host.

use super::val::{wasmc_val_t, REF_OBJECT};
use super::{store, wasmc_store_t};
use crate::instance::{Store, StoreInner};
use std::rc::Rc;
use wasmc_abi::descriptor::{TY_ANYREF, TY_EXTERNREF};

/// A new owning `Store` for a borrowed handle (the handle stays valid).
///
/// # Safety
/// `p` is a live store handle (see [`super::store`]): the data pointer of an
/// `Rc<StoreInner>` that holds at least one strong count for the call, as
/// C passed it (not re-derived from a `&StoreInner`, whose provenance does
/// not cover the reference counts).
pub(crate) unsafe fn clone_store(p: *const StoreInner) -> Store {
    // SAFETY: `p` came from `Rc::into_raw`/`Rc::as_ptr` of an
    // `Rc<StoreInner>` whose strong count is at least 1 (this function's
    // contract), so adding a count and taking it back as an `Rc` is the
    // documented `increment_strong_count` + `from_raw` pairing; the new
    // `Rc` owns only the count added here.
    unsafe {
        Rc::increment_strong_count(p);
        Store(Rc::from_raw(p))
    }
}

#[no_mangle]
pub extern "C" fn wasmc_store_new() -> *mut wasmc_store_t {
    Rc::into_raw(Store::new().0) as *mut wasmc_store_t
}

/// # Safety
/// `s` is NULL or a store returned by `wasmc_store_new`, not yet deleted
/// (never the borrowed one of `wasmc_instance_store`): wasmc.h, OWNERSHIP 1.
#[no_mangle]
pub unsafe extern "C" fn wasmc_store_delete(s: *mut wasmc_store_t) {
    if !s.is_null() {
        // SAFETY: non-null, so by the contract above `s` is the
        // `Rc::into_raw` of `wasmc_store_new`, whose count the caller owns
        // and gives up here exactly once.
        drop(unsafe { Rc::from_raw(s as *const StoreInner) });
    }
}

/// # Safety
/// `s` is NULL or a live store, not in use by another thread; `minor` and
/// `major` are each NULL or valid for writing a `uint64_t` (wasmc.h).
#[no_mangle]
pub unsafe extern "C" fn wasmc_store_gc_stats(s: *const wasmc_store_t, minor: *mut u64, major: *mut u64) {
    let (mi, ma) = if s.is_null() {
        (0, 0)
    } else {
        // SAFETY: `s` is non-null, so a live store handle (contract above),
        // passed as is: it carries the provenance of the whole `Rc`
        // allocation, which a pointer made from `&StoreInner` would not
        // (Miri caught that: `store_stats_and_null_stores`). The count added
        // is dropped at the end of this statement. The heap is read through
        // a shared borrow (`Store::gc_stats`), not `heap_mut`: this may run
        // inside a host function, where no `&mut Heap` may be made.
        let (mi, ma, _) = unsafe { clone_store(s as *const StoreInner) }.gc_stats();
        (mi, ma)
    };
    // SAFETY: each pointer is NULL (`as_mut` gives `None`) or valid for a
    // write of a `u64`, the caller's obligation per wasmc.h.
    if let Some(m) = unsafe { minor.as_mut() } {
        *m = mi;
    }
    // SAFETY: as for `minor`.
    if let Some(m) = unsafe { major.as_mut() } {
        *m = ma;
    }
}

/// # Safety
/// `s` is NULL or a live store, not in use by another thread.
#[no_mangle]
pub unsafe extern "C" fn wasmc_store_root_count(s: *const wasmc_store_t) -> usize {
    // SAFETY: `s` is NULL or a live store handle (contract above).
    unsafe { store(s) }.map_or(0, |s| s.root_count())
}

/// # Safety
/// `s` is NULL or a live store, not in use by another thread. `root` may be
/// anything: it is looked up, never trusted.
#[no_mangle]
pub unsafe extern "C" fn wasmc_root_release(s: *mut wasmc_store_t, root: u64) -> bool {
    // SAFETY: `s` is NULL or a live store handle (contract above).
    unsafe { store(s) }.is_some_and(|s| s.release(root))
}

/// # Safety
/// `s` is NULL or a live store, not in use by another thread. `root` may be
/// anything.
#[no_mangle]
pub unsafe extern "C" fn wasmc_root_clone(s: *mut wasmc_store_t, root: u64) -> u64 {
    // SAFETY: `s` is NULL or a live store handle (contract above).
    match unsafe { store(s) } {
        Some(s) => s.rooted(root).map_or(0, |v| s.root(v)),
        None => 0,
    }
}

/// # Safety
/// `s` is NULL or a live store, not in use by another thread; `v` is NULL or
/// points to a readable and writable `wasmc_val_t` whose union member for
/// its `kind` is initialized (wasmc.h, POINTERS).
#[no_mangle]
pub unsafe extern "C" fn wasmc_val_release(s: *mut wasmc_store_t, v: *mut wasmc_val_t) -> bool {
    // SAFETY: `v` is NULL or valid for reads and writes (contract above); no
    // other Rust reference to the caller's value exists during this call.
    let Some(v) = (unsafe { v.as_mut() }) else { return true };
    if v.kind != TY_EXTERNREF as u32 && v.kind != TY_ANYREF as u32 {
        return true;
    }
    // SAFETY: the kind is externref/anyref (checked above), whose union
    // member is `r`, initialized by the caller (contract above).
    let r = unsafe { &mut v.of.r };
    if r.kind != REF_OBJECT {
        return true;
    }
    // SAFETY: `r.kind` is REF_OBJECT, whose member is `root` (a `u64`: any
    // bits are valid); `s` is NULL or a live store (contract above).
    let ok = unsafe { wasmc_root_release(s, r.of.root) };
    *r = super::val::wasmc_ref_t::null();
    ok
}
