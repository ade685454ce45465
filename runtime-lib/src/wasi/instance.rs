//! How WASI's state reaches its functions: as the host data of the
//! instance, read through the calling instance's `Caller`.
//!
//! The state is behind an `Arc<Mutex<_>>` so that the instances of one
//! program's threads (wasi-threads: one instance per thread, see
//! `threads.rs`) share one fd table. Each WASI call holds the lock for its
//! duration, so calls are serialized; `poll_oneoff` releases it while it
//! sleeps (see `funcs.rs`). Uncontended, the lock costs a few nanoseconds
//! against a system call.

use super::WasiCtx;
use crate::host::{Caller, HostTrap};
use crate::instance::{Instance, Module, Store};
use crate::instantiate::InstantiateError;
use crate::val::Extern;
use std::sync::{Arc, Mutex, MutexGuard};

/// The WASI state of a program, shared by the instances of its threads.
pub type SharedWasiCtx = Arc<Mutex<WasiCtx>>;

impl Caller<'_> {
    /// The WASI state of the calling instance, locked.
    pub fn wasi(&mut self) -> Result<MutexGuard<'_, WasiCtx>, HostTrap> {
        // A WASI call that panicked cannot have left the fd table
        // inconsistent in a way later calls rely on (each entry is replaced
        // whole), so a poisoned lock is taken over.
        Ok(self.data_mut::<SharedWasiCtx>()?.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Instance {
    /// Instantiates `module`, whose WASI imports will see `wasi` (if any).
    pub fn with_wasi(
        store: &Store,
        module: &Module,
        imports: &[Extern],
        wasi: Option<WasiCtx>,
    ) -> Result<Instance, InstantiateError> {
        let data: Vec<Box<dyn std::any::Any>> =
            wasi.into_iter().map(|w| Box::new(Arc::new(Mutex::new(w)) as SharedWasiCtx) as _).collect();
        Instance::with_host_data(store, module, imports, data)
    }

    /// Instantiates `module` with WASI state shared with other instances
    /// (the threads of one program).
    pub fn with_shared_wasi(
        store: &Store,
        module: &Module,
        imports: &[Extern],
        wasi: SharedWasiCtx,
    ) -> Result<Instance, InstantiateError> {
        Instance::with_host_data(store, module, imports, vec![Box::new(wasi)])
    }
}
