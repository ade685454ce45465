//! Signal handlers that turn faults in generated code into wasm traps.
//!
//! SIGSEGV/SIGBUS come from loads and stores into a memory's guard region,
//! SIGILL from Cranelift's trap instructions (`ud2`/`udf`), SIGFPE from x86
//! division. A fault counts as a trap only if it happens on a thread that
//! is inside wasm and its PC is in a module's trap table; anything else is a
//! real crash and gets the default action.

use super::{backtrace, Pending};
use std::sync::Once;

static INSTALL: Once = Once::new();
const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];
const ALT_STACK_SIZE: usize = 64 * 1024;

pub(crate) fn ensure_installed() {
    // SAFETY: an all-zero `sigaction` is a valid value (SIG_DFL, no flags,
    // empty mask), and every pointer passed to `sigemptyset`/`sigaction`
    // is to a live local. `handler` has exactly the `SA_SIGINFO` signature
    // the kernel calls, and is async-signal-safe (see there). The change is
    // process-wide but touches no Rust-visible memory.
    INSTALL.call_once(|| unsafe {
        for sig in SIGNALS {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = handler as *const () as usize;
            // NODEFER: we leave the handler by siglongjmp without restoring
            // the mask, so the signal must not stay blocked.
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    });
    ALT_STACK.with(|a| a.ensure());
}

/// A per-thread alternate signal stack, so that a fault near the end of the
/// native stack can still be handled.
struct AltStack {
    mem: std::cell::Cell<*mut libc::c_void>,
}

impl AltStack {
    fn ensure(&self) {
        if !self.mem.get().is_null() {
            return;
        }
        // SAFETY: an all-zero `stack_t` is valid; `sigaltstack` only reads
        // or writes the live locals passed to it. `mmap` with a null hint
        // and no `MAP_FIXED` creates a fresh mapping that aliases nothing.
        // Registering it as this thread's alternate stack is sound because
        // it stays mapped until `drop`, which unregisters it before
        // unmapping, and no Rust object lives in it.
        unsafe {
            let mut old: libc::stack_t = std::mem::zeroed();
            libc::sigaltstack(std::ptr::null(), &mut old);
            if old.ss_flags & libc::SS_DISABLE == 0 && old.ss_size >= ALT_STACK_SIZE {
                return; // the thread already has one (e.g. Rust's main thread)
            }
            let mem = libc::mmap(
                std::ptr::null_mut(),
                ALT_STACK_SIZE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if mem == libc::MAP_FAILED {
                return;
            }
            let st = libc::stack_t { ss_sp: mem, ss_flags: 0, ss_size: ALT_STACK_SIZE };
            libc::sigaltstack(&st, std::ptr::null_mut());
            self.mem.set(mem);
        }
    }
}

impl Drop for AltStack {
    fn drop(&mut self) {
        let mem = self.mem.get();
        if !mem.is_null() {
            // SAFETY: `mem` is the `ALT_STACK_SIZE` mapping `ensure` made
            // and registered for this thread. The TLS destructor runs on
            // the thread's normal stack, not on the alternate one, so it is
            // not in use; it is unregistered first, then unmapped, and
            // `self` is never used again.
            unsafe {
                let st = libc::stack_t { ss_sp: std::ptr::null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
                libc::sigaltstack(&st, std::ptr::null_mut());
                libc::munmap(mem, ALT_STACK_SIZE);
            }
        }
    }
}

thread_local! {
    static ALT_STACK: AltStack = const { AltStack { mem: std::cell::Cell::new(std::ptr::null_mut()) } };
}

/// The interrupted program counter and frame-pointer register.
///
/// # Safety
/// `ctx` must be the third argument the kernel passed to an `SA_SIGINFO`
/// handler that is still running: a valid, aligned `ucontext_t`.
unsafe fn pc_and_fp(ctx: *mut libc::c_void) -> (usize, usize) {
    let uc = ctx as *const libc::ucontext_t;
    // SAFETY: `uc` is a valid `ucontext_t` (this function's contract);
    // REG_RIP and REG_RBP index within the `gregs` array.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        let g = &(*uc).uc_mcontext.gregs;
        (g[libc::REG_RIP as usize] as usize, g[libc::REG_RBP as usize] as usize)
    }
    // SAFETY: `uc` is a valid `ucontext_t` (this function's contract);
    // x29 is within `regs`.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        let m = &(*uc).uc_mcontext;
        (m.pc as usize, m.regs[29] as usize)
    }
    // SAFETY: `uc` is a valid `ucontext_t` (this function's contract);
    // pc (0) and s0 (8) are within `__gregs`.
    #[cfg(target_arch = "riscv64")]
    unsafe {
        let g = &(*uc).uc_mcontext.__gregs;
        (g[0] as usize, g[8] as usize)
    }
}

/// Async-signal-safe: it allocates nothing and takes no blocking lock
/// (`code::trap_at` uses `try_read`; see `code::find`), and leaves either by
/// `siglongjmp` or by returning.
extern "C" fn handler(sig: libc::c_int, _info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    if super::in_wasm() {
        // SAFETY: the kernel calls this `SA_SIGINFO` handler with `ctx`
        // pointing to the interrupted context, valid while it runs.
        let (pc, fp) = unsafe { pc_and_fp(ctx) };
        if let Some(trap) = crate::code::trap_at(pc) {
            let mut p = Pending { trap, frames: [0; backtrace::MAX_FRAMES], len: 0 };
            // SAFETY: `pc` is a trap site, so the interrupted code is
            // generated code, which keeps frame pointers: `fp` is its
            // frame, on this thread's stack below the innermost entry
            // (`in_wasm`: we are inside a `catch_traps`, whose marker
            // `entry_sp` is) and at or above the interrupted stack pointer.
            p.len = unsafe { backtrace::walk(pc, fp, super::entry_sp(), &mut p.frames) };
            // SAFETY: this thread is inside `catch_traps` (`in_wasm`). The
            // frames jumped over are this handler's (only `Copy` locals),
            // the kernel's signal frame (leaving a handler by `siglongjmp`
            // is allowed; with `SA_NODEFER` and an empty `sa_mask` no mask
            // needs restoring), the wasm frames (no destructors), and those
            // between wasm and `catch_traps`, which its contract covers. The
            // interrupted instruction is wasm, so no Rust code is cut off
            // in the middle of an operation.
            unsafe { super::unwind(p) };
        }
    }
    // Not a wasm trap: a genuine crash. Restore the default action; the
    // faulting instruction runs again on return and the process dies
    // with the usual signal.
    // SAFETY: an all-zero `sigaction` with `SIG_DFL` is valid; the pointer
    // is to a live local. `sigaction` is async-signal-safe.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = libc::SIG_DFL;
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}
