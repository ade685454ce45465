//! Metadata of open fds: `fd_fdstat_get`, `fd_fdstat_set_flags`,
//! `fd_fdstat_set_rights`, `fd_filestat_get`, `fd_filestat_set_size`,
//! `fd_filestat_set_times`, `fd_prestat_get`, `fd_prestat_dir_name`, and
//! the `filestat` / `filetype` / timestamp helpers `path.rs` shares.

use super::errno::{cvt, Errno, WasiResult};
use super::fd::non_stream;
use super::{mem, rights, FdEntry, WasiCtx};
use std::os::fd::RawFd;

/// Preview1 `filetype`.
pub const FILETYPE_UNKNOWN: u8 = 0;
pub const FILETYPE_BLOCK_DEVICE: u8 = 1;
pub const FILETYPE_CHARACTER_DEVICE: u8 = 2;
pub const FILETYPE_DIRECTORY: u8 = 3;
pub const FILETYPE_REGULAR_FILE: u8 = 4;
pub const FILETYPE_SOCKET_DGRAM: u8 = 5;
pub const FILETYPE_SOCKET_STREAM: u8 = 6;
pub const FILETYPE_SYMBOLIC_LINK: u8 = 7;

/// Preview1 `fdflags`.
pub const FDFLAGS_APPEND: u16 = 1;
pub const FDFLAGS_DSYNC: u16 = 2;
pub const FDFLAGS_NONBLOCK: u16 = 4;
pub const FDFLAGS_RSYNC: u16 = 8;
pub const FDFLAGS_SYNC: u16 = 16;
const FDFLAGS_ALL: u16 = 31;

/// Preview1 `fstflags`.
const FST_ATIM: u16 = 1;
const FST_ATIM_NOW: u16 = 2;
const FST_MTIM: u16 = 4;
const FST_MTIM_NOW: u16 = 8;

/// Sizes of the preview1 structs written here.
pub const FDSTAT_SIZE: u32 = 24;
pub const FILESTAT_SIZE: u32 = 64;
pub const PRESTAT_SIZE: u32 = 8;

/// The WASI filetype of a host `st_mode` (FIFOs have none: unknown).
pub fn filetype_from_mode(mode: libc::mode_t) -> u8 {
    match mode & libc::S_IFMT {
        libc::S_IFBLK => FILETYPE_BLOCK_DEVICE,
        libc::S_IFCHR => FILETYPE_CHARACTER_DEVICE,
        libc::S_IFDIR => FILETYPE_DIRECTORY,
        libc::S_IFREG => FILETYPE_REGULAR_FILE,
        libc::S_IFSOCK => FILETYPE_SOCKET_STREAM,
        libc::S_IFLNK => FILETYPE_SYMBOLIC_LINK,
        _ => FILETYPE_UNKNOWN,
    }
}

pub fn fstat(fd: RawFd) -> WasiResult<libc::stat> {
    // SAFETY: `libc::stat` is plain integers, for which zero is valid.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `st` is a live, writable `stat`; `fstat` writes only it.
    cvt(|| unsafe { libc::fstat(fd, &mut st) })?;
    Ok(st)
}

fn is_dgram_socket(fd: RawFd) -> bool {
    let mut ty: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `ty` and `len` are live locals; `len` says `ty` has room for
    // the `c_int` that `SO_TYPE` writes, and `getsockopt` writes no more.
    let r = unsafe {
        libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_TYPE, (&mut ty as *mut libc::c_int).cast(), &mut len)
    };
    r == 0 && ty == libc::SOCK_DGRAM
}

/// The filetype reported for an open fd. Stdio that is not a regular file
/// or directory (a tty, pipe, socket, /dev/null) is a character device.
pub(crate) fn entry_filetype(e: &FdEntry, st: &libc::stat) -> u8 {
    let t = filetype_from_mode(st.st_mode);
    if e.is_stdio() && t != FILETYPE_REGULAR_FILE && t != FILETYPE_DIRECTORY {
        return FILETYPE_CHARACTER_DEVICE;
    }
    if t == FILETYPE_SOCKET_STREAM && is_dgram_socket(e.raw()) {
        return FILETYPE_SOCKET_DGRAM;
    }
    t
}

fn ts_ns(sec: i64, nsec: i64) -> u64 {
    (sec as i128 * 1_000_000_000 + nsec as i128).clamp(0, u64::MAX as i128) as u64
}

/// Write a preview1 `filestat` (64 bytes) at `ptr`.
// The `stat` field types differ between targets (e.g. `st_nlink`).
#[allow(clippy::unnecessary_cast)]
pub fn write_filestat(mem: &mut [u8], ptr: u32, st: &libc::stat, filetype: u8) -> WasiResult<()> {
    let mut b = [0u8; FILESTAT_SIZE as usize];
    b[0..8].copy_from_slice(&(st.st_dev as u64).to_le_bytes());
    b[8..16].copy_from_slice(&(st.st_ino as u64).to_le_bytes());
    b[16] = filetype;
    b[24..32].copy_from_slice(&(st.st_nlink as u64).to_le_bytes());
    b[32..40].copy_from_slice(&(st.st_size as u64).to_le_bytes());
    b[40..48].copy_from_slice(&ts_ns(st.st_atime as i64, st.st_atime_nsec as i64).to_le_bytes());
    b[48..56].copy_from_slice(&ts_ns(st.st_mtime as i64, st.st_mtime_nsec as i64).to_le_bytes());
    b[56..64].copy_from_slice(&ts_ns(st.st_ctime as i64, st.st_ctime_nsec as i64).to_le_bytes());
    mem::write_bytes(mem, ptr, &b)
}

/// The `[atime, mtime]` pair for `futimens`/`utimensat` from preview1
/// timestamps and `fstflags`.
pub fn utimens_times(atim: u64, mtim: u64, fst_flags: u32) -> WasiResult<[libc::timespec; 2]> {
    let f = u16::try_from(fst_flags).map_err(|_| Errno::INVAL)?;
    if f & !(FST_ATIM | FST_ATIM_NOW | FST_MTIM | FST_MTIM_NOW) != 0
        || (f & FST_ATIM != 0 && f & FST_ATIM_NOW != 0)
        || (f & FST_MTIM != 0 && f & FST_MTIM_NOW != 0)
    {
        return Err(Errno::INVAL);
    }
    let one = |set: u16, now: u16, t: u64| {
        if f & set != 0 {
            super::clock_random::ns_timespec(t)
        } else if f & now != 0 {
            libc::timespec { tv_sec: 0, tv_nsec: libc::UTIME_NOW }
        } else {
            libc::timespec { tv_sec: 0, tv_nsec: libc::UTIME_OMIT }
        }
    };
    Ok([one(FST_ATIM, FST_ATIM_NOW, atim), one(FST_MTIM, FST_MTIM_NOW, mtim)])
}

fn host_flags_to_fdflags(fl: libc::c_int) -> u16 {
    let mut f = 0;
    if fl & libc::O_APPEND != 0 {
        f |= FDFLAGS_APPEND;
    }
    if fl & libc::O_NONBLOCK != 0 {
        f |= FDFLAGS_NONBLOCK;
    }
    if fl & libc::O_SYNC == libc::O_SYNC {
        // Linux has O_RSYNC == O_SYNC.
        f |= FDFLAGS_SYNC | FDFLAGS_RSYNC;
    }
    if fl & libc::O_DSYNC != 0 {
        f |= FDFLAGS_DSYNC;
    }
    f
}

/// Host `open` flags for preview1 `fdflags` (`INVAL` for unknown bits).
pub fn fdflags_to_host(f: u32) -> WasiResult<libc::c_int> {
    if f & !(FDFLAGS_ALL as u32) != 0 {
        return Err(Errno::INVAL);
    }
    let f = f as u16;
    let mut fl = 0;
    if f & FDFLAGS_APPEND != 0 {
        fl |= libc::O_APPEND;
    }
    if f & FDFLAGS_NONBLOCK != 0 {
        fl |= libc::O_NONBLOCK;
    }
    if f & FDFLAGS_DSYNC != 0 {
        fl |= libc::O_DSYNC;
    }
    if f & (FDFLAGS_SYNC | FDFLAGS_RSYNC) != 0 {
        fl |= libc::O_SYNC;
    }
    Ok(fl)
}

pub fn fd_fdstat_get(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, ptr: u32) -> WasiResult<()> {
    let e = ctx.get(fd)?;
    let st = fstat(e.raw())?;
    let filetype = entry_filetype(e, &st);
    // SAFETY: `F_GETFL` takes no third argument and touches no memory of
    // ours; an fd that is not open just yields an error.
    let fl = cvt(|| unsafe { libc::fcntl(e.raw(), libc::F_GETFL) })?;
    let mut base = e.rights_base;
    // wasi-libc's isatty(): a character device without seek/tell rights.
    // SAFETY: `isatty` takes only the fd and touches no memory of ours.
    if unsafe { libc::isatty(e.raw()) } == 1 {
        base &= !(rights::FD_SEEK | rights::FD_TELL);
    }
    let mut b = [0u8; FDSTAT_SIZE as usize];
    b[0] = filetype;
    b[2..4].copy_from_slice(&host_flags_to_fdflags(fl).to_le_bytes());
    b[8..16].copy_from_slice(&base.to_le_bytes());
    b[16..24].copy_from_slice(&e.rights_inheriting.to_le_bytes());
    mem::write_bytes(mem, ptr, &b)
}

/// Only `APPEND` and `NONBLOCK` can be changed; the sync flags are fixed at
/// open time (`NOTSUP` if the request differs from the current ones).
/// `NOTSUP` on stdio: its flags are shared with the parent (clearing
/// `O_APPEND` of `>> log`, a non-blocking terminal); wasmtime refuses too.
pub fn fd_fdstat_set_flags(ctx: &mut WasiCtx, fd: u32, flags: u32) -> WasiResult<()> {
    let raw = non_stream(ctx, fd, Errno::NOTSUP)?;
    let want = fdflags_to_host(flags)?;
    // SAFETY: `F_GETFL` takes no third argument and touches no memory of
    // ours.
    let fl = cvt(|| unsafe { libc::fcntl(raw, libc::F_GETFL) })?;
    let sync_mask = libc::O_SYNC | libc::O_DSYNC;
    if want & sync_mask != fl & sync_mask {
        return Err(Errno::NOTSUP);
    }
    let changeable = libc::O_APPEND | libc::O_NONBLOCK;
    let new = (fl & !changeable) | (want & changeable);
    // SAFETY: `F_SETFL` takes an `int` flags argument, as passed; no memory
    // of ours is touched.
    cvt(|| unsafe { libc::fcntl(raw, libc::F_SETFL, new) })?;
    Ok(())
}

/// Rights can only be dropped (`NOTCAPABLE` when asking for more).
pub fn fd_fdstat_set_rights(ctx: &mut WasiCtx, fd: u32, base: u64, inheriting: u64) -> WasiResult<()> {
    let e = ctx.get_mut(fd)?;
    if base & !e.rights_base != 0 || inheriting & !e.rights_inheriting != 0 {
        return Err(Errno::NOTCAPABLE);
    }
    e.rights_base = base;
    e.rights_inheriting = inheriting;
    Ok(())
}

pub fn fd_filestat_get(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, ptr: u32) -> WasiResult<()> {
    let e = ctx.get(fd)?;
    let st = fstat(e.raw())?;
    let filetype = entry_filetype(e, &st);
    write_filestat(mem, ptr, &st, filetype)
}

/// `NOTSUP` on stdio (a stream has no size to set).
pub fn fd_filestat_set_size(ctx: &mut WasiCtx, fd: u32, size: u64) -> WasiResult<()> {
    let raw = non_stream(ctx, fd, Errno::NOTSUP)?;
    let size = i64::try_from(size).map_err(|_| Errno::INVAL)?;
    // SAFETY: `ftruncate` takes only integers and touches no memory of ours
    // (it changes the file, not our mappings: guest memory is anonymous).
    cvt(|| unsafe { libc::ftruncate(raw, size) })?;
    Ok(())
}

/// `NOTSUP` on stdio: the times are those of the parent's file.
pub fn fd_filestat_set_times(ctx: &mut WasiCtx, fd: u32, atim: u64, mtim: u64, fst_flags: u32) -> WasiResult<()> {
    let raw = non_stream(ctx, fd, Errno::NOTSUP)?;
    let times = utimens_times(atim, mtim, fst_flags)?;
    // SAFETY: `times` is a live array of the two `timespec`s `futimens`
    // reads.
    cvt(|| unsafe { libc::futimens(raw, times.as_ptr()) })?;
    Ok(())
}

/// `BADF` for anything that is not a preopen: wasi-libc probes fds 3, 4,
/// ... until it gets `BADF`.
pub fn fd_prestat_get(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, ptr: u32) -> WasiResult<()> {
    let name = ctx.get(fd)?.preopen.as_ref().ok_or(Errno::BADF)?;
    let len = u32::try_from(name.len()).map_err(|_| Errno::OVERFLOW)?;
    let mut b = [0u8; PRESTAT_SIZE as usize];
    // tag 0 = preopentype::dir, then `pr_name_len` at offset 4.
    b[4..8].copy_from_slice(&len.to_le_bytes());
    mem::write_bytes(mem, ptr, &b)
}

/// Writes the name without a NUL; `NAMETOOLONG` if the buffer is short.
pub fn fd_prestat_dir_name(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, path: u32, path_len: u32) -> WasiResult<()> {
    let name = ctx.get(fd)?.preopen.as_ref().ok_or(Errno::BADF)?;
    mem::range(mem.len(), path, path_len)?;
    if (path_len as usize) < name.len() {
        return Err(Errno::NAMETOOLONG);
    }
    mem::write_bytes(mem, path, name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::mem::{read_u32, read_u64};
    use crate::wasi::resolve::tests::TempDir;

    #[test]
    #[cfg_attr(miri, ignore = "Miri rejects open with O_DIRECTORY (preopen_dir)")]
    fn prestat_and_fdstat() {
        let t = TempDir::new("fdstat");
        let mut ctx = WasiCtx::new(vec![], vec![]);
        let mut m = vec![0u8; 128];
        assert_eq!(fd_prestat_get(&mut ctx, &mut m, 3, 0), Err(Errno::BADF));
        assert_eq!(fd_prestat_get(&mut ctx, &mut m, 1, 0), Err(Errno::BADF));
        ctx.preopen_dir(t.path(), "/sandbox").unwrap();
        assert!(ctx.preopen_dir(&t.path().join("missing"), "x").is_err());
        fd_prestat_get(&mut ctx, &mut m, 3, 0).unwrap();
        assert_eq!(m[0], 0);
        assert_eq!(read_u32(&m, 4), Ok(8));
        assert_eq!(fd_prestat_get(&mut ctx, &mut m, 4, 0), Err(Errno::BADF));
        assert_eq!(fd_prestat_dir_name(&mut ctx, &mut m, 3, 16, 7), Err(Errno::NAMETOOLONG));
        assert_eq!(fd_prestat_dir_name(&mut ctx, &mut m, 3, 124, 8), Err(Errno::FAULT));
        fd_prestat_dir_name(&mut ctx, &mut m, 3, 16, 8).unwrap();
        assert_eq!(&m[16..24], b"/sandbox");

        fd_fdstat_get(&mut ctx, &mut m, 3, 32).unwrap();
        assert_eq!(m[32], FILETYPE_DIRECTORY);
        assert_eq!(read_u64(&m, 40), Ok(rights::ALL));
        assert_eq!(read_u64(&m, 48), Ok(rights::ALL));
        fd_fdstat_get(&mut ctx, &mut m, 2, 32).unwrap();
        assert!([FILETYPE_CHARACTER_DEVICE, FILETYPE_REGULAR_FILE].contains(&m[32]));
        assert_eq!(fd_fdstat_get(&mut ctx, &mut m, 3, 120), Err(Errno::FAULT));
        assert_eq!(fd_fdstat_get(&mut ctx, &mut m, 9, 0), Err(Errno::BADF));

        fd_fdstat_set_rights(&mut ctx, 3, rights::FD_READ, 0).unwrap();
        assert_eq!(fd_fdstat_set_rights(&mut ctx, 3, rights::FD_WRITE, 0), Err(Errno::NOTCAPABLE));

        fd_filestat_get(&mut ctx, &mut m, 3, 0).unwrap();
        assert_eq!(m[16], FILETYPE_DIRECTORY);
        assert!(read_u64(&m, 48).unwrap() > 0);
    }

    #[test]
    fn times_flags() {
        assert_eq!(utimens_times(0, 0, 1 | 2).map(|_| ()), Err(Errno::INVAL));
        assert_eq!(utimens_times(0, 0, 4 | 8).map(|_| ()), Err(Errno::INVAL));
        assert_eq!(utimens_times(0, 0, 16).map(|_| ()), Err(Errno::INVAL));
        let t = utimens_times(1_500_000_000, 0, 1 | 8).unwrap();
        assert_eq!((t[0].tv_sec, t[0].tv_nsec), (1, 500_000_000));
        assert_eq!(t[1].tv_nsec, libc::UTIME_NOW);
        let t = utimens_times(0, 0, 0).unwrap();
        assert_eq!((t[0].tv_nsec, t[1].tv_nsec), (libc::UTIME_OMIT, libc::UTIME_OMIT));
        assert_eq!(fdflags_to_host(32), Err(Errno::INVAL));
        assert_eq!(host_flags_to_fdflags(libc::O_APPEND | libc::O_NONBLOCK), FDFLAGS_APPEND | FDFLAGS_NONBLOCK);
    }
}
