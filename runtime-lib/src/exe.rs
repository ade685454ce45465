//! The entry point of executables built by `wasmc build`: the generated
//! `main` calls [`wasmc_main`] with the module's descriptor.
//!
//! Exit status: the guest's `proc_exit` status; 0 when `_start` returns;
//! [`wasmc_abi::trap::TRAP_EXIT_STATUS`] (134) after a trap, with the trap
//! report on stderr; 1 when the module cannot be instantiated.

use crate::instance::{Instance, Module, Store};
use crate::val::{Extern, Func};
use crate::wasi::{self, WasiCtx};
use crate::{Error, FuncType};
use std::ffi::{c_char, CStr};
use std::sync::Arc;
use wasmc_abi::descriptor::{ModuleDesc, KIND_FUNC};
use wasmc_abi::trap::TRAP_EXIT_STATUS;

/// # Safety
/// `desc` is the module descriptor emitted next to the generated `main`;
/// `argv` holds `argc` C strings.
#[no_mangle]
pub unsafe extern "C" fn wasmc_main(
    desc: *const ModuleDesc,
    argc: i32,
    argv: *const *const c_char,
) -> i32 {
    let args: Vec<String> = (0..argc.max(0) as usize)
        .map(|i| {
            unsafe { CStr::from_ptr(*argv.add(i)) }
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    match unsafe { run(desc, args) } {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("{msg}");
            1
        }
    }
}

unsafe fn run(desc: *const ModuleDesc, args: Vec<String>) -> Result<i32, String> {
    let module = unsafe { Module::from_descriptor(desc) }?;
    let env: Vec<(String, String)> = std::env::vars().collect();
    let wasi_ctx = WasiCtx::new(args, env);
    let mut imports = Vec::new();
    for (i, (m, n, kind)) in module.imports().into_iter().enumerate() {
        let f = (m == wasi::MODULE_NAME && kind == KIND_FUNC)
            .then(|| wasi::lookup(n))
            .flatten();
        let Some(f) = f else {
            return Err(format!("error: unknown import `{m}::{n}`"));
        };
        let body = f.body;
        let ty = FuncType::new(f.params, f.results);
        let _ = i;
        imports.push(Extern::Func(Func::host(ty, Arc::new(body))));
    }
    let store = Store::new();
    let instance = match Instance::with_wasi(&store, &module, &imports, Some(wasi_ctx)) {
        Ok(i) => i,
        Err(crate::InstantiateError::Trap(e)) => return Ok(report(&e)),
        Err(e) => return Err(format!("error: cannot instantiate: {e}")),
    };
    let Some(Extern::Func(start)) = instance.export("_start") else {
        return Ok(0);
    };
    match start.call(&[]) {
        Ok(_) => Ok(0),
        Err(crate::CallError::Trap(e)) => Ok(report(&e)),
        Err(e) => Err(format!("error: {e}")),
    }
}

fn report(e: &Error) -> i32 {
    match e {
        Error::Exit(code) => *code,
        _ => {
            eprintln!("{e}");
            TRAP_EXIT_STATUS
        }
    }
}
