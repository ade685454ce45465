//! Granting host directories to the guest (preopens), grants nested in
//! other grants included.
//!
//! A grant's host path is opened by the kernel, following symlinks, which
//! is right for the components the user chose (`/home` may be a link)
//! but not for components inside another grant: the guest of an earlier
//! run may have replaced `sandbox/sub` with a symlink to `/`, and a plain
//! `open("sandbox/sub")` would hand it the whole file system. So a grant
//! whose host path lies beneath another grant's (as written, or beneath
//! that grant's real path) is opened from the outer grant's directory fd
//! with the sandbox resolver: a symlink inside is followed only while it
//! stays inside the outer grant, exactly as for the guest's own paths.
//! Whatever order the grants come in, the outermost one decides.

use super::{resolve, FdEntry, Handle, WasiCtx};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

/// A granted directory, kept while grants are being added.
#[derive(Debug)]
pub(crate) struct Grant {
    /// The guest fd it was given.
    fd: u32,
    /// Its host path made absolute, `.` and `..` removed lexically.
    path: PathBuf,
    /// Its real path (symlinks resolved) when it was opened.
    real: Option<PathBuf>,
}

impl WasiCtx {
    /// Grant a host directory to the guest under `guest_path` (a preopen).
    /// Preopens get the lowest free fds, i.e. 3, 4, ... when called before
    /// the guest runs. Returns Err if `host_path` is not an openable
    /// directory, or if it is nested in another grant and leaves it.
    pub fn preopen_dir(&mut self, host_path: &Path, guest_path: &str) -> io::Result<()> {
        let path = absolute(host_path)?;
        let dir = match self.outer_grant(&path) {
            Some((outer, rest)) => self.open_beneath(outer, &rest)?,
            None => open_dir(&path)?,
        };
        let real = real_path(&dir);
        let fd = self
            .insert(FdEntry {
                handle: Handle::Owned(dir),
                is_dir: true,
                preopen: Some(guest_path.to_string()),
                rights_base: super::rights::ALL,
                rights_inheriting: super::rights::ALL,
                dir_cache: None,
            })
            .map_err(|_| io::Error::from_raw_os_error(libc::EMFILE))?;
        self.grants.push(Grant { fd, path, real });
        // Grants opened earlier that lie beneath this one are opened again
        // through it: the kernel may have followed a symlink inside it.
        for i in 0..self.grants.len() - 1 {
            let Some((outer, rest)) = self.outer_grant_of(i) else { continue };
            let dir = self.open_beneath(outer, &rest)?;
            self.grants[i].real = real_path(&dir);
            if let Some(entry) = self.fds[self.grants[i].fd as usize].as_mut() {
                entry.handle = Handle::Owned(dir);
            }
        }
        Ok(())
    }

    /// The outermost grant strictly containing `path`, and the rest of
    /// `path` below it.
    fn outer_grant(&self, path: &Path) -> Option<(usize, PathBuf)> {
        self.grants
            .iter()
            .enumerate()
            .filter_map(|(i, g)| {
                [Some(&g.path), g.real.as_ref()]
                    .into_iter()
                    .flatten()
                    .filter_map(|base| path.strip_prefix(base).ok())
                    .find(|rest| !rest.as_os_str().is_empty())
                    .map(|rest| (i, rest.to_path_buf()))
            })
            .max_by_key(|(_, rest)| rest.components().count())
    }

    fn outer_grant_of(&self, i: usize) -> Option<(usize, PathBuf)> {
        let found = self.outer_grant(&self.grants[i].path.clone());
        found.filter(|(outer, _)| *outer != i)
    }

    /// Open `rest` beneath grant `outer`'s directory, never leaving it.
    fn open_beneath(&self, outer: usize, rest: &Path) -> io::Result<OwnedFd> {
        let g = &self.grants[outer];
        let base = self.fds[g.fd as usize].as_ref().ok_or_else(|| io::Error::from_raw_os_error(libc::EBADF))?;
        let leaves = || {
            io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("it is inside the granted directory `{}` and leads out of it", g.path.display()),
            )
        };
        let rest = rest.to_str().ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
        let r = resolve::resolve(base.raw(), rest, true).map_err(|_| leaves())?;
        let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        // SAFETY: `r.name` is a NUL-terminated string owned by `r`, alive
        // across the call, which only reads it; without `O_CREAT` no mode
        // argument is read.
        let raw = unsafe { libc::openat(r.dirfd(), r.name.as_ptr(), flags) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` >= 0 was just returned by `openat`, so it is an open
        // fd that nothing else owns or will close.
        Ok(unsafe { OwnedFd::from_raw_fd(raw) })
    }
}

/// `p` made absolute against the working directory, with `.` dropped and
/// `..` removing the component before it (lexically, like a shell's `cd`).
fn absolute(p: &Path) -> io::Result<PathBuf> {
    let mut out = if p.is_absolute() { PathBuf::from("/") } else { std::env::current_dir()? };
    for c in p.components() {
        match c {
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
        }
    }
    Ok(out)
}

/// Where an open directory is, as the kernel names it.
fn real_path(dir: &OwnedFd) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/self/fd/{}", dir.as_raw_fd())).ok()
}

fn open_dir(path: &Path) -> io::Result<OwnedFd> {
    use std::os::unix::ffi::OsStrExt;
    let c =
        std::ffi::CString::new(path.as_os_str().as_bytes()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;
    // SAFETY: `c` is a NUL-terminated string alive across the call, which
    // only reads it; without `O_CREAT` no mode argument is read.
    let raw = unsafe { libc::open(c.as_ptr(), flags) };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `raw` >= 0 was just returned by `open`, so it is an open fd
    // that nothing else owns or will close.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::resolve::tests::TempDir;
    use std::os::unix::fs::symlink;

    fn landed(ctx: &WasiCtx, fd: usize) -> PathBuf {
        std::fs::read_link(format!("/proc/self/fd/{}", ctx.fds[fd].as_ref().unwrap().raw())).unwrap()
    }

    #[test]
    fn lexical_absolute_paths() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(absolute(Path::new("/a/./b/../c/")).unwrap(), Path::new("/a/c"));
        assert_eq!(absolute(Path::new("x/y")).unwrap(), cwd.join("x/y"));
        assert_eq!(absolute(Path::new("/..")).unwrap(), Path::new("/"));
    }

    /// The two-run attack: the guest replaced `sandbox/sub` with a symlink
    /// to a directory outside; granting `sandbox/sub` again must not open it.
    #[test]
    #[cfg_attr(miri, ignore = "Miri has no openat with O_DIRECTORY")]
    fn nested_grant_through_outward_symlink_is_refused_in_either_order() {
        let t = TempDir::new("nested-grant");
        let (sandbox, outside) = (t.path().join("sandbox"), t.path().join("outside"));
        std::fs::create_dir_all(&sandbox).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        symlink(&outside, sandbox.join("sub")).unwrap();
        let mut ctx = WasiCtx::default();
        ctx.preopen_dir(&sandbox, "/s").unwrap();
        let e = ctx.preopen_dir(&sandbox.join("sub"), "/sub").unwrap_err();
        assert!(e.to_string().contains("leads out of it"), "{e}");
        // Inner first: opened by the kernel, then refused once the outer
        // grant shows it is nested.
        let mut ctx = WasiCtx::default();
        ctx.preopen_dir(&sandbox.join("sub"), "/sub").unwrap();
        assert!(ctx.preopen_dir(&sandbox, "/s").is_err());
        // Through the outer grant's real path as well.
        let link = t.path().join("link");
        symlink(&sandbox, &link).unwrap();
        let mut ctx = WasiCtx::default();
        ctx.preopen_dir(&link, "/s").unwrap();
        assert!(ctx.preopen_dir(&sandbox.join("sub"), "/sub").is_err());
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri has no openat with O_DIRECTORY")]
    fn nested_grants_inside_are_opened() {
        let t = TempDir::new("nested-ok");
        let sandbox = t.path().join("sandbox");
        std::fs::create_dir_all(sandbox.join("a/b")).unwrap();
        symlink("a", sandbox.join("to-a")).unwrap();
        let mut ctx = WasiCtx::default();
        ctx.preopen_dir(&sandbox.join("to-a/b"), "/b").unwrap();
        ctx.preopen_dir(&sandbox, "/s").unwrap();
        ctx.preopen_dir(&sandbox.join("a/./b/.."), "/a").unwrap();
        assert_eq!(landed(&ctx, 3), sandbox.join("a/b").canonicalize().unwrap());
        assert_eq!(landed(&ctx, 5), sandbox.join("a").canonicalize().unwrap());
    }
}
