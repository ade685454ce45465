//! Sandboxed path resolution (the rule is described in `mod.rs`).
//!
//! [`resolve`] walks a guest path beneath a directory fd one component at
//! a time and returns the directory that contains the final component plus
//! that component's name. Intermediate directories are opened with
//! `O_PATH | O_DIRECTORY | O_NOFOLLOW`, so the kernel never follows a
//! symlink on our behalf: symlinks are read with `readlinkat` and their
//! targets spliced into the remaining path. `..` pops a directory we opened
//! ourselves; popping past the starting directory, an absolute path and an
//! absolute symlink target all fail with `NOTCAPABLE`. The caller then does
//! its operation with the `*at` call relative to [`Resolved::dirfd`] and
//! never follows the final component (the resolver already did, if asked).

use super::errno::{cvt, Errno, WasiResult};
use std::collections::VecDeque;
use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Symlink expansions allowed in one resolution (Linux's limit).
const MAX_SYMLINKS: u32 = 40;

/// A resolved path: directory + final component.
#[derive(Debug)]
pub(crate) struct Resolved {
    base: RawFd,
    /// The directory we opened while walking, if the final component is not
    /// directly in `base`.
    dir: Option<OwnedFd>,
    /// The final component: a plain name, or "." for the directory itself.
    pub name: CString,
    /// The path ended with '/' (or resolved through a symlink that did): the
    /// final component must be a directory.
    pub must_be_dir: bool,
}

impl Resolved {
    pub fn dirfd(&self) -> RawFd {
        self.dir.as_ref().map_or(self.base, |d| d.as_raw_fd())
    }

    /// The name to hand to calls that never follow a final symlink even
    /// with a trailing slash (`mkdirat`, `unlinkat`, `renameat`,
    /// `symlinkat`, `linkat` without `AT_SYMLINK_FOLLOW`): with the slash
    /// kept, so the kernel applies its own trailing-slash rules.
    pub fn nofollow_name(&self) -> CString {
        if self.must_be_dir && self.name.as_bytes() != b"." {
            let mut v = self.name.as_bytes().to_vec();
            v.push(b'/');
            CString::new(v).expect("no NUL in a path component")
        } else {
            self.name.clone()
        }
    }

    /// `fstatat` of the final component without following it.
    pub fn lstat(&self) -> WasiResult<libc::stat> {
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        cvt(|| unsafe { libc::fstatat(self.dirfd(), self.name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) })?;
        Ok(st)
    }

    /// If the path had a trailing slash, fail with `NOTDIR` unless the final
    /// component is a directory.
    pub fn check_dir(&self) -> WasiResult<()> {
        if self.must_be_dir && (self.lstat()?.st_mode & libc::S_IFMT) != libc::S_IFDIR {
            return Err(Errno::NOTDIR);
        }
        Ok(())
    }
}

/// Read a symlink relative to `dir`. Any error (not a link, missing, ...)
/// is returned as is.
pub(crate) fn readlinkat(dir: RawFd, name: &CStr) -> WasiResult<Vec<u8>> {
    let mut buf = vec![0u8; 256];
    loop {
        let n = cvt(|| unsafe { libc::readlinkat(dir, name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) })?;
        let n = n as usize;
        if n < buf.len() {
            buf.truncate(n);
            return Ok(buf);
        }
        if buf.len() >= 1 << 20 {
            return Err(Errno::NAMETOOLONG);
        }
        buf.resize(buf.len() * 2, 0);
    }
}

fn open_dir_nofollow(dir: RawFd, name: &CStr) -> WasiResult<OwnedFd> {
    let flags = libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    let fd = cvt(|| unsafe { libc::openat(dir, name.as_ptr(), flags) })?;
    // SAFETY: freshly opened, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Split `path` into components (empty ones dropped) and push them in
/// front of `pending`. Returns whether `path` ends with '/'.
fn splice(pending: &mut VecDeque<Vec<u8>>, path: &[u8]) -> WasiResult<bool> {
    if path.is_empty() {
        return Err(Errno::NOENT);
    }
    if path[0] == b'/' {
        return Err(Errno::NOTCAPABLE);
    }
    if path.contains(&0) {
        return Err(Errno::INVAL);
    }
    for comp in path.split(|&b| b == b'/').filter(|c| !c.is_empty()).rev() {
        pending.push_front(comp.to_vec());
    }
    Ok(path.ends_with(b"/"))
}

/// Resolve `path` beneath the directory `base`. With `follow`, a symlink
/// in the final position is followed too (also beneath `base`).
pub(crate) fn resolve(base: RawFd, path: &str, follow: bool) -> WasiResult<Resolved> {
    let mut pending = VecDeque::new();
    let mut must_be_dir = splice(&mut pending, path.as_bytes())?;
    let mut stack: Vec<OwnedFd> = Vec::new();
    let mut links = 0u32;
    let cur = |stack: &Vec<OwnedFd>| stack.last().map_or(base, |d| d.as_raw_fd());
    let dot = || CString::new(".").unwrap();
    loop {
        let Some(comp) = pending.pop_front() else {
            // The path named a directory we walked into (".", "a/..", ...).
            return Ok(Resolved { base, dir: stack.pop(), name: dot(), must_be_dir: true });
        };
        let last = pending.is_empty();
        match comp.as_slice() {
            b"." => continue,
            b".." => {
                if stack.pop().is_none() {
                    return Err(Errno::NOTCAPABLE);
                }
                continue;
            }
            _ => {}
        }
        let name = CString::new(comp).map_err(|_| Errno::INVAL)?;
        if last {
            if follow {
                if let Ok(target) = readlinkat(cur(&stack), &name) {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(Errno::LOOP);
                    }
                    must_be_dir |= splice(&mut pending, &target)?;
                    continue;
                }
            }
            return Ok(Resolved { base, dir: stack.pop(), name, must_be_dir });
        }
        match open_dir_nofollow(cur(&stack), &name) {
            Ok(fd) => stack.push(fd),
            Err(e @ (Errno::NOTDIR | Errno::LOOP)) => match readlinkat(cur(&stack), &name) {
                Ok(target) => {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(Errno::LOOP);
                    }
                    splice(&mut pending, &target)?;
                }
                Err(_) => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::path::{Path, PathBuf};

    /// A fresh directory under the system temp dir, removed on drop.
    pub struct TempDir(pub PathBuf);
    impl TempDir {
        pub fn new(tag: &str) -> TempDir {
            static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let p = std::env::temp_dir().join(format!("wasmc-wasi-{tag}-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            TempDir(p)
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    pub fn open_dir(p: &Path) -> OwnedFd {
        std::fs::File::open(p).unwrap().into()
    }

    /// The host path a resolution landed on.
    fn landed(r: &Resolved) -> PathBuf {
        let dir = std::fs::read_link(format!("/proc/self/fd/{}", r.dirfd())).unwrap();
        dir.join(r.name.to_str().unwrap())
    }

    #[test]
    fn refuses_escapes() {
        let t = TempDir::new("resolve");
        let outside = TempDir::new("outside");
        std::fs::write(outside.path().join("secret"), b"x").unwrap();
        let root = t.path().join("root");
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/file"), b"").unwrap();
        symlink(outside.path(), root.join("out_abs")).unwrap();
        symlink("../../..", root.join("a/b/up3")).unwrap();
        symlink("../..", root.join("a/b/up2")).unwrap();
        symlink("b/up2", root.join("a/chain")).unwrap();
        symlink("loop", root.join("loop")).unwrap();
        symlink("file", root.join("a/flink")).unwrap();
        let d = open_dir(&root);
        let base = d.as_raw_fd();
        let nc = Err(Errno::NOTCAPABLE);

        for follow in [false, true] {
            assert_eq!(resolve(base, "../x", follow).map(|_| ()), nc);
            assert_eq!(resolve(base, "..", follow).map(|_| ()), nc);
            assert_eq!(resolve(base, "a/../../x", follow).map(|_| ()), nc);
            assert_eq!(resolve(base, "/etc/passwd", follow).map(|_| ()), nc);
            assert_eq!(resolve(base, "out_abs/secret", follow).map(|_| ()), nc);
            assert_eq!(resolve(base, "a/b/up3/x", follow).map(|_| ()), nc);
            assert_eq!(resolve(base, "a/chain/../x", follow).map(|_| ()), nc);
            assert_eq!(resolve(base, "", follow).map(|_| ()), Err(Errno::NOENT));
            assert_eq!(resolve(base, "a/file/x", follow).map(|_| ()), Err(Errno::NOTDIR));
            assert_eq!(resolve(base, "loop/x", follow).map(|_| ()), Err(Errno::LOOP));
        }
        // A final symlink pointing out is fine as long as it is not followed.
        let r = resolve(base, "out_abs", false).unwrap();
        assert_eq!(landed(&r), root.join("out_abs"));
        assert_eq!(resolve(base, "out_abs", true).map(|_| ()), nc);
        assert_eq!(resolve(base, "a/b/up3", true).map(|_| ()), nc);
        // up2 from a/b lands exactly on the root: allowed.
        let r = resolve(base, "a/b/up2", true).unwrap();
        assert_eq!(r.name.as_bytes(), b".");
        assert_eq!(landed(&r), root.join("."));
        // Inside paths.
        let r = resolve(base, "a/b/../file", false).unwrap();
        assert_eq!(landed(&r), root.join("a/file"));
        let r = resolve(base, "./a//b/", false).unwrap();
        assert!(r.must_be_dir);
        assert_eq!(r.nofollow_name().as_bytes(), b"b/");
        assert_eq!(landed(&r), root.join("a/b"));
        let r = resolve(base, "a/chain/a/flink", true).unwrap();
        assert_eq!(landed(&r), root.join("a/file"));
        let r = resolve(base, "a/flink/", false).unwrap();
        assert_eq!(r.check_dir(), Err(Errno::NOTDIR));
        let r = resolve(base, ".", false).unwrap();
        assert_eq!(r.dirfd(), base);
        assert_eq!(resolve(base, "a/..", false).unwrap().dirfd(), base);
        // A subdirectory fd is its own root.
        let sub = open_dir(&root.join("a"));
        assert_eq!(resolve(sub.as_raw_fd(), "../a", false).map(|_| ()), nc);
        assert_eq!(resolve(sub.as_raw_fd(), "b/up2", true).map(|_| ()), nc);
    }
}
