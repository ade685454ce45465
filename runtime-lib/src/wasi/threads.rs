//! wasi-threads for executables: the `wasi` `thread-spawn` import, as
//! wasi-sdk's `wasm32-wasip1-threads` target uses it.
//!
//! As the wasi-threads design says, every wasm thread is a native thread
//! running its own instance of the module: its own store (GC heap, stack
//! limit), vmctx, tables and globals, sharing with the others only the
//! imported shared memory and the program's WASI state
//! ([`SharedWasiCtx`]). A new thread's instance runs the module's start
//! function like any instance (wasi-libc's guards it so memory is set up
//! once) and then calls the export `wasi_thread_start(tid, start_arg)`.
//!
//! A program is one process: `proc_exit` in any thread ends it with that
//! status, a trap in any thread ends it with the trap report and the trap
//! status, and the process ends when the main thread's `_start` returns,
//! whatever the others are doing (as `exit` does in a native program).

use super::SharedWasiCtx;
use crate::gc::HeapConfig;
use crate::host::Caller;
use crate::instance::{Instance, Module, Store};
use crate::memory::Memory;
use crate::trap::Error;
use crate::val::{Extern, Func};
use crate::{CallError, FuncType, Val};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use wasmc_abi::descriptor::{KIND_FUNC, TY_I32};
use wasmc_abi::trap::TRAP_EXIT_STATUS;
use wasmc_abi::ValRaw;

/// The import module and name of the spawn function, and the export each
/// new thread starts in.
pub const MODULE_NAME: &str = "wasi";
pub const SPAWN: &str = "thread-spawn";
pub const START: &str = "wasi_thread_start";

/// Thread ids are positive and below 2^29 (the wasi-threads design leaves
/// the top bits to libraries).
const MAX_TID: u32 = 0x1fff_ffff;
/// `thread-spawn`'s error result: `-EAGAIN` in WASI's numbering.
const SPAWN_FAILED: i32 = -(super::errno::Errno::AGAIN.0 as i32);
/// Native stack of each wasm thread, as much as a main thread usually has;
/// the guest's own (shadow) stack lives in linear memory.
const THREAD_STACK: usize = 8 << 20;

/// What every thread of one program instantiates the module with.
pub struct Program {
    module: Module,
    /// The program's memories imported from the host, by import position.
    memories: Vec<Memory>,
    wasi: SharedWasiCtx,
    heap: HeapConfig,
    next_tid: AtomicU32,
}

impl Program {
    pub fn new(module: Module, memories: Vec<Memory>, wasi: SharedWasiCtx, heap: HeapConfig) -> Arc<Program> {
        Arc::new(Program { module, memories, wasi, heap, next_tid: AtomicU32::new(1) })
    }

    pub fn module(&self) -> &Module {
        &self.module
    }

    /// The imports of one instance of the program: WASI functions, the
    /// spawn function and the host's memories, in the module's order.
    /// `None` names an import the host does not provide.
    pub fn imports(self: &Arc<Self>) -> Result<Vec<Extern>, String> {
        let mut memories = self.memories.iter();
        let mut out = Vec::new();
        for (m, n, kind) in self.module.imports() {
            let ext = match (m, n, kind) {
                (MODULE_NAME, SPAWN, KIND_FUNC) => {
                    let program = self.clone();
                    let ty = FuncType::new(&[TY_I32], &[TY_I32]);
                    Extern::Func(Func::host(
                        ty,
                        Arc::new(move |_c: &mut Caller<'_>, a: &mut [ValRaw]| {
                            a[0] = ValRaw::from_u64(program.spawn(a[0].u32()) as u32 as u64);
                            Ok(())
                        }),
                    ))
                }
                (super::MODULE_NAME, _, KIND_FUNC) => match super::lookup(n) {
                    Some(f) => {
                        let body = f.body;
                        Extern::Func(Func::host(FuncType::new(f.params, f.results), Arc::new(body)))
                    }
                    None => return Err(format!("unknown import `{m}::{n}`")),
                },
                (_, _, wasmc_abi::descriptor::KIND_MEMORY) => match memories.next() {
                    Some(mem) => Extern::Memory(mem.clone()),
                    None => return Err(format!("unknown import `{m}::{n}`")),
                },
                _ => return Err(format!("unknown import `{m}::{n}`")),
            };
            out.push(ext);
        }
        Ok(out)
    }

    /// `thread-spawn(start_arg)`: the new thread's id, or a negative errno.
    fn spawn(self: &Arc<Self>, start_arg: u32) -> i32 {
        let tid = self.next_tid.fetch_add(1, Ordering::Relaxed);
        if tid > MAX_TID {
            return SPAWN_FAILED;
        }
        let program = self.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("wasm thread {tid}"))
            .stack_size(THREAD_STACK)
            .spawn(move || program.run_thread(tid, start_arg));
        match spawned {
            Ok(_) => tid as i32,
            Err(_) => SPAWN_FAILED,
        }
    }

    /// The body of a spawned thread; ends the process if the thread traps
    /// or calls `proc_exit`.
    fn run_thread(self: Arc<Self>, tid: u32, start_arg: u32) {
        let imports = self.imports().unwrap_or_else(|e| fatal(format!("error: {e}")));
        let store = Store::with_heap(self.heap.clone());
        let instance = match Instance::with_shared_wasi(&store, &self.module, &imports, self.wasi.clone()) {
            Ok(i) => i,
            Err(crate::InstantiateError::Trap(e)) => exit_for(&e),
            Err(e) => fatal(format!("error: cannot instantiate thread {tid}: {e}")),
        };
        let Some(Extern::Func(start)) = instance.export(START) else {
            fatal(format!("error: the module spawns threads but exports no `{START}`"))
        };
        match start.call(&[Val::I32(tid as i32), Val::I32(start_arg as i32)]) {
            Ok(_) => {}
            Err(CallError::Trap(e)) => exit_for(&e),
            Err(e) => fatal(format!("error: thread {tid}: {e}")),
        }
    }
}

/// Ends the process for an error that leaves a thread unable to run.
fn fatal(msg: String) -> ! {
    eprintln!("{msg}");
    std::process::exit(TRAP_EXIT_STATUS)
}

/// Ends the process for a thread's `proc_exit` or trap.
fn exit_for(e: &Error) -> ! {
    match e {
        Error::Exit(code) => std::process::exit(*code),
        _ => {
            eprintln!("{e}");
            std::process::exit(TRAP_EXIT_STATUS)
        }
    }
}
