//! Tail calls as executables: constant stack at 100,000,000 frames deep,
//! a host import tail-called 10,000,000 times, and host failures after a
//! tail call. Also, in process: a trap raised by a host function reached by
//! `return_call` shows the frames that really exist.

use super::{build, repo, scratch};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

/// Runs `exe` and returns (exit status, stdout, peak RSS in KiB). The peak
/// is the child's own `VmHWM`, sampled while it runs: `getrusage` would
/// count the test process's memory, which the child shares until exec.
pub(crate) fn run_measured(exe: &Path, args: &[&str]) -> (i32, String, i64) {
    use std::os::unix::process::ExitStatusExt;
    let out_path = exe.with_extension("stdout");
    let out = std::fs::File::create(&out_path).unwrap();
    let mut child = Command::new(exe).args(args).stdout(out).spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Ok(s) = std::fs::read_to_string(&status_file) {
            let hwm = s.lines().find_map(|l| l.strip_prefix("VmHWM:")).map(|v| v.trim().trim_end_matches(" kB"));
            if let Some(kb) = hwm.and_then(|v| v.parse::<i64>().ok()) {
                peak = peak.max(kb);
            }
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    assert_eq!(status.signal(), None, "{} died from a signal", exe.display());
    let stdout = std::fs::read_to_string(&out_path).unwrap();
    (status.code().unwrap(), stdout, peak)
}

#[test]
fn mutual_recursion_100_million_deep_runs_in_constant_stack() {
    let dir = scratch("tail");
    let exe = dir.join("even_odd");
    build(&repo().join("tests/e2e/tail/even_odd.wat"), &exe);
    let (code, out, _) = run_measured(&exe, &["1000"]);
    assert_eq!((code, out.as_str()), (0, "d 1\ni 1\nr 1\n"));
    let (code, out, deep) = run_measured(&exe, &["100000000"]);
    assert_eq!((code, out.as_str()), (0, "d 1\ni 1\nr 1\n"));
    let (code, out, deep_odd) = run_measured(&exe, &["99999999"]);
    assert_eq!((code, out.as_str()), (0, "d 0\ni 0\nr 0\n"));
    // A real call per level would need gigabytes (or trap: the native
    // stack is 8 MiB); tail calls keep the footprint of a small program.
    assert!(deep > 0 && deep < 16 * 1024 && deep_odd < 16 * 1024, "peak RSS {deep} KiB / {deep_odd} KiB");
}

#[test]
fn host_import_tail_called_ten_million_times() {
    let dir = scratch("tail-host");
    let exe = dir.join("host_loop");
    build(&repo().join("tests/e2e/tail/host_loop.wat"), &exe);
    let (code, out, rss) = run_measured(&exe, &["x"]);
    assert_eq!((code, out.as_str()), (7, "ok\n"));
    assert!(rss < 16 * 1024, "peak RSS {rss} KiB");
}

#[test]
fn host_failure_after_return_call_is_reported() {
    let dir = scratch("tail-trap");
    let exe = dir.join("host_trap");
    build(&repo().join("tests/e2e/tail/host_trap.wat"), &exe);
    let out = Command::new(&exe).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(134), "{stderr}");
    assert!(stderr.starts_with("wasm trap: the calling module exports no memory\n"), "{stderr}");
    // The frame of write_tail was replaced by the tail call: the host
    // trampoline's caller is _start.
    // (The text format names the import `$fd_write` in the name section.)
    assert!(stderr.ends_with("wasm backtrace:\n    0: fd_write\n    1: _start\n"), "{stderr}");
}

/// In process, with a host function of our own: it traps when given 0 and
/// doubles otherwise. The instance keeps working after the trap.
#[test]
fn host_trap_reached_by_return_call_in_process() {
    use wasmc_rt::{CallError, Error, Extern, Func, FuncType, HostTrap, Instance, Store, Val, ValRaw};
    let wasm = wat::parse_str(
        r#"(module
             (import "host" "work" (func $work (param i32) (result i32)))
             (func $via_tail (param i32) (result i32) (return_call $work (local.get 0)))
             (func (export "outer") (param i32) (result i32)
               (i32.add (call $via_tail (local.get 0)) (i32.const 1))))"#,
    )
    .unwrap();
    let loader = wasmc_cli::loader::Loader::new(None).unwrap();
    let module = loader.load(&wasm).unwrap();
    // Run on a thread of our own: traps unwind to the call, not the test
    // harness. The store and everything in it belong to that thread.
    std::thread::spawn(move || {
        let work = Func::host(
            FuncType::new(&[0x7f], &[0x7f]),
            Arc::new(|_caller: &mut wasmc_rt::Caller<'_>, slots: &mut [ValRaw]| {
                let x = slots[0].u32();
                if x == 0 {
                    return Err(HostTrap::Error("host refused 0".into()));
                }
                slots[0] = ValRaw::from_u64(x as u64 * 2);
                Ok(())
            }),
        );
        let store = Store::new();
        let inst = Instance::new(&store, &module, &[Extern::Func(work)]).unwrap();
        let Some(Extern::Func(outer)) = inst.export("outer") else { panic!("no export") };
        let err = outer.call(&[Val::I32(0)]).unwrap_err();
        let CallError::Trap(e @ Error::Trap { .. }) = err else { panic!("expected a trap") };
        let report = e.to_string();
        assert!(report.starts_with("wasm trap: host refused 0\n"), "{report}");
        let Error::Trap { backtrace, .. } = &e else { unreachable!() };
        let names: Vec<&str> = backtrace.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["work", "outer"], "via_tail's frame must be gone after its tail call");
        assert_eq!(outer.call(&[Val::I32(21)]).unwrap(), vec![Val::I32(43)]);
    })
    .join()
    .unwrap();
}
