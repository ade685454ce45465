//! Calls from C into wasm: by export name with tagged values (checked
//! against the function's type), and the typed entry points generated
//! headers use.

use super::error::*;
use super::instance::export_index;
use super::val::{from_raw, func_sig, to_raw, wasmc_val_t};
use super::{c_str, inst, wasmc_instance_t};
use crate::call::call_raw;
use crate::instance::{InstanceInner, StoreInner};
use crate::types;
use wasmc_abi::descriptor::{FuncDesc, ModuleDesc, TypeDesc, KIND_FUNC, TY_F32, TY_F64, TY_I32, TY_I64};
use wasmc_abi::typeenc::{self, Composite};
use wasmc_abi::{VMFuncRef, ValRaw};

pub type wasmc_func_t = VMFuncRef;

/// The store of the instance a function belongs to (none for host functions).
fn store_of<'a>(f: &VMFuncRef) -> Option<&'a StoreInner> {
    unsafe { InstanceInner::from_vmctx(f.vmctx as *mut u8) }.map(|i| i.store())
}

/// Slots on the stack for the usual small signatures.
const INLINE_SLOTS: usize = 16;

/// Calls `f` with checked values.
///
/// # Safety
/// `f` is a live function; `args`/`results` hold `nargs`/`nresults` values.
pub(crate) unsafe fn call_checked(
    f: *const VMFuncRef,
    args: *const wasmc_val_t,
    nargs: usize,
    results: *mut wasmc_val_t,
    nresults: usize,
) -> CResult<()> {
    let fr = unsafe { &*f };
    if fr.array_call == 0 {
        return Err(argument("the function cannot be called from the host (not exported)"));
    }
    let (params, res) = func_sig(fr.type_id).ok_or_else(|| argument("not a function reference"))?;
    if nargs != params.len() || nresults != res.len() {
        return Err(argument(format!(
            "the function takes {} arguments and returns {} results; given {nargs} and room for {nresults}",
            params.len(),
            res.len()
        )));
    }
    if (nargs > 0 && args.is_null()) || (nresults > 0 && results.is_null()) {
        return Err(argument("NULL argument or result array"));
    }
    let store = store_of(fr);
    let n = params.len().max(res.len()).max(1);
    let mut inline = [ValRaw::default(); INLINE_SLOTS];
    let mut heap = Vec::new();
    let slots: &mut [ValRaw] = if n <= INLINE_SLOTS {
        &mut inline[..n]
    } else {
        heap.resize(n, ValRaw::default());
        &mut heap
    };
    for (i, enc) in params.iter().enumerate() {
        let v = unsafe { &*args.add(i) };
        slots[i] = to_raw(store, v, enc).map_err(|m| argument(format!("argument {i}: {m}")))?;
    }
    // No allocation between reading roots above and the call: objects
    // cannot move in between.
    unsafe { call_raw(f, slots) }.map_err(|e| wasmc_error_t::from_runtime(&e))?;
    for (i, enc) in res.iter().enumerate() {
        unsafe { *results.add(i) = from_raw(store, types::representation(enc), slots[i]) };
    }
    Ok(())
}

/// # Safety
/// As `wasmc.h` describes.
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_func(
    i: *const wasmc_instance_t,
    name: *const std::ffi::c_char,
) -> *const wasmc_func_t {
    let (Some(i), Some(name)) = (unsafe { inst(i) }, unsafe { c_str(name) }) else { return std::ptr::null() };
    export_index(i, name, KIND_FUNC).map_or(std::ptr::null(), |idx| i.funcref_ptr(idx))
}

fn sig_of(f: *const wasmc_func_t) -> Option<crate::FuncType> {
    let f = unsafe { f.as_ref() }?;
    types::func_type(f.type_id)
}

/// # Safety
/// `f` is NULL or a live function.
#[no_mangle]
pub unsafe extern "C" fn wasmc_func_param_count(f: *const wasmc_func_t) -> usize {
    sig_of(f).map_or(0, |t| t.params.len())
}

/// # Safety
/// `f` is NULL or a live function.
#[no_mangle]
pub unsafe extern "C" fn wasmc_func_result_count(f: *const wasmc_func_t) -> usize {
    sig_of(f).map_or(0, |t| t.results.len())
}

/// # Safety
/// `f` is NULL or a live function.
#[no_mangle]
pub unsafe extern "C" fn wasmc_func_param_kind(f: *const wasmc_func_t, i: usize) -> u32 {
    sig_of(f).and_then(|t| t.params.get(i).copied()).map_or(0, |k| k as u32)
}

/// # Safety
/// `f` is NULL or a live function.
#[no_mangle]
pub unsafe extern "C" fn wasmc_func_result_kind(f: *const wasmc_func_t, i: usize) -> u32 {
    sig_of(f).and_then(|t| t.results.get(i).copied()).map_or(0, |k| k as u32)
}

/// # Safety
/// As `wasmc.h` describes.
#[no_mangle]
pub unsafe extern "C" fn wasmc_func_call(
    f: *const wasmc_func_t,
    args: *const wasmc_val_t,
    nargs: usize,
    results: *mut wasmc_val_t,
    nresults: usize,
) -> *mut wasmc_error_t {
    if f.is_null() {
        return argument("wasmc_func_call: NULL function");
    }
    status(unsafe { call_checked(f, args, nargs, results, nresults) })
}

/// # Safety
/// As `wasmc.h` describes.
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_call(
    i: *mut wasmc_instance_t,
    name: *const std::ffi::c_char,
    args: *const wasmc_val_t,
    nargs: usize,
    results: *mut wasmc_val_t,
    nresults: usize,
) -> *mut wasmc_error_t {
    let Some(i) = (unsafe { inst(i) }) else { return argument("wasmc_instance_call: NULL instance") };
    let Some(name) = (unsafe { c_str(name) }) else { return argument("wasmc_instance_call: NULL or non-UTF-8 name") };
    let Some(idx) = export_index(i, name, KIND_FUNC) else {
        return wasmc_error_t::new(ERROR_NOT_FOUND, format!("no exported function `{name}`"));
    };
    status(unsafe { call_checked(i.funcref_ptr(idx), args, nargs, results, nresults) })
}

/// The instance, checked to be one of the module `desc`, and the function.
fn typed_target<'a>(
    i: *const wasmc_instance_t,
    desc: *const ModuleDesc,
    index: u32,
) -> CResult<(&'a InstanceInner, &'a FuncDesc)> {
    let i = unsafe { inst(i) }.ok_or_else(|| argument("NULL instance"))?;
    let d = i.module().desc();
    if !std::ptr::eq(d, desc) {
        return Err(argument(format!(
            "the instance is of module `{}`, not of this function's module",
            i.module().name()
        )));
    }
    let funcs: &[FuncDesc] = unsafe { d.funcs.as_slice() };
    let f = funcs.get(index as usize).ok_or_else(|| argument(format!("no function {index}")))?;
    Ok((i, f))
}

/// (params, results) if the function type has numbers only.
fn numeric_counts(d: &ModuleDesc, f: &FuncDesc) -> Option<(usize, usize)> {
    let types: &[TypeDesc] = unsafe { d.types.as_slice() };
    let enc: &[u8] = unsafe { types.get(f.type_index as usize)?.encoding.as_slice() };
    let Composite::Func { params, results } = typeenc::decode(enc)? else { return None };
    let numeric = |v: &&[u8]| matches!(v, [TY_I32 | TY_I64 | TY_F32 | TY_F64]);
    (params.iter().all(numeric) && results.iter().all(numeric)).then_some((params.len(), results.len()))
}

/// # Safety
/// As `wasmc.h` describes.
#[no_mangle]
pub unsafe extern "C" fn wasmc_call_raw(
    i: *mut wasmc_instance_t,
    desc: *const ModuleDesc,
    index: u32,
    slots: *mut ValRaw,
    nslots: usize,
) -> *mut wasmc_error_t {
    let (i, f) = match typed_target(i, desc, index) {
        Ok(t) => t,
        Err(e) => return e,
    };
    match numeric_counts(i.module().desc(), f) {
        Some((np, nr)) if nslots >= np.max(nr) && !slots.is_null() => {}
        _ => return argument("wasmc_call_raw: not a function of numbers, or too few slots"),
    }
    let f = i.funcref_ptr(index);
    if unsafe { (*f).array_call } == 0 {
        return argument("wasmc_call_raw: the function is not exported");
    }
    let slots = unsafe { std::slice::from_raw_parts_mut(slots, nslots) };
    match unsafe { call_raw(f, slots) } {
        Ok(()) => std::ptr::null_mut(),
        Err(e) => wasmc_error_t::from_runtime(&e),
    }
}

/// # Safety
/// As `wasmc.h` describes.
#[no_mangle]
pub unsafe extern "C" fn wasmc_call_index(
    i: *mut wasmc_instance_t,
    desc: *const ModuleDesc,
    index: u32,
    args: *const wasmc_val_t,
    nargs: usize,
    results: *mut wasmc_val_t,
    nresults: usize,
) -> *mut wasmc_error_t {
    let (i, _) = match typed_target(i, desc, index) {
        Ok(t) => t,
        Err(e) => return e,
    };
    status(unsafe { call_checked(i.funcref_ptr(index), args, nargs, results, nresults) })
}
