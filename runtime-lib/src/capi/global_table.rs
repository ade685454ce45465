//! Globals and tables from C, values checked like call arguments. Globals
//! and tables are scanned in full at every collection, so writing a
//! reference into one needs no write barrier.

use super::error::*;
use super::instance::export_index;
use super::val::{from_raw, to_raw, wasmc_val_t};
use super::{c_str, inst, wasmc_instance_t};
use crate::instance::InstanceInner;
use crate::table::Table;
use crate::val::Global;
use std::ffi::c_char;
use wasmc_abi::descriptor::{KIND_GLOBAL, KIND_TABLE};
use wasmc_abi::ValRaw;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct wasmc_global_t {
    pub instance: *mut wasmc_instance_t,
    pub index: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct wasmc_table_t {
    pub instance: *mut wasmc_instance_t,
    pub index: u32,
}

fn global<'a>(g: wasmc_global_t) -> Option<(&'a InstanceInner, &'a Global)> {
    let i = unsafe { inst(g.instance) }?;
    Some((i, i.globals_list().get(g.index as usize)?))
}

fn table<'a>(t: wasmc_table_t) -> Option<(&'a InstanceInner, &'a Table)> {
    let i = unsafe { inst(t.instance) }?;
    Some((i, i.tables.get(t.index as usize)?))
}

unsafe fn lookup(i: *const wasmc_instance_t, name: *const c_char, kind: u32) -> Option<u32> {
    export_index(unsafe { inst(i) }?, unsafe { c_str(name) }?, kind)
}

/// # Safety
/// As `wasmc.h` describes.
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_global(
    i: *const wasmc_instance_t,
    name: *const c_char,
    out: *mut wasmc_global_t,
) -> bool {
    match (unsafe { lookup(i, name, KIND_GLOBAL) }, unsafe { out.as_mut() }) {
        (Some(index), Some(out)) => {
            *out = wasmc_global_t { instance: i as *mut wasmc_instance_t, index };
            true
        }
        _ => false,
    }
}

#[no_mangle]
pub extern "C" fn wasmc_global_kind(g: wasmc_global_t) -> u32 {
    global(g).map_or(0, |(_, g)| g.ty as u32)
}

#[no_mangle]
pub extern "C" fn wasmc_global_is_mutable(g: wasmc_global_t) -> bool {
    global(g).is_some_and(|(_, g)| g.mutable)
}

/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasmc_global_get(g: wasmc_global_t, out: *mut wasmc_val_t) -> *mut wasmc_error_t {
    let Some((i, g)) = global(g) else { return argument("wasmc_global_get: no such global") };
    let Some(out) = (unsafe { out.as_mut() }) else { return argument("wasmc_global_get: NULL out") };
    *out = from_raw(Some(i.store()), g.ty, unsafe { *g.ptr });
    std::ptr::null_mut()
}

/// # Safety
/// `v` is NULL or a value.
#[no_mangle]
pub unsafe extern "C" fn wasmc_global_set(g: wasmc_global_t, v: *const wasmc_val_t) -> *mut wasmc_error_t {
    let Some((i, g)) = global(g) else { return argument("wasmc_global_set: no such global") };
    let Some(v) = (unsafe { v.as_ref() }) else { return argument("wasmc_global_set: NULL value") };
    if !g.mutable {
        return argument("wasmc_global_set: the global is immutable");
    }
    match to_raw(Some(i.store()), v, &g.encoding) {
        Ok(raw) => {
            unsafe { *g.ptr = raw };
            std::ptr::null_mut()
        }
        Err(m) => argument(format!("wasmc_global_set: {m}")),
    }
}

/// # Safety
/// As `wasmc.h` describes.
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_table(
    i: *const wasmc_instance_t,
    name: *const c_char,
    out: *mut wasmc_table_t,
) -> bool {
    match (unsafe { lookup(i, name, KIND_TABLE) }, unsafe { out.as_mut() }) {
        (Some(index), Some(out)) => {
            *out = wasmc_table_t { instance: i as *mut wasmc_instance_t, index };
            true
        }
        _ => false,
    }
}

#[no_mangle]
pub extern "C" fn wasmc_table_kind(t: wasmc_table_t) -> u32 {
    table(t).map_or(0, |(_, t)| t.elem_type() as u32)
}

#[no_mangle]
pub extern "C" fn wasmc_table_size(t: wasmc_table_t) -> u64 {
    table(t).map_or(0, |(_, t)| t.len())
}

/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasmc_table_get(t: wasmc_table_t, index: u64, out: *mut wasmc_val_t) -> *mut wasmc_error_t {
    let Some((i, t)) = table(t) else { return argument("wasmc_table_get: no such table") };
    let Some(out) = (unsafe { out.as_mut() }) else { return argument("wasmc_table_get: NULL out") };
    match t.get(index) {
        Some(w) => {
            *out = from_raw(Some(i.store()), t.elem_type(), ValRaw::from_u64(w));
            std::ptr::null_mut()
        }
        None => argument(format!("wasmc_table_get: index {index} is past the end ({})", t.len())),
    }
}

/// # Safety
/// `v` is NULL or a value.
#[no_mangle]
pub unsafe extern "C" fn wasmc_table_set(t: wasmc_table_t, index: u64, v: *const wasmc_val_t) -> *mut wasmc_error_t {
    let Some((i, t)) = table(t) else { return argument("wasmc_table_set: no such table") };
    let Some(v) = (unsafe { v.as_ref() }) else { return argument("wasmc_table_set: NULL value") };
    let raw = match to_raw(Some(i.store()), v, t.elem_encoding()) {
        Ok(r) => r,
        Err(m) => return argument(format!("wasmc_table_set: {m}")),
    };
    // SAFETY: `to_raw` checked the value against the element type (and
    // resolved handles to live references of this store).
    if unsafe { t.set_unchecked(index, raw.u64()) } {
        std::ptr::null_mut()
    } else {
        argument(format!("wasmc_table_set: index {index} is past the end ({})", t.len()))
    }
}

/// # Safety
/// `init` is NULL or a value; `old` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasmc_table_grow(
    t: wasmc_table_t,
    delta: u64,
    init: *const wasmc_val_t,
    old: *mut u64,
) -> *mut wasmc_error_t {
    let Some((i, t)) = table(t) else { return argument("wasmc_table_grow: no such table") };
    let Some(init) = (unsafe { init.as_ref() }) else { return argument("wasmc_table_grow: NULL init") };
    let raw = match to_raw(Some(i.store()), init, t.elem_encoding()) {
        Ok(r) => r,
        Err(m) => return argument(format!("wasmc_table_grow: {m}")),
    };
    match t.grow(delta, raw.u64()) {
        Some(o) => {
            if let Some(old) = unsafe { old.as_mut() } {
                *old = o;
            }
            std::ptr::null_mut()
        }
        None => wasmc_error_t::new(ERROR_RESOURCE, "wasmc_table_grow: the table cannot grow that much"),
    }
}
