//! Loading modules and instantiating them: WASI per instance, the names of
//! the guest's allocator, the embedder's data pointer.

use super::error::*;
use super::store::clone_store;
use super::{c_str, inst, wasmc_instance_t, wasmc_store_t};
use crate::instance::{Instance, InstanceInner, Module, Store, StoreInner};
use crate::instantiate::InstantiateError;
use crate::val::{Extern, Func};
use crate::wasi::{self, WasiCtx};
use crate::FuncType;
use std::collections::HashMap;
use std::ffi::{c_char, c_void};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use wasmc_abi::descriptor::{ModuleDesc, KIND_FUNC, KIND_GLOBAL, KIND_MEMORY, KIND_TABLE};

pub struct wasmc_module_t {
    pub(crate) module: Module,
}

#[repr(C)]
pub struct wasmc_dir_t {
    pub host: *const c_char,
    pub guest: *const c_char,
}

#[repr(C)]
pub struct wasmc_wasi_config_t {
    pub argv: *const *const c_char,
    pub argc: usize,
    pub env: *const *const c_char,
    pub envc: usize,
    pub dirs: *const wasmc_dir_t,
    pub ndirs: usize,
}

#[repr(C)]
pub struct wasmc_instance_config_t {
    pub data: *mut c_void,
    pub wasi: *const wasmc_wasi_config_t,
    pub malloc_export: *const c_char,
    pub free_export: *const c_char,
}

/// What the C API keeps per instance (in `InstanceInner::embedder`).
pub(crate) struct CState {
    pub data: *mut c_void,
    pub malloc: String,
    pub free: String,
}

/// The C API's state of an instance (defaults if it was made elsewhere).
pub(crate) fn cstate(i: &InstanceInner) -> Option<&CState> {
    i.embedder.get().and_then(|b| b.downcast_ref::<CState>())
}

/// Modules by descriptor address: loaded once, kept for the process (their
/// code is part of the program).
static MODULES: Mutex<Option<HashMap<usize, &'static wasmc_module_t>>> = Mutex::new(None);

/// # Safety
/// `desc` is NULL or a module descriptor the wasmc compiler emitted, linked
/// into this program (its code stays mapped for the process); `out` is NULL
/// or valid for writing a pointer (wasmc.h, `wasmc_module_load`).
#[no_mangle]
pub unsafe extern "C" fn wasmc_module_load(
    desc: *const ModuleDesc,
    out: *mut *const wasmc_module_t,
) -> *mut wasmc_error_t {
    if out.is_null() || desc.is_null() {
        return argument("wasmc_module_load: NULL argument");
    }
    // SAFETY: `out` is non-null (checked above), so writable (contract).
    unsafe { *out = std::ptr::null() };
    let mut modules = MODULES.lock().unwrap_or_else(|e| e.into_inner());
    let modules = modules.get_or_insert_with(HashMap::new);
    let m = match modules.get(&(desc as usize)) {
        Some(m) => *m,
        None => {
            // SAFETY: `desc` is non-null (checked above), so a compiler-emitted
            // descriptor whose code stays mapped (contract above).
            let module = match unsafe { Module::from_descriptor(desc) } {
                Ok(m) => m,
                Err(e) => return wasmc_error_t::new(ERROR_MODULE, e),
            };
            let m: &'static wasmc_module_t = Box::leak(Box::new(wasmc_module_t { module }));
            modules.insert(desc as usize, m);
            m
        }
    };
    // SAFETY: as for the first write to `out`.
    unsafe { *out = m };
    std::ptr::null_mut()
}

/// # Safety
/// `c` is as `wasmc_wasi_config_t` in wasmc.h says: `argv`/`env` are NULL
/// or arrays of `argc`/`envc` pointers, each NULL or a NUL-terminated
/// string; `dirs` is NULL or an array of `ndirs` `wasmc_dir_t` whose
/// strings are NULL or NUL-terminated.
unsafe fn wasi_ctx(c: &wasmc_wasi_config_t) -> CResult<WasiCtx> {
    let strings = |p: *const *const c_char, n: usize, what: &str| -> CResult<Vec<String>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        if p.is_null() {
            return Err(argument(format!("WASI {what}: NULL array")));
        }
        (0..n)
            .map(|i| {
                // SAFETY: `p` is non-null (checked above), so an array of `n`
                // pointers (contract above) and `i < n`; each element is NULL
                // or a string (contract above).
                unsafe { c_str(*p.add(i)) }
                    .map(str::to_string)
                    .ok_or_else(|| argument(format!("WASI {what}[{i}]: NULL or not UTF-8")))
            })
            .collect()
    };
    let args = strings(c.argv, c.argc, "argv")?;
    let env = strings(c.env, c.envc, "env")?
        .into_iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(argument(format!("WASI env `{kv}`: expected KEY=VALUE"))),
        })
        .collect::<CResult<Vec<_>>>()?;
    let mut ctx = WasiCtx::new(args, env);
    if c.ndirs > 0 && c.dirs.is_null() {
        return Err(argument("WASI dirs: NULL array"));
    }
    for i in 0..c.ndirs {
        // SAFETY: `ndirs > 0` here, so `dirs` is non-null (checked above), an
        // array of `ndirs` entries (contract above), and `i < ndirs`.
        let d = unsafe { &*c.dirs.add(i) };
        let host =
            // SAFETY: `d.host` is NULL or a string (contract above).
            unsafe { c_str(d.host) }.ok_or_else(|| argument(format!("WASI dirs[{i}].host: NULL or not UTF-8")))?;
        let guest = if d.guest.is_null() {
            host
        } else {
            // SAFETY: `d.guest` is non-null, so a string (contract above).
            unsafe { c_str(d.guest) }.ok_or_else(|| argument(format!("WASI dirs[{i}].guest: not UTF-8")))?
        };
        ctx.preopen_dir(std::path::Path::new(host), guest).map_err(|e| {
            wasmc_error_t::new(ERROR_RESOURCE, format!("cannot open directory `{host}` granted as `{guest}`: {e}"))
        })?;
    }
    Ok(ctx)
}

/// # Safety
/// `store` is NULL or a live store not in use by another thread; `module`
/// is NULL or one `wasmc_module_load` returned; `config` is NULL or a valid
/// `wasmc_instance_config_t` whose pointers are as wasmc.h describes it
/// (see [`wasi_ctx`]); `out` is NULL or valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_new(
    store: *mut wasmc_store_t,
    module: *const wasmc_module_t,
    config: *const wasmc_instance_config_t,
    out: *mut *mut wasmc_instance_t,
) -> *mut wasmc_error_t {
    if out.is_null() || module.is_null() {
        return argument("wasmc_instance_new: NULL module or out");
    }
    // SAFETY: `out` is non-null (checked above), so writable (contract).
    unsafe { *out = std::ptr::null_mut() };
    // SAFETY: `module` is non-null (checked above), so a module of
    // `wasmc_module_load`, leaked there for the process; `config` is NULL or
    // valid (contract above); `store` is as `instantiate` requires.
    match unsafe { instantiate(store, &(*module).module, config.as_ref()) } {
        Ok(i) => {
            // SAFETY: as for the first write to `out`. The caller now owns
            // the `Rc`'s count (ended by `wasmc_instance_delete`).
            unsafe { *out = Rc::into_raw(i.0) as *mut wasmc_instance_t };
            std::ptr::null_mut()
        }
        Err(e) => e,
    }
}

/// # Safety
/// `store` is NULL or a live store not in use by another thread; the
/// pointers in `config` are as wasmc.h describes (`malloc_export` and
/// `free_export` NULL or strings, `wasi` NULL or as [`wasi_ctx`] requires).
unsafe fn instantiate(
    store: *mut wasmc_store_t,
    module: &Module,
    config: Option<&wasmc_instance_config_t>,
) -> CResult<Instance> {
    let store = if store.is_null() {
        Store::new()
    } else {
        // SAFETY: `store` is non-null, so a live store handle (contract).
        unsafe { clone_store(store as *const StoreInner) }
    };
    let name = |p: Option<*const c_char>, default: &str, what: &str| -> CResult<String> {
        match p.filter(|p| !p.is_null()) {
            None => Ok(default.to_string()),
            // SAFETY: a non-null `malloc_export`/`free_export` is a string
            // (contract above).
            Some(p) => unsafe { c_str(p) }.map(str::to_string).ok_or_else(|| argument(format!("{what}: not UTF-8"))),
        }
    };
    let state = CState {
        data: config.map_or(std::ptr::null_mut(), |c| c.data),
        malloc: name(config.map(|c| c.malloc_export), "malloc", "malloc_export")?,
        free: name(config.map(|c| c.free_export), "free", "free_export")?,
    };
    // SAFETY: `wasi` is NULL or a valid `wasmc_wasi_config_t` (contract).
    let wasi = match config.and_then(|c| unsafe { c.wasi.as_ref() }) {
        // SAFETY: its pointers are as `wasi_ctx` requires (contract above).
        Some(w) => Some(unsafe { wasi_ctx(w) }?),
        None => None,
    };
    let mut imports = Vec::new();
    for (m, n, kind) in module.imports() {
        let f = (m == wasi::MODULE_NAME && kind == KIND_FUNC).then(|| wasi::lookup(n)).flatten();
        match f {
            Some(_) if wasi.is_none() => {
                return Err(wasmc_error_t::new(
                    ERROR_LINK,
                    format!("the module imports `{m}::{n}`: instantiate it with a WASI configuration"),
                ))
            }
            Some(f) => {
                let body = f.body;
                imports.push(Extern::Func(Func::host(FuncType::new(f.params, f.results), Arc::new(body))));
            }
            None => {
                let what = match kind {
                    KIND_FUNC => "function",
                    KIND_MEMORY => "memory",
                    KIND_TABLE => "table",
                    KIND_GLOBAL => "global",
                    _ => "tag",
                };
                return Err(wasmc_error_t::new(
                    ERROR_LINK,
                    format!("import `{m}::{n}` ({what}) cannot be provided through the C API"),
                ));
            }
        }
    }
    let instance = Instance::with_wasi(&store, module, &imports, wasi).map_err(|e| match e {
        InstantiateError::Link(m) => wasmc_error_t::new(ERROR_LINK, m),
        InstantiateError::Resource(m) => wasmc_error_t::new(ERROR_RESOURCE, m),
        InstantiateError::Trap(e) => wasmc_error_t::from_runtime(&e),
    })?;
    // A fresh instance: nothing has set its embedder state yet.
    let _ = instance.0.embedder.set(Box::new(state));
    if let Some(Extern::Func(init)) = instance.export("_initialize") {
        if init.ty().params.is_empty() && init.ty().results.is_empty() {
            init.call(&[]).map_err(|e| match e {
                crate::CallError::Trap(e) => wasmc_error_t::from_runtime(&e),
                e => argument(e.to_string()),
            })?;
        }
    }
    Ok(instance)
}

/// # Safety
/// `i` is NULL or an instance returned by `wasmc_instance_new` (never a
/// borrowed one of `wasmc_caller_instance`), not yet deleted and not
/// running; nothing borrowed from it is used afterwards (wasmc.h).
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_delete(i: *mut wasmc_instance_t) {
    if !i.is_null() {
        // SAFETY: non-null, so the `Rc::into_raw` of `wasmc_instance_new`,
        // whose count the caller owns and gives up here exactly once; no
        // Rust borrow of it is live (it is not running: contract above).
        drop(unsafe { Rc::from_raw(i as *const InstanceInner) });
    }
}

/// # Safety
/// `i` is NULL or a live instance (one not deleted: wasmc.h, OWNERSHIP).
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_store(i: *const wasmc_instance_t) -> *mut wasmc_store_t {
    // SAFETY: `i` is NULL or a live instance (contract above).
    unsafe { inst(i) }.map_or(std::ptr::null_mut(), |i| Rc::as_ptr(&i.store_handle().0) as *mut wasmc_store_t)
}

/// # Safety
/// `i` is NULL or a live instance (one not deleted: wasmc.h, OWNERSHIP).
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_data(i: *const wasmc_instance_t) -> *mut c_void {
    // SAFETY: `i` is NULL or a live instance (contract above).
    unsafe { inst(i) }.and_then(cstate).map_or(std::ptr::null_mut(), |s| s.data)
}

/// # Safety
/// `i` is NULL or a live instance (one not deleted: wasmc.h, OWNERSHIP).
#[no_mangle]
pub unsafe extern "C" fn wasmc_instance_module(i: *const wasmc_instance_t) -> *const wasmc_module_t {
    // SAFETY: `i` is NULL or a live instance (contract above).
    let Some(i) = (unsafe { inst(i) }) else { return std::ptr::null() };
    let mut out = std::ptr::null();
    // SAFETY: the descriptor of a loaded module was emitted by the compiler
    // and stays mapped; `out` is a local.
    let e = unsafe { wasmc_module_load(i.module().desc(), &mut out) };
    // SAFETY: `e` is NULL or the error just returned, owned here.
    unsafe { wasmc_error_delete(e) };
    out
}

/// The index of export `name` of `kind`.
pub(crate) fn export_index(i: &InstanceInner, name: &str, kind: u32) -> Option<u32> {
    // SAFETY: a loaded module's descriptor (compiler-emitted, accepted by
    // `Module::from_descriptor`, mapped for the process) has an `exports`
    // slice of `ExportDesc`s.
    let exports: &[wasmc_abi::descriptor::ExportDesc] = unsafe { i.module().desc().exports.as_slice() };
    // SAFETY: each `ExportDesc` of it has a byte-slice `name`.
    exports.iter().find(|e| e.kind == kind && unsafe { e.name.as_str() } == name).map(|e| e.index)
}
