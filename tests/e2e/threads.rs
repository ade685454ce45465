//! Threads: C programs built for `wasm32-wasip1-threads` (pthreads through
//! wasi-threads, atomics, wait/notify) run as native threads.
//!
//! The programs are compiled by `threads/wasi-threads-cc` (Zig's clang and
//! wasm-ld with the threaded wasi-libc of Rust's `wasm32-wasip1-threads`
//! target; .ci/run installs both). A missing toolchain is a failure.

use super::cross::{qemu_run, targets};
use super::{repo, run_ok, scratch, wasmc};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn source(name: &str) -> PathBuf {
    repo().join("tests/e2e/threads").join(name)
}

/// `name`.c compiled to wasm in `dir`.
fn wasm_of(dir: &Path, name: &str, flags: &[&str]) -> PathBuf {
    let wasm = dir.join(format!("{name}.wasm"));
    let mut cmd = Command::new(source("wasi-threads-cc"));
    cmd.arg(source(&format!("{name}.c"))).arg(&wasm).args(flags);
    run_ok(cmd);
    wasm
}

fn build(wasm: &Path, exe: &Path, target: Option<&str>) {
    let mut cmd = wasmc();
    cmd.arg("build").arg(wasm).arg("-o").arg(exe);
    if let Some(t) = target {
        cmd.args(["--target", t]);
    }
    run_ok(cmd);
}

fn native_of(dir: &Path, name: &str, flags: &[&str]) -> PathBuf {
    let exe = dir.join(format!("{name}.native"));
    let mut cmd = Command::new("cc");
    cmd.args(["-O2", "-pthread"]).args(flags).arg(source(&format!("{name}.c"))).arg("-o").arg(&exe);
    run_ok(cmd);
    exe
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn pthread_programs_match_their_native_builds() {
    let dir = scratch("threads");
    for name in ["pthreads", "contention"] {
        let exe = dir.join(name);
        build(&wasm_of(&dir, name, &[]), &exe, None);
        let (w, n): (Output, Output) =
            (Command::new(&exe).output().unwrap(), Command::new(native_of(&dir, name, &[])).output().unwrap());
        assert_eq!(text(&w.stdout), text(&n.stdout), "{name}: stdout differs from the native build");
        assert_eq!(w.status.code(), Some(0), "{name}: {}", text(&w.stderr));
        assert_eq!(n.status.code(), Some(0), "{name} (native)");
    }
}

#[test]
fn a_thread_that_traps_or_exits_ends_the_program() {
    let dir = scratch("threads-ends");
    let exe = dir.join("ends");
    build(&wasm_of(&dir, "ends", &[]), &exe, None);
    let out = Command::new(&exe).arg("exit").output().unwrap();
    assert_eq!(out.status.code(), Some(7), "exit(7) in a thread: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");
    let out = Command::new(&exe).arg("trap").output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(134), "a trap in a thread: {err}");
    assert!(err.contains("wasm trap: unreachable"), "{err}");
    // The backtrace is the spawned thread's: from the trapping function
    // down to the thread's entry.
    let (at, entry) = (err.find("fail_in_thread"), err.find("wasi_thread_start"));
    assert!(at.is_some() && entry.is_some() && at < entry, "backtrace of the thread: {err}");
    assert_eq!(text(&out.stdout), "");
}

/// The contended stress test on every cross target, under qemu-user.
#[test]
fn contended_locks_hold_under_qemu() {
    let dir = scratch("threads-cross");
    // Fewer iterations: qemu-user runs the threads about 20x slower.
    let wasm = wasm_of(&dir, "contention", &["-DITERS=3000"]);
    for t in targets() {
        let exe = dir.join(format!("contention.{}", t.triple));
        build(&wasm, &exe, Some(t.triple));
        let out = Command::new(qemu_run()).arg(t.gnu).arg(&exe).output().unwrap();
        assert_eq!(
            text(&out.stdout),
            "counter 18000 of 18000, adds 36000 of 36000\n",
            "{}: {}",
            t.triple,
            text(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(0), "{}", t.triple);
    }
}
