//! Cross-compiled executables: each end-to-end program built with
//! `--target` for another architecture and run under qemu-user prints the
//! same stdout and stderr and exits with the same status as its build for
//! this machine (traps and their backtraces included).
//!
//! Targets: those named in `WASMC_CROSS_TARGETS` (space-separated triples;
//! `.ci/run` sets it, and then a target that is not ready is a failure),
//! else every other target that is ready here (runtime embedded, linker and
//! qemu installed). Which ones ran is printed either way.

use super::{clang, repo, scratch, wasmc};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wasmc_cli::link;

pub(super) struct Target {
    pub(super) triple: &'static str,
    pub(super) gnu: &'static str,
}

pub(super) fn qemu_run() -> PathBuf {
    repo().join("tests/cross/qemu-run")
}

pub(super) fn targets() -> Vec<Target> {
    let required = std::env::var("WASMC_CROSS_TARGETS").ok();
    let mut out = Vec::new();
    for tc in link::TOOLCHAINS.iter().filter(|t| t.triple != link::HOST_TARGET) {
        let wanted = required.as_deref().map(|r| r.split_whitespace().any(|t| t == tc.triple));
        let runtime = link::embedded_runtime(tc.triple).is_some();
        let linker = link::discover_linker(tc.triple).is_some();
        let qemu = wasmc_cli::toolchain::on_path(tc.qemu);
        match (wanted, runtime && linker && qemu) {
            (Some(false), _) => {}
            (_, true) => out.push(Target { triple: tc.triple, gnu: tc.gnu }),
            (Some(true), false) => panic!(
                "WASMC_CROSS_TARGETS names {} but it is not ready here (runtime embedded: {runtime}, \
                 linker: {linker}, {}: {qemu}); see `wasmc targets`",
                tc.triple, tc.qemu
            ),
            (None, false) => eprintln!("cross: {} is not ready here, not tested (see `wasmc targets`)", tc.triple),
        }
    }
    if let Some(r) = &required {
        for t in r.split_whitespace() {
            assert!(link::toolchain(t).is_some(), "WASMC_CROSS_TARGETS: unknown target {t}");
        }
    }
    eprintln!("cross: testing {:?}", out.iter().map(|t| t.triple).collect::<Vec<_>>());
    out
}

fn build_for(input: &Path, output: &Path, target: Option<&str>, extra: &[&str]) {
    let mut cmd = wasmc();
    cmd.arg("build").arg(input).arg("-o").arg(output).args(extra);
    if let Some(t) = target {
        cmd.args(["--target", t]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn run_native(exe: &Path, args: &[&str]) -> Output {
    Command::new(exe).args(args).env("WASMC_TEST_VAR", "value=with=equals").output().unwrap()
}

fn run_emulated(t: &Target, exe: &Path, args: &[&str]) -> Output {
    Command::new(qemu_run())
        .arg(t.gnu)
        .arg(exe)
        .args(args)
        .env("WASMC_TEST_VAR", "value=with=equals")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", qemu_run().display()))
}

/// Builds `input` for this machine and for `t`, runs both with `args` and
/// checks that stdout, stderr and the exit status agree.
fn same_behaviour(t: &Target, dir: &Path, input: &Path, args: &[&str]) -> Output {
    let stem = input.file_stem().unwrap().to_string_lossy().into_owned();
    let (native, cross) = (dir.join(format!("{stem}.host")), dir.join(format!("{stem}.{}", t.triple)));
    build_for(input, &native, None, &[]);
    build_for(input, &cross, Some(t.triple), &[]);
    let (n, c) = (run_native(&native, args), run_emulated(t, &cross, args));
    let what = format!("{} for {}", input.display(), t.triple);
    assert_eq!(String::from_utf8_lossy(&c.stdout), String::from_utf8_lossy(&n.stdout), "{what}: stdout differs");
    assert_eq!(String::from_utf8_lossy(&c.stderr), String::from_utf8_lossy(&n.stderr), "{what}: stderr differs");
    assert_eq!(c.status.code(), n.status.code(), "{what}: exit status differs");
    n
}

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

#[test]
fn cross_hello_example() {
    let hello = repo().join("examples/hello/hello.wat");
    for t in targets() {
        let dir = scratch(&format!("cross-hello-{}", t.triple));
        let out = same_behaviour(&t, &dir, &hello, &["one", "two words", "-x"]);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from wasmc! arguments:\none\ntwo words\n-x\n");
        // The other linkers: clang with lld (where lld can link the target),
        // and whatever `CC_<target>` names.
        let tc = link::toolchain(t.triple).unwrap();
        let mut linkers = vec![];
        if tc.lld {
            linkers.push(("--linker", format!("clang --target={} -fuse-ld=lld", tc.gnu)));
        }
        linkers.push(("env", tc.gcc()));
        for (how, linker) in linkers {
            let exe = dir.join("hello-other-linker");
            let mut cmd = wasmc();
            cmd.arg("build").arg(&hello).arg("-o").arg(&exe).args(["--target", t.triple]);
            match how {
                "env" => cmd.env(tc.cc_env(), format!("{linker} -Wl,--build-id=sha1")),
                _ => cmd.args([how, linker.as_str()]),
            };
            let out = cmd.output().unwrap();
            assert!(out.status.success(), "{linker}: {}", String::from_utf8_lossy(&out.stderr));
            let out = run_emulated(&t, &exe, &["linked"]);
            assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from wasmc! arguments:\nlinked\n", "{linker}");
        }
        // A variable naming a compiler that does not exist is reported.
        let out = wasmc()
            .arg("build")
            .arg(&hello)
            .arg("-o")
            .arg(dir.join("never"))
            .args(["--target", t.triple])
            .env(tc.cc_env(), "no-such-cross-cc")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("`no-such-cross-cc` named by the environment"), "{stderr}");
    }
}

/// Every trap kind: message, backtrace and status 134, as on this machine.
#[test]
fn cross_traps() {
    for t in targets() {
        let dir = scratch(&format!("cross-traps-{}", t.triple));
        let cases = files("tests/e2e/traps", "wat");
        assert!(cases.len() >= 9);
        for wat in cases {
            let out = same_behaviour(&t, &dir, &wat, &[]);
            assert_eq!(out.status.code(), Some(134), "{}", wat.display());
        }
    }
}

/// Tail calls: deep mutual recursion in constant stack (a million frames
/// would overflow an 8 MiB stack), host imports reached by `return_call`.
#[test]
fn cross_tail_calls() {
    for t in targets() {
        let dir = scratch(&format!("cross-tail-{}", t.triple));
        let tail = repo().join("tests/e2e/tail");
        let out = same_behaviour(&t, &dir, &tail.join("even_odd.wat"), &["1000001"]);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "d 0\ni 0\nr 0\n");
        let out = same_behaviour(&t, &dir, &tail.join("host_loop.wat"), &["x"]);
        assert_eq!(out.status.code(), Some(7));
        let out = same_behaviour(&t, &dir, &tail.join("host_trap.wat"), &[]);
        assert_eq!(out.status.code(), Some(134));
    }
}

/// GC: references in wasm frames found and updated by a moving collector
/// that runs at every allocation (stress mode), and cyclic garbage churned
/// in bounded memory.
#[test]
fn cross_gc() {
    let stress = |exe: &Path, t: Option<&Target>| {
        let mut cmd = match t {
            Some(t) => {
                let mut c = Command::new(qemu_run());
                c.arg(t.gnu).arg(exe);
                c
            }
            None => Command::new(exe),
        };
        cmd.env("WASMC_GC_STRESS", "1").output().unwrap()
    };
    let roots = repo().join("tests/gc/stack_roots.wat");
    let dir = scratch("cross-gc");
    let native = dir.join("stack_roots");
    build_for(&roots, &native, None, &[]);
    let out = stress(&native, None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for t in targets() {
        let exe = dir.join(format!("stack_roots.{}", t.triple));
        build_for(&roots, &exe, Some(t.triple), &[]);
        let out = stress(&exe, Some(&t));
        assert_eq!(out.status.code(), Some(0), "{}: {}", t.triple, String::from_utf8_lossy(&out.stderr));
        let out = same_behaviour(&t, &dir, &repo().join("tests/gc/cycles.wat"), &[]);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "ok 88896b40\n");
    }
}

/// C for the target: imports defined by a C input (compiled by the target's
/// C compiler), and a static library (`--lib`) linked into a C program,
/// the embedding example, whose output is checked in.
#[test]
fn cross_c_inputs_and_libraries() {
    let dir = scratch("cross-c-inputs");
    let capi = repo().join("tests/capi");
    let example = repo().join("examples/c-embed");
    let expected = std::fs::read_to_string(example.join("expected-output.txt")).unwrap();
    for t in targets() {
        let stem = format!("exe_host.{}", t.triple);
        let exe = dir.join(&stem);
        build_for(&capi.join("exe_host.wat"), &exe, Some(t.triple), &[capi.join("exe_host.c").to_str().unwrap()]);
        let out = run_emulated(&t, &exe, &[]);
        assert_eq!((out.status.code(), String::from_utf8_lossy(&out.stdout).as_ref()), (Some(42), "host says 41\n"));

        let lib_dir = dir.join(format!("lib-{}", t.triple));
        std::fs::create_dir_all(&lib_dir).unwrap();
        let lib = lib_dir.join("libgreet.a");
        build_for(&example.join("greet.wat"), &lib, Some(t.triple), &["--lib"]);
        let embed = lib_dir.join("embed");
        let tc = link::toolchain(t.triple).unwrap();
        let cc = Command::new(tc.gcc())
            .args(["-O2", "-fno-omit-frame-pointer", "-o"])
            .arg(&embed)
            .arg(example.join("main.c"))
            .arg("-I")
            .arg(&lib_dir)
            .arg("-L")
            .arg(&lib_dir)
            .args(["-lgreet", "-lpthread"])
            .output()
            .unwrap();
        assert!(cc.status.success(), "{}", String::from_utf8_lossy(&cc.stderr));
        let out = run_emulated(&t, &embed, &[]);
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{}: {all}", t.triple);
        assert_eq!(all, expected, "{}", t.triple);
    }
}

/// C imports taking and returning v128 by value: each target's C ABI (two
/// registers, or the stack when one register is left; see
/// `compiler/src/emit/c_abi.rs`). SIMD on riscv64 needs the V extension:
/// built with `--cpu rv64gcv`, run on a qemu CPU that has it.
#[test]
fn cross_v128_c_imports() {
    let dir = scratch("cross-v128");
    let capi = repo().join("tests/capi");
    let expected = std::fs::read_to_string(capi.join("exe_v128.expected")).unwrap();
    for t in targets() {
        let exe = dir.join(format!("exe_v128.{}", t.triple));
        let riscv = t.triple.starts_with("riscv64");
        let mut extra = vec![capi.join("exe_v128.c").to_str().unwrap().to_string()];
        if riscv {
            extra.extend(["--cpu".to_string(), "rv64gcv".to_string()]);
        }
        let extra: Vec<&str> = extra.iter().map(|s| s.as_str()).collect();
        build_for(&capi.join("exe_v128.wat"), &exe, Some(t.triple), &extra);
        let mut cmd = Command::new(qemu_run());
        cmd.arg(t.gnu).arg(&exe);
        if riscv {
            cmd.env("QEMU_CPU", "rv64,v=true,vlen=128,vext_spec=v1.0");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}: {}", t.triple, String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{}", t.triple);
    }
}

/// The C programs (clang --target=wasm32-wasi) with arguments and environment.
#[test]
fn cross_c_programs() {
    let targets = targets();
    if targets.is_empty() {
        return;
    }
    let dir = scratch("cross-c");
    let programs = files("tests/e2e/programs", "c");
    assert!(programs.len() >= 2);
    for src in programs {
        let wasm = dir.join(src.file_stem().unwrap()).with_extension("wasm");
        clang(&["--target=wasm32-wasi", "-O2", src.to_str().unwrap(), "-o", wasm.to_str().unwrap(), "-lm"]);
        for t in &targets {
            same_behaviour(t, &dir, &wasm, &["first", "with space", "ünïcode", ""]);
        }
    }
}

/// `--static`: an executable with no program interpreter and no dynamic
/// section, which runs where no C library is installed at all (qemu is
/// pointed at an empty directory for the target's root).
#[test]
fn cross_static_executables_need_no_c_library() {
    for t in targets() {
        let dir = scratch(&format!("cross-static-{}", t.triple));
        let exe = dir.join("hello");
        build_for(&repo().join("examples/hello/hello.wat"), &exe, Some(t.triple), &["--static"]);
        let segments = elf_segment_types(&exe);
        assert!(!segments.contains(&PT_INTERP) && !segments.contains(&PT_DYNAMIC), "{}: {segments:?}", t.triple);
        let empty = dir.join("empty-root");
        std::fs::create_dir_all(&empty).unwrap();
        let qemu = link::toolchain(t.triple).unwrap().qemu;
        let out = Command::new(qemu).arg("-L").arg(&empty).arg(&exe).arg("static").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}: {}", t.triple, String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from wasmc! arguments:\nstatic\n");
        // The same executable built dynamically cannot start there.
        let dynamic = dir.join("hello-dynamic");
        build_for(&repo().join("examples/hello/hello.wat"), &dynamic, Some(t.triple), &[]);
        assert!(elf_segment_types(&dynamic).contains(&PT_INTERP));
        let out = Command::new(qemu).arg("-L").arg(&empty).arg(&dynamic).output().unwrap();
        assert_ne!(out.status.code(), Some(0), "{}: a dynamic executable ran without its C library", t.triple);
    }
}

const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;

/// The `p_type` of each program header of a 64-bit little-endian ELF file.
fn elf_segment_types(path: &Path) -> Vec<u32> {
    let b = std::fs::read(path).unwrap();
    assert!(b.starts_with(b"\x7fELF\x02\x01"), "{}: not a 64-bit little-endian ELF file", path.display());
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(b[0x20..0x28].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    (0..phnum)
        .map(|i| {
            let o = phoff + i * phentsize;
            u32::from_le_bytes(b[o..o + 4].try_into().unwrap())
        })
        .collect()
}

/// What `wasmc targets` and `--target` say on this machine.
#[test]
fn targets_lists_every_target_and_its_state() {
    let out = wasmc().arg("targets").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for tc in link::TOOLCHAINS.iter() {
        let line = text.lines().find(|l| l.starts_with(tc.triple)).unwrap_or_else(|| panic!("{text}"));
        let ready = link::embedded_runtime(tc.triple).is_some() && link::discover_linker(tc.triple).is_some();
        assert_eq!(line.contains("  ready ("), ready, "{line}");
    }
    assert!(text.lines().any(|l| l.starts_with(link::HOST_TARGET) && l.contains("ready (this machine)")), "{text}");
}

#[test]
fn unsupported_and_unready_targets_are_explained() {
    let dir = scratch("bad-target");
    let hello = repo().join("examples/hello/hello.wat");
    let out = wasmc().arg("build").arg(&hello).args(["--target", "mips64-unknown-linux-gnuabi64"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not supported") && stderr.contains("aarch64-unknown-linux-gnu"), "{stderr}");
    // A linker that does not exist: one message, naming it.
    let out = wasmc()
        .arg("build")
        .arg(&hello)
        .arg("-o")
        .arg(dir.join("x"))
        .args(["--linker", "no-such-cc-for-wasmc"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no-such-cc-for-wasmc"), "{stderr}");
    // `run` executes here: another target is refused, before anything is built.
    let out = wasmc().arg("run").arg(&hello).args(["--target", "riscv64gc-unknown-linux-gnu"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("wasmc build --target"), "{stderr}");
    // Objects need no runtime and no linker, for every target.
    for tc in link::TOOLCHAINS.iter() {
        let obj = dir.join(format!("{}.o", tc.triple));
        build_for(&hello, &obj, Some(tc.triple), &["--emit", "obj"]);
        let b = std::fs::read(&obj).unwrap();
        let machine = u16::from_le_bytes([b[0x12], b[0x13]]);
        let expected = match tc.triple.split('-').next().unwrap() {
            "x86_64" => 62,
            "aarch64" => 183,
            _ => 243,
        };
        assert_eq!(machine, expected, "{}", tc.triple);
    }
}

/// A trap raised by a host function (through the runtime's `raise`
/// builtin, not a signal) names the import and every wasm caller.
#[test]
fn host_error_backtrace_names_every_frame() {
    let dir = scratch("host-error");
    let exe = dir.join("host_error");
    build_for(&repo().join("tests/e2e/traps/host_error.wat"), &exe, None, &[]);
    let out = Command::new(&exe).output().unwrap();
    assert_eq!(out.status.code(), Some(134));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "wasm trap: the calling module exports no memory\nwasm backtrace:\n    0: fd_write\n    1: inner\n    \
         2: middle\n    3: _start\n"
    );
}
