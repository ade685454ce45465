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
use wasmc_abi::descriptor::{FuncDesc, ModuleDesc, TypeDesc, KIND_FUNC, TY_F32, TY_F64, TY_I32, TY_I64, TY_V128};
use wasmc_abi::typeenc::{self, Composite};
use wasmc_abi::{VMFuncRef, ValRaw};

pub type wasmc_func_t = VMFuncRef;

/// The store of the instance a function belongs to (none for host functions).
///
/// # Safety
/// `f` is a live function (of an instance that stays alive for `'a`).
unsafe fn store_of<'a>(f: &VMFuncRef) -> Option<&'a StoreInner> {
    // SAFETY: a live `VMFuncRef`'s `vmctx` is its instance's vmctx or a host
    // context (how the runtime fills funcrefs), as `from_vmctx` requires;
    // the instance outlives `'a` by this function's contract.
    unsafe { InstanceInner::from_vmctx(f.vmctx as *mut u8) }.map(|i| i.store())
}

/// Slots on the stack for the usual small signatures.
const INLINE_SLOTS: usize = 16;

/// Calls `f` with checked values.
///
/// # Safety
/// `f` is a live function: a `wasmc_func_t` the API returned whose instance
/// has not been deleted (and is not deleted during the call). If `nargs` >
/// 0, `args` is NULL or valid for reading `nargs` values, each initialized
/// as its kind says (funcrefs NULL or live functions); if `nresults` > 0,
/// `results` is NULL or valid for writing `nresults` values. The store is
/// not used by another thread. (wasmc.h, `wasmc_func_call` and POINTERS.)
pub(crate) unsafe fn call_checked(
    f: *const VMFuncRef,
    args: *const wasmc_val_t,
    nargs: usize,
    results: *mut wasmc_val_t,
    nresults: usize,
) -> CResult<()> {
    // SAFETY: `f` is a live function (contract above); funcrefs are never
    // written while their instance lives, so a shared borrow is sound.
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
    // SAFETY: `fr` is live and its instance outlives this call (contract).
    let store = unsafe { store_of(fr) };
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
        // SAFETY: `i < nargs` (`nargs == params.len()`, checked above) and
        // `args` is non-null when `nargs > 0` (checked above), so it is
        // valid for `nargs` values (contract above); the borrow ends before
        // `results` (which may be the same array) is written.
        let v = unsafe { &*args.add(i) };
        // SAFETY: `v` is initialized as its kind says, funcrefs are NULL or
        // live (contract above); `enc` is from the canonical `func_sig`.
        slots[i] = unsafe { to_raw(store, v, enc) }.map_err(|m| argument(format!("argument {i}: {m}")))?;
    }
    // No allocation between reading roots above and the call: objects
    // cannot move in between.
    // SAFETY: `f` is live with `array_call != 0` (checked above), and
    // `slots` has `max(params, results)` slots (at least 1) holding
    // arguments of its type, checked by `to_raw`: what its array-call entry
    // reads and writes.
    unsafe { call_raw(f, slots) }.map_err(|e| wasmc_error_t::from_runtime(&e))?;
    for (i, enc) in res.iter().enumerate() {
        // SAFETY: `i < nresults` (`nresults == res.len()`, checked above)
        // and `results` is non-null when `nresults > 0` (checked above), so
        // it is valid for writing `nresults` values (contract above);
        // `wasmc_val_t` is `Copy`, so the assignment drops nothing.
        unsafe { *results.add(i) = from_raw(store, types::representation(enc), slots[i]) };
    }
    Ok(())
}

/// # Safety
/// `i` is NULL or a live instance; `name` is NULL or a NUL-terminated
/// string (wasmc.h, POINTERS).
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_func(
    i: *const wasmc_instance_t,
    name: *const std::ffi::c_char,
) -> *const wasmc_func_t {
    // SAFETY: `i` is NULL or a live instance, `name` NULL or a string
    // (contract above).
    let (Some(i), Some(name)) = (unsafe { inst(i) }, unsafe { c_str(name) }) else { return std::ptr::null() };
    export_index(i, name, KIND_FUNC).map_or(std::ptr::null(), |idx| i.funcref_ptr(idx))
}

/// # Safety
/// `f` is NULL or a live function.
unsafe fn sig_of(f: *const wasmc_func_t) -> Option<crate::FuncType> {
    // SAFETY: `f` is NULL or a live `VMFuncRef` (contract above); its
    // `type_id` is only looked up in the type registry, never dereferenced.
    let f = unsafe { f.as_ref() }?;
    types::func_type(f.type_id)
}

/// # Safety
/// `f` is NULL or a live function (a `wasmc_func_t` the API returned whose
/// instance lives).
#[no_mangle]
pub unsafe extern "C" fn wasmc_func_param_count(f: *const wasmc_func_t) -> usize {
    // SAFETY: `f` is NULL or a live function (contract above).
    unsafe { sig_of(f) }.map_or(0, |t| t.params.len())
}

/// # Safety
/// `f` is NULL or a live function (a `wasmc_func_t` the API returned whose
/// instance lives).
#[no_mangle]
pub unsafe extern "C" fn wasmc_func_result_count(f: *const wasmc_func_t) -> usize {
    // SAFETY: `f` is NULL or a live function (contract above).
    unsafe { sig_of(f) }.map_or(0, |t| t.results.len())
}

/// # Safety
/// `f` is NULL or a live function (a `wasmc_func_t` the API returned whose
/// instance lives).
#[no_mangle]
pub unsafe extern "C" fn wasmc_func_param_kind(f: *const wasmc_func_t, i: usize) -> u32 {
    // SAFETY: `f` is NULL or a live function (contract above).
    unsafe { sig_of(f) }.and_then(|t| t.params.get(i).copied()).map_or(0, |k| k as u32)
}

/// # Safety
/// `f` is NULL or a live function (a `wasmc_func_t` the API returned whose
/// instance lives).
#[no_mangle]
pub unsafe extern "C" fn wasmc_func_result_kind(f: *const wasmc_func_t, i: usize) -> u32 {
    // SAFETY: `f` is NULL or a live function (contract above).
    unsafe { sig_of(f) }.and_then(|t| t.results.get(i).copied()).map_or(0, |k| k as u32)
}

/// # Safety
/// `f` is NULL or a live function; `args`, `results` as for
/// [`call_checked`] (wasmc.h, `wasmc_func_call`).
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
    // SAFETY: `f` is non-null, so live, and the arrays are as
    // `call_checked` requires (contract above).
    status(unsafe { call_checked(f, args, nargs, results, nresults) })
}

/// # Safety
/// `i` is NULL or a live instance; `name` NULL or a NUL-terminated string;
/// `args`, `results` as for [`call_checked`] (wasmc.h, `wasmc_instance_call`).
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_call(
    i: *mut wasmc_instance_t,
    name: *const std::ffi::c_char,
    args: *const wasmc_val_t,
    nargs: usize,
    results: *mut wasmc_val_t,
    nresults: usize,
) -> *mut wasmc_error_t {
    // SAFETY: `i` is NULL or a live instance (contract above).
    let Some(i) = (unsafe { inst(i) }) else { return argument("wasmc_instance_call: NULL instance") };
    // SAFETY: `name` is NULL or a NUL-terminated string (contract above).
    let Some(name) = (unsafe { c_str(name) }) else { return argument("wasmc_instance_call: NULL or non-UTF-8 name") };
    let Some(idx) = export_index(i, name, KIND_FUNC) else {
        return wasmc_error_t::new(ERROR_NOT_FOUND, format!("no exported function `{name}`"));
    };
    // SAFETY: `idx` is the index of one of the live instance's exported
    // functions (from its descriptor), so `funcref_ptr(idx)` is a live
    // function of `i`; the arrays are as `call_checked` requires (contract).
    status(unsafe { call_checked(i.funcref_ptr(idx), args, nargs, results, nresults) })
}

/// The instance, checked to be one of the module `desc`, and the function.
/// `desc` is only compared, never dereferenced.
///
/// # Safety
/// `i` is NULL or a live instance (alive for `'a`).
unsafe fn typed_target<'a>(
    i: *const wasmc_instance_t,
    desc: *const ModuleDesc,
    index: u32,
) -> CResult<(&'a InstanceInner, &'a FuncDesc)> {
    // SAFETY: `i` is NULL or a live instance (contract above).
    let i = unsafe { inst(i) }.ok_or_else(|| argument("NULL instance"))?;
    let d = i.module().desc();
    if !std::ptr::eq(d, desc) {
        return Err(argument(format!(
            "the instance is of module `{}`, not of this function's module",
            i.module().name()
        )));
    }
    // SAFETY: `d` is the descriptor of a loaded module (emitted by the
    // compiler, accepted by `Module::from_descriptor`, mapped for the
    // process), whose `funcs` slice describes `FuncDesc`s.
    let funcs: &[FuncDesc] = unsafe { d.funcs.as_slice() };
    let f = funcs.get(index as usize).ok_or_else(|| argument(format!("no function {index}")))?;
    Ok((i, f))
}

/// (params, results) if the function type has numbers only (v128 is one:
/// a `wasmc_raw_t` slot holds it).
fn numeric_counts(d: &ModuleDesc, f: &FuncDesc) -> Option<(usize, usize)> {
    // SAFETY: `d` is a loaded module's descriptor (see `typed_target`),
    // whose `types` slice describes `TypeDesc`s.
    let types: &[TypeDesc] = unsafe { d.types.as_slice() };
    // SAFETY: a `TypeDesc` of such a descriptor has a byte-slice `encoding`.
    let enc: &[u8] = unsafe { types.get(f.type_index as usize)?.encoding.as_slice() };
    let Composite::Func { params, results } = typeenc::decode(enc)? else { return None };
    let numeric = |v: &&[u8]| matches!(v, [TY_I32 | TY_I64 | TY_F32 | TY_F64 | TY_V128]);
    (params.iter().all(numeric) && results.iter().all(numeric)).then_some((params.len(), results.len()))
}

/// # Safety
/// `i` is NULL or a live instance, not running on another thread; `slots`
/// is NULL or valid for reading and writing `nslots` 16-byte-aligned
/// `wasmc_raw_t` (wasmc.h, `wasmc_call_raw`). `desc` may be anything.
#[no_mangle]
pub unsafe extern "C" fn wasmc_call_raw(
    i: *mut wasmc_instance_t,
    desc: *const ModuleDesc,
    index: u32,
    slots: *mut ValRaw,
    nslots: usize,
) -> *mut wasmc_error_t {
    // SAFETY: `i` is NULL or a live instance (contract above).
    let (i, f) = match unsafe { typed_target(i, desc, index) } {
        Ok(t) => t,
        Err(e) => return e,
    };
    match numeric_counts(i.module().desc(), f) {
        Some((np, nr)) if nslots >= np.max(nr) && !slots.is_null() => {}
        _ => return argument("wasmc_call_raw: not a function of numbers, or too few slots"),
    }
    // `index` is in the module's function index space (checked by
    // `typed_target`), so this is one of the live instance's funcrefs.
    let f = i.funcref_ptr(index);
    // SAFETY: `f` points into the live instance's vmctx (above).
    if unsafe { (*f).array_call } == 0 {
        return argument("wasmc_call_raw: the function is not exported");
    }
    // SAFETY: `slots` is non-null (checked above), so valid and aligned for
    // `nslots` values and not otherwise accessed during the call (contract
    // above); `ValRaw` is `wasmc_raw_t` (16 bytes, 16-aligned).
    let slots = unsafe { std::slice::from_raw_parts_mut(slots, nslots) };
    // SAFETY: `f` is live with an array entry (checked above) and of numbers
    // only, and `nslots >= max(params, results)` (checked above).
    match unsafe { call_raw(f, slots) } {
        Ok(()) => std::ptr::null_mut(),
        Err(e) => wasmc_error_t::from_runtime(&e),
    }
}

/// # Safety
/// `i` is NULL or a live instance; `args`, `results` as for
/// [`call_checked`] (wasmc.h, `wasmc_call_index`). `desc` may be anything.
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
    // SAFETY: `i` is NULL or a live instance (contract above).
    let (i, _) = match unsafe { typed_target(i, desc, index) } {
        Ok(t) => t,
        Err(e) => return e,
    };
    // SAFETY: `index` is in the module's function index space (checked by
    // `typed_target`), so `funcref_ptr(index)` is a live function of `i`
    // (`call_checked` checks it has an array entry); arrays per contract.
    status(unsafe { call_checked(i.funcref_ptr(index), args, nargs, results, nresults) })
}
