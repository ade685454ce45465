//! Calling into wasm from the host: a funcref's array entry inside a trap
//! boundary, with the store's stack limit set.

use crate::stack::{limits_of, StackLimitGuard};
use crate::trap::{catch_traps, Error};
use wasmc_abi::{Trap, VMFuncRef, ValRaw};

/// Calls a funcref's array entry inside a trap boundary.
///
/// # Safety
/// `f` must be a live funcref whose `array_call` is non-zero and whose
/// `vmctx` is live (an instance's vmctx or a host context), `slots` large
/// enough for its parameters and results, and every reference word in
/// `slots` a valid value of its parameter type; the store of `f` is not in
/// use by another thread.
pub unsafe fn call_raw(f: *const VMFuncRef, slots: &mut [ValRaw]) -> Result<(), Error> {
    if crate::host::lending() {
        let message = "a host function called into wasm while holding its caller's memory or data".to_string();
        return Err(Error::Trap { trap: Trap::HostError, message: Some(message), backtrace: Vec::new() });
    }
    // SAFETY: `f` is a live funcref (contract).
    let f = unsafe { &*f };
    // SAFETY: a non-zero `array_call` is an entry of this signature (the
    // ABI's array-call convention), emitted by the compiler or the runtime.
    let entry: unsafe extern "C" fn(u64, *mut ValRaw) -> u32 = unsafe { std::mem::transmute(f.array_call as usize) };
    // SAFETY: `f.vmctx` is live (contract); its limits block belongs to
    // the store this thread uses.
    let _guard = unsafe { StackLimitGuard::enter(limits_of(f.vmctx)) };
    let mut status = 0;
    let vmctx = f.vmctx;
    let ptr = slots.as_mut_ptr();
    // SAFETY: the closure owns nothing with a destructor (a `u32`, two raw
    // values), so a trap may unwind over it; `entry` reads and writes
    // only the slots the caller vouched for.
    unsafe { catch_traps(&mut || status = entry(vmctx, ptr)) }?;
    if status != 0 {
        // A host function called directly from the host failed; its reason
        // is in the pending host-failure slot.
        let trap = Trap::from_code(status as u8).unwrap_or(Trap::HostError);
        // SAFETY: `raise` is called inside `catch_traps` from a closure
        // that owns nothing.
        return unsafe { catch_traps(&mut || crate::trap::raise(trap)) };
    }
    Ok(())
}
