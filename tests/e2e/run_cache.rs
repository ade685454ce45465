//! The `wasmc run` cache (issue 17, defect 11): a private directory, one
//! file per build (SHA-256 of all that determines it), and nothing run from
//! it that is not the file wasmc wrote.

use super::{repo, scratch, wasmc};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

fn run_with_cache(cache: &Path, extra: &[&str]) -> Output {
    let mut cmd = wasmc();
    cmd.env("XDG_CACHE_HOME", cache).arg("run").args(extra).arg(repo().join("examples/hello/hello.wat"));
    cmd.args(["--", "x"]).output().unwrap()
}

fn assert_real(out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout, "hello from wasmc! arguments:\nx\n");
}

/// The cached executables (full SHA-256 hex names; no temporary left over).
fn cached(cache: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cache.join("wasmc/run")).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    for p in &v {
        let name = p.file_name().unwrap().to_str().unwrap();
        assert!(name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
    }
    v
}

fn plant(path: &Path) {
    std::fs::write(path, "#!/bin/sh\necho PLANTED\n").unwrap();
}

#[test]
fn cache_is_private_and_reused_per_build() {
    let cache = scratch("run-cache-reuse");
    assert_real(&run_with_cache(&cache, &[]));
    let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&cache.join("wasmc")), 0o700);
    assert_eq!(mode(&cache.join("wasmc/run")), 0o700);
    let files = cached(&cache);
    assert_eq!(files.len(), 1);
    let mtime = || std::fs::metadata(&files[0]).unwrap().modified().unwrap();
    let before = mtime();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_real(&run_with_cache(&cache, &[]));
    assert_eq!(mtime(), before, "the second run rebuilt");
    assert_eq!(cached(&cache).len(), 1);
    // Other grants, another -O: other executables.
    assert_real(&run_with_cache(&cache, &["--env", "A=1"]));
    assert_eq!(cached(&cache).len(), 2);
    assert_real(&run_with_cache(&cache, &["-O", "0"]));
    assert_eq!(cached(&cache).len(), 3);
}

#[test]
fn writable_or_symlinked_cache_file_is_not_run() {
    let cache = scratch("run-cache-plant");
    assert_real(&run_with_cache(&cache, &[]));
    let exe = cached(&cache).remove(0);
    // Group-writable, then other-writable: rebuilt, not run.
    for mode in [0o775, 0o757] {
        plant(&exe);
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(mode)).unwrap();
        assert_real(&run_with_cache(&cache, &[]));
        assert_eq!(std::fs::metadata(&exe).unwrap().permissions().mode() & 0o777, 0o700);
    }
    // A symlink to a program elsewhere: replaced, not followed.
    let elsewhere = cache.join("planted.sh");
    plant(&elsewhere);
    std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_file(&exe).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &exe).unwrap();
    assert_real(&run_with_cache(&cache, &[]));
    assert!(!std::fs::symlink_metadata(&exe).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "#!/bin/sh\necho PLANTED\n");
}

#[test]
fn unsafe_cache_dir_is_refused() {
    // A world-writable cache directory.
    let cache = scratch("run-cache-0777");
    assert_real(&run_with_cache(&cache, &[]));
    let exe = cached(&cache).remove(0);
    std::fs::set_permissions(cache.join("wasmc"), std::fs::Permissions::from_mode(0o777)).unwrap();
    plant(&exe);
    let out = run_with_cache(&cache, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("PLANTED"));
    assert!(err.contains("refusing to use the cache directory") && err.contains("writable by other users"), "{err}");

    // A cache directory that is a symlink (to a directory someone else
    // could fill).
    let cache = scratch("run-cache-symlink");
    let target = scratch("run-cache-symlink-target");
    std::os::unix::fs::symlink(&target, cache.join("wasmc")).unwrap();
    let out = run_with_cache(&cache, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is a symbolic link"), "{err}");
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0, "wrote into the symlink's target");
}
