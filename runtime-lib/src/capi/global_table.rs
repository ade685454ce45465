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

/// # Safety
/// `g.instance` is NULL or a live instance (alive for `'a`).
unsafe fn global<'a>(g: wasmc_global_t) -> Option<(&'a InstanceInner, &'a Global)> {
    // SAFETY: `g.instance` is NULL or live (contract above).
    let i = unsafe { inst(g.instance) }?;
    Some((i, i.globals_list().get(g.index as usize)?))
}

/// # Safety
/// `t.instance` is NULL or a live instance (alive for `'a`).
unsafe fn table<'a>(t: wasmc_table_t) -> Option<(&'a InstanceInner, &'a Table)> {
    // SAFETY: `t.instance` is NULL or live (contract above).
    let i = unsafe { inst(t.instance) }?;
    Some((i, i.tables.get(t.index as usize)?))
}

/// # Safety
/// `i` is NULL or a live instance; `name` NULL or a NUL-terminated string.
unsafe fn lookup(i: *const wasmc_instance_t, name: *const c_char, kind: u32) -> Option<u32> {
    // SAFETY: `i` is NULL or live, `name` NULL or a string (contract above).
    export_index(unsafe { inst(i) }?, unsafe { c_str(name) }?, kind)
}

/// # Safety
/// `i` is NULL or a live instance; `name` NULL or a NUL-terminated string;
/// `out` NULL or valid for writing a `wasmc_global_t` (wasmc.h, POINTERS).
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_global(
    i: *const wasmc_instance_t,
    name: *const c_char,
    out: *mut wasmc_global_t,
) -> bool {
    // SAFETY: `i`, `name` as `lookup` requires; `out` NULL or writable
    // (contract above).
    match (unsafe { lookup(i, name, KIND_GLOBAL) }, unsafe { out.as_mut() }) {
        (Some(index), Some(out)) => {
            *out = wasmc_global_t { instance: i as *mut wasmc_instance_t, index };
            true
        }
        _ => false,
    }
}

/// # Safety
/// `g.instance` is NULL or a live instance (wasmc.h: a `wasmc_global_t` is
/// valid while its instance lives).
#[no_mangle]
pub unsafe extern "C" fn wasmc_global_kind(g: wasmc_global_t) -> u32 {
    // SAFETY: `g.instance` is NULL or live (contract above).
    unsafe { global(g) }.map_or(0, |(_, g)| g.ty as u32)
}

/// # Safety
/// `g.instance` is NULL or a live instance.
#[no_mangle]
pub unsafe extern "C" fn wasmc_global_is_mutable(g: wasmc_global_t) -> bool {
    // SAFETY: `g.instance` is NULL or live (contract above).
    unsafe { global(g) }.is_some_and(|(_, g)| g.mutable)
}

/// # Safety
/// `g.instance` is NULL or a live instance whose store no other thread
/// uses; `out` is NULL or valid for writing a `wasmc_val_t`.
#[no_mangle]
pub unsafe extern "C" fn wasmc_global_get(g: wasmc_global_t, out: *mut wasmc_val_t) -> *mut wasmc_error_t {
    // SAFETY: `g.instance` is NULL or live (contract above).
    let Some((i, g)) = (unsafe { global(g) }) else { return argument("wasmc_global_get: no such global") };
    // SAFETY: `out` is NULL or valid for writing (contract above).
    let Some(out) = (unsafe { out.as_mut() }) else { return argument("wasmc_global_get: NULL out") };
    // SAFETY: `g.ptr` is the global's 16-byte slot, owned by the instance
    // (or the import it keeps alive) and so valid while `i` lives; no wasm
    // runs during this call, so nothing writes it concurrently.
    let raw = unsafe { *g.ptr };
    *out = from_raw(Some(i.store()), g.ty, raw);
    std::ptr::null_mut()
}

/// # Safety
/// `g.instance` is NULL or a live instance whose store no other thread
/// uses; `v` is NULL or a readable `wasmc_val_t` initialized as its kind
/// says (funcrefs NULL or live functions: wasmc.h, POINTERS).
#[no_mangle]
pub unsafe extern "C" fn wasmc_global_set(g: wasmc_global_t, v: *const wasmc_val_t) -> *mut wasmc_error_t {
    // SAFETY: `g.instance` is NULL or live (contract above).
    let Some((i, g)) = (unsafe { global(g) }) else { return argument("wasmc_global_set: no such global") };
    // SAFETY: `v` is NULL or readable (contract above).
    let Some(v) = (unsafe { v.as_ref() }) else { return argument("wasmc_global_set: NULL value") };
    if !g.mutable {
        return argument("wasmc_global_set: the global is immutable");
    }
    // SAFETY: `v` is initialized as its kind says (contract above);
    // `g.encoding` is the global's canonical type.
    match unsafe { to_raw(Some(i.store()), v, &g.encoding) } {
        Ok(raw) => {
            // SAFETY: `g.ptr` is the global's slot, valid while `i` lives,
            // and no Rust reference to it exists (wasm reads it only while
            // running, and no wasm runs during this call).
            unsafe { *g.ptr = raw };
            std::ptr::null_mut()
        }
        Err(m) => argument(format!("wasmc_global_set: {m}")),
    }
}

/// # Safety
/// `i` is NULL or a live instance; `name` NULL or a NUL-terminated string;
/// `out` NULL or valid for writing a `wasmc_table_t` (wasmc.h, POINTERS).
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_table(
    i: *const wasmc_instance_t,
    name: *const c_char,
    out: *mut wasmc_table_t,
) -> bool {
    // SAFETY: `i`, `name` as `lookup` requires; `out` NULL or writable
    // (contract above).
    match (unsafe { lookup(i, name, KIND_TABLE) }, unsafe { out.as_mut() }) {
        (Some(index), Some(out)) => {
            *out = wasmc_table_t { instance: i as *mut wasmc_instance_t, index };
            true
        }
        _ => false,
    }
}

/// # Safety
/// `t.instance` is NULL or a live instance (wasmc.h: a `wasmc_table_t` is
/// valid while its instance lives).
#[no_mangle]
pub unsafe extern "C" fn wasmc_table_kind(t: wasmc_table_t) -> u32 {
    // SAFETY: `t.instance` is NULL or live (contract above).
    unsafe { table(t) }.map_or(0, |(_, t)| t.elem_type() as u32)
}

/// # Safety
/// `t.instance` is NULL or a live instance whose store no other thread uses.
#[no_mangle]
pub unsafe extern "C" fn wasmc_table_size(t: wasmc_table_t) -> u64 {
    // SAFETY: `t.instance` is NULL or live (contract above).
    unsafe { table(t) }.map_or(0, |(_, t)| t.len())
}

/// # Safety
/// `t.instance` is NULL or a live instance whose store no other thread
/// uses; `out` is NULL or valid for writing a `wasmc_val_t`.
#[no_mangle]
pub unsafe extern "C" fn wasmc_table_get(t: wasmc_table_t, index: u64, out: *mut wasmc_val_t) -> *mut wasmc_error_t {
    // SAFETY: `t.instance` is NULL or live (contract above).
    let Some((i, t)) = (unsafe { table(t) }) else { return argument("wasmc_table_get: no such table") };
    // SAFETY: `out` is NULL or valid for writing (contract above).
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
/// `t.instance` is NULL or a live instance whose store no other thread
/// uses; `v` is NULL or a readable `wasmc_val_t` initialized as its kind
/// says (funcrefs NULL or live functions: wasmc.h, POINTERS).
#[no_mangle]
pub unsafe extern "C" fn wasmc_table_set(t: wasmc_table_t, index: u64, v: *const wasmc_val_t) -> *mut wasmc_error_t {
    // SAFETY: `t.instance` is NULL or live (contract above).
    let Some((i, t)) = (unsafe { table(t) }) else { return argument("wasmc_table_set: no such table") };
    // SAFETY: `v` is NULL or readable (contract above).
    let Some(v) = (unsafe { v.as_ref() }) else { return argument("wasmc_table_set: NULL value") };
    // SAFETY: `v` is initialized as its kind says (contract above); the
    // table's element encoding is canonical.
    let raw = match unsafe { to_raw(Some(i.store()), v, t.elem_encoding()) } {
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
/// `t.instance` is NULL or a live instance whose store no other thread
/// uses; `init` is NULL or a readable `wasmc_val_t` initialized as its kind
/// says; `old` is NULL or valid for writing a `uint64_t`.
#[no_mangle]
pub unsafe extern "C" fn wasmc_table_grow(
    t: wasmc_table_t,
    delta: u64,
    init: *const wasmc_val_t,
    old: *mut u64,
) -> *mut wasmc_error_t {
    // SAFETY: `t.instance` is NULL or live (contract above).
    let Some((i, t)) = (unsafe { table(t) }) else { return argument("wasmc_table_grow: no such table") };
    // SAFETY: `init` is NULL or readable (contract above).
    let Some(init) = (unsafe { init.as_ref() }) else { return argument("wasmc_table_grow: NULL init") };
    // SAFETY: `init` is initialized as its kind says (contract above); the
    // table's element encoding is canonical.
    let raw = match unsafe { to_raw(Some(i.store()), init, t.elem_encoding()) } {
        Ok(r) => r,
        Err(m) => return argument(format!("wasmc_table_grow: {m}")),
    };
    // SAFETY: `to_raw` checked `init` against the element type.
    match unsafe { t.grow(delta, raw.u64()) } {
        Some(o) => {
            // SAFETY: `old` is NULL or valid for writing (contract above).
            if let Some(old) = unsafe { old.as_mut() } {
                *old = o;
            }
            std::ptr::null_mut()
        }
        None => wasmc_error_t::new(ERROR_RESOURCE, "wasmc_table_grow: the table cannot grow that much"),
    }
}
