//! How WASI's state reaches its functions: as the host data of the
//! instance, read through the calling instance's `Caller`.

use super::WasiCtx;
use crate::host::{Caller, HostTrap};
use crate::instance::{Instance, Module, Store};
use crate::instantiate::InstantiateError;
use crate::val::Extern;

impl Caller<'_> {
    /// The WASI state of the calling instance.
    pub fn wasi(&mut self) -> Result<&mut WasiCtx, HostTrap> {
        self.data_mut::<WasiCtx>()
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
        let data: Vec<Box<dyn std::any::Any>> = wasi.into_iter().map(|w| Box::new(w) as _).collect();
        Instance::with_host_data(store, module, imports, data)
    }
}
