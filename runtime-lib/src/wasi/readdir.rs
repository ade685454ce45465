//! `fd_readdir`.
//!
//! A read starting at cookie 0 takes a fresh snapshot of the directory
//! (through a new fd, so the guest fd's offset is untouched) and caches it
//! on the fd; later cookies index into that snapshot. The cookie of an
//! entry (`d_next`) is its index + 1. Entries are written back to back as
//! `dirent` (24 bytes: d_next u64, d_ino u64, d_namlen u32, d_type u8)
//! followed by the name; the last one is cut off at the end of the buffer,
//! which tells wasi-libc to call again with a bigger buffer.

use super::errno::{cvt, Errno, WasiResult};
use super::filestat::*;
use super::{mem, DirEntry, WasiCtx};
use std::ffi::CStr;
use std::os::fd::RawFd;

pub const DIRENT_SIZE: usize = 24;

fn dtype_to_filetype(dirfd: RawFd, d_type: u8, name: &CStr) -> u8 {
    match d_type {
        libc::DT_BLK => FILETYPE_BLOCK_DEVICE,
        libc::DT_CHR => FILETYPE_CHARACTER_DEVICE,
        libc::DT_DIR => FILETYPE_DIRECTORY,
        libc::DT_REG => FILETYPE_REGULAR_FILE,
        libc::DT_SOCK => FILETYPE_SOCKET_STREAM,
        libc::DT_LNK => FILETYPE_SYMBOLIC_LINK,
        libc::DT_UNKNOWN => {
            // SAFETY: `libc::stat` is plain integers, for which zero is valid.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            // SAFETY: `name` is NUL-terminated and alive across the call; `st`
            // is a live, writable `stat`, all `fstatat` writes.
            let r = unsafe { libc::fstatat(dirfd, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) };
            if r == 0 {
                filetype_from_mode(st.st_mode)
            } else {
                FILETYPE_UNKNOWN
            }
        }
        _ => FILETYPE_UNKNOWN,
    }
}

/// All entries of the directory open at `fd` (including "." and "..").
pub(crate) fn read_entries(fd: RawFd) -> WasiResult<Vec<DirEntry>> {
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;
    // SAFETY: `"."` is a NUL-terminated literal; without `O_CREAT` no mode
    // is read.
    let dup = cvt(|| unsafe { libc::openat(fd, c".".as_ptr(), flags) })?;
    // SAFETY: `dup` is an open directory fd that we own; on success the
    // stream takes it over (closed by `closedir` below).
    let dirp = unsafe { libc::fdopendir(dup) };
    if dirp.is_null() {
        let e = Errno::last_os();
        // SAFETY: `fdopendir` failed, so `dup` is still ours and open; it is
        // closed exactly once, here.
        unsafe { libc::close(dup) };
        return Err(e);
    }
    // SAFETY: `dirp` is a live stream from `fdopendir` (closed only below).
    let dfd = unsafe { libc::dirfd(dirp) };
    let mut out = Vec::new();
    let result = loop {
        // SAFETY: `__errno_location` returns this thread's errno, always a
        // valid, writable `c_int`. Cleared so that end-of-directory (null,
        // errno 0) is told apart from an error.
        unsafe { *libc::__errno_location() = 0 };
        // SAFETY: `dirp` is a live stream, used by this thread only.
        let ent = unsafe { libc::readdir(dirp) };
        if ent.is_null() {
            // SAFETY: as above, this thread's errno.
            let code = unsafe { *libc::__errno_location() };
            break if code == 0 { Ok(()) } else { Err(Errno::from_host(code)) };
        }
        // SAFETY: a non-null `readdir` result points to a valid, aligned
        // `dirent` that stays valid until the next `readdir`/`closedir` on
        // `dirp`; `ent` and `name` are used only in this iteration, before
        // either happens (`name` is copied into `out`).
        let ent = unsafe { &*ent };
        // SAFETY: `d_name` is NUL-terminated within the `dirent` `readdir`
        // returned, valid as long as `ent` (see above).
        let name = unsafe { CStr::from_ptr(ent.d_name.as_ptr()) };
        out.push(DirEntry {
            ino: ent.d_ino as u64,
            filetype: dtype_to_filetype(dfd, ent.d_type, name),
            name: name.to_bytes().to_vec(),
        });
    };
    // SAFETY: `dirp` is live and closed exactly once; no `dirent` from it
    // is used afterwards.
    unsafe { libc::closedir(dirp) };
    result.map(|()| out)
}

/// Serialise entries starting at index `cookie` into `out`; returns the
/// number of bytes used.
pub(crate) fn write_entries(entries: &[DirEntry], cookie: u64, out: &mut [u8]) -> usize {
    let mut used = 0;
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, ent) in entries.iter().enumerate().skip(start) {
        let mut rec = Vec::with_capacity(DIRENT_SIZE + ent.name.len());
        rec.extend_from_slice(&(i as u64 + 1).to_le_bytes());
        rec.extend_from_slice(&ent.ino.to_le_bytes());
        rec.extend_from_slice(&(ent.name.len() as u32).to_le_bytes());
        rec.extend_from_slice(&[ent.filetype, 0, 0, 0]);
        rec.extend_from_slice(&ent.name);
        let n = rec.len().min(out.len() - used);
        out[used..used + n].copy_from_slice(&rec[..n]);
        used += n;
        if n < rec.len() {
            break;
        }
    }
    used
}

pub fn fd_readdir(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    buf: u32,
    buf_len: u32,
    cookie: u64,
    bufused: u32,
) -> WasiResult<()> {
    let e = ctx.get_mut(fd)?;
    if !e.is_dir {
        return Err(Errno::NOTDIR);
    }
    mem::range(mem.len(), buf, buf_len)?;
    mem::check_out(mem, bufused, 4)?;
    if cookie == 0 || e.dir_cache.is_none() {
        e.dir_cache = Some(read_entries(e.raw())?);
    }
    let entries = e.dir_cache.as_deref().unwrap_or(&[]);
    let used = write_entries(entries, cookie, mem::slice_mut(mem, buf, buf_len)?);
    mem::write_u32(mem, bufused, used as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::mem::{read_u32, read_u64};
    use crate::wasi::resolve::tests::TempDir;

    /// Parse a readdir buffer into (cookie, name, type) records.
    fn parse(buf: &[u8]) -> Vec<(u64, String, u8)> {
        let mut v = Vec::new();
        let mut at = 0;
        while at + DIRENT_SIZE <= buf.len() {
            let next = read_u64(buf, at as u32).unwrap();
            let len = read_u32(buf, at as u32 + 16).unwrap() as usize;
            if at + DIRENT_SIZE + len > buf.len() {
                break;
            }
            let name = String::from_utf8(buf[at + DIRENT_SIZE..at + DIRENT_SIZE + len].to_vec()).unwrap();
            v.push((next, name, buf[at + 20]));
            at += DIRENT_SIZE + len;
        }
        v
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri rejects open with O_DIRECTORY and does not emulate openat/fdopendir")]
    fn readdir_with_cookies() {
        let t = TempDir::new("readdir");
        std::fs::write(t.path().join("file"), b"x").unwrap();
        std::fs::create_dir(t.path().join("sub")).unwrap();
        std::os::unix::fs::symlink("file", t.path().join("link")).unwrap();
        let mut ctx = WasiCtx::new(vec![], vec![]);
        ctx.preopen_dir(t.path(), ".").unwrap();
        let mut m = vec![0u8; 4096];
        fd_readdir(&mut ctx, &mut m, 3, 0, 4000, 0, 4000).unwrap();
        let used = read_u32(&m, 4000).unwrap() as usize;
        let all = parse(&m[..used]);
        let mut names: Vec<_> = all.iter().map(|(_, n, t)| (n.clone(), *t)).collect();
        names.sort();
        assert_eq!(
            names,
            vec![
                (".".into(), FILETYPE_DIRECTORY),
                ("..".into(), FILETYPE_DIRECTORY),
                ("file".into(), FILETYPE_REGULAR_FILE),
                ("link".into(), FILETYPE_SYMBOLIC_LINK),
                ("sub".into(), FILETYPE_DIRECTORY),
            ]
        );
        // Resume after the second entry.
        let cookie = all[1].0;
        fd_readdir(&mut ctx, &mut m, 3, 0, 4000, cookie, 4000).unwrap();
        let used = read_u32(&m, 4000).unwrap() as usize;
        assert_eq!(parse(&m[..used]), all[2..].to_vec());
        // A small buffer is filled completely, the last entry truncated.
        fd_readdir(&mut ctx, &mut m, 3, 0, 30, 0, 4000).unwrap();
        assert_eq!(read_u32(&m, 4000), Ok(30));
        // Past the end: nothing.
        fd_readdir(&mut ctx, &mut m, 3, 0, 4000, 99, 4000).unwrap();
        assert_eq!(read_u32(&m, 4000), Ok(0));
        assert_eq!(fd_readdir(&mut ctx, &mut m, 3, 4090, 10, 0, 0), Err(Errno::FAULT));
        assert_eq!(fd_readdir(&mut ctx, &mut m, 1, 0, 10, 0, 100), Err(Errno::NOTDIR));
    }
}
