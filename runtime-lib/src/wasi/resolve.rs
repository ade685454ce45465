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

/// Linux's `PATH_MAX`, NUL included: a guest path or symlink target of this
/// many bytes or more is `NAMETOOLONG`, and so is a walk whose unresolved
/// rest (targets spliced in) grows past it. This bounds the resolver's
/// memory: each component is held separately, so a 16 MiB path of "./"
/// would otherwise cost hundreds of MB.
pub(crate) const PATH_MAX: usize = 4096;

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
        // SAFETY: `libc::stat` is plain integers, for which zero is valid.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `name` is a NUL-terminated string owned by `self`, `st` a
        // live, writable `stat`; `fstatat` writes only `st`.
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
/// is returned as is; a target of `PATH_MAX` bytes or more (which Linux
/// does not create) is `NAMETOOLONG`.
pub(crate) fn readlinkat(dir: RawFd, name: &CStr) -> WasiResult<Vec<u8>> {
    let mut buf = vec![0u8; PATH_MAX];
    // SAFETY: `name` is NUL-terminated; `readlinkat` writes at most
    // `buf.len()` bytes into `buf`, which is live and that long.
    let n = cvt(|| unsafe { libc::readlinkat(dir, name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) })? as usize;
    if n >= PATH_MAX {
        return Err(Errno::NAMETOOLONG);
    }
    buf.truncate(n);
    Ok(buf)
}

fn open_dir_nofollow(dir: RawFd, name: &CStr) -> WasiResult<OwnedFd> {
    let flags = libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: `name` is NUL-terminated and only read; without `O_CREAT` no
    // mode argument is read.
    let fd = cvt(|| unsafe { libc::openat(dir, name.as_ptr(), flags) })?;
    // SAFETY: `fd` (not -1: `cvt`) was just opened; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Split `path` into components (empty ones dropped) and push them in
/// front of `pending`. Returns whether `path` ends with '/'.
/// `NAMETOOLONG`, before allocating, if `path` is `PATH_MAX` bytes or more
/// or the result would stand for more than `PATH_MAX` bytes.
fn splice(pending: &mut VecDeque<Vec<u8>>, path: &[u8]) -> WasiResult<bool> {
    if path.is_empty() {
        return Err(Errno::NOENT);
    }
    // Each component counts with one separator.
    let rest: usize = pending.iter().map(|c| c.len() + 1).sum();
    if path.len() >= PATH_MAX || rest + path.len() > PATH_MAX {
        return Err(Errno::NAMETOOLONG);
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

/// The directory operations the walk needs, so that its logic can be
/// tested without a file system (and under Miri, which has no `openat`).
/// `None` as a directory means the starting one.
trait Dirs {
    type Dir;
    /// Open `name` in `parent` as a directory, never following a symlink:
    /// `NOTDIR` or `LOOP` if it is not a directory (a symlink, say).
    fn open_dir(&mut self, parent: Option<&Self::Dir>, name: &CStr) -> WasiResult<Self::Dir>;
    /// The target of the symlink `name` in `parent`; an error if it is none.
    fn read_link(&mut self, parent: Option<&Self::Dir>, name: &CStr) -> WasiResult<Vec<u8>>;
}

/// The host file system beneath the fd `base`.
struct HostDirs {
    base: RawFd,
}

impl HostDirs {
    fn fd(&self, d: Option<&OwnedFd>) -> RawFd {
        d.map_or(self.base, |d| d.as_raw_fd())
    }
}

impl Dirs for HostDirs {
    type Dir = OwnedFd;
    fn open_dir(&mut self, parent: Option<&OwnedFd>, name: &CStr) -> WasiResult<OwnedFd> {
        open_dir_nofollow(self.fd(parent), name)
    }
    fn read_link(&mut self, parent: Option<&OwnedFd>, name: &CStr) -> WasiResult<Vec<u8>> {
        readlinkat(self.fd(parent), name)
    }
}

/// Where a walk ended: the directory holding the final component (`None`:
/// the starting one), that component, and whether it must be a directory.
struct Walked<D> {
    dir: Option<D>,
    name: CString,
    must_be_dir: bool,
}

/// Resolve `path` beneath the directory `base`. With `follow`, a symlink
/// in the final position is followed too (also beneath `base`).
pub(crate) fn resolve(base: RawFd, path: &str, follow: bool) -> WasiResult<Resolved> {
    let w = walk(&mut HostDirs { base }, path, follow)?;
    Ok(Resolved { base, dir: w.dir, name: w.name, must_be_dir: w.must_be_dir })
}

/// The walk behind [`resolve`], over any [`Dirs`].
fn walk<F: Dirs>(fs: &mut F, path: &str, follow: bool) -> WasiResult<Walked<F::Dir>> {
    let mut pending = VecDeque::new();
    let mut must_be_dir = splice(&mut pending, path.as_bytes())?;
    let mut stack: Vec<F::Dir> = Vec::new();
    let mut links = 0u32;
    let dot = || CString::new(".").unwrap();
    loop {
        let Some(comp) = pending.pop_front() else {
            // The path named a directory we walked into (".", "a/..", ...).
            return Ok(Walked { dir: stack.pop(), name: dot(), must_be_dir: true });
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
                if let Ok(target) = fs.read_link(stack.last(), &name) {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(Errno::LOOP);
                    }
                    must_be_dir |= splice(&mut pending, &target)?;
                    continue;
                }
            }
            return Ok(Walked { dir: stack.pop(), name, must_be_dir });
        }
        match fs.open_dir(stack.last(), &name) {
            Ok(fd) => stack.push(fd),
            Err(e @ (Errno::NOTDIR | Errno::LOOP)) => match fs.read_link(stack.last(), &name) {
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
    #[cfg_attr(miri, ignore = "needs openat/readlinkat/fstatat and /proc/self/fd, which Miri does not emulate")]
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

    /// An in-memory tree for testing the walk without syscalls (so also
    /// under Miri). Directories are node indices; each node knows its path.
    struct FakeFs {
        nodes: Vec<(String, Node)>,
        /// The starting directory (the fd the path is relative to).
        base: usize,
    }

    enum Node {
        Dir(std::collections::BTreeMap<Vec<u8>, usize>),
        File,
        Link(Vec<u8>),
    }

    impl FakeFs {
        fn new() -> FakeFs {
            FakeFs { nodes: vec![(String::new(), Node::Dir(Default::default()))], base: 0 }
        }
        /// Add `path` (its parent must exist, reached without symlinks).
        fn add(&mut self, path: &str, node: Node) -> usize {
            let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
            let p = if parent.is_empty() { 0 } else { self.lookup(parent) };
            let i = self.nodes.len();
            self.nodes.push((path.to_string(), node));
            match &mut self.nodes[p].1 {
                Node::Dir(children) => children.insert(name.as_bytes().to_vec(), i),
                _ => panic!("{parent} is not a directory"),
            };
            i
        }
        fn dir(&mut self, path: &str) -> usize {
            self.add(path, Node::Dir(Default::default()))
        }
        fn file(&mut self, path: &str) {
            self.add(path, Node::File);
        }
        fn link(&mut self, path: &str, target: &str) {
            self.add(path, Node::Link(target.as_bytes().to_vec()));
        }
        fn lookup(&self, path: &str) -> usize {
            self.nodes.iter().position(|(p, _)| p == path).unwrap()
        }
        fn child(&self, parent: Option<&usize>, name: &CStr) -> WasiResult<usize> {
            match &self.nodes[*parent.unwrap_or(&self.base)].1 {
                Node::Dir(children) => children.get(name.to_bytes()).copied().ok_or(Errno::NOENT),
                _ => Err(Errno::NOTDIR),
            }
        }
        /// Where a walk landed, as "dir/name" relative to the tree's root.
        fn landed(&self, w: &Walked<usize>) -> String {
            let dir = &self.nodes[w.dir.unwrap_or(self.base)].0;
            let name = w.name.to_str().unwrap();
            if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            }
        }
    }

    impl Dirs for FakeFs {
        type Dir = usize;
        fn open_dir(&mut self, parent: Option<&usize>, name: &CStr) -> WasiResult<usize> {
            let c = self.child(parent, name)?;
            match self.nodes[c].1 {
                Node::Dir(_) => Ok(c),
                // `O_NOFOLLOW` on a symlink.
                Node::Link(_) => Err(Errno::LOOP),
                Node::File => Err(Errno::NOTDIR),
            }
        }
        fn read_link(&mut self, parent: Option<&usize>, name: &CStr) -> WasiResult<Vec<u8>> {
            let c = self.child(parent, name)?;
            match &self.nodes[c].1 {
                Node::Link(target) => Ok(target.clone()),
                _ => Err(Errno::INVAL),
            }
        }
    }

    /// The walk's rules on a tree like `refuses_escapes`'s, with no
    /// syscalls: this is the test of the resolution logic that Miri runs.
    #[test]
    fn walk_logic_without_syscalls() {
        let mut fs = FakeFs::new();
        fs.dir("a");
        fs.dir("a/b");
        fs.file("a/file");
        fs.link("out_abs", "/outside");
        fs.link("a/b/up3", "../../..");
        fs.link("a/b/up2", "../..");
        fs.link("a/chain", "b/up2");
        fs.link("loop", "loop");
        fs.link("a/flink", "file");
        fs.link("a/dirlink", "b/");
        fs.link("empty", "");
        fs.link("nul", "a\0b");
        // A chain of exactly MAX_SYMLINKS links ends at a/file; one more
        // link in front is too many.
        for i in 0..MAX_SYMLINKS {
            let target = if i + 1 == MAX_SYMLINKS { "a/file".to_string() } else { format!("l{}", i + 1) };
            fs.link(&format!("l{i}"), &target);
        }
        fs.link("too_many", "l0");
        let nc = Err(Errno::NOTCAPABLE);
        let go = |fs: &mut FakeFs, path: &str, follow: bool| walk(fs, path, follow).map(|w| fs.landed(&w));

        for follow in [false, true] {
            assert_eq!(go(&mut fs, "../x", follow), nc);
            assert_eq!(go(&mut fs, "..", follow), nc);
            assert_eq!(go(&mut fs, "a/../../x", follow), nc);
            assert_eq!(go(&mut fs, "/etc/passwd", follow), nc);
            assert_eq!(go(&mut fs, "out_abs/secret", follow), nc);
            assert_eq!(go(&mut fs, "a/b/up3/x", follow), nc);
            assert_eq!(go(&mut fs, "a/chain/../x", follow), nc);
            assert_eq!(go(&mut fs, "", follow), Err(Errno::NOENT));
            assert_eq!(go(&mut fs, "a/file/x", follow), Err(Errno::NOTDIR));
            assert_eq!(go(&mut fs, "loop/x", follow), Err(Errno::LOOP));
            assert_eq!(go(&mut fs, "missing/x", follow), Err(Errno::NOENT));
            assert_eq!(go(&mut fs, "empty/x", follow), Err(Errno::NOENT));
            assert_eq!(go(&mut fs, "a/\0", follow), Err(Errno::INVAL));
            assert_eq!(go(&mut fs, "l0/x", follow), Err(Errno::NOTDIR));
            assert_eq!(go(&mut fs, "too_many/x", follow), Err(Errno::LOOP));
            // A missing final component is fine: it may be created.
            assert_eq!(go(&mut fs, "a/new", follow), Ok("a/new".into()));
        }
        // A final symlink is only followed when asked, beneath the base.
        assert_eq!(go(&mut fs, "out_abs", false), Ok("out_abs".into()));
        assert_eq!(go(&mut fs, "out_abs", true), nc);
        assert_eq!(go(&mut fs, "a/b/up3", true), nc);
        assert_eq!(go(&mut fs, "a/b/up2", true), Ok(".".into()));
        assert_eq!(go(&mut fs, "a/chain/a/flink", true), Ok("a/file".into()));
        assert_eq!(go(&mut fs, "l0", true), Ok("a/file".into()));
        assert_eq!(go(&mut fs, "too_many", true), Err(Errno::LOOP));
        assert_eq!(go(&mut fs, "too_many", false), Ok("too_many".into()));
        assert_eq!(go(&mut fs, "loop", true), Err(Errno::LOOP));
        assert_eq!(go(&mut fs, "empty", true), Err(Errno::NOENT));
        assert_eq!(go(&mut fs, "nul", true), Err(Errno::INVAL));
        // Inside paths, trailing slashes, and "." results.
        assert_eq!(go(&mut fs, "a/b/../file", false), Ok("a/file".into()));
        let w = walk(&mut fs, "./a//b/", false).unwrap();
        assert!(w.must_be_dir);
        assert_eq!(fs.landed(&w), "a/b");
        let w = walk(&mut fs, "a/dirlink", true).unwrap();
        assert!(w.must_be_dir, "a symlink target ending in '/' must name a directory");
        assert_eq!(fs.landed(&w), "a/b");
        assert!(!walk(&mut fs, "a/dirlink", false).unwrap().must_be_dir);
        let w = walk(&mut fs, ".", false).unwrap();
        assert_eq!((w.dir, w.name.as_bytes(), w.must_be_dir), (None, &b"."[..], true));
        assert_eq!(walk(&mut fs, "a/..", false).unwrap().dir, None);
        assert_eq!(go(&mut fs, "a/b/..", false), Ok("a/.".into()));
        // A subdirectory as the base is its own root.
        fs.base = fs.lookup("a");
        assert_eq!(go(&mut fs, "../a", false), nc);
        assert_eq!(go(&mut fs, "b/up2", true), nc);
        assert_eq!(go(&mut fs, "b/..", false), Ok("a/.".into()));
        assert_eq!(go(&mut fs, "flink", true), Ok("a/file".into()));
    }

    /// Paths and symlink expansion are bounded by `PATH_MAX` (pure: runs
    /// under Miri).
    #[test]
    fn long_paths_are_nametoolong() {
        let mut fs = FakeFs::new();
        fs.dir("a");
        fs.file("a/file");
        fs.link("big", &format!("{}a", "./".repeat(1500)));
        fs.link("huge", &"x".repeat(PATH_MAX));
        let too_long = Err(Errno::NAMETOOLONG);
        let go = |fs: &mut FakeFs, path: &str| walk(fs, path, true).map(|w| fs.landed(&w));
        let longest = format!("{}a//file", "./".repeat((PATH_MAX - 8) / 2));
        assert_eq!(longest.len(), PATH_MAX - 1);
        assert_eq!(go(&mut fs, &longest), Ok("a/file".into()));
        assert_eq!(go(&mut fs, &format!("./{longest}")), too_long);
        assert_eq!(go(&mut fs, &"./".repeat(PATH_MAX)), too_long);
        // A target spliced in counts with the rest of the path.
        assert_eq!(go(&mut fs, &format!("big/{}file", "./".repeat(500))), Ok("a/file".into()));
        assert_eq!(go(&mut fs, &format!("big/{}file", "./".repeat(600))), too_long);
        assert_eq!(go(&mut fs, "huge"), too_long);
        assert_eq!(go(&mut fs, "huge/x"), too_long);
        let mut q = VecDeque::new();
        assert_eq!(splice(&mut q, "x".repeat(PATH_MAX).as_bytes()), Err(Errno::NAMETOOLONG));
        assert!(q.is_empty());
    }

    #[test]
    fn splice_pushes_components_in_front() {
        let mut q: VecDeque<Vec<u8>> = VecDeque::from([b"z".to_vec()]);
        assert_eq!(splice(&mut q, b"a//b/./"), Ok(true));
        assert_eq!(q, [&b"a"[..], b"b", b".", b"z"]);
        assert_eq!(splice(&mut q, b"c"), Ok(false));
        assert_eq!(q[0], b"c");
        assert_eq!(splice(&mut q, b"/abs"), Err(Errno::NOTCAPABLE));
        assert_eq!(splice(&mut q, b""), Err(Errno::NOENT));
        assert_eq!(splice(&mut q, b"a\0"), Err(Errno::INVAL));
        assert_eq!(q.len(), 5);
    }
}
