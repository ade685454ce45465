//! Traps: catching them at the boundary into wasm, and describing them.
//!
//! Generated code traps with a hardware fault or an illegal instruction at
//! an address listed in the module's trap table ([`signals`]); builtins and
//! host functions raise explicitly ([`raise`]). Either way control returns
//! to the innermost [`catch_traps`] by `siglongjmp` (see `csrc/unwind.c`).

mod backtrace;
mod signals;

pub use backtrace::Frame;
pub(crate) use backtrace::{caller_of_frame, frame_pointer};

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::fmt;
use wasmc_abi::Trap;

/// Why a host function did not return normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostTrap {
    /// `proc_exit`: unwind all wasm frames and exit with this status.
    Exit(i32),
    /// A wasm trap raised on behalf of the guest.
    Trap(Trap),
    /// A host failure with its own message.
    Error(String),
    /// Throw a new exception of the tag whose identity is `tag` (one the
    /// calling instance imports or defines; made by `Tag::throw`) with
    /// this payload of the tag's parameter types, from the host
    /// function's call site: wasm handlers around the call catch it.
    Throw { tag: usize, payload: Vec<wasmc_abi::ValRaw> },
    /// An exception: as the host function's failure, rethrown from its
    /// call site (the root is released); as an [`Error`], uncaught.
    Exception(Exception),
}

/// An exception that left wasm: its tag (identity and name) and the
/// exception object, rooted in its store under handle `root` until the
/// receiver releases it (`Store::release`); its payload is
/// `Store::exception_payload`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub tag: usize,
    pub tag_name: &'static str,
    pub root: u64,
}

thread_local! {
    /// The reason of the last failed host call on this thread, picked up by
    /// [`catch_traps`] after the generated trampoline calls the `raise`
    /// builtin: the one pending-host-failure slot.
    static HOST_FAILURE: RefCell<Option<HostTrap>> = const { RefCell::new(None) };
}

/// Records why a host call failed; the unwind that follows reports it.
pub(crate) fn set_host_failure(why: HostTrap) {
    HOST_FAILURE.with(|p| *p.borrow_mut() = Some(why));
}

/// Takes the recorded host failure (a throw acts on it).
pub(crate) fn take_host_failure() -> Option<HostTrap> {
    HOST_FAILURE.with(|p| p.borrow_mut().take())
}

/// Why a call into wasm did not return normally.
#[derive(Debug, Clone)]
pub enum Error {
    /// A wasm trap with the wasm frames that were live.
    Trap { trap: Trap, message: Option<String>, backtrace: Vec<Frame> },
    /// The guest called `proc_exit`.
    Exit(i32),
    /// An exception no wasm handler caught, with the wasm frames live at
    /// the throw.
    Exception { exception: Exception, backtrace: Vec<Frame> },
}

impl Error {
    pub fn trap(&self) -> Option<Trap> {
        match self {
            Error::Trap { trap, .. } => Some(*trap),
            Error::Exit(_) | Error::Exception { .. } => None,
        }
    }
    /// The one-line message: the trap's, or a host function's own.
    pub fn message(&self) -> String {
        match self {
            Error::Trap { message: Some(m), .. } => m.clone(),
            Error::Trap { trap, .. } => trap.message().to_string(),
            Error::Exit(code) => format!("exit with status {code}"),
            Error::Exception { exception, .. } => format!("uncaught exception: {}", exception.tag_name),
        }
    }
}

impl fmt::Display for Error {
    /// `wasm trap: <kind>` (or `wasm exception: uncaught exception:
    /// <tag>`) followed by one line per wasm frame.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Exit(_) => write!(f, "{}", self.message()),
            Error::Trap { backtrace, .. } | Error::Exception { backtrace, .. } => {
                let what = if matches!(self, Error::Exception { .. }) { "exception" } else { "trap" };
                write!(f, "wasm {what}: {}", self.message())?;
                if !backtrace.is_empty() {
                    write!(f, "\nwasm backtrace:")?;
                    // Runs of one function (deep recursion) print as one line.
                    let mut i = 0;
                    while i < backtrace.len() {
                        let name = &backtrace[i].name;
                        let run = backtrace[i..].iter().take_while(|fr| &fr.name == name).count();
                        write!(f, "\n  {i:>3}: {name}")?;
                        if run > 1 {
                            write!(f, " (and {} more frames of it)", run - 1)?;
                        }
                        i += run;
                    }
                    if backtrace.len() >= backtrace::MAX_FRAMES {
                        write!(f, "\n  ... (deeper frames omitted)")?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}

/// Writes `\nwasm backtrace:` and the wasm frames live on this thread, from
/// the caller up to the innermost entry, in [`Error`]'s format; nothing
/// outside wasm. Allocates nothing and never waits for a lock, for reports
/// made when nothing else can be relied on (a failed allocation).
pub(crate) fn write_current_backtrace(out: &mut dyn fmt::Write) {
    if !in_wasm() {
        return;
    }
    let mut pcs = [0; backtrace::MAX_FRAMES];
    // SAFETY: `frame_pointer()` is this function's live frame pointer, on
    // this thread's stack below the innermost entry (we are inside wasm),
    // whose marker `entry_sp()` is in a live frame above it.
    let n = unsafe { backtrace::walk(0, frame_pointer(), entry_sp(), &mut pcs) };
    let names = pcs[..n].iter().filter_map(|&pc| crate::code::try_function_name(pc));
    let mut first = true;
    let (mut i, mut prev, mut run) = (0usize, "", 0usize);
    let flush = |out: &mut dyn fmt::Write, i: usize, name: &str, run: usize| {
        let _ = write!(out, "\n  {:>3}: {name}", i - run);
        if run > 1 {
            let _ = write!(out, " (and {} more frames of it)", run - 1);
        }
    };
    for name in names {
        if first {
            let _ = write!(out, "\nwasm backtrace:");
            first = false;
        }
        // Runs of one function (deep recursion) print as one line.
        if run > 0 && !std::ptr::eq(name, prev) {
            flush(out, i, prev, run);
            run = 0;
        }
        prev = name;
        run += 1;
        i += 1;
    }
    if run > 0 {
        flush(out, i, prev, run);
    }
}

extern "C" {
    fn wasmc_catch(body: extern "C" fn(*mut c_void), data: *mut c_void, slot: *mut *mut c_void) -> i32;
    fn wasmc_unwind(buf: *mut c_void) -> !;
}

/// What the unwinder recorded about a trap before jumping.
#[derive(Clone, Copy)]
pub(crate) struct Pending {
    pub trap: Trap,
    pub frames: [usize; backtrace::MAX_FRAMES],
    pub len: usize,
}

thread_local! {
    /// The innermost active landing pad (`sigjmp_buf*`), null outside wasm.
    static JMPBUF: Cell<*mut c_void> = const { Cell::new(std::ptr::null_mut()) };
    /// Address just above the frames of the innermost entry: frame walks stop there.
    static ENTRY_SP: Cell<usize> = const { Cell::new(0) };
    static OUTER_SP: Cell<usize> = const { Cell::new(0) };
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
}

pub(crate) fn in_wasm() -> bool {
    !JMPBUF.with(|j| j.get()).is_null()
}

/// Address above every wasm frame of this thread (the outermost entry's
/// frame), where stack walks for GC roots stop.
pub(crate) fn outermost_entry_sp() -> usize {
    OUTER_SP.with(|e| e.get())
}

pub(crate) fn entry_sp() -> usize {
    ENTRY_SP.with(|e| e.get())
}

/// Runs `f` (which calls into wasm) and turns a trap or exit into an error.
///
/// # Safety
/// A trap does not return through `f`: the fault handler or [`raise`]
/// `siglongjmp`s straight back into this function (see `csrc/unwind.c`),
/// discarding every frame in between — `f`'s own, whatever Rust or C code
/// `f` calls on its way into wasm, the wasm frames, and any host-function
/// glue that raised — without running a single destructor or any other
/// code of theirs. The caller must therefore guarantee, for every point at
/// which the code run by `f` can trap:
///
/// * No live value in those frames has a destructor whose effect matters:
///   no `Box`/`Vec`/`String`/`Rc`/`Arc` (they would leak, or a reference
///   count would stay raised), and above all no guard whose drop restores
///   an invariant (`MutexGuard`, `RwLock` guards, `Ref`/`RefMut`,
///   `StackLimitGuard`, ...). Keep such values outside `f`, in frames above
///   this call; capture only `Copy` data and references.
/// * No lock is held and no `RefCell` (or other borrow flag) is borrowed in
///   those frames: it would stay locked or borrowed for good, and a later
///   `borrow_mut` would panic or a later lock would deadlock.
/// * No state reachable from outside `f` is half-updated: whatever `f` or
///   its callees mutate must be consistent at each trap point, since the
///   update is abandoned there (`f` may leave its captured variables
///   partly written; the caller must only read them after `Ok`).
/// * None of those frames uses `catch_unwind` or relies on unwinding; a
///   panic escaping `f` itself aborts the process (it would unwind out of
///   the `extern "C"` trampoline), it is never turned into an `Err`.
/// * `f` runs on this thread and traps only through this crate's
///   mechanisms (the signal handler, [`raise`], [`raise_from_wasm`]), which
///   jump to the innermost `catch_traps` active on this thread, i.e. this
///   one while `f` runs.
///
/// Frames satisfying this are what Rust calls "plain old frames"; jumping
/// over them with `longjmp` is then defined.
pub unsafe fn catch_traps(f: &mut dyn FnMut()) -> Result<(), Error> {
    signals::ensure_installed();
    extern "C" fn body(data: *mut c_void) {
        // SAFETY: `data` is `&mut f as *mut &mut dyn FnMut()` from the
        // `wasmc_catch` call below; `wasmc_catch` calls `body` before it
        // returns, while that local (and the closure it points to) is alive
        // and not otherwise used, so this is the only reference to it.
        let f = unsafe { &mut *(data as *mut &mut dyn FnMut()) };
        f();
    }
    let marker = 0u8;
    let prev_sp = ENTRY_SP.with(|e| e.replace(&marker as *const u8 as usize));
    if prev_sp == 0 {
        OUTER_SP.with(|e| e.set(&marker as *const u8 as usize));
    }
    let mut f = f;
    let slot = JMPBUF.with(|j| j.as_ptr());
    // SAFETY: `body` is a valid callback for `data`, which points to the
    // live local `f` (see `body`). `slot` is this thread's `JMPBUF` cell,
    // alive for the thread's lifetime; `wasmc_catch` publishes its
    // `sigjmp_buf` there for the duration of `body` and restores the
    // previous value before it returns, both normally and after a jump.
    // The jump only skips frames below `wasmc_catch`, which the caller's
    // contract (above) makes plain old frames; `sigsetjmp` itself lives in
    // the C function, so no Rust frame "returns twice".
    let trapped = unsafe { wasmc_catch(body, &mut f as *mut &mut dyn FnMut() as *mut c_void, slot) };
    ENTRY_SP.with(|e| e.set(prev_sp));
    if prev_sp == 0 {
        OUTER_SP.with(|e| e.set(0));
    }
    if trapped == 0 {
        return Ok(());
    }
    let host = HOST_FAILURE.with(|p| p.borrow_mut().take());
    let pending = PENDING.with(|p| p.borrow_mut().take());
    let backtrace = pending.map(|p| backtrace::symbolize(&p.frames[..p.len])).unwrap_or_default();
    Err(match host {
        Some(HostTrap::Exit(code)) => Error::Exit(code),
        Some(HostTrap::Trap(trap)) => Error::Trap { trap, message: None, backtrace },
        Some(HostTrap::Error(msg)) => Error::Trap { trap: Trap::HostError, message: Some(msg), backtrace },
        Some(HostTrap::Exception(exception)) => Error::Exception { exception, backtrace },
        // A throw is acted on before anything unwinds; one left here means
        // the host failed outside a host-call trampoline.
        Some(HostTrap::Throw { .. }) => Error::Trap {
            trap: Trap::HostError,
            message: Some("an exception thrown outside a host function".into()),
            backtrace,
        },
        None => Error::Trap { trap: pending.map(|p| p.trap).unwrap_or(Trap::HostError), message: None, backtrace },
    })
}

/// Records the trap and jumps to the innermost landing pad.
///
/// Async-signal-safe: it touches only const-initialised thread locals
/// without destructors (no lazy initialisation, no allocation) and uses
/// `try_borrow_mut`, so it also works when the signal interrupted a borrow
/// of `PENDING`.
///
/// # Safety
/// Must be called on a thread inside [`catch_traps`] (else the process
/// aborts), from code whose frames up to that `catch_traps` are plain old
/// frames as its contract describes: they own nothing that needs dropping,
/// hold no lock or `RefCell` borrow, and leave no state half-updated.
pub(crate) unsafe fn unwind(pending: Pending) -> ! {
    PENDING.with(|p| {
        if let Ok(mut slot) = p.try_borrow_mut() {
            *slot = Some(pending);
        }
    });
    let buf = JMPBUF.with(|j| j.get());
    if buf.is_null() {
        // Not inside `catch_traps`: there is no landing pad, and jumping
        // through a null buffer would be undefined. `abort` is
        // async-signal-safe.
        std::process::abort();
    }
    // SAFETY: `buf` is non-null, so it is the `sigjmp_buf` that the
    // innermost active `wasmc_catch` on this thread published in `JMPBUF`:
    // that C frame is still live (it resets the slot before returning).
    // Skipping the frames in between is allowed by this function's contract.
    unsafe { wasmc_unwind(buf) }
}

/// Raises `trap` from a builtin called by generated code, whose return
/// address into that code is `ra` and whose frame pointer (the generated
/// caller's, as found on entry to the builtin) is `fp`.
///
/// # Safety
/// As for [`unwind`]; `fp` must be the caller's live frame pointer.
pub(crate) unsafe fn raise_from_wasm(trap: Trap, ra: usize, fp: usize) -> ! {
    let mut p = Pending { trap, frames: [0; backtrace::MAX_FRAMES], len: 0 };
    // `ra - 1` lies inside the call instruction, as for deeper frames.
    // SAFETY: `fp` is the live frame pointer of the generated caller (this
    // function's contract), a frame of this thread's stack below the
    // innermost entry (`entry_sp()`), which is where `walk` stops.
    p.len = unsafe { backtrace::walk(ra.wrapping_sub(1), fp, entry_sp(), &mut p.frames) };
    // SAFETY: the contract of `unwind` is this function's own.
    unsafe { unwind(p) }
}

/// Raises `trap` from runtime or host code (a C function bound to an
/// import, say), with a backtrace of the wasm frames above it.
///
/// # Safety
/// As for [`unwind`].
#[inline(never)]
pub(crate) unsafe fn raise(trap: Trap) -> ! {
    let fp = backtrace::frame_pointer();
    let mut p = Pending { trap, frames: [0; backtrace::MAX_FRAMES], len: 0 };
    // Start in this frame, runtime code (pc 0: not generated, and not named).
    // SAFETY: `fp` is this function's own frame pointer (`inline(never)`,
    // and the runtime is built with `force-frame-pointers`, see
    // `.cargo/config.toml`), so it is a live frame of this thread's stack
    // below the innermost entry, where `walk` stops.
    p.len = unsafe { backtrace::walk(0, fp, entry_sp(), &mut p.frames) };
    // SAFETY: the contract of `unwind` is this function's own.
    unsafe { unwind(p) }
}
