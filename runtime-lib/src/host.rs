//! Host functions: native code that wasm imports (WASI, the spec harness's
//! `spectest` module, functions an embedder provides).
//!
//! Every host function is called through one C-ABI entry,
//! [`host_array_call`], with its [`HostFuncCtx`] and the argument slots. The
//! context starts with the ABI's `VMHostCtx` header so the trampoline the
//! compiler emits can find that entry.

use crate::wasi::WasiCtx;
use std::cell::Cell;
use wasmc_abi::{Trap, VMHostCtx, ValRaw};

/// Why a host function did not return normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostTrap {
    /// `proc_exit`: unwind all wasm frames and exit with this status.
    Exit(i32),
    /// A wasm trap raised on behalf of the guest.
    Trap(Trap),
    /// A host failure with its own message.
    Error(String),
}

/// The signature of a host function body: arguments are read from the
/// slots, results are written to the first slots.
pub type HostFnBody = dyn Fn(&mut Caller<'_>, &mut [ValRaw]) -> Result<(), HostTrap> + Send + Sync;

/// What a host function sees of the instance that called it.
pub struct Caller<'a> {
    pub(crate) vmctx: *mut u8,
    pub(crate) _marker: std::marker::PhantomData<&'a mut ()>,
}

impl<'a> Caller<'a> {
    /// The caller's exported linear memory named "memory", else memory 0.
    pub fn memory(&mut self) -> Result<&mut [u8], HostTrap> {
        let inst = unsafe { crate::instance::InstanceInner::from_vmctx(self.vmctx) }
            .ok_or_else(|| HostTrap::Error("host function called without an instance".into()))?;
        inst.default_memory_slice().ok_or_else(|| HostTrap::Error("the calling module exports no memory".into()))
    }

    /// The WASI state of the calling instance.
    pub fn wasi(&mut self) -> Result<&mut WasiCtx, HostTrap> {
        let inst = unsafe { crate::instance::InstanceInner::from_vmctx(self.vmctx) }
            .ok_or_else(|| HostTrap::Error("host function called without an instance".into()))?;
        inst.wasi_mut().ok_or_else(|| HostTrap::Error("the instance was created without WASI".into()))
    }
}

/// The context block of one host function. `repr(C)` with the ABI header
/// first: `funcref.vmctx` points here.
#[repr(C)]
pub struct HostFuncCtx {
    pub(crate) header: VMHostCtx,
    /// Number of parameter and result slots, for the slice handed to `body`.
    pub(crate) slots: usize,
    /// The instance this function was imported into (its memory and WASI
    /// state are what `Caller` exposes); set while instantiating.
    pub(crate) caller_vmctx: Cell<*mut u8>,
    pub(crate) body: std::sync::Arc<HostFnBody>,
}

thread_local! {
    /// The reason of the last failed host call on this thread, picked up by
    /// the unwinder after the generated trampoline calls the `raise` builtin.
    pub(crate) static PENDING: std::cell::RefCell<Option<HostTrap>> = const { std::cell::RefCell::new(None) };
}

/// Status a host call returns to the trampoline: 0 is success; anything
/// else makes the trampoline call the `raise` builtin.
pub const HOST_OK: u32 = 0;
pub const HOST_FAILED: u32 = 0xffff;

/// # Safety
/// Called only by generated code with a live `HostFuncCtx` and `slots`
/// valid argument slots.
pub unsafe extern "C" fn host_array_call(ctx: *mut u8, values: *mut ValRaw) -> u32 {
    let ctx = unsafe { &*(ctx as *const HostFuncCtx) };
    let slots = unsafe { std::slice::from_raw_parts_mut(values, ctx.slots) };
    let mut caller = Caller { vmctx: ctx.caller_vmctx.get(), _marker: std::marker::PhantomData };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (ctx.body)(&mut caller, slots)));
    let outcome = match result {
        Ok(Ok(())) => return HOST_OK,
        Ok(Err(t)) => t,
        Err(_) => HostTrap::Error("host function panicked".into()),
    };
    PENDING.with(|p| *p.borrow_mut() = Some(outcome));
    HOST_FAILED
}
