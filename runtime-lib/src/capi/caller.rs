//! What a C host function (an import bound at link time) can do with the
//! `wasmc_caller_t *` it receives: the calling instance's vmctx.

use super::instance::cstate;
use super::val::{ref_from_raw, ref_to_raw, wasmc_ref_t};
use super::{inst_handle, wasmc_instance_t};
use crate::host::{HostTrap, PENDING};
use crate::instance::InstanceInner;
use std::ffi::{c_char, c_void, CStr};
use wasmc_abi::Trap;

/// Opaque: the calling instance's vmctx.
#[repr(C)]
pub struct wasmc_caller_t {
    _private: [u8; 0],
}

fn instance<'a>(c: *mut wasmc_caller_t) -> Option<&'a InstanceInner> {
    unsafe { InstanceInner::from_vmctx(c as *mut u8) }
}

#[no_mangle]
pub extern "C" fn wasmc_caller_instance(c: *mut wasmc_caller_t) -> *mut wasmc_instance_t {
    instance(c).map_or(std::ptr::null_mut(), inst_handle)
}

#[no_mangle]
pub extern "C" fn wasmc_caller_data(c: *mut wasmc_caller_t) -> *mut c_void {
    instance(c).and_then(cstate).map_or(std::ptr::null_mut(), |s| s.data)
}

fn trap(message: String) -> ! {
    if !crate::trap::in_wasm() {
        eprintln!("wasmc: wasmc_caller_trap called outside a host function: {message}");
        std::process::abort();
    }
    PENDING.with(|p| *p.borrow_mut() = Some(HostTrap::Error(message)));
    // Nothing owned lives in this frame any more: the message moved above.
    unsafe { crate::trap::raise(Trap::HostError) }
}

/// # Safety
/// Called by a host function with its caller; `msg` is NULL or a string.
#[no_mangle]
pub unsafe extern "C" fn wasmc_caller_trap(_c: *mut wasmc_caller_t, msg: *const c_char) -> ! {
    let message = if msg.is_null() {
        Trap::HostError.message().to_string()
    } else {
        unsafe { CStr::from_ptr(msg) }.to_string_lossy().into_owned()
    };
    trap(message)
}

#[no_mangle]
pub extern "C" fn wasmc_caller_ref(c: *mut wasmc_caller_t, raw: u64) -> wasmc_ref_t {
    ref_from_raw(instance(c).map(|i| i.store()), raw)
}

/// # Safety
/// `r` is NULL or a reference value.
#[no_mangle]
pub unsafe extern "C" fn wasmc_caller_rawref(c: *mut wasmc_caller_t, r: *const wasmc_ref_t) -> u64 {
    let Some(r) = (unsafe { r.as_ref() }) else { return 0 };
    match ref_to_raw(instance(c).map(|i| i.store()), r) {
        Ok(w) => w,
        Err(m) => trap(format!("wasmc_caller_rawref: {m}")),
    }
}
