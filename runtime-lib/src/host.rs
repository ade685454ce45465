//! Host functions: native code that wasm imports (WASI, the spec harness's
//! `spectest` module, functions an embedder provides).
//!
//! Every host function is called through one C-ABI entry,
//! [`host_array_call`], with its [`HostFuncCtx`] and the argument slots. The
//! context starts with the ABI's `VMHostCtx` header so the trampoline the
//! compiler emits can find that entry.

use wasmc_abi::{VMHostCtx, ValRaw};

pub use crate::trap::HostTrap;

/// The signature of a host function body: arguments are read from the
/// slots, results are written to the first slots.
pub type HostFnBody = dyn Fn(&mut Caller<'_>, &mut [ValRaw]) -> Result<(), HostTrap> + Send + Sync;

/// What a host function sees of the instance that called it: its memory
/// and the host data it was instantiated with (`Caller::memory`,
/// `Caller::data_mut`, implemented by the instance).
pub struct Caller<'a> {
    pub(crate) vmctx: *mut u8,
    /// The calling instance's host-data flag while this caller has lent
    /// its data out (see `Caller::data_mut`); cleared on drop.
    pub(crate) lent: Option<&'a std::cell::Cell<bool>>,
    /// Whether this caller has lent out memory or data (counted in
    /// [`LENDING`] until drop).
    pub(crate) lending: bool,
    pub(crate) _marker: std::marker::PhantomData<&'a mut ()>,
}

impl Caller<'_> {
    /// Records that a `&mut` into the caller's memory or data may now be
    /// live, so wasm must not run until this caller is gone.
    pub(crate) fn start_lending(&mut self) {
        if !self.lending {
            self.lending = true;
            LENDING.with(|l| l.set(l.get() + 1));
        }
    }
}

impl Drop for Caller<'_> {
    fn drop(&mut self) {
        if let Some(flag) = self.lent {
            flag.set(false);
        }
        if self.lending {
            LENDING.with(|l| l.set(l.get() - 1));
        }
    }
}

thread_local! {
    /// Host functions on this thread whose `Caller` has lent out a `&mut`
    /// into guest memory or host data. While any has, calling into wasm
    /// is refused: wasm code could write what the reference covers.
    static LENDING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Whether a host function on this thread holds a `&mut` into guest memory
/// or host data (see [`LENDING`]).
pub(crate) fn lending() -> bool {
    LENDING.with(|l| l.get() != 0)
}

/// The context block of one host function. `repr(C)` with the ABI header
/// first: `funcref.vmctx` points here.
#[repr(C)]
pub struct HostFuncCtx {
    pub(crate) header: VMHostCtx,
    /// Number of parameter and result slots, for the slice handed to `body`.
    pub(crate) slots: usize,
    /// The instance this function was imported into (its memory and host
    /// data are what `Caller` exposes); null for a function not imported.
    pub(crate) caller_vmctx: *mut u8,
    pub(crate) body: std::sync::Arc<HostFnBody>,
}

/// Status a host call returns to the trampoline: 0 is success; anything
/// else makes the trampoline call the `raise` builtin.
pub const HOST_OK: u32 = 0;
pub const HOST_FAILED: u32 = 0xffff;

/// # Safety
/// Called only by generated code with a live `HostFuncCtx` and `slots`
/// valid argument slots.
pub unsafe extern "C" fn host_array_call(ctx: *mut u8, values: *mut ValRaw) -> u32 {
    // SAFETY: generated code passes the `HostFuncCtx` its funcref names
    // (contract); contexts live as long as the funcrefs pointing at them.
    let ctx = unsafe { &*(ctx as *const HostFuncCtx) };
    // SAFETY: the trampoline passes `ctx.slots` slots (contract), which
    // nothing else accesses until this call returns.
    let slots = unsafe { std::slice::from_raw_parts_mut(values, ctx.slots) };
    let mut caller = Caller { vmctx: ctx.caller_vmctx, lent: None, lending: false, _marker: std::marker::PhantomData };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (ctx.body)(&mut caller, slots)));
    let outcome = match result {
        Ok(Ok(())) => return HOST_OK,
        Ok(Err(t)) => t,
        Err(_) => HostTrap::Error("host function panicked".into()),
    };
    crate::trap::set_host_failure(outcome);
    HOST_FAILED
}
