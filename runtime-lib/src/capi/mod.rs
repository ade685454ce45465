//! The C embedding API, declared in `runtime-lib/include/wasmc.h` (read its
//! header comment first: the ownership rule, errors, threads). One concern
//! per file:
//!
//! * `error`: `wasmc_error_t`, the only way failures come back.
//! * `store`: stores, GC roots.
//! * `instance`: loading modules, instantiation (WASI, the guest
//!   allocator's names, user data).
//! * `val`: `wasmc_val_t` and its checked conversion to and from raw words.
//! * `call`: dynamic and typed calls.
//! * `memory`: memories, address translation, guest allocation.
//! * `global_table`: globals and tables.
//! * `caller`: what C host functions (imports bound at link time) can do.
//! * `header`: the generated part of `wasmc.h` (from `wasmc-abi`).
//!
//! Handles: a `wasmc_store_t *` is an `Arc<StoreInner>` turned into a raw
//! pointer, a `wasmc_instance_t *` an `Arc<InstanceInner>`, a
//! `wasmc_func_t *` a `VMFuncRef` inside its instance's vmctx and a
//! `wasmc_caller_t *` the calling instance's vmctx.
#![allow(non_camel_case_types)]

pub mod call;
pub mod caller;
pub mod error;
pub mod global_table;
pub mod header;
pub mod instance;
pub mod memory;
pub mod store;
pub mod val;

use crate::instance::InstanceInner;
use std::ffi::{c_char, CStr};

/// A borrowed C string as UTF-8; `None` for NULL or invalid UTF-8.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
pub(crate) unsafe fn c_str<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        return None;
    }
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// Opaque to C: an `Arc<InstanceInner>` (owned handles) or a borrowed
/// `&InstanceInner`.
#[repr(C)]
pub struct wasmc_instance_t {
    _private: [u8; 0],
}

/// Opaque to C: an `Arc<StoreInner>` (owned handles) or a borrowed
/// `&StoreInner`.
#[repr(C)]
pub struct wasmc_store_t {
    _private: [u8; 0],
}

/// The instance behind a `wasmc_instance_t *` (borrowed).
///
/// # Safety
/// `p` is NULL or a live instance handle.
pub(crate) unsafe fn inst<'a>(p: *const wasmc_instance_t) -> Option<&'a InstanceInner> {
    unsafe { (p as *const InstanceInner).as_ref() }
}

/// A borrowed handle for an instance.
pub(crate) fn inst_handle(i: &InstanceInner) -> *mut wasmc_instance_t {
    i as *const InstanceInner as *mut wasmc_instance_t
}

/// The store behind a `wasmc_store_t *` (borrowed).
///
/// # Safety
/// `p` is NULL or a live store handle.
pub(crate) unsafe fn store<'a>(p: *const wasmc_store_t) -> Option<&'a crate::instance::StoreInner> {
    unsafe { (p as *const crate::instance::StoreInner).as_ref() }
}
