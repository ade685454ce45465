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

/// # Safety
/// `m.instance` is NULL or a live instance (alive for `'a`); `m.index` may
/// be anything (checked).
unsafe fn mem<'a>(m: wasmc_memory_t) -> Option<&'a Memory> {
    // SAFETY: `m.instance` is NULL or a live instance (contract above).
    unsafe { inst(m.instance) }?.memories.get(m.index as usize)
}

/// The default memory: exported as "memory", else memory 0.
fn default_index(i: &InstanceInner) -> Option<u32> {
    export_index(i, "memory", KIND_MEMORY).or((!i.memories.is_empty()).then_some(0))
}

/// # Safety
/// `i` is NULL or a live instance.
unsafe fn default_memory(i: *const wasmc_instance_t) -> Option<wasmc_memory_t> {
    // SAFETY: `i` is NULL or a live instance (contract above).
    let index = default_index(unsafe { inst(i) }?)?;
    Some(wasmc_memory_t { instance: i as *mut wasmc_instance_t, index })
}

/// # Safety
/// `i` is NULL or a live instance; `name` NULL or a NUL-terminated string;
/// `out` NULL or valid for writing a `wasmc_memory_t` (wasmc.h, POINTERS).
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_memory(
    i: *const wasmc_instance_t,
    name: *const c_char,
    out: *mut wasmc_memory_t,
) -> bool {
    // SAFETY: `i` is NULL or a live instance (contract above).
    let Some(ii) = (unsafe { inst(i) }) else { return false };
    let index = if name.is_null() {
        default_index(ii)
    } else {
        // SAFETY: `name` is non-null, so a string (contract above).
        unsafe { c_str(name) }.and_then(|n| export_index(ii, n, KIND_MEMORY))
    };
    // SAFETY: `out` is NULL or valid for writing (contract above).
    match (index, unsafe { out.as_mut() }) {
        (Some(index), Some(out)) => {
            *out = wasmc_memory_t { instance: i as *mut wasmc_instance_t, index };
            true
        }
        _ => false,
    }
}

/// # Safety
/// `m.instance` is NULL or a live instance (wasmc.h: a `wasmc_memory_t` is
/// valid while its instance lives).
#[no_mangle]
pub unsafe extern "C" fn wasmc_memory_data(m: wasmc_memory_t) -> *mut u8 {
    // SAFETY: `m.instance` is NULL or live (contract above).
    unsafe { mem(m) }.map_or(std::ptr::null_mut(), |m| m.base())
}

/// # Safety
/// `m.instance` is NULL or a live instance.
#[no_mangle]
pub unsafe extern "C" fn wasmc_memory_size(m: wasmc_memory_t) -> u64 {
    // SAFETY: `m.instance` is NULL or live (contract above).
    unsafe { mem(m) }.map_or(0, |m| m.byte_len())
}

/// # Safety
/// `m.instance` is NULL or a live instance whose store no other thread
/// uses; `old` is NULL or valid for writing a `uint64_t`.
#[no_mangle]
pub unsafe extern "C" fn wasmc_memory_grow(m: wasmc_memory_t, pages: u64, old: *mut u64) -> bool {
    // SAFETY: `m.instance` is NULL or live (contract above).
    match unsafe { mem(m) }.and_then(|m| m.grow(pages)) {
        Some(o) => {
            // SAFETY: `old` is NULL or valid for writing (contract above).
            if let Some(old) = unsafe { old.as_mut() } {
                *old = o;
            }
            true
        }
        None => false,
    }
}

fn app_to_native(m: &Memory, offset: u64, size: u64) -> *mut c_void {
    translate_in(m.base(), m.byte_len(), offset, size).map_or(std::ptr::null_mut(), |p| p as *mut c_void)
}

/// `base + offset` if `[offset, offset + size)` lies inside the `len` bytes
/// at `base` (a zero-size range may end exactly at the end). The bounds
/// check cannot overflow: `offset + size` is checked, and compared before
/// any pointer arithmetic.
fn translate_in(base: *mut u8, len: u64, offset: u64, size: u64) -> Option<*mut u8> {
    match offset.checked_add(size) {
        // `wrapping_add` needs no unsafe; with `offset <= end <= len` the
        // result is in bounds of (or one past) the memory's allocation.
        Some(end) if end <= len => Some(base.wrapping_add(offset as usize)),
        _ => None,
    }
}

/// The guest offset of `[p, p + size)` if it lies inside the `len` bytes at
/// `base`; only addresses are compared (nothing is dereferenced).
fn offset_in(base: *const u8, len: u64, p: *const c_void, size: u64) -> Option<u64> {
    let offset = (p as usize as u64).checked_sub(base as usize as u64)?;
    (offset.checked_add(size)? <= len).then_some(offset)
}

fn native_to_app(m: &Memory, p: *const c_void, size: u64) -> Option<u64> {
    offset_in(m.base(), m.byte_len(), p, size)
}

/// # Safety
/// `m.instance` is NULL or a live instance.
#[no_mangle]
pub unsafe extern "C" fn wasmc_memory_app_to_native(m: wasmc_memory_t, offset: u64, size: u64) -> *mut c_void {
    // SAFETY: `m.instance` is NULL or live (contract above).
    unsafe { mem(m) }.map_or(std::ptr::null_mut(), |m| app_to_native(m, offset, size))
}

/// # Safety
/// `m.instance` is NULL or a live instance; `out` is NULL or valid for
/// writing a `uint64_t`. `p` may be anything: it is only compared.
#[no_mangle]
pub unsafe extern "C" fn wasmc_memory_native_to_app(
    m: wasmc_memory_t,
    p: *const c_void,
    size: u64,
    out: *mut u64,
) -> bool {
    // SAFETY: `m.instance` is NULL or live (contract above).
    match unsafe { mem(m) }.and_then(|m| native_to_app(m, p, size)) {
        Some(o) => {
            // SAFETY: `out` is NULL or valid for writing (contract above).
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
    // SAFETY: `i` is NULL or live (contract above), and so is the instance of
    // the memory `default_memory` returns: `i` itself.
    unsafe { default_memory(i) }
        .map_or(std::ptr::null_mut(), |m| unsafe { wasmc_memory_app_to_native(m, offset, size) })
}

/// # Safety
/// `i` is NULL or a live instance; `out` is NULL or valid for writing a
/// `uint64_t`.
#[no_mangle]
pub unsafe extern "C" fn wasmc_native_to_app(
    i: *const wasmc_instance_t,
    p: *const c_void,
    size: u64,
    out: *mut u64,
) -> bool {
    // SAFETY: `i` is NULL or live, `out` NULL or writable (contract above);
    // the memory's instance is `i`.
    unsafe { default_memory(i) }.is_some_and(|m| unsafe { wasmc_memory_native_to_app(m, p, size, out) })
}

/// # Safety
/// `i` is NULL or a live instance whose store no other thread uses (the
/// guest's bytes are read).
#[no_mangle]
pub unsafe extern "C" fn wasmc_app_to_native_str(i: *const wasmc_instance_t, offset: u64) -> *const c_char {
    // SAFETY: `i` is NULL or live (contract above); the memory's instance is `i`.
    let Some(m) = (unsafe { default_memory(i) }).and_then(|m| unsafe { mem(m) }) else { return std::ptr::null() };
    let len = m.byte_len();
    if offset >= len {
        return std::ptr::null();
    }
    // SAFETY: `offset < len` (checked above), so `[offset, len)` is inside
    // the memory's accessible bytes, which stay mapped while the instance
    // lives; they are initialized (mapped zeroed), and nothing writes them
    // during this call: no wasm runs and the store is used by this thread
    // only (contract above). The borrow ends before returning.
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
    // `idx` is an exported function's index (from the descriptor), so `f`
    // is one of the live instance's funcrefs.
    let f = i.funcref_ptr(idx);
    // SAFETY: `f` points into the live instance's vmctx (above).
    let (type_id, array_call) = unsafe { ((*f).type_id, (*f).array_call) };
    if array_call == 0 {
        // `call_raw` would call address 0; exports always have an entry,
        // but do not rely on it here.
        return Err(argument(format!("the guest's `{name}` cannot be called from the host")));
    }
    let ty = crate::types::func_type(type_id);
    let ok = matches!(&ty, Some(t) if t.params == [TY_I32] && t.results.len() == results
        && t.results.iter().all(|r| *r == TY_I32));
    if !ok {
        return Err(argument(format!("the guest's `{name}` does not have the type of an allocator function")));
    }
    let mut slots = [ValRaw::from_u64(arg as u64)];
    // SAFETY: `f` is live with an array entry (checked above), of type
    // (i32) -> i32 or (i32) -> () (checked above): one slot suffices.
    unsafe { call_raw(f, &mut slots) }.map_err(|e| wasmc_error_t::from_runtime(&e))?;
    Ok(slots[0].u32())
}

/// # Safety
/// `i` is NULL or a live instance whose store no other thread uses;
/// `offset` and `native` are each NULL or valid for writing (wasmc.h,
/// `wasmc_guest_alloc`).
#[no_mangle]
pub unsafe extern "C" fn wasmc_guest_alloc(
    i: *mut wasmc_instance_t,
    size: u64,
    offset: *mut u64,
    native: *mut *mut c_void,
) -> *mut wasmc_error_t {
    // SAFETY: `i` is NULL or a live instance (contract above).
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
    // SAFETY: `i` is live (contract above; the guest's allocator may not
    // delete it: an instance is never deleted while it runs).
    let p = unsafe { wasmc_app_to_native(i, off, size) };
    if p.is_null() {
        return argument(format!("the guest's `{name}` returned {off:#x}, outside its memory"));
    }
    // SAFETY: `offset` is NULL or valid for writing a `u64` (contract).
    if let Some(o) = unsafe { offset.as_mut() } {
        *o = off;
    }
    // SAFETY: `native` is NULL or valid for writing a pointer (contract).
    if let Some(n) = unsafe { native.as_mut() } {
        *n = p;
    }
    std::ptr::null_mut()
}

/// # Safety
/// `i` is NULL or a live instance whose store no other thread uses.
#[no_mangle]
pub unsafe extern "C" fn wasmc_guest_free(i: *mut wasmc_instance_t, offset: u64) -> *mut wasmc_error_t {
    // SAFETY: `i` is NULL or a live instance (contract above).
    let Some(ii) = (unsafe { inst(i) }) else { return argument("wasmc_guest_free: NULL instance") };
    let Ok(off) = u32::try_from(offset) else { return argument("wasmc_guest_free: offset beyond 4 GiB") };
    let name = cstate(ii).map_or("free", |s| &s.free);
    status(call_guest(ii, name, off, 0).map(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guest address translation: in-range ranges only, no overflow in
    /// `offset + size` or in `native - base`.
    #[test]
    fn translation_is_bounds_checked() {
        let mut buf = [0u8; 64];
        let base = buf.as_mut_ptr();
        let len = buf.len() as u64;
        assert_eq!(translate_in(base, len, 0, 64), Some(base));
        assert_eq!(translate_in(base, len, 10, 54), Some(base.wrapping_add(10)));
        assert_eq!(translate_in(base, len, 64, 0), Some(base.wrapping_add(64)), "empty range at the end");
        assert_eq!(translate_in(base, len, 64, 1), None);
        assert_eq!(translate_in(base, len, 65, 0), None);
        assert_eq!(translate_in(base, len, 10, 55), None);
        assert_eq!(translate_in(base, len, u64::MAX, 2), None, "offset + size overflows");
        assert_eq!(translate_in(base, len, 1, u64::MAX), None, "offset + size overflows");
        assert_eq!(translate_in(base, 0, 0, 0), Some(base));

        let p = |o: usize| base.wrapping_add(o) as *const c_void;
        assert_eq!(offset_in(base, len, p(0), 64), Some(0));
        assert_eq!(offset_in(base, len, p(63), 1), Some(63));
        assert_eq!(offset_in(base, len, p(64), 0), Some(64));
        assert_eq!(offset_in(base, len, p(64), 1), None);
        assert_eq!(offset_in(base, len, p(8), u64::MAX), None, "offset + size overflows");
        assert_eq!(offset_in(base, len, base.wrapping_sub(1) as *const c_void, 1), None, "below the base");
        assert_eq!(offset_in(base, len, std::ptr::null(), 0), None);
        // Translating back and forth agrees, and the pointer is usable.
        let q = translate_in(base, len, 5, 4).unwrap();
        assert_eq!(offset_in(base, len, q as *const c_void, 4), Some(5));
        // SAFETY: `q` is `base + 5` with 4 bytes in bounds of `buf`.
        unsafe { q.write(7) };
        assert_eq!(buf[5], 7);
    }

    /// The memory functions take the C structs by value: NULL instances are
    /// handled without a memory.
    #[test]
    fn null_instances() {
        let m = wasmc_memory_t { instance: std::ptr::null_mut(), index: 0 };
        let mut out = 5;
        // SAFETY: a NULL instance is allowed; `out` is a local.
        unsafe {
            assert!(wasmc_memory_data(m).is_null());
            assert_eq!(wasmc_memory_size(m), 0);
            assert!(!wasmc_memory_grow(m, 1, &mut out));
            assert!(wasmc_memory_app_to_native(m, 0, 0).is_null());
            assert!(!wasmc_memory_native_to_app(m, std::ptr::null(), 0, &mut out));
            assert!(wasmc_app_to_native(std::ptr::null(), 0, 0).is_null());
            assert!(!wasmc_native_to_app(std::ptr::null(), std::ptr::null(), 0, &mut out));
            assert!(wasmc_app_to_native_str(std::ptr::null(), 0).is_null());
            assert!(!wasmc_instance_memory(std::ptr::null(), std::ptr::null(), std::ptr::null_mut()));
            let e = wasmc_guest_alloc(std::ptr::null_mut(), 4, std::ptr::null_mut(), std::ptr::null_mut());
            assert_eq!(super::super::error::wasmc_error_kind(e), ERROR_ARGUMENT);
            super::super::error::wasmc_error_delete(e);
        }
        assert_eq!(out, 5);
    }
}
