//! Stores and the roots that keep GC objects alive for the host.

use super::val::{wasmc_val_t, REF_OBJECT};
use super::{store, wasmc_store_t};
use crate::instance::{Store, StoreInner};
use std::sync::Arc;
use wasmc_abi::descriptor::{TY_ANYREF, TY_EXTERNREF};

/// A new owning `Store` for a borrowed handle (the handle stays valid).
///
/// # Safety
/// `p` is a live store handle.
pub(crate) unsafe fn clone_store(p: *const StoreInner) -> Store {
    unsafe {
        Arc::increment_strong_count(p);
        Store(Arc::from_raw(p))
    }
}

#[no_mangle]
pub extern "C" fn wasmc_store_new() -> *mut wasmc_store_t {
    Arc::into_raw(Store::new().0) as *mut wasmc_store_t
}

/// # Safety
/// `s` is NULL or a store returned by `wasmc_store_new`, not yet deleted.
#[no_mangle]
pub unsafe extern "C" fn wasmc_store_delete(s: *mut wasmc_store_t) {
    if !s.is_null() {
        drop(unsafe { Arc::from_raw(s as *const StoreInner) });
    }
}

/// # Safety
/// `s` is NULL or a live store; the out pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasmc_store_gc_stats(s: *const wasmc_store_t, minor: *mut u64, major: *mut u64) {
    let (mi, ma) = match unsafe { store(s) } {
        Some(s) => {
            let (mi, ma, _) = s.heap_stats();
            (mi, ma)
        }
        None => (0, 0),
    };
    unsafe {
        if let Some(m) = minor.as_mut() {
            *m = mi;
        }
        if let Some(m) = major.as_mut() {
            *m = ma;
        }
    }
}

/// # Safety
/// `s` is NULL or a live store.
#[no_mangle]
pub unsafe extern "C" fn wasmc_store_root_count(s: *const wasmc_store_t) -> usize {
    unsafe { store(s) }.map_or(0, |s| s.root_count())
}

/// # Safety
/// `s` is NULL or a live store.
#[no_mangle]
pub unsafe extern "C" fn wasmc_root_release(s: *mut wasmc_store_t, root: u64) -> bool {
    unsafe { store(s) }.is_some_and(|s| s.release(root))
}

/// # Safety
/// `s` is NULL or a live store.
#[no_mangle]
pub unsafe extern "C" fn wasmc_root_clone(s: *mut wasmc_store_t, root: u64) -> u64 {
    match unsafe { store(s) } {
        Some(s) => s.rooted(root).map_or(0, |v| s.root(v)),
        None => 0,
    }
}

/// # Safety
/// `s` is NULL or a live store; `v` is NULL or a value.
#[no_mangle]
pub unsafe extern "C" fn wasmc_val_release(s: *mut wasmc_store_t, v: *mut wasmc_val_t) -> bool {
    let Some(v) = (unsafe { v.as_mut() }) else { return true };
    if v.kind != TY_EXTERNREF as u32 && v.kind != TY_ANYREF as u32 {
        return true;
    }
    let r = unsafe { &mut v.of.r };
    if r.kind != REF_OBJECT {
        return true;
    }
    let ok = unsafe { wasmc_root_release(s, r.of.root) };
    *r = super::val::wasmc_ref_t::null();
    ok
}
