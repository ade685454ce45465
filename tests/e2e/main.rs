//! End-to-end tests: real inputs built with the `wasmc` binary and run as
//! processes. C programs need clang with wasi-libc (installed by .ci/run);
//! a missing toolchain is a failure, not a skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod bad_input;
mod cross;
mod gc;
mod run_cache;
mod simd;
mod startup;
mod tail;
mod threads;
mod wasi_fs;
mod wasi_stdio;

fn wasmc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasmc"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmc-e2e-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_ok(mut cmd: Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    out
}

fn build(input: &Path, output: &Path) {
    let mut cmd = wasmc();
    cmd.arg("build").arg(input).arg("-o").arg(output);
    run_ok(cmd);
}

#[test]
fn hello_example_prints_its_arguments() {
    let dir = scratch("hello");
    let exe = dir.join("hello");
    build(&repo().join("examples/hello/hello.wat"), &exe);
    let out = Command::new(&exe).args(["one", "two words", "-x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from wasmc! arguments:\none\ntwo words\n-x\n");
}

#[test]
fn invoke_calls_an_export_and_prints_results() {
    let dir = scratch("invoke");
    let wat = dir.join("m.wat");
    std::fs::write(
        &wat,
        r#"(module (func (export "mul") (param i64 f64) (result i64 f64)
             (i64.mul (local.get 0) (i64.const 3)) (f64.mul (local.get 1) (f64.const 2))))"#,
    )
    .unwrap();
    let mut cmd = wasmc();
    cmd.arg("run").arg(&wat).args(["--invoke", "mul", "-7", "1.25"]);
    let out = run_ok(cmd);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "-21\n2.5\n");
}

/// v128 arguments in every notation `--invoke` reads, and v128 results
/// printed as `i32x4` with hex lanes; a malformed one is named.
#[test]
fn invoke_reads_and_prints_v128() {
    let dir = scratch("invoke-v128");
    let wat = dir.join("m.wat");
    std::fs::write(
        &wat,
        r#"(module
             (func (export "add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
             (func (export "mix") (param i32 v128 f64) (result v128 i32 v128)
               (local.get 1) (local.get 0) (f64x2.splat (local.get 2))))"#,
    )
    .unwrap();
    let invoke = |args: &[&str]| {
        let mut cmd = wasmc();
        cmd.arg("run").arg(&wat).arg("--invoke").args(args);
        cmd.output().unwrap()
    };
    let sum = "i32x4 0x0000000b 0x00000016 0x00000021 0x00000000\n";
    for (a, b) in [
        ("i32x4 1 2 3 4", "i32x4 10 20 30 -4"),
        ("i32x4:1,2,3,4", "i32x4:0xa,20,30,0xfffffffc"),
        ("0x00000004000000030000000200000001", "i64x2 0x000000140000000a 0xfffffffc0000001e"),
        ("i8x16 1 0 0 0 2 0 0 0 3 0 0 0 4 0 0 0", "i16x8 10 0 20 0 30 0 -4 -1"),
    ] {
        let out = invoke(&["add", a, b]);
        assert_eq!(String::from_utf8_lossy(&out.stdout), sum, "{a} + {b}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = invoke(&["mix", "-3", "f32x4 1.5 -0 inf nan", "0.5"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "i32x4 0x3fc00000 0x80000000 0x7f800000 0x7fc00000\n-3\ni32x4 0x00000000 0x3fe00000 0x00000000 0x3fe00000\n"
    );
    for (bad, why) in [("i32x4 1 2 3", "i32x4 takes 4 lanes, 3 given"), ("7", "a v128 is `i32x4 1 2 3 4`")] {
        let out = invoke(&["add", bad, "0x00000000000000000000000000000000"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("argument of type v128") && err.contains(why), "{bad}: {err}");
    }
    // `wasmc wast`: a failed v128 assertion shows both values in the
    // expected shape.
    let script = dir.join("t.wast");
    std::fs::write(
        &script,
        r#"(module (func (export "id") (param v128) (result v128) (local.get 0)))
           (assert_return (invoke "id" (v128.const i16x8 1 2 3 4 5 6 7 8)) (v128.const i16x8 1 2 3 4 5 6 7 8))
           (assert_return (invoke "id" (v128.const i16x8 1 2 3 4 5 6 7 8)) (v128.const i16x8 1 2 3 4 5 6 7 -1))"#,
    )
    .unwrap();
    let out = wasmc().arg("wast").arg(&script).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("1 passed, 1 failed"), "{text}");
    assert!(
        text.contains(
            "expected v128:i16x8 0x0001 0x0002 0x0003 0x0004 0x0005 0x0006 0x0007 0xffff, \
             got v128:i16x8 0x0001 0x0002 0x0003 0x0004 0x0005 0x0006 0x0007 0x0008"
        ),
        "{text}"
    );
}

/// `--invoke` on functions of 0, 255, 256 and 1,000 parameters and as many
/// results (counts once truncated to a byte: "takes 144 arguments").
#[test]
fn invoke_handles_many_parameters_and_results() {
    let dir = scratch("invoke-arity");
    for n in [0usize, 255, 256, 1000] {
        let wat = dir.join(format!("m{n}.wat"));
        let params = " i32".repeat(n);
        let gets: String = (0..n).map(|i| format!(" (local.get {i})")).collect();
        let text = format!(r#"(module (func (export "id") (param{params}) (result{params}){gets}))"#);
        std::fs::write(&wat, text).unwrap();
        let args: Vec<String> = (0..n).map(|i| (i as i32 - 500).to_string()).collect();
        let mut cmd = wasmc();
        cmd.arg("run").arg(&wat).args(["--invoke", "id"]).args(&args);
        let out = run_ok(cmd);
        let expected: String = args.iter().map(|a| format!("{a}\n")).collect();
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{n} parameters");
        let mut cmd = wasmc();
        cmd.arg("run").arg(&wat).args(["--invoke", "id", "1"]);
        let out = cmd.output().unwrap();
        if n != 1 {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(&format!("takes {n} arguments, 1 given")), "{n}: {err}");
        }
    }
}

fn clang(args: &[&str]) {
    let out = Command::new("clang").args(args).output().unwrap_or_else(|e| {
        panic!("clang is required for this test (apt-get install clang lld wasi-libc libclang-rt-dev-wasm32): {e}")
    });
    assert!(out.status.success(), "clang {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Each C program in programs/ gives the same stdout and exit status built
/// natively with clang -O2 and built with clang --target=wasm32-wasi -O2 +
/// wasmc.
#[test]
fn c_programs_match_their_native_builds() {
    let dir = scratch("c");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/e2e/programs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    programs.sort();
    assert!(programs.len() >= 2);
    for src in programs {
        let stem = src.file_stem().unwrap().to_string_lossy().into_owned();
        let (wasm, native, exe) =
            (dir.join(format!("{stem}.wasm")), dir.join(format!("{stem}.native")), dir.join(&stem));
        let s = src.to_str().unwrap();
        clang(&["--target=wasm32-wasi", "-O2", s, "-o", wasm.to_str().unwrap(), "-lm"]);
        clang(&["-O2", s, "-o", native.to_str().unwrap(), "-lm"]);
        // The environment is granted explicitly (see `wasi_fs.rs`).
        let mut cmd = wasmc();
        cmd.arg("build").arg(&wasm).arg("-o").arg(&exe).args(["--env", "WASMC_TEST_VAR"]);
        run_ok(cmd);
        let args = ["first", "with space", "ünïcode", ""];
        let run = |p: &Path| Command::new(p).args(args).env("WASMC_TEST_VAR", "value=with=equals").output().unwrap();
        let (n, w) = (run(&native), run(&exe));
        assert_eq!(
            String::from_utf8_lossy(&w.stdout),
            String::from_utf8_lossy(&n.stdout),
            "{stem}: stdout differs (stderr: {})",
            String::from_utf8_lossy(&w.stderr)
        );
        assert_eq!(w.status.code(), n.status.code(), "{stem}: exit status differs");
    }
}

/// Every trap kind: the message, a backtrace, exit status 134, and a normal
/// exit (no signal, no core dump).
#[test]
fn traps_report_kind_and_backtrace() {
    use std::os::unix::process::ExitStatusExt;
    let dir = scratch("traps");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(repo().join("tests/e2e/traps")).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 9);
    for wat in cases {
        let text = std::fs::read_to_string(&wat).unwrap();
        let expect = text.lines().next().unwrap().strip_prefix(";; expect: ").expect("first line names the trap");
        let exe = dir.join(wat.file_stem().unwrap());
        build(&wat, &exe);
        let out = Command::new(&exe).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.signal(), None, "{}: killed by a signal", wat.display());
        assert_eq!(out.status.code(), Some(134), "{}: {stderr}", wat.display());
        assert!(stderr.starts_with(&format!("wasm trap: {expect}\n")), "{}: {stderr}", wat.display());
        assert!(stderr.contains("wasm backtrace:\n    0: "), "{}: {stderr}", wat.display());
    }
}

#[test]
fn executables_refuse_unknown_imports_at_build_time() {
    let dir = scratch("imports");
    let wat = dir.join("m.wat");
    std::fs::write(&wat, r#"(module (import "env" "missing" (func)) (func (export "_start")))"#).unwrap();
    let out = wasmc().arg("build").arg(&wat).arg("-o").arg(dir.join("m")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("import `env::missing`"));
}

#[test]
fn unsupported_features_are_named_with_an_offset() {
    let dir = scratch("unsupported");
    let wat = dir.join("mem64.wat");
    std::fs::write(&wat, r#"(module (memory i64 1) (func (export "f")))"#).unwrap();
    let out = wasmc().arg("build").arg(&wat).arg("--emit").arg("obj").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("unsupported: memory64 ("), "{stderr}");
    assert!(stderr.contains(" at offset "), "{stderr}");
}

#[test]
fn simd_on_riscv64_needs_the_v_extension() {
    let dir = scratch("simd-riscv");
    let wat = dir.join("simd.wat");
    std::fs::write(&wat, r#"(module (func (export "f") (result i32) (i32x4.extract_lane 0 (v128.const i64x2 1 2))))"#)
        .unwrap();
    let build = |extra: &[&str]| {
        let mut cmd = wasmc();
        cmd.arg("build").arg(&wat).args(["--emit", "obj", "--target", "riscv64gc-unknown-linux-gnu"]).args(extra);
        cmd.arg("-o").arg(dir.join("simd.o"));
        cmd.output().unwrap()
    };
    let out = build(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("unsupported: simd (riscv64 needs the V extension"), "{stderr}");
    assert!(stderr.contains("--cpu rv64gcv"), "{stderr}");
    assert!(stderr.contains(" at offset "), "{stderr}");
    let out = build(&["--cpu", "rv64gcv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Everywhere else SIMD needs nothing, and rv64gcv is only for riscv64.
    let mut cmd = wasmc();
    cmd.arg("build").arg(&wat).args(["--emit", "obj", "--cpu", "rv64gcv", "-o"]).arg(dir.join("x.o"));
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--cpu rv64gcv is for riscv64"));
}
