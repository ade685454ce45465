//! Data and lifetime of open fds: `fd_read`, `fd_write`, `fd_pread`,
//! `fd_pwrite`, `fd_seek`, `fd_tell`, `fd_sync`, `fd_datasync`,
//! `fd_advise`, `fd_allocate`, `fd_close`, `fd_renumber`, and the `sock_*`
//! stubs.
//!
//! I/O goes straight to `readv`/`writev`/`preadv`/`pwritev` on the host fd
//! with iovecs pointing into guest memory: nothing is buffered, so output is
//! complete even if the process exits right after.

use super::errno::{cvt, cvt_direct, Errno, WasiResult};
use super::{mem, WasiCtx};
use std::os::fd::RawFd;

/// Preview1 `whence`.
const WHENCE_SET: u32 = 0;
const WHENCE_CUR: u32 = 1;
const WHENCE_END: u32 = 2;

/// The host fd of `fd`, or `err` if it is one of the inherited stdio
/// entries (wherever renumbered). Those are the host's own files, shared
/// with the parent (`./app < in >> log`, a terminal): they are treated as
/// streams, as wasmtime does, so no call may move their offset or change
/// their flags, times or size.
pub(crate) fn non_stream(ctx: &WasiCtx, fd: u32, err: Errno) -> WasiResult<RawFd> {
    let e = ctx.get(fd)?;
    if e.is_stdio() {
        return Err(err);
    }
    Ok(e.raw())
}

fn to_off(v: u64) -> WasiResult<libc::off_t> {
    libc::off_t::try_from(v).map_err(|_| Errno::INVAL)
}

/// Vectored I/O on the guest's iovecs at `iovs`: `call` (`readv`,
/// `preadv`, `writev` or `pwritev` on a host fd, given the iovec array and
/// its length) reads into guest memory if `into_guest`, else only reads
/// it; the byte count is stored at `count_at`.
fn vectored(
    mem: &mut [u8],
    iovs: u32,
    iovs_len: u32,
    count_at: u32,
    into_guest: bool,
    mut call: impl FnMut(*const libc::iovec, libc::c_int) -> isize,
) -> WasiResult<()> {
    mem::check_out(mem, count_at, 4)?;
    let v =
        if into_guest { mem::host_iovecs_mut(mem, iovs, iovs_len)? } else { mem::host_iovecs(mem, iovs, iovs_len)? };
    // `v` holds at most `MAX_IOVS` iovecs, so the count fits a `c_int`.
    let n = cvt(|| call(v.as_ptr(), v.len() as libc::c_int))?;
    mem::write_u32(mem, count_at, n as u32)
}

pub fn fd_read(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, iovs: u32, iovs_len: u32, nread: u32) -> WasiResult<()> {
    let raw = ctx.get(fd)?.raw();
    // SAFETY: `vectored` passes a live array of `n` iovecs, each covering
    // a range of `mem` that `host_iovecs_mut` bounds-checked; they derive
    // from the `&mut mem` borrow, which is not used again until the call
    // returns, and the kernel writes at most `iov_len` bytes through each.
    vectored(mem, iovs, iovs_len, nread, true, |v, n| unsafe { libc::readv(raw, v, n) })
}

pub fn fd_write(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) -> WasiResult<()> {
    let raw = ctx.get(fd)?.raw();
    // SAFETY: `vectored` passes a live array of `n` iovecs, each covering
    // a bounds-checked range of `mem` (`host_iovecs`), which the kernel only
    // reads; `mem` is borrowed across the call.
    vectored(mem, iovs, iovs_len, nwritten, false, |v, n| unsafe { libc::writev(raw, v, n) })
}

pub fn fd_pread(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nread: u32,
) -> WasiResult<()> {
    let raw = non_stream(ctx, fd, Errno::SPIPE)?;
    let offset = to_off(offset)?;
    // SAFETY: as for `readv` in `fd_read`.
    vectored(mem, iovs, iovs_len, nread, true, |v, n| unsafe { libc::preadv(raw, v, n, offset) })
}

pub fn fd_pwrite(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nwritten: u32,
) -> WasiResult<()> {
    let raw = non_stream(ctx, fd, Errno::SPIPE)?;
    let offset = to_off(offset)?;
    // SAFETY: as for `writev` in `fd_write`.
    vectored(mem, iovs, iovs_len, nwritten, false, |v, n| unsafe { libc::pwritev(raw, v, n, offset) })
}

/// `SPIPE` on stdio (see [`non_stream`]), as in wasmtime.
pub fn fd_seek(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, offset: i64, whence: u32, newoffset: u32) -> WasiResult<()> {
    let raw = non_stream(ctx, fd, Errno::SPIPE)?;
    let whence = match whence {
        WHENCE_SET => libc::SEEK_SET,
        WHENCE_CUR => libc::SEEK_CUR,
        WHENCE_END => libc::SEEK_END,
        _ => return Err(Errno::INVAL),
    };
    mem::check_out(mem, newoffset, 8)?;
    // SAFETY: `lseek` takes only integer arguments and touches no memory of
    // ours; an fd that is not open just yields an error.
    let pos = cvt(|| unsafe { libc::lseek(raw, offset, whence) })?;
    mem::write_u64(mem, newoffset, pos as u64)
}

pub fn fd_tell(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, offset: u32) -> WasiResult<()> {
    fd_seek(ctx, mem, fd, 0, WHENCE_CUR, offset)
}

pub fn fd_sync(ctx: &mut WasiCtx, fd: u32) -> WasiResult<()> {
    let raw = ctx.get(fd)?.raw();
    // SAFETY: `fsync` takes only integer arguments and touches no memory of
    // ours; an fd that is not open just yields an error.
    cvt(|| unsafe { libc::fsync(raw) }).map(drop)
}

pub fn fd_datasync(ctx: &mut WasiCtx, fd: u32) -> WasiResult<()> {
    let raw = ctx.get(fd)?.raw();
    // SAFETY: `fdatasync` takes only integer arguments and touches no memory of
    // ours; an fd that is not open just yields an error.
    cvt(|| unsafe { libc::fdatasync(raw) }).map(drop)
}

pub fn fd_advise(ctx: &mut WasiCtx, fd: u32, offset: u64, len: u64, advice: u32) -> WasiResult<()> {
    let raw = ctx.get(fd)?.raw();
    let advice = match advice {
        0 => libc::POSIX_FADV_NORMAL,
        1 => libc::POSIX_FADV_SEQUENTIAL,
        2 => libc::POSIX_FADV_RANDOM,
        3 => libc::POSIX_FADV_WILLNEED,
        4 => libc::POSIX_FADV_DONTNEED,
        5 => libc::POSIX_FADV_NOREUSE,
        _ => return Err(Errno::INVAL),
    };
    let (offset, len) = (to_off(offset)?, to_off(len)?);
    // SAFETY: `posix_fadvise` takes only integer arguments and touches no memory of
    // ours; an fd that is not open just yields an error.
    cvt_direct(|| unsafe { libc::posix_fadvise(raw, offset, len, advice) })
}

pub fn fd_allocate(ctx: &mut WasiCtx, fd: u32, offset: u64, len: u64) -> WasiResult<()> {
    // SPIPE, as `posix_fallocate` on a pipe.
    let raw = non_stream(ctx, fd, Errno::SPIPE)?;
    let (offset, len) = (to_off(offset)?, to_off(len)?);
    offset.checked_add(len).ok_or(Errno::FBIG)?;
    // SAFETY: `posix_fallocate` takes only integer arguments and touches no memory of
    // ours; an fd that is not open just yields an error.
    cvt_direct(|| unsafe { libc::posix_fallocate(raw, offset, len) })
}

/// Closing a stdio fd only removes it from the table; the host's own
/// stdin/stdout/stderr stay open.
pub fn fd_close(ctx: &mut WasiCtx, fd: u32) -> WasiResult<()> {
    ctx.remove(fd).map(drop)
}

/// Move `from` to `to` (both must be open), closing what `to` was.
pub fn fd_renumber(ctx: &mut WasiCtx, from: u32, to: u32) -> WasiResult<()> {
    ctx.get(from)?;
    ctx.get(to)?;
    if from == to {
        return Ok(());
    }
    let e = ctx.remove(from)?;
    ctx.fds[to as usize] = Some(e);
    Ok(())
}

/// The `sock_*` functions: `BADF` for a closed fd, `NOTSOCK` for one that
/// is not a socket, and `NOTSUP` for a host socket (sockets can only reach
/// a guest as inherited stdio; socket I/O is not implemented).
pub fn sock_unsupported(ctx: &mut WasiCtx, fd: u32) -> WasiResult<()> {
    let st = super::filestat::fstat(ctx.get(fd)?.raw())?;
    if st.st_mode & libc::S_IFMT != libc::S_IFSOCK {
        return Err(Errno::NOTSOCK);
    }
    Err(Errno::NOTSUP)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::mem::{read_u32, read_u64, write_u32};
    use crate::wasi::resolve::tests::TempDir;
    use crate::wasi::{FdEntry, Handle};
    use std::os::fd::OwnedFd;

    fn add_file(ctx: &mut WasiCtx, f: std::fs::File) -> u32 {
        ctx.insert(FdEntry {
            handle: Handle::Owned(OwnedFd::from(f)),
            is_dir: false,
            preopen: None,
            rights_base: crate::wasi::rights::ALL,
            rights_inheriting: crate::wasi::rights::ALL,
            dir_cache: None,
        })
        .unwrap()
    }

    // Asserts whole transfers: under Miri, run with
    // `-Zmiri-no-short-fd-operations` (Miri otherwise simulates the short
    // reads and writes POSIX allows, which the guest would retry).
    #[test]
    fn file_io_with_iovecs() {
        let t = TempDir::new("fdio");
        let p = t.path().join("f");
        let f = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&p).unwrap();
        let mut ctx = WasiCtx::new(vec![], vec![]);
        let fd = add_file(&mut ctx, f);
        assert_eq!(fd, 3);
        let mut m = vec![0u8; 256];
        m[100..105].copy_from_slice(b"hello");
        m[110..116].copy_from_slice(b" world");
        write_u32(&mut m, 0, 100).unwrap();
        write_u32(&mut m, 4, 5).unwrap();
        write_u32(&mut m, 8, 110).unwrap();
        write_u32(&mut m, 12, 6).unwrap();
        fd_write(&mut ctx, &mut m, fd, 0, 2, 16).unwrap();
        assert_eq!(read_u32(&m, 16), Ok(11));
        assert_eq!(std::fs::read(&p).unwrap(), b"hello world");
        fd_tell(&mut ctx, &mut m, fd, 24).unwrap();
        assert_eq!(read_u64(&m, 24), Ok(11));
        // A bad iovec: FAULT, nothing written, the file is unchanged.
        write_u32(&mut m, 12, 200).unwrap();
        assert_eq!(fd_write(&mut ctx, &mut m, fd, 0, 2, 16), Err(Errno::FAULT));
        assert_eq!(fd_write(&mut ctx, &mut m, fd, 0, 2, 254), Err(Errno::FAULT));
        assert_eq!(std::fs::read(&p).unwrap(), b"hello world");
        // Read back into one iovec after seeking to 6.
        fd_seek(&mut ctx, &mut m, fd, 6, WHENCE_SET, 24).unwrap();
        assert_eq!(read_u64(&m, 24), Ok(6));
        write_u32(&mut m, 0, 150).unwrap();
        write_u32(&mut m, 4, 50).unwrap();
        fd_read(&mut ctx, &mut m, fd, 0, 1, 16).unwrap();
        assert_eq!(read_u32(&m, 16), Ok(5));
        assert_eq!(&m[150..155], b"world");
        // pread / pwrite do not move the offset.
        write_u32(&mut m, 4, 5).unwrap();
        fd_pread(&mut ctx, &mut m, fd, 0, 1, 0, 16).unwrap();
        assert_eq!(&m[150..155], b"hello");
        m[150..155].copy_from_slice(b"HELLO");
        fd_pwrite(&mut ctx, &mut m, fd, 0, 1, 0, 16).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"HELLO world");
        assert_eq!(fd_pread(&mut ctx, &mut m, fd, 0, 1, u64::MAX, 16), Err(Errno::INVAL));
        assert_eq!(fd_seek(&mut ctx, &mut m, fd, 0, 3, 24), Err(Errno::INVAL));
        assert_eq!(fd_seek(&mut ctx, &mut m, fd, -100, WHENCE_SET, 24), Err(Errno::INVAL));
        fd_sync(&mut ctx, fd).unwrap();
        fd_datasync(&mut ctx, fd).unwrap();
        fd_advise(&mut ctx, fd, 0, 0, 1).unwrap();
        assert_eq!(fd_advise(&mut ctx, fd, 0, 0, 6), Err(Errno::INVAL));
        fd_allocate(&mut ctx, fd, 0, 100).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().len(), 100);
        assert_eq!(sock_unsupported(&mut ctx, fd), Err(Errno::NOTSOCK));
        // Renumber onto stdout (closes the table's stdout, not the host's).
        fd_renumber(&mut ctx, fd, 1).unwrap();
        assert_eq!(ctx.get(fd).map(drop), Err(Errno::BADF));
        assert_eq!(fd_renumber(&mut ctx, 1, 7), Err(Errno::BADF));
        fd_close(&mut ctx, 1).unwrap();
        assert_eq!(fd_close(&mut ctx, 1), Err(Errno::BADF));
        assert_eq!(fd_write(&mut ctx, &mut m, 1, 0, 1, 16), Err(Errno::BADF));
        assert_eq!(ctx.fds.len(), 3);
    }

    /// Inherited stdio is a stream wherever it is renumbered to: no call
    /// changes the host file's offset, flags, times or size. A temp file
    /// stands in for a redirected stdout (`>> log`).
    #[test]
    #[cfg_attr(miri, ignore = "Miri does not emulate fcntl(F_SETFL)/futimens/ftruncate")]
    fn stdio_is_a_stream() {
        use crate::wasi::filestat::{fd_fdstat_set_flags, fd_filestat_set_size, fd_filestat_set_times};
        use std::os::fd::AsRawFd;
        let t = TempDir::new("stdio");
        let p = t.path().join("log");
        std::fs::write(&p, b"old\n").unwrap();
        let log = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        let mtime = std::fs::metadata(&p).unwrap().modified().unwrap();
        let mut ctx = WasiCtx::new(vec![], vec![]);
        ctx.get_mut(1).unwrap().handle = Handle::Stdio(log.as_raw_fd());
        let mut m = vec![0u8; 64];
        let other = add_file(&mut ctx, std::fs::File::open(t.path()).unwrap());
        // Renumbered away from 1: still refused.
        fd_renumber(&mut ctx, 1, other).unwrap();
        assert_eq!(fd_seek(&mut ctx, &mut m, other, 0, WHENCE_SET, 0), Err(Errno::SPIPE));
        assert_eq!(fd_tell(&mut ctx, &mut m, other, 0), Err(Errno::SPIPE));
        assert_eq!(fd_pwrite(&mut ctx, &mut m, other, 0, 0, 0, 8), Err(Errno::SPIPE));
        assert_eq!(fd_pread(&mut ctx, &mut m, other, 0, 0, 0, 8), Err(Errno::SPIPE));
        assert_eq!(fd_allocate(&mut ctx, other, 0, 100), Err(Errno::SPIPE));
        assert_eq!(fd_fdstat_set_flags(&mut ctx, other, 0), Err(Errno::NOTSUP));
        assert_eq!(fd_filestat_set_size(&mut ctx, other, 0), Err(Errno::NOTSUP));
        assert_eq!(fd_filestat_set_times(&mut ctx, other, 0, 0, 1 | 4), Err(Errno::NOTSUP));
        // SAFETY: `F_GETFL` takes no third argument and touches no memory.
        let fl = unsafe { libc::fcntl(log.as_raw_fd(), libc::F_GETFL) };
        assert_ne!(fl & libc::O_APPEND, 0, "O_APPEND was cleared");
        assert_eq!(std::fs::read(&p).unwrap(), b"old\n");
        assert_eq!(std::fs::metadata(&p).unwrap().modified().unwrap(), mtime);
        // A file renumbered onto stderr is not a stream.
        let f = add_file(&mut ctx, std::fs::File::open(&p).unwrap());
        fd_renumber(&mut ctx, f, 2).unwrap();
        fd_seek(&mut ctx, &mut m, 2, 1, WHENCE_SET, 0).unwrap();
        assert_eq!(read_u64(&m, 0), Ok(1));
    }
}
