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
//! Handles: a `wasmc_store_t *` is an `Rc<StoreInner>` turned into a raw
//! pointer, a `wasmc_instance_t *` an `Rc<InstanceInner>`, a
//! `wasmc_func_t *` a `VMFuncRef` inside its instance's vmctx and a
//! `wasmc_caller_t *` the calling instance's vmctx.
//!
//! Unsafe code: every pointer a C caller passes is trusted only as far as
//! `wasmc.h` ("POINTERS" in its header comment) makes it the caller's
//! obligation; every `unsafe` block says which obligation or which runtime
//! invariant it relies on (the lints below keep it that way).
#![allow(non_camel_case_types)]
#![warn(clippy::undocumented_unsafe_blocks, unsafe_op_in_unsafe_fn)]

pub mod call;
pub mod caller;
pub mod error;
pub mod global_table;
pub mod header;
pub mod instance;
pub mod memory;
pub mod store;
pub mod val;

#[cfg(test)]
mod tests;

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
    // SAFETY: `p` is non-null (checked above), so by this function's
    // contract it points to a NUL-terminated string, which the caller keeps
    // alive and unchanged for `'a` (the C call borrowing it).
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// Opaque to C: an `Rc<InstanceInner>` (owned handles) or a borrowed
/// `&InstanceInner`.
#[repr(C)]
pub struct wasmc_instance_t {
    _private: [u8; 0],
}

/// Opaque to C: an `Rc<StoreInner>` (owned handles) or a borrowed
/// `&StoreInner`.
#[repr(C)]
pub struct wasmc_store_t {
    _private: [u8; 0],
}

/// The instance behind a `wasmc_instance_t *` (borrowed).
///
/// # Safety
/// `p` is NULL or a live instance handle: one `wasmc_instance_new` returned
/// and `wasmc_instance_delete` has not ended, or a borrowed one
/// (`wasmc_caller_instance`, the `instance` of a memory/global/table struct
/// made from either). The instance must stay alive for `'a` (the C call).
pub(crate) unsafe fn inst<'a>(p: *const wasmc_instance_t) -> Option<&'a InstanceInner> {
    // SAFETY: both kinds of handle are the address of an `InstanceInner`
    // (`Rc::into_raw` in `wasmc_instance_new`, `inst_handle`), live for
    // `'a` by this function's contract; it is only ever shared (`&`), and
    // its interior mutability is behind `UnsafeCell`s/`Cell`s.
    unsafe { (p as *const InstanceInner).as_ref() }
}

/// A borrowed handle for an instance.
pub(crate) fn inst_handle(i: &InstanceInner) -> *mut wasmc_instance_t {
    i as *const InstanceInner as *mut wasmc_instance_t
}

/// The store behind a `wasmc_store_t *` (borrowed).
///
/// # Safety
/// `p` is NULL or a live store handle: one `wasmc_store_new` returned and
/// `wasmc_store_delete` has not ended, or one `wasmc_instance_store` returned
/// while that instance lives. The store must stay alive for `'a`.
pub(crate) unsafe fn store<'a>(p: *const wasmc_store_t) -> Option<&'a crate::instance::StoreInner> {
    // SAFETY: both kinds of handle are the address of the `StoreInner` inside
    // an `Rc` (`Rc::into_raw` in `wasmc_store_new`, `Rc::as_ptr` in
    // `wasmc_instance_store`), live for `'a` by this function's contract, and
    // only ever shared.
    unsafe { (p as *const crate::instance::StoreInner).as_ref() }
}
