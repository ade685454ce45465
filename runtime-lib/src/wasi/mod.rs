//! WASI preview1 (`wasi_snapshot_preview1`) host functions.
//!
//! * [`WasiCtx`]: the per-instance state (arguments, environment, the file
//!   descriptor table). Guest fds 0/1/2 are the host's stdin/stdout/stderr;
//!   preopened directories follow from fd 3.
//! * [`lookup`]: every preview1 function by its import name, as a
//!   [`WasiFunc`] (signature + body).
//!
//! Files: `errno.rs` (WASI errno, host errno mapping), `mem.rs` (bounds-
//! checked guest memory, iovecs), `args_env.rs`, `clock_random.rs`,
//! `fd.rs` (I/O, seek, close, renumber, sock stubs), `filestat.rs` (fdstat,
//! filestat, prestat), `readdir.rs`, `resolve.rs` (sandboxed path
//! resolution), `path.rs` (path_* calls), `poll.rs`, `funcs.rs` (the
//! import table and the thin bodies). The operations are plain functions
//! over `(&mut WasiCtx, &mut [u8] /* guest memory */, args...)` returning
//! an [`errno::WasiResult`], so they are tested without an instance.
//!
//! # Sandbox rule
//! Paths are resolved by hand, one component at a time, beneath the
//! directory fd they are relative to (see `resolve.rs`; no `openat2`, so
//! the behaviour does not depend on the kernel): every intermediate
//! directory is opened with `O_PATH | O_NOFOLLOW`, symlinks are read with
//! `readlinkat` and their targets spliced into the walk, and the final
//! operation is a `*at` call that does not follow the final component. An
//! absolute path, an absolute symlink target, or a `..` (literal or from a
//! symlink) that would leave the starting directory fails with
//! `NOTCAPABLE` (76), always (wasmtime reports escapes as NOTCAPABLE or
//! PERM depending on the call; wasi-libc turns NOTCAPABLE into
//! `ENOTCAPABLE`). Each directory fd is its own root: `..` cannot climb
//! above the fd a path is relative to, even within a preopen.

pub mod errno;
mod mem;

mod args_env;
mod clock_random;
mod fd;
mod filestat;
mod funcs;
mod instance;
mod path;
mod poll;
mod preopen;
mod readdir;
mod resolve;
pub mod threads;

use crate::host::{Caller, HostTrap};
use errno::{Errno, WasiResult};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use wasmc_abi::ValRaw;

pub use funcs::{all_functions, lookup};
pub use instance::SharedWasiCtx;

/// The import module name of every function in [`lookup`].
pub const MODULE_NAME: &str = "wasi_snapshot_preview1";

/// One WASI host function: its import name, wasm signature and body.
pub struct WasiFunc {
    pub name: &'static str,
    /// Wasm value type codes: `wasmc_abi::descriptor::TY_I32` (0x7f) /
    /// `TY_I64` (0x7e).
    pub params: &'static [u8],
    pub results: &'static [u8],
    /// Arguments are in `args[0..params.len()]`; the errno result (if any)
    /// is written to `args[0]`.
    pub body: fn(&mut Caller<'_>, &mut [ValRaw]) -> Result<(), HostTrap>,
}

impl std::fmt::Debug for WasiFunc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiFunc")
            .field("name", &self.name)
            .field("params", &self.params)
            .field("results", &self.results)
            .finish()
    }
}

/// `rights` bits (preview1 `rights` flags). Rights are recorded and
/// reported, and `fd_fdstat_set_rights` can only drop them, but operations
/// are not refused for missing rights (as in current wasmtime): the host
/// open mode is what limits reads and writes.
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    /// Every right defined by preview1 (bits 0..=29).
    pub const ALL: u64 = (1 << 30) - 1;
}

/// The host side of a guest fd.
#[derive(Debug)]
pub(crate) enum Handle {
    /// One of the host's stdin/stdout/stderr: never closed by us.
    Stdio(RawFd),
    Owned(OwnedFd),
}

/// One cached directory entry for `fd_readdir`.
#[derive(Debug, Clone)]
pub(crate) struct DirEntry {
    pub ino: u64,
    pub filetype: u8,
    pub name: Vec<u8>,
}

/// An open guest file descriptor.
#[derive(Debug)]
pub(crate) struct FdEntry {
    pub handle: Handle,
    /// Opened as a directory (path operations are only allowed on these).
    pub is_dir: bool,
    /// For a preopen: the guest path it was granted under.
    pub preopen: Option<String>,
    pub rights_base: u64,
    pub rights_inheriting: u64,
    /// `fd_readdir` snapshot, refreshed whenever a read starts at cookie 0.
    pub dir_cache: Option<Vec<DirEntry>>,
}

impl FdEntry {
    pub fn raw(&self) -> RawFd {
        match &self.handle {
            Handle::Stdio(fd) => *fd,
            Handle::Owned(fd) => fd.as_raw_fd(),
        }
    }
    pub fn is_stdio(&self) -> bool {
        matches!(self.handle, Handle::Stdio(_))
    }
}

/// Per-instance WASI state.
#[derive(Debug)]
pub struct WasiCtx {
    /// Arguments, each without its terminating NUL.
    pub(crate) args: Vec<Vec<u8>>,
    /// `KEY=VALUE` strings, without the terminating NUL.
    pub(crate) env: Vec<Vec<u8>>,
    /// Indexed by guest fd.
    pub(crate) fds: Vec<Option<FdEntry>>,
    /// The granted directories, to open grants nested in others safely.
    grants: Vec<preopen::Grant>,
}

impl Default for WasiCtx {
    fn default() -> Self {
        WasiCtx::new(Vec::new(), Vec::new())
    }
}

impl WasiCtx {
    /// `args[0]` is the program name. `env` as (key, value).
    pub fn new(args: Vec<String>, env: Vec<(String, String)>) -> WasiCtx {
        let stdio = |fd: RawFd| {
            Some(FdEntry {
                handle: Handle::Stdio(fd),
                is_dir: false,
                preopen: None,
                rights_base: rights::ALL,
                rights_inheriting: rights::ALL,
                dir_cache: None,
            })
        };
        WasiCtx {
            args: args.into_iter().map(String::into_bytes).collect(),
            env: env.into_iter().map(|(k, v)| format!("{k}={v}").into_bytes()).collect(),
            fds: vec![stdio(0), stdio(1), stdio(2)],
            grants: Vec::new(),
        }
    }

    pub(crate) fn get(&self, fd: u32) -> WasiResult<&FdEntry> {
        self.fds.get(fd as usize).and_then(Option::as_ref).ok_or(Errno::BADF)
    }

    pub(crate) fn get_mut(&mut self, fd: u32) -> WasiResult<&mut FdEntry> {
        self.fds.get_mut(fd as usize).and_then(Option::as_mut).ok_or(Errno::BADF)
    }

    /// The host fd of a guest directory fd, for path operations.
    pub(crate) fn dir_fd(&self, fd: u32) -> WasiResult<RawFd> {
        let e = self.get(fd)?;
        if !e.is_dir {
            return Err(Errno::NOTDIR);
        }
        Ok(e.raw())
    }

    /// Put `entry` at the lowest free guest fd.
    pub(crate) fn insert(&mut self, entry: FdEntry) -> WasiResult<u32> {
        let slot = match self.fds.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                if self.fds.len() >= i32::MAX as usize {
                    return Err(Errno::MFILE);
                }
                self.fds.push(None);
                self.fds.len() - 1
            }
        };
        self.fds[slot] = Some(entry);
        Ok(slot as u32)
    }

    /// Remove a guest fd (closing the host fd unless it is stdio).
    pub(crate) fn remove(&mut self, fd: u32) -> WasiResult<FdEntry> {
        let e = self.fds.get_mut(fd as usize).and_then(Option::take).ok_or(Errno::BADF)?;
        while matches!(self.fds.last(), Some(None)) {
            self.fds.pop();
        }
        Ok(e)
    }
}

/// Both the WASI state (locked) and the guest memory of the calling
/// instance.
///
/// The memory slice is taken first and kept as a raw pointer while the
/// instance is borrowed again for its `WasiCtx`: linear memory is its own
/// mapping (it never overlaps the `WasiCtx`), and it cannot move or shrink
/// during a host call (memories never move nor shrink).
pub(crate) fn ctx_and_memory<'c>(
    caller: &'c mut Caller<'_>,
) -> Result<(std::sync::MutexGuard<'c, WasiCtx>, &'c mut [u8]), HostTrap> {
    let mem: *mut [u8] = caller.memory()?;
    let ctx = caller.wasi()?;
    // SAFETY: `mem` was a `&mut [u8]` over the instance's linear memory: a
    // separate mmap reservation whose base never moves and whose accessible
    // length never shrinks while the instance (kept alive by the `Caller`
    // borrow for `'c`) holds it, so the pointer stays valid for `'c`. It is
    // disjoint from `ctx`, which lives in a heap allocation of its own, so
    // the two `&mut` do not overlap; and `caller.wasi()` does not touch the
    // memory, so `mem` was not invalidated. This thread's wasm does not run
    // during `'c` (the WASI bodies that use this never call back into
    // wasm); other threads' use of a shared memory is covered by
    // `Caller::memory`'s argument.
    Ok((ctx, unsafe { &mut *mem }))
}
