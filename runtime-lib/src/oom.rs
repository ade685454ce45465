//! Host allocation failure in executables.
//!
//! Rust's response to a failed allocation is to abort: "memory allocation
//! of N bytes failed", SIGABRT, perhaps a core dump. In an executable built
//! by wasmc that is a crash without a trap report, caused by the guest. The
//! global allocator here is the system allocator, except that once
//! [`report_failures`] has been called (by `wasmc_main`, so only in
//! executables) a failed allocation is reported as a trap:
//!
//! ```text
//! wasm trap: out of memory: host allocation of 68719476736 bytes failed
//! wasm backtrace:
//!     0: grow
//! ```
//!
//! and the process exits with the trap status (134), like every trap. The
//! report allocates nothing (a fixed buffer, names written straight from
//! the module's descriptor) and takes no lock it could wait on, so it works
//! whatever the runtime was doing when memory ran out. It cannot be a
//! catchable trap: unwinding from inside an arbitrary allocation would skip
//! the destructors of the runtime frames in between (see `catch_traps`).
//!
//! Allocations that can fail gracefully (`try_reserve`, say a `table.grow`
//! that returns -1) run inside [`fallible`], where failure is returned to
//! the caller as usual. In the `wasmc` tool, tests and libraries linked
//! into C programs nothing changes: Rust's default handling applies (the
//! C API documents it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use wasmc_abi::trap::TRAP_EXIT_STATUS;

/// The system allocator, reporting failures as traps in executables.
pub struct HostAllocator;

#[global_allocator]
static ALLOCATOR: HostAllocator = HostAllocator;

static REPORT: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Inside [`fallible`]: failures go back to the caller.
    static FALLIBLE: Cell<bool> = const { Cell::new(false) };
}

/// From now on a failed allocation outside [`fallible`] is a trap report
/// and exit, not an abort. Called once by executables at start-up.
pub(crate) fn report_failures() {
    REPORT.store(true, Ordering::Relaxed);
}

/// Runs `f`, in which allocation failures are handled by the caller (a
/// `try_reserve` that fails returns its error instead of ending the
/// process).
pub(crate) fn fallible<T>(f: impl FnOnce() -> T) -> T {
    let was = FALLIBLE.with(|c| c.replace(true));
    let r = f();
    FALLIBLE.with(|c| c.set(was));
    r
}

// SAFETY: every method forwards to `System` with the caller's arguments and
// returns its result unchanged, so `System`'s guarantees hold; `failed`
// either returns (the null result is passed on) or ends the process.
unsafe impl GlobalAlloc for HostAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, which we forward.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            failed(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            failed(layout.size());
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by this allocator, i.e. by `System`,
        // with `layout` (the caller's contract, forwarded).
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            failed(new_size);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `realloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// A failed allocation of `size` bytes: returns (the caller gets null) or,
/// in an executable outside [`fallible`], reports a trap and exits.
#[cold]
#[inline(never)]
fn failed(size: usize) {
    // `try_with`: during thread teardown the flag may be gone; count that
    // as infallible.
    if !REPORT.load(Ordering::Relaxed) || FALLIBLE.try_with(|c| c.get()).unwrap_or(false) {
        return;
    }
    let mut out = Report { buf: [0; 1024], len: 0 };
    let _ = write!(out, "wasm trap: out of memory: host allocation of {size} bytes failed");
    crate::trap::write_current_backtrace(&mut out);
    let _ = out.write_str("\n");
    out.flush();
    // SAFETY: `_exit` ends the process at once; it is always safe to call.
    unsafe { libc::_exit(TRAP_EXIT_STATUS) }
}

/// Text for stderr gathered in a fixed buffer: formatting allocates nothing.
struct Report {
    buf: [u8; 1024],
    len: usize,
}

impl Report {
    fn flush(&mut self) {
        let mut done = 0;
        while done < self.len {
            // SAFETY: `buf[done..len]` is initialised memory of ours, valid
            // for `len - done` bytes of reading.
            let n = unsafe { libc::write(2, self.buf[done..].as_ptr().cast(), self.len - done) };
            if n <= 0 {
                break;
            }
            done += n as usize;
        }
        self.len = 0;
    }
}

impl Write for Report {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for chunk in s.as_bytes().chunks(self.buf.len()) {
            if self.len + chunk.len() > self.buf.len() {
                self.flush();
            }
            self.buf[self.len..self.len + chunk.len()].copy_from_slice(chunk);
            self.len += chunk.len();
        }
        Ok(())
    }
}

#[cfg(all(test, not(miri)))]
mod tests {
    use std::process::Command;

    /// Child side of the test below: an executable's runtime, in which a
    /// fallible reservation still fails gracefully and an infallible
    /// 64 TiB allocation (more than any machine maps) is reported.
    #[test]
    fn child_fails_a_huge_allocation() {
        if std::env::var_os("WASMC_OOM_CHILD").is_none() {
            return;
        }
        super::report_failures();
        let mut v: Vec<u8> = Vec::new();
        assert!(super::fallible(|| v.try_reserve(1 << 46)).is_err());
        let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(1 << 46));
        std::hint::black_box(v);
    }

    #[test]
    fn a_failed_allocation_is_a_trap_report_not_an_abort() {
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "oom::tests::child_fails_a_huge_allocation", "--nocapture", "--test-threads=1"])
            .env("WASMC_OOM_CHILD", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(134), "{stderr}");
        assert!(
            stderr.contains("wasm trap: out of memory: host allocation of 70368744177664 bytes failed\n"),
            "{stderr}"
        );
    }
}
