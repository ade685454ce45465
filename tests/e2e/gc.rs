//! GC regressions (tests/gc): the scripts run through `wasmc wast`
//! normally and with a collection at every allocation plus the heap
//! verifier; a cyclic graph churned 10 million times runs as an
//! executable in bounded memory.

use super::{build, repo, scratch, wasmc};

fn wast(stress: bool) {
    let mut cmd = wasmc();
    cmd.arg("wast").arg(repo().join("tests/gc/regressions.wast"));
    if stress {
        cmd.env("WASMC_GC_STRESS", "1");
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stress={stress}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("15 passed, 0 failed, 0 unsupported"), "{stdout}");
}

#[test]
fn gc_regressions_pass() {
    wast(false);
}

#[test]
fn gc_regressions_pass_in_stress_mode() {
    wast(true);
}

#[test]
fn cyclic_garbage_is_reclaimed_in_bounded_memory() {
    let dir = scratch("gc-cycles");
    let exe = dir.join("cycles");
    build(&repo().join("tests/gc/cycles.wat"), &exe);
    let (code, out, peak) = super::tail::run_measured(&exe, &[]);
    // sum of (i + 1) for i < 10,000,000, mod 2^32
    assert_eq!((code, out.as_str()), (0, "ok 88896b40\n"));
    // 30 million objects (720 MB) were allocated; a heap that never freed
    // cycles (reference counting) or never collected would be that large.
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB");
}

/// A program that keeps everything alive hits the heap limit
/// (WASMC_MAX_HEAP) and traps cleanly.
#[test]
fn exhausting_the_heap_limit_traps() {
    let dir = scratch("gc-exhaust");
    let exe = dir.join("exhaust");
    build(&repo().join("tests/gc/exhaust.wat"), &exe);
    let out = std::process::Command::new(&exe).env("WASMC_MAX_HEAP", "16M").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(134), "{stderr}");
    assert!(stderr.starts_with("wasm trap: out of memory: GC heap exhausted\n"), "{stderr}");
}

/// The limit can also be set at build time (`--max-heap`).
#[test]
fn max_heap_at_build_time() {
    let dir = scratch("gc-max-heap");
    let exe = dir.join("exhaust");
    let out = wasmc()
        .arg("build")
        .arg(repo().join("tests/gc/exhaust.wat"))
        .args(["--max-heap", "8M", "-o"])
        .arg(&exe)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = std::process::Command::new(&exe).output().unwrap();
    assert_eq!(run.status.code(), Some(134));
    assert!(String::from_utf8_lossy(&run.stderr).starts_with("wasm trap: out of memory: GC heap exhausted\n"));
}

/// The default heap limit is what a native program could allocate
/// (physical memory, or `ulimit -v`), not a fixed 1 GiB: a 1.25 GiB array
/// is allocated, and `WASMC_MAX_HEAP` still lowers the limit.
#[test]
fn default_heap_limit_allows_arrays_above_one_gib() {
    let wat = repo().join("tests/gc/big_array.wat");
    let cache = scratch("gc-big-array-cache");
    let run = |max: Option<&str>| {
        let mut cmd = wasmc();
        cmd.env("XDG_CACHE_HOME", &cache).arg("run").arg(&wat).args(["--invoke", "big"]);
        if let Some(m) = max {
            cmd.env("WASMC_MAX_HEAP", m);
        }
        cmd.output().unwrap()
    };
    let out = run(None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.trim(), (0x5000_0000i64 + 42).to_string());
    // Under a 1 GiB limit the request can never fit.
    let out = run(Some("1G"));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("allocation size too large"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One object may use the whole heap limit: a 4.8 GB array of references
/// (more than Wasmtime's 32-bit GC heap holds, found by the differential
/// fuzzer) is allocated, survives collections in place and keeps what it
/// references. The explicit limit keeps the test independent of the
/// machine's memory; the array's untouched pages cost none.
#[test]
fn one_array_may_use_the_whole_heap_limit() {
    let wat = repo().join("tests/gc/huge_array.wat");
    let cache = scratch("gc-huge-array-cache");
    let out = wasmc()
        .env("XDG_CACHE_HOME", &cache)
        .env("WASMC_MAX_HEAP", "8G")
        .arg("run")
        .arg(&wat)
        .args(["--invoke", "huge"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.trim(), (600_000_000 + 42).to_string());
}

/// Stress mode on a deep recursion that allocates in every frame finishes
/// (issue 17, defect 6): stress collections are spaced by the number of
/// roots the last one scanned, so the total work stays linear in the depth.
#[test]
fn stress_mode_on_deep_recursion_finishes() {
    let dir = scratch("gc-deep-stress");
    let exe = dir.join("deep");
    build(&repo().join("tests/gc/deep_stress.wat"), &exe);
    let out = std::process::Command::new(&exe).env("WASMC_GC_STRESS", "1").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
