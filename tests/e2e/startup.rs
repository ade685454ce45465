//! Start-up of executables with large data segments: their pages are
//! mapped from the executable file copy-on-write, not copied (issue 16),
//! so a program that touches little of its data pays neither time nor
//! memory for the rest, and one that touches all of it sees exactly its
//! bytes and can write them.

use super::{build, run_ok, scratch};
use std::fmt::Write;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

const DATA_BYTES: usize = 4 << 20;
/// Not page-aligned: the partial first and last pages are copied.
const DATA_AT: u32 = 4097;

/// Deterministic bytes (xorshift), none of them a pattern the OS could share.
fn data() -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..DATA_BYTES)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A module printing `start`'s result (an i64, in decimal) with the data
/// segment, or without it when `with_data` is false.
fn module(start: &str, with_data: bool) -> String {
    let mut wat = format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory 80)
  (func $print (param $v i64)
    (local $p i32)
    (local.set $p (i32.const 99))
    (i32.store8 (i32.const 99) (i32.const 10))
    (loop $l
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p) (i64.add (i64.const 48) (i64.rem_u (local.get $v) (i64.const 10))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $l (i64.ne (local.get $v) (i64.const 0))))
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (i32.sub (i32.const 100) (local.get $p)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start") (local $i i32) (local $s i64)
    {start}
    ;; Then wait for the end of stdin (at once when it is empty).
    (i32.store (i32.const 200) (i32.const 300))
    (i32.store (i32.const 204) (i32.const 16))
    (drop (call $fd_read (i32.const 0) (i32.const 200) (i32.const 1) (i32.const 208))))
"#
    );
    if with_data {
        write!(wat, "  (data (i32.const {DATA_AT}) \"").unwrap();
        for b in data() {
            write!(wat, "\\{b:02x}").unwrap();
        }
        wat.push_str("\")\n");
    }
    wat.push(')');
    wat
}

fn build_wat(dir: &Path, name: &str, wat: &str) -> std::path::PathBuf {
    let src = dir.join(format!("{name}.wat"));
    std::fs::write(&src, wat).unwrap();
    let exe = dir.join(name);
    build(&src, &exe);
    exe
}

/// Resident memory of `exe`, in KiB, once it has printed its line and
/// waits for the end of its stdin (`VmRSS` of /proc/PID/status).
fn resident_kib(exe: &Path) -> u64 {
    let mut child = Command::new(exe).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    let rss = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).expect("VmRSS in /proc/PID/status");
    rss.trim().trim_end_matches("kB").trim().parse().unwrap()
}

#[test]
fn large_data_segments_are_mapped_copy_on_write() {
    let dir = scratch("startup-data");
    let sum: u64 = data().iter().map(|&b| b as u64).sum();
    // Every byte read back, then one written and read again.
    let full = build_wat(
        &dir,
        "full",
        &module(
            &format!(
                "(loop $l
                   (local.set $s (i64.add (local.get $s) (i64.load8_u offset={DATA_AT} (local.get $i))))
                   (local.set $i (i32.add (local.get $i) (i32.const 1)))
                   (br_if $l (i32.lt_u (local.get $i) (i32.const {DATA_BYTES}))))
                 (call $print (local.get $s))
                 (i32.store8 offset={DATA_AT} (i32.const 3000000) (i32.const 0))
                 (call $print (i64.load8_u offset={DATA_AT} (i32.const 3000000)))"
            ),
            true,
        ),
    );
    let out = run_ok(Command::new(&full));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{sum}\n0\n"));
    // The write went to a private copy: a second run sees the file's byte.
    let out = run_ok(Command::new(&full));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{sum}\n0\n"));

    // One byte read: the rest of the 4 MiB costs no memory.
    let one = format!("(call $print (i64.load8_u offset={DATA_AT} (i32.const 3000000)))");
    let idle = build_wat(&dir, "idle", &module(&one, true));
    let out = run_ok(Command::new(&idle));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{}\n", data()[3_000_000]));
    let hello = build_wat(&dir, "hello", &module("(call $print (i64.const 7))", false));
    let (with_data, without) = (resident_kib(&idle), resident_kib(&hello));
    assert!(
        with_data < without + 1024,
        "a 4 MiB data segment costs {} KiB of resident memory untouched",
        with_data.saturating_sub(without)
    );
}
