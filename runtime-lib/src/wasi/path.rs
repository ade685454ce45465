//! Path operations: `path_open`, `path_create_directory`,
//! `path_remove_directory`, `path_unlink_file`, `path_rename`,
//! `path_symlink`, `path_readlink`, `path_filestat_get`,
//! `path_filestat_set_times`, `path_link`.
//!
//! Every path is resolved beneath its directory fd by `resolve.rs`; the
//! operation itself is then a `*at` call on (directory, final name) that
//! does not follow a final symlink.

use super::errno::{cvt, Errno, WasiResult};
use super::filestat::{self, fdflags_to_host};
use super::resolve::{readlinkat, resolve, Resolved};
use super::{mem, rights, FdEntry, Handle, WasiCtx};
use std::ffi::CString;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// Preview1 `lookupflags`.
const LOOKUP_SYMLINK_FOLLOW: u32 = 1;
/// Preview1 `oflags`.
const OFLAGS_CREAT: u32 = 1;
const OFLAGS_DIRECTORY: u32 = 2;
const OFLAGS_EXCL: u32 = 4;
const OFLAGS_TRUNC: u32 = 8;

/// Rights that need the file open for reading / writing.
const READ_RIGHTS: u64 = rights::FD_READ | rights::FD_READDIR;
const WRITE_RIGHTS: u64 = rights::FD_WRITE | rights::FD_DATASYNC | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE;

/// How many times `path_open` re-resolves when the final component turns
/// into a symlink between resolution and `openat`.
const OPEN_RETRIES: u32 = 8;

fn follow(flags: u32) -> bool {
    flags & LOOKUP_SYMLINK_FOLLOW != 0
}

/// Resolve a guest path (read from memory) beneath guest directory fd `fd`.
fn resolve_at(ctx: &WasiCtx, mem: &[u8], fd: u32, ptr: u32, len: u32, follow: bool) -> WasiResult<Resolved> {
    let dir = ctx.dir_fd(fd)?;
    let path = mem::read_path(mem, ptr, len)?;
    resolve(dir, path, follow)
}

#[allow(clippy::too_many_arguments)]
pub fn path_open(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    oflags: u32,
    rights_base: u64,
    rights_inheriting: u64,
    fdflags: u32,
    opened: u32,
) -> WasiResult<()> {
    let dir = ctx.dir_fd(fd)?;
    let inheriting = ctx.get(fd)?.rights_inheriting;
    let path = mem::read_path(mem, path, path_len)?.to_owned();
    mem::check_out(mem, opened, 4)?;
    if oflags & !(OFLAGS_CREAT | OFLAGS_DIRECTORY | OFLAGS_EXCL | OFLAGS_TRUNC) != 0 {
        return Err(Errno::INVAL);
    }
    let creat = oflags & OFLAGS_CREAT != 0;
    let excl = oflags & OFLAGS_EXCL != 0;
    let mut flags = libc::O_CLOEXEC | libc::O_NOFOLLOW | libc::O_NOCTTY | fdflags_to_host(fdflags)?;
    if creat {
        flags |= libc::O_CREAT;
    }
    if excl {
        flags |= libc::O_EXCL;
    }
    if oflags & OFLAGS_TRUNC != 0 {
        flags |= libc::O_TRUNC;
    }
    let read = rights_base & READ_RIGHTS != 0;
    let write = rights_base & WRITE_RIGHTS != 0;
    let mut directory = oflags & OFLAGS_DIRECTORY != 0;
    // O_CREAT|O_EXCL never follows a final symlink (POSIX).
    let follow = follow(dirflags) && !(creat && excl);

    let mut tries = 0;
    let raw = loop {
        let r = resolve(dir, &path, follow)?;
        if r.must_be_dir {
            if creat {
                return Err(Errno::ISDIR);
            }
            directory = true;
        }
        let mut fl = flags;
        fl |= if directory {
            libc::O_DIRECTORY | libc::O_RDONLY
        } else if write && read {
            libc::O_RDWR
        } else if write {
            libc::O_WRONLY
        } else {
            libc::O_RDONLY
        };
        // SAFETY: `r.name` is a NUL-terminated string owned by `r`, alive across
        // the call and only read; the mode is passed as the `c_uint` the variadic
        // `openat` reads when `O_CREAT` is set.
        match cvt(|| unsafe { libc::openat(r.dirfd(), r.name.as_ptr(), fl, 0o666 as libc::c_uint) }) {
            Ok(raw) => break raw,
            // The final component is a symlink that appeared after it was
            // resolved: resolve again (it is followed beneath `dir`).
            Err(Errno::LOOP) if follow && tries < OPEN_RETRIES && r.lstat().is_ok_and(is_symlink) => tries += 1,
            Err(e) => return Err(e),
        }
    };
    // SAFETY: freshly opened, owned by nobody else.
    // SAFETY: `raw` (not -1: `cvt`) was just returned by `openat`; nothing
    // else owns it, and it is closed only through `owned`.
    let owned = unsafe { OwnedFd::from_raw_fd(raw) };
    let st = filestat::fstat(raw)?;
    let new_fd = ctx.insert(FdEntry {
        handle: Handle::Owned(owned),
        is_dir: st.st_mode & libc::S_IFMT == libc::S_IFDIR,
        preopen: None,
        rights_base: rights_base & inheriting,
        rights_inheriting: rights_inheriting & inheriting,
        dir_cache: None,
    })?;
    mem::write_u32(mem, opened, new_fd)
}

fn is_symlink(st: libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFLNK
}

pub fn path_create_directory(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, path: u32, path_len: u32) -> WasiResult<()> {
    let r = resolve_at(ctx, mem, fd, path, path_len, false)?;
    let name = r.nofollow_name();
    // SAFETY: `name` is a NUL-terminated string alive across the call, only
    // read by the kernel.
    cvt(|| unsafe { libc::mkdirat(r.dirfd(), name.as_ptr(), 0o777) }).map(drop)
}

pub fn path_remove_directory(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, path: u32, path_len: u32) -> WasiResult<()> {
    let r = resolve_at(ctx, mem, fd, path, path_len, false)?;
    let name = r.nofollow_name();
    // SAFETY: `name` is a NUL-terminated string alive across the call, only
    // read by the kernel.
    cvt(|| unsafe { libc::unlinkat(r.dirfd(), name.as_ptr(), libc::AT_REMOVEDIR) }).map(drop)
}

pub fn path_unlink_file(ctx: &mut WasiCtx, mem: &mut [u8], fd: u32, path: u32, path_len: u32) -> WasiResult<()> {
    let r = resolve_at(ctx, mem, fd, path, path_len, false)?;
    let name = r.nofollow_name();
    // SAFETY: `name` is a NUL-terminated string alive across the call, only
    // read by the kernel.
    cvt(|| unsafe { libc::unlinkat(r.dirfd(), name.as_ptr(), 0) }).map(drop)
}

#[allow(clippy::too_many_arguments)]
pub fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> WasiResult<()> {
    let old = resolve_at(ctx, mem, fd, old_path, old_path_len, false)?;
    let new = resolve_at(ctx, mem, new_fd, new_path, new_path_len, false)?;
    let (on, nn) = (old.nofollow_name(), new.nofollow_name());
    // SAFETY: `on` and `nn` are NUL-terminated strings alive across the
    // call, only read by the kernel.
    cvt(|| unsafe { libc::renameat(old.dirfd(), on.as_ptr(), new.dirfd(), nn.as_ptr()) }).map(drop)
}

/// The link's target is stored as given: it is only text, and resolving it
/// later goes through the sandbox like any other path.
pub fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    old_path: u32,
    old_path_len: u32,
    fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> WasiResult<()> {
    let target = CString::new(mem::read_path(mem, old_path, old_path_len)?).map_err(|_| Errno::INVAL)?;
    let new = resolve_at(ctx, mem, fd, new_path, new_path_len, false)?;
    let name = new.nofollow_name();
    // SAFETY: `target` and `name` are NUL-terminated strings alive across
    // the call, only read by the kernel.
    cvt(|| unsafe { libc::symlinkat(target.as_ptr(), new.dirfd(), name.as_ptr()) }).map(drop)
}

/// Writes at most `buf_len` bytes of the target (silently truncated, like
/// POSIX `readlink`), no NUL.
#[allow(clippy::too_many_arguments)]
pub fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    path: u32,
    path_len: u32,
    buf: u32,
    buf_len: u32,
    bufused: u32,
) -> WasiResult<()> {
    let r = resolve_at(ctx, mem, fd, path, path_len, false)?;
    mem::range(mem.len(), buf, buf_len)?;
    mem::check_out(mem, bufused, 4)?;
    r.check_dir()?;
    let target = readlinkat(r.dirfd(), &r.name)?;
    let n = target.len().min(buf_len as usize);
    mem::write_bytes(mem, buf, &target[..n])?;
    mem::write_u32(mem, bufused, n as u32)
}

pub fn path_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    buf: u32,
) -> WasiResult<()> {
    let r = resolve_at(ctx, mem, fd, path, path_len, follow(flags))?;
    mem::check_out(mem, buf, filestat::FILESTAT_SIZE)?;
    let st = r.lstat()?;
    r.check_dir()?;
    filestat::write_filestat(mem, buf, &st, filestat::filetype_from_mode(st.st_mode))
}

#[allow(clippy::too_many_arguments)]
pub fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> WasiResult<()> {
    let times = filestat::utimens_times(atim, mtim, fst_flags)?;
    let r = resolve_at(ctx, mem, fd, path, path_len, follow(flags))?;
    r.check_dir()?;
    let dir: RawFd = r.dirfd();
    // SAFETY: `r.name` is NUL-terminated and `times` is a live array of the
    // two `timespec`s `utimensat` reads.
    cvt(|| unsafe { libc::utimensat(dir, r.name.as_ptr(), times.as_ptr(), libc::AT_SYMLINK_NOFOLLOW) }).map(drop)
}

#[allow(clippy::too_many_arguments)]
pub fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut [u8],
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> WasiResult<()> {
    let old = resolve_at(ctx, mem, old_fd, old_path, old_path_len, follow(old_flags))?;
    old.check_dir()?;
    let new = resolve_at(ctx, mem, new_fd, new_path, new_path_len, false)?;
    let nn = new.nofollow_name();
    // SAFETY: `old.name` and `nn` are NUL-terminated strings alive across
    // the call, only read by the kernel.
    cvt(|| unsafe { libc::linkat(old.dirfd(), old.name.as_ptr(), new.dirfd(), nn.as_ptr(), 0) }).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::mem::{read_u32, read_u64, write_bytes};
    use crate::wasi::resolve::tests::TempDir;

    /// Guest memory with `s` at offset 1000; returns (ptr, len).
    fn put(m: &mut [u8], at: u32, s: &str) -> (u32, u32) {
        write_bytes(m, at, s.as_bytes()).unwrap();
        (at, s.len() as u32)
    }

    const RW: u64 = rights::FD_READ | rights::FD_WRITE;

    fn open(ctx: &mut WasiCtx, m: &mut [u8], path: &str, dirflags: u32, oflags: u32, base: u64) -> WasiResult<u32> {
        let (p, l) = put(m, 1000, path);
        path_open(ctx, m, 3, dirflags, p, l, oflags, base, rights::ALL, 0, 900)?;
        Ok(read_u32(m, 900).unwrap())
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri rejects open with O_DIRECTORY and does not emulate openat/mkdirat/readlinkat")]
    fn path_ops_stay_inside() {
        let t = TempDir::new("pathops");
        let outside = TempDir::new("pathops-out");
        std::fs::write(outside.path().join("secret"), b"s").unwrap();
        let root = t.path();
        std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
        std::os::unix::fs::symlink("../", root.join("up")).unwrap();
        let mut ctx = WasiCtx::new(vec![], vec![]);
        ctx.preopen_dir(root, "/").unwrap();
        let mut m = vec![0u8; 2048];
        let nc = Errno::NOTCAPABLE;

        // Create, write through the table, reopen.
        let fd = open(&mut ctx, &mut m, "a.txt", 1, OFLAGS_CREAT | OFLAGS_EXCL, RW).unwrap();
        assert_eq!(fd, 4);
        assert_eq!(open(&mut ctx, &mut m, "a.txt", 1, OFLAGS_CREAT | OFLAGS_EXCL, RW), Err(Errno::EXIST));
        assert_eq!(open(&mut ctx, &mut m, "a.txt", 1, OFLAGS_DIRECTORY, 0), Err(Errno::NOTDIR));
        assert_eq!(open(&mut ctx, &mut m, "a.txt/", 1, 0, 0), Err(Errno::NOTDIR));
        assert_eq!(open(&mut ctx, &mut m, "new/", 1, OFLAGS_CREAT, RW), Err(Errno::ISDIR));
        assert_eq!(open(&mut ctx, &mut m, "a.txt", 1, 16, 0), Err(Errno::INVAL));
        // Escapes.
        assert_eq!(open(&mut ctx, &mut m, "../x", 1, OFLAGS_CREAT, RW), Err(nc));
        assert_eq!(open(&mut ctx, &mut m, "/etc/passwd", 1, 0, 0), Err(nc));
        assert_eq!(open(&mut ctx, &mut m, "out/secret", 1, 0, 0), Err(nc));
        assert_eq!(open(&mut ctx, &mut m, "out", 1, 0, 0), Err(nc));
        assert_eq!(open(&mut ctx, &mut m, "up/x", 1, OFLAGS_CREAT, RW), Err(nc));
        // Without follow, a final symlink is refused by O_NOFOLLOW.
        assert_eq!(open(&mut ctx, &mut m, "out", 0, 0, 0), Err(Errno::LOOP));
        // The directory itself.
        let dfd = open(&mut ctx, &mut m, ".", 1, OFLAGS_DIRECTORY, rights::FD_READDIR).unwrap();
        assert!(ctx.get(dfd).unwrap().is_dir);

        // mkdir / symlink / readlink / link / rename / unlink / rmdir.
        let (p, l) = put(&mut m, 1000, "d/");
        path_create_directory(&mut ctx, &mut m, 3, p, l).unwrap();
        let (p, l) = put(&mut m, 1000, "../d");
        assert_eq!(path_create_directory(&mut ctx, &mut m, 3, p, l), Err(nc));
        assert_eq!(path_create_directory(&mut ctx, &mut m, 3, 2047, 2), Err(Errno::FAULT));
        let (tp, tl) = put(&mut m, 1100, "../a.txt");
        let (p, l) = put(&mut m, 1000, "d/l");
        path_symlink(&mut ctx, &mut m, tp, tl, 3, p, l).unwrap();
        path_readlink(&mut ctx, &mut m, 3, p, l, 1200, 100, 1300).unwrap();
        assert_eq!(read_u32(&m, 1300), Ok(8));
        assert_eq!(&m[1200..1208], b"../a.txt");
        path_readlink(&mut ctx, &mut m, 3, p, l, 1200, 3, 1300).unwrap();
        assert_eq!(read_u32(&m, 1300), Ok(3));
        // Filestat through the link (follow) and of the link itself.
        path_filestat_get(&mut ctx, &mut m, 3, 1, p, l, 1400).unwrap();
        assert_eq!(m[1416], filestat::FILETYPE_REGULAR_FILE);
        path_filestat_get(&mut ctx, &mut m, 3, 0, p, l, 1400).unwrap();
        assert_eq!(m[1416], filestat::FILETYPE_SYMBOLIC_LINK);
        path_filestat_set_times(&mut ctx, &mut m, 3, 1, p, l, 7_000_000_000, 9_000_000_000, 1 | 4).unwrap();
        path_filestat_get(&mut ctx, &mut m, 3, 1, p, l, 1400).unwrap();
        assert_eq!((read_u64(&m, 1440), read_u64(&m, 1448)), (Ok(7_000_000_000), Ok(9_000_000_000)));
        let (p2, l2) = put(&mut m, 1100, "out/secret");
        assert_eq!(path_filestat_get(&mut ctx, &mut m, 3, 1, p2, l2, 1400), Err(nc));
        // Hard link then rename then unlink.
        let (op, ol) = put(&mut m, 1100, "a.txt");
        let (np, nl) = put(&mut m, 1000, "d/b.txt");
        path_link(&mut ctx, &mut m, 3, 0, op, ol, 3, np, nl).unwrap();
        assert!(root.join("d/b.txt").exists());
        let (rp, rl) = put(&mut m, 1200, "c.txt");
        path_rename(&mut ctx, &mut m, 3, np, nl, 3, rp, rl).unwrap();
        assert!(root.join("c.txt").exists());
        let (ep, el) = put(&mut m, 1000, "../c.txt");
        assert_eq!(path_rename(&mut ctx, &mut m, 3, rp, rl, 3, ep, el), Err(nc));
        path_unlink_file(&mut ctx, &mut m, 3, rp, rl).unwrap();
        let (p, l) = put(&mut m, 1000, "d");
        assert_eq!(path_remove_directory(&mut ctx, &mut m, 3, p, l), Err(Errno::NOTEMPTY));
        let (lp, ll) = put(&mut m, 1000, "d/l");
        path_unlink_file(&mut ctx, &mut m, 3, lp, ll).unwrap();
        let (p, l) = put(&mut m, 1000, "d");
        assert_eq!(path_unlink_file(&mut ctx, &mut m, 3, p, l), Err(Errno::ISDIR));
        path_remove_directory(&mut ctx, &mut m, 3, p, l).unwrap();
        assert!(!root.join("d").exists());
        // Path ops on a non-directory fd.
        assert_eq!(path_create_directory(&mut ctx, &mut m, fd, p, l), Err(Errno::NOTDIR));
        assert_eq!(path_create_directory(&mut ctx, &mut m, 1, p, l), Err(Errno::NOTDIR));
        assert_eq!(path_create_directory(&mut ctx, &mut m, 99, p, l), Err(Errno::BADF));
        // Nothing leaked outside.
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
        assert!(!t.path().parent().unwrap().join("x").exists());
    }
}
