//! wasmc's private cache (`wasmc run` executables, embedded runtime
//! libraries). Whatever is read back from it is executed or linked, so the
//! directory must be one only this user can write to, and a cached file is
//! used only if it still looks like the one wasmc wrote (issue 17, defect 11).

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The effective user id, which must own the cache and what is in it.
#[allow(unsafe_code)]
pub fn euid() -> u32 {
    // SAFETY: geteuid takes no arguments, cannot fail and touches no memory.
    unsafe { libc::geteuid() }
}

/// The cache root: `$XDG_CACHE_HOME/wasmc`, else `$HOME/.cache/wasmc`, else
/// `wasmc-<uid>` in the temp dir (per user, so users do not share it).
pub fn root() -> PathBuf {
    // The XDG spec says to ignore a relative XDG_CACHE_HOME.
    let abs = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    if let Some(base) = std::env::var_os("XDG_CACHE_HOME").and_then(abs) {
        return base.join("wasmc");
    }
    if let Some(home) = std::env::var_os("HOME").and_then(abs) {
        return home.join(".cache").join("wasmc");
    }
    std::env::temp_dir().join(format!("wasmc-{}", euid()))
}

/// `root()/sub`, each level created 0700 or checked to be a private
/// directory of this user. An unsafe one is refused rather than worked
/// around: it means a misconfiguration or an attack, and the user should know.
pub fn private_dir(sub: &str) -> Result<PathBuf> {
    let root = root();
    if let Some(parent) = root.parent() {
        // ~/.cache and the like: ordinary directories of the user's own.
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    ensure_private(&root)?;
    let dir = root.join(sub);
    ensure_private(&dir)?;
    Ok(dir)
}

fn ensure_private(dir: &Path) -> Result<()> {
    // Created with its final mode at once: no window for chmod to race.
    match DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e).with_context(|| format!("creating cache directory {}", dir.display())),
    }
    let meta = std::fs::symlink_metadata(dir).with_context(|| format!("checking {}", dir.display()))?;
    let problem = if meta.file_type().is_symlink() {
        Some("is a symbolic link".to_string())
    } else if !meta.is_dir() {
        Some("is not a directory".to_string())
    } else if meta.uid() != euid() {
        Some(format!("is owned by uid {}, not by you (uid {})", meta.uid(), euid()))
    } else if meta.mode() & 0o022 != 0 {
        Some(format!("is writable by other users (mode {:o})", meta.mode() & 0o7777))
    } else {
        None
    };
    if let Some(p) = problem {
        bail!(
            "refusing to use the cache directory {}: it {p}; wasmc runs what it finds there, so it must be \
             a directory of yours that only you can write (remove it, or set XDG_CACHE_HOME elsewhere)",
            dir.display()
        );
    }
    Ok(())
}

/// A cache key: the SHA-256 of `parts`, each labelled and length-prefixed
/// so that no two different lists hash the same bytes; full hex digest.
pub fn key(parts: &[(&str, &[u8])]) -> String {
    let mut h = Sha256::new();
    for (label, bytes) in parts {
        for p in [label.as_bytes(), bytes] {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What identifies this wasmc build beyond its version: the binary's size,
/// modification time and inode (hashing its ~100 MB on every run would cost
/// more than the cache saves). Empty if it cannot be found.
pub fn build_id() -> Vec<u8> {
    let meta = std::env::current_exe().and_then(std::fs::metadata);
    match meta {
        Ok(m) => [m.dev(), m.ino(), m.size(), m.mtime() as u64, m.mtime_nsec() as u64]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Opens `path` if it is a file wasmc may trust: a regular file (not a
/// symbolic link, which is not followed), owned by this user, writable by
/// nobody else. `None` if it is missing or fails a check: rebuild it.
pub fn open_trusted(path: &Path) -> Result<Option<File>> {
    // O_NONBLOCK: a FIFO put in its place must not hang the open.
    let file = match OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound || e.raw_os_error() == Some(libc::ELOOP) => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("opening {}", path.display())),
    };
    // Checked on the open file, so what is checked is what is used.
    let meta = file.metadata().with_context(|| format!("checking {}", path.display()))?;
    let ok = meta.is_file() && meta.uid() == euid() && meta.mode() & 0o022 == 0;
    Ok(ok.then_some(file))
}

/// A fresh name in `dir` to write into before renaming into place, so a
/// half-written file never has the final name.
pub fn temp_name(dir: &Path) -> PathBuf {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    dir.join(format!(".tmp-{}-{:016x}", std::process::id(), h.finish()))
}

/// Makes `tmp` private (the linker honours the umask, which may allow group
/// writes) and renames it to `path`, replacing whatever was there.
pub fn install(tmp: &Path, path: &Path) -> Result<()> {
    std::fs::set_permissions(tmp, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("setting the mode of {}", tmp.display()))?;
    std::fs::rename(tmp, path).with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_sha256_and_unambiguous() {
        // SHA-256 of the empty list is that of no bytes.
        assert_eq!(key(&[]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_ne!(key(&[("a", b"bc")]), key(&[("ab", b"c")]));
    }
}
