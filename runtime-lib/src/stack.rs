//! The native stack's limit for wasm code: set on the outermost entry into
//! wasm of a store on a thread, cleared when that entry returns. Generated
//! prologues compare their stack pointer against `VMLimits::stack_limit`.

use wasmc_abi::vmctx::{self, VMLimits};

/// Bytes of native stack kept free below the wasm stack limit for host
/// functions, builtins and signal handling.
const STACK_RESERVE: usize = 256 * 1024;

/// Lowest address of the current thread's stack.
///
/// For the main thread glibc's `pthread_getattr_np` parses
/// `/proc/self/maps` (tens of microseconds, a visible share of an
/// executable's start-up); there the stack's extent is the
/// `RLIMIT_STACK` below the current stack pointer (less a page of slack
/// for what lies above `main`'s frame).
fn thread_stack_bottom() -> usize {
    // SAFETY: getpid/gettid take no arguments and cannot fail.
    let main_thread = unsafe { libc::getpid() == libc::gettid() };
    if main_thread {
        // SAFETY: `rlimit` is plain data; all-zero is a valid value.
        let mut rl: libc::rlimit = unsafe { std::mem::zeroed() };
        // SAFETY: `rl` is a valid, writable `rlimit`.
        if unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut rl) } == 0 && rl.rlim_cur != libc::RLIM_INFINITY {
            let marker = 0u8;
            let sp = &marker as *const u8 as usize;
            return sp.saturating_sub((rl.rlim_cur as usize).saturating_sub(64 * 1024));
        }
    }
    // SAFETY: `pthread_attr_t` is plain data, initialized by the call below.
    let mut attr: libc::pthread_attr_t = unsafe { std::mem::zeroed() };
    // SAFETY: `attr` is writable; `pthread_self` is the calling thread.
    if unsafe { libc::pthread_getattr_np(libc::pthread_self(), &mut attr) } != 0 {
        return 0;
    }
    let mut addr: *mut libc::c_void = std::ptr::null_mut();
    let mut size: libc::size_t = 0;
    // SAFETY: `attr` was initialized by `pthread_getattr_np` above and is
    // destroyed exactly once; `addr` and `size` are writable.
    unsafe {
        libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
    }
    addr as usize
}

/// The limits block a vmctx or host context points at (null for a host
/// context, whose word at `OFF_LIMITS` is `VMHostCtx::no_limits`, zero).
///
/// # Safety
/// `vmctx` must be an instance's vmctx or a host context (both at least
/// `OFF_LIMITS + 8` bytes, 8-aligned, and live).
pub(crate) unsafe fn limits_of(vmctx: u64) -> *mut VMLimits {
    // SAFETY: per this function's contract the word is readable.
    unsafe { *((vmctx as usize + vmctx::OFF_LIMITS as usize) as *const *mut VMLimits) }
}

/// Sets the store's stack limit for the current thread on the outermost
/// entry into wasm and clears it when that entry returns.
pub(crate) struct StackLimitGuard {
    limits: *mut VMLimits,
    set: bool,
}

impl StackLimitGuard {
    /// # Safety
    /// `limits` is null or a store's live limits block, used by this thread
    /// only (a store is used by one thread at a time) until the guard drops.
    pub(crate) unsafe fn enter(limits: *mut VMLimits) -> StackLimitGuard {
        // SAFETY: per the contract, null or live and not accessed elsewhere.
        let Some(l) = (unsafe { limits.as_mut() }) else { return StackLimitGuard { limits, set: false } };
        if l.stack_limit != 0 {
            return StackLimitGuard { limits, set: false };
        }
        let bottom = thread_stack_bottom();
        l.stack_limit = if bottom == 0 { 0 } else { (bottom + STACK_RESERVE) as u64 };
        StackLimitGuard { limits, set: true }
    }
}

impl Drop for StackLimitGuard {
    fn drop(&mut self) {
        if self.set {
            // SAFETY: `set` implies `limits` was non-null and live at
            // `enter`, whose contract keeps it live until this drop.
            unsafe { (*self.limits).stack_limit = 0 };
        }
    }
}
