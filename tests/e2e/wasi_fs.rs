//! WASI file system and sandbox, end to end: `wasi_fs/fs.c` does real file
//! work in a granted directory and must print what its native build prints;
//! `wasi_fs/sandbox.c` tries to escape and must be refused with the errno
//! listed in the `.expected` files (re-bless with WASMC_BLESS=1).

use super::{clang, repo, run_ok, scratch, wasmc};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn source(name: &str) -> PathBuf {
    repo().join("tests/e2e/wasi_fs").join(name)
}

/// `clang --target=wasm32-wasi -O2 NAME.c` into `dir`; returns the .wasm.
fn to_wasm(dir: &Path, name: &str) -> PathBuf {
    let wasm = dir.join(format!("{name}.wasm"));
    let src = source(&format!("{name}.c"));
    clang(&["--target=wasm32-wasi", "-O2", src.to_str().unwrap(), "-o", wasm.to_str().unwrap()]);
    wasm
}

fn build_with(wasm: &Path, exe: &Path, flags: &[&str]) {
    let mut cmd = wasmc();
    cmd.arg("build").arg(wasm).arg("-o").arg(exe).args(flags);
    run_ok(cmd);
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Compare with `wasi_fs/NAME.expected`, or write it when WASMC_BLESS is set.
fn check_expected(name: &str, out: &Output) {
    let path = source(&format!("{name}.expected"));
    let got = text(&out.stdout);
    if std::env::var_os("WASMC_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(got, want, "{name}: output differs from {} (stderr: {})", path.display(), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
}

fn empty_dir(p: &Path) {
    let _ = std::fs::remove_dir_all(p);
    std::fs::create_dir_all(p).unwrap();
}

#[test]
fn file_operations_match_native() {
    let dir = scratch("wasi-fs");
    let src = source("fs.c");
    let native = dir.join("fs.native");
    clang(&["-O2", src.to_str().unwrap(), "-o", native.to_str().unwrap()]);
    let wasm = to_wasm(&dir, "fs");
    let exe = dir.join("fs");
    build_with(&wasm, &exe, &["--dir", "."]);
    let (nd, wd) = (dir.join("native-cwd"), dir.join("wasmc-cwd"));
    empty_dir(&nd);
    empty_dir(&wd);
    let n = Command::new(&native).current_dir(&nd).output().unwrap();
    let w = Command::new(&exe).current_dir(&wd).output().unwrap();
    assert_eq!(n.status.code(), Some(0), "native: {}", text(&n.stderr));
    assert_eq!(text(&w.stdout), text(&n.stdout), "stdout differs from the native build (stderr: {})", text(&w.stderr));
    assert_eq!(w.status.code(), Some(0), "{}", text(&w.stderr));
    assert!(text(&w.stdout).contains("rmdir work                               -> OK"));
    // The program cleans up after itself, in both worlds.
    assert_eq!(std::fs::read_dir(&wd).unwrap().count(), 0);
}

#[test]
fn escapes_from_a_granted_directory_fail() {
    let root = scratch("wasi-escape");
    let wasm = to_wasm(&root, "sandbox");
    let exe = root.join("escape");
    // A relative HOST is resolved in the working directory at run time.
    build_with(&wasm, &exe, &["--dir", "sandbox::/sandbox"]);
    let (sandbox, outside) = (root.join("sandbox"), root.join("outside"));
    empty_dir(&sandbox);
    empty_dir(&outside);
    std::fs::write(outside.join("secret.txt"), "secret").unwrap();
    let out = Command::new(&exe).arg("escape").current_dir(&root).output().unwrap();
    check_expected("escape", &out);
    // Nothing outside was touched.
    let names: Vec<_> = std::fs::read_dir(&outside).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("secret.txt")]);
    assert_eq!(std::fs::read_to_string(outside.join("secret.txt")).unwrap(), "secret");
    for stray in ["new.txt", "newdir", "here"] {
        assert!(!root.join(stray).exists(), "{stray} was created outside");
    }
}

#[test]
fn nothing_is_granted_by_default() {
    let dir = scratch("wasi-nogrant");
    let wasm = to_wasm(&dir, "sandbox");
    let exe = dir.join("sandbox");
    build_with(&wasm, &exe, &[]);
    std::fs::write(dir.join("x.txt"), "x").unwrap();
    let out = Command::new(&exe).arg("nogrant").current_dir(&dir).env("WASMC_SECRET", "s").output().unwrap();
    check_expected("nogrant", &out);
}

#[test]
fn environment_is_granted_explicitly() {
    let dir = scratch("wasi-env");
    let wasm = to_wasm(&dir, "sandbox");
    let run = |flags: &[&str]| {
        let exe = dir.join("env");
        build_with(&wasm, &exe, flags);
        let out = Command::new(&exe)
            .args(["env", "FIXED", "PASSED", "OTHER"])
            .env_clear()
            .env("PASSED", "from the host")
            .env("OTHER", "not granted")
            .env("FIXED", "overridden?")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    assert_eq!(run(&[]), "environment: 0 variables\nFIXED=(unset)\nPASSED=(unset)\nOTHER=(unset)\n");
    assert_eq!(
        run(&["--env", "FIXED=a=b", "--env", "PASSED", "--env", "MISSING"]),
        "environment: 2 variables\nFIXED=a=b\nPASSED=from the host\nOTHER=(unset)\n"
    );
    assert_eq!(
        run(&["--inherit-env", "--env", "FIXED=build time"]),
        "environment: 3 variables\nFIXED=build time\nPASSED=from the host\nOTHER=not granted\n"
    );
}

#[test]
fn a_missing_granted_directory_stops_the_program() {
    let dir = scratch("wasi-missing");
    let wasm = to_wasm(&dir, "sandbox");
    let exe = dir.join("sandbox");
    build_with(&wasm, &exe, &["--dir", "no-such-dir::/data"]);
    let out = Command::new(&exe).arg("nogrant").current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("cannot open directory `no-such-dir` granted as `/data`"), "{err}");
    // Malformed flags are build errors.
    for bad in [["--dir", "::x"], ["--env", "=v"]] {
        let out = wasmc().arg("build").arg(&wasm).args(bad).arg("-o").arg(&exe).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
    }
}

#[test]
fn run_takes_the_same_grants() {
    let dir = scratch("wasi-run");
    let wasm = to_wasm(&dir, "sandbox");
    let data = dir.join("data");
    empty_dir(&data);
    let mut cmd = wasmc();
    cmd.env("XDG_CACHE_HOME", dir.join("cache"))
        .arg("run")
        .arg("--env")
        .arg("K=v")
        .arg("--dir")
        .arg(format!("{}::/data", data.display()))
        .arg(&wasm)
        .args(["--", "env", "K"]);
    let out = run_ok(cmd);
    assert_eq!(text(&out.stdout), "environment: 1 variables\nK=v\n");
    // Different grants are a different cached executable.
    let mut cmd = wasmc();
    cmd.env("XDG_CACHE_HOME", dir.join("cache")).arg("run").arg(&wasm).args(["--", "env", "K"]);
    let out = run_ok(cmd);
    assert_eq!(text(&out.stdout), "environment: 0 variables\nK=(unset)\n");
}

/// Issue 17, defect 8: a grant nested in another (`sandbox/sub` inside
/// `sandbox`) is opened through the outer grant, so a symlink the guest
/// put there in an earlier run is not followed out of it by the next one.
#[test]
fn nested_grant_replaced_by_a_symlink_is_not_followed_next_run() {
    let root = scratch("wasi-nested-grant");
    let wasm = to_wasm(&root, "nested");
    let exe = root.join("nested");
    build_with(&wasm, &exe, &["--dir", "sandbox::/s", "--dir", "sandbox/sub::/sub"]);
    let (sandbox, outside) = (root.join("sandbox"), root.join("outside"));
    empty_dir(&sandbox.join("sub"));
    empty_dir(&outside);
    std::fs::write(outside.join("secret.txt"), "secret").unwrap();
    let first = Command::new(&exe).arg("attack").arg(&outside).current_dir(&root).output().unwrap();
    assert_eq!(text(&first.stdout), "replaced /s/sub\n", "{}", text(&first.stderr));
    assert!(std::fs::symlink_metadata(sandbox.join("sub")).unwrap().file_type().is_symlink());
    let second = Command::new(&exe).current_dir(&root).output().unwrap();
    assert_eq!(second.status.code(), Some(1), "the second run must not start: {}", text(&second.stdout));
    assert!(
        text(&second.stderr).contains("inside the granted directory")
            && text(&second.stderr).contains("leads out of it"),
        "{}",
        text(&second.stderr)
    );
    assert!(!text(&second.stdout).contains("outside"));
    assert!(!outside.join("planted.txt").exists());
}
