//! Guest memory from C: base and size, growing, checked translation between
//! guest offsets and native pointers, and allocating inside the guest with
//! its own allocator.

use super::error::*;
use super::instance::{cstate, export_index};
use super::{c_str, inst, wasmc_instance_t};
use crate::call::call_raw;
use crate::instance::InstanceInner;
use crate::memory::Memory;
use std::ffi::{c_char, c_void};
use wasmc_abi::descriptor::{KIND_FUNC, KIND_MEMORY, TY_I32};
use wasmc_abi::ValRaw;

/// A memory of an instance: plain data, valid while the instance lives.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct wasmc_memory_t {
    pub instance: *mut wasmc_instance_t,
    pub index: u32,
}

fn mem<'a>(m: wasmc_memory_t) -> Option<&'a Memory> {
    unsafe { inst(m.instance) }?.memories.get(m.index as usize)
}

/// The default memory: exported as "memory", else memory 0.
fn default_index(i: &InstanceInner) -> Option<u32> {
    export_index(i, "memory", KIND_MEMORY).or((!i.memories.is_empty()).then_some(0))
}

fn default_memory(i: *const wasmc_instance_t) -> Option<wasmc_memory_t> {
    let index = default_index(unsafe { inst(i) }?)?;
    Some(wasmc_memory_t { instance: i as *mut wasmc_instance_t, index })
}

/// # Safety
/// As `wasmc.h` describes.
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_memory(
    i: *const wasmc_instance_t,
    name: *const c_char,
    out: *mut wasmc_memory_t,
) -> bool {
    let Some(ii) = (unsafe { inst(i) }) else { return false };
    let index = if name.is_null() {
        default_index(ii)
    } else {
        unsafe { c_str(name) }.and_then(|n| export_index(ii, n, KIND_MEMORY))
    };
    match (index, unsafe { out.as_mut() }) {
        (Some(index), Some(out)) => {
            *out = wasmc_memory_t { instance: i as *mut wasmc_instance_t, index };
            true
        }
        _ => false,
    }
}

#[no_mangle]
pub extern "C" fn wasmc_memory_data(m: wasmc_memory_t) -> *mut u8 {
    mem(m).map_or(std::ptr::null_mut(), |m| m.base())
}

#[no_mangle]
pub extern "C" fn wasmc_memory_size(m: wasmc_memory_t) -> u64 {
    mem(m).map_or(0, |m| m.byte_len())
}

/// # Safety
/// `old` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasmc_memory_grow(m: wasmc_memory_t, pages: u64, old: *mut u64) -> bool {
    match mem(m).and_then(|m| m.grow(pages)) {
        Some(o) => {
            if let Some(old) = unsafe { old.as_mut() } {
                *old = o;
            }
            true
        }
        None => false,
    }
}

fn app_to_native(m: &Memory, offset: u64, size: u64) -> *mut c_void {
    match offset.checked_add(size) {
        Some(end) if end <= m.byte_len() => unsafe { m.base().add(offset as usize) as *mut c_void },
        _ => std::ptr::null_mut(),
    }
}

fn native_to_app(m: &Memory, p: *const c_void, size: u64) -> Option<u64> {
    let offset = (p as u64).checked_sub(m.base() as u64)?;
    (offset.checked_add(size)? <= m.byte_len()).then_some(offset)
}

#[no_mangle]
pub extern "C" fn wasmc_memory_app_to_native(m: wasmc_memory_t, offset: u64, size: u64) -> *mut c_void {
    mem(m).map_or(std::ptr::null_mut(), |m| app_to_native(m, offset, size))
}

/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasmc_memory_native_to_app(
    m: wasmc_memory_t,
    p: *const c_void,
    size: u64,
    out: *mut u64,
) -> bool {
    match mem(m).and_then(|m| native_to_app(m, p, size)) {
        Some(o) => {
            if let Some(out) = unsafe { out.as_mut() } {
                *out = o;
            }
            true
        }
        None => false,
    }
}

/// # Safety
/// `i` is NULL or a live instance.
#[no_mangle]
pub unsafe extern "C" fn wasmc_app_to_native(i: *const wasmc_instance_t, offset: u64, size: u64) -> *mut c_void {
    default_memory(i).map_or(std::ptr::null_mut(), |m| wasmc_memory_app_to_native(m, offset, size))
}

/// # Safety
/// `i` is NULL or a live instance; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasmc_native_to_app(
    i: *const wasmc_instance_t,
    p: *const c_void,
    size: u64,
    out: *mut u64,
) -> bool {
    default_memory(i).is_some_and(|m| unsafe { wasmc_memory_native_to_app(m, p, size, out) })
}

/// # Safety
/// `i` is NULL or a live instance.
#[no_mangle]
pub unsafe extern "C" fn wasmc_app_to_native_str(i: *const wasmc_instance_t, offset: u64) -> *const c_char {
    let Some(m) = default_memory(i).and_then(mem) else { return std::ptr::null() };
    let len = m.byte_len();
    if offset >= len {
        return std::ptr::null();
    }
    let bytes = unsafe { std::slice::from_raw_parts(m.base().add(offset as usize), (len - offset) as usize) };
    match bytes.iter().position(|&b| b == 0) {
        Some(_) => bytes.as_ptr() as *const c_char,
        None => std::ptr::null(),
    }
}

/// Calls the guest's exported `name` of type (i32) -> `results` i32s.
fn call_guest(i: &InstanceInner, name: &str, arg: u32, results: usize) -> CResult<u32> {
    let idx = export_index(i, name, KIND_FUNC).ok_or_else(|| {
        wasmc_error_t::new(ERROR_NOT_FOUND, format!("the guest exports no allocator function `{name}`"))
    })?;
    let f = i.funcref_ptr(idx);
    let ty = crate::types::func_type(unsafe { (*f).type_id });
    let ok = matches!(&ty, Some(t) if t.params == [TY_I32] && t.results.len() == results
        && t.results.iter().all(|r| *r == TY_I32));
    if !ok {
        return Err(argument(format!("the guest's `{name}` does not have the type of an allocator function")));
    }
    let mut slots = [ValRaw::from_u64(arg as u64)];
    unsafe { call_raw(f, &mut slots) }.map_err(|e| wasmc_error_t::from_runtime(&e))?;
    Ok(slots[0].u32())
}

/// # Safety
/// As `wasmc.h` describes.
#[no_mangle]
pub unsafe extern "C" fn wasmc_guest_alloc(
    i: *mut wasmc_instance_t,
    size: u64,
    offset: *mut u64,
    native: *mut *mut c_void,
) -> *mut wasmc_error_t {
    let Some(ii) = (unsafe { inst(i) }) else { return argument("wasmc_guest_alloc: NULL instance") };
    let Ok(size32) = u32::try_from(size) else {
        return wasmc_error_t::new(ERROR_RESOURCE, "allocation larger than a 32-bit memory");
    };
    let name = cstate(ii).map_or("malloc", |s| &s.malloc);
    let off = match call_guest(ii, name, size32, 1) {
        Ok(o) => o as u64,
        Err(e) => return e,
    };
    if off == 0 {
        return wasmc_error_t::new(ERROR_RESOURCE, format!("the guest's `{name}` returned NULL for {size} bytes"));
    }
    let p = unsafe { wasmc_app_to_native(i, off, size) };
    if p.is_null() {
        return argument(format!("the guest's `{name}` returned {off:#x}, outside its memory"));
    }
    unsafe {
        if let Some(o) = offset.as_mut() {
            *o = off;
        }
        if let Some(n) = native.as_mut() {
            *n = p;
        }
    }
    std::ptr::null_mut()
}

/// # Safety
/// As `wasmc.h` describes.
#[no_mangle]
pub unsafe extern "C" fn wasmc_guest_free(i: *mut wasmc_instance_t, offset: u64) -> *mut wasmc_error_t {
    let Some(ii) = (unsafe { inst(i) }) else { return argument("wasmc_guest_free: NULL instance") };
    let Ok(off) = u32::try_from(offset) else { return argument("wasmc_guest_free: offset beyond 4 GiB") };
    let name = cstate(ii).map_or("free", |s| &s.free);
    status(call_guest(ii, name, off, 0).map(|_| ()))
}
