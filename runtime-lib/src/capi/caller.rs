//! What a C host function (an import bound at link time) can do with the
//! `wasmc_caller_t *` it receives: the calling instance's vmctx.

use super::instance::cstate;
use super::val::{ref_from_raw, ref_to_raw, wasmc_ref_t};
use super::{inst_handle, wasmc_instance_t};
use crate::host::HostTrap;
use crate::instance::InstanceInner;
use std::ffi::{c_char, c_void, CStr};
use wasmc_abi::Trap;

/// Opaque: the calling instance's vmctx.
#[repr(C)]
pub struct wasmc_caller_t {
    _private: [u8; 0],
}

/// # Safety
/// `c` is NULL or the `wasmc_caller_t *` a host function received, used
/// before that host function returns (wasmc.h, OWNERSHIP 3): the calling
/// instance's vmctx, live for `'a` (an instance is not deleted while it runs).
unsafe fn instance<'a>(c: *mut wasmc_caller_t) -> Option<&'a InstanceInner> {
    // SAFETY: `c` is NULL or a live instance's vmctx (contract above), as
    // `from_vmctx` requires.
    unsafe { InstanceInner::from_vmctx(c as *mut u8) }
}

/// # Safety
/// `c` is NULL or the caller of the running host function (see wasmc.h).
#[no_mangle]
pub unsafe extern "C" fn wasmc_caller_instance(c: *mut wasmc_caller_t) -> *mut wasmc_instance_t {
    // SAFETY: `c` is NULL or a live caller (contract above).
    unsafe { instance(c) }.map_or(std::ptr::null_mut(), inst_handle)
}

/// # Safety
/// `c` is NULL or the caller of the running host function.
#[no_mangle]
pub unsafe extern "C" fn wasmc_caller_data(c: *mut wasmc_caller_t) -> *mut c_void {
    // SAFETY: `c` is NULL or a live caller (contract above).
    unsafe { instance(c) }.and_then(cstate).map_or(std::ptr::null_mut(), |s| s.data)
}

/// Ends the running host function with a trap carrying `message`.
///
/// # Safety
/// Every frame from here up to the wasm code that called the host function
/// owns nothing that needs dropping (`raise` jumps over them): the caller
/// must have moved or dropped all its owned values, and the C frames in
/// between hold no resources (wasmc.h, `wasmc_caller_trap`).
unsafe fn trap(message: String) -> ! {
    if !crate::trap::in_wasm() {
        eprintln!("wasmc: wasmc_caller_trap called outside a host function: {message}");
        std::process::abort();
    }
    crate::trap::set_host_failure(HostTrap::Error(message));
    // SAFETY: `in_wasm` (checked above) means this thread is inside
    // `catch_traps`; nothing owned lives in this frame any more (the message
    // moved above), nor in the frames above it (contract above).
    unsafe { crate::trap::raise(Trap::HostError) }
}

/// # Safety
/// Called by a host function, holding no resources (see wasmc.h); `msg` is
/// NULL or a NUL-terminated string. `_c` is not used.
#[no_mangle]
pub unsafe extern "C" fn wasmc_caller_trap(_c: *mut wasmc_caller_t, msg: *const c_char) -> ! {
    let message = if msg.is_null() {
        Trap::HostError.message().to_string()
    } else {
        // SAFETY: `msg` is non-null, so a NUL-terminated string (contract);
        // it is copied before returning.
        unsafe { CStr::from_ptr(msg) }.to_string_lossy().into_owned()
    };
    // SAFETY: `message` is moved into `trap`, so this frame owns nothing;
    // the C frames above hold no resources (contract above).
    unsafe { trap(message) }
}

/// # Safety
/// `c` is NULL or the caller of the running host function; `raw` is a
/// reference that host function received (or NULL/0), not used after it
/// called into wasm again (wasmc.h, `wasmc_rawref_t`): an object word is
/// rooted as is and dereferenced later, when the root is used.
#[no_mangle]
pub unsafe extern "C" fn wasmc_caller_ref(c: *mut wasmc_caller_t, raw: u64) -> wasmc_ref_t {
    // SAFETY: `c` is NULL or a live caller (contract above).
    ref_from_raw(unsafe { instance(c) }.map(|i| i.store()), raw)
}

/// # Safety
/// `c` is NULL or the caller of the running host function; `r` is NULL or
/// a readable `wasmc_ref_t` initialized as its kind says. May trap (as
/// `wasmc_caller_trap`): the C frames above hold no resources.
#[no_mangle]
pub unsafe extern "C" fn wasmc_caller_rawref(c: *mut wasmc_caller_t, r: *const wasmc_ref_t) -> u64 {
    // SAFETY: `r` is NULL or readable (contract above).
    let Some(r) = (unsafe { r.as_ref() }) else { return 0 };
    // SAFETY: `c` is NULL or a live caller (contract above).
    let store = unsafe { instance(c) }.map(|i| i.store());
    // SAFETY: `r` is initialized as its kind says (contract above).
    let result = unsafe { ref_to_raw(store, r) };
    match result {
        Ok(w) => w,
        Err(mut m) => {
            // The message is moved into `trap`, so no owned value is left in
            // this frame for the jump to skip (formatting it with
            // `format!("…{m}")` would have left `m` behind, undropped).
            m.insert_str(0, "wasmc_caller_rawref: ");
            // SAFETY: this frame owns nothing now (`result` and `m` moved);
            // the C frames above hold no resources (contract above).
            unsafe { trap(m) }
        }
    }
}
