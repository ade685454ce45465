//! The C embedding API, driven from C: builds the test modules as static
//! libraries with `wasmc build --lib`, compiles the C programs of this
//! folder against them and runs them plainly, under GC stress, under
//! valgrind (memcheck: no invalid access or free, no leak) and built with
//! AddressSanitizer; links libraries built with `--no-runtime` against
//! `wasmc runtime`; builds `examples/c-embed` with Make and with CMake; and
//! links executables whose imports C files define. Every tool is required
//! (.ci/run installs them): a missing one fails, never skips.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const MODULES: [&str; 5] = ["calc", "gcm", "counter", "wasi", "simd"];

fn wasmc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasmc"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn here() -> PathBuf {
    repo().join("tests/capi")
}

/// A fresh directory under cargo's temporary directory for tests (reused,
/// not accumulated, from one run to the next).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("capi").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn output(mut cmd: Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (.ci/run installs the tools these tests need)"))
}

fn run_ok(cmd: Command) -> Output {
    let shown = format!("{cmd:?}");
    let out = output(cmd);
    assert!(
        out.status.success(),
        "{shown} failed: {}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Builds the test modules as libraries (with the runtime inside, or not)
/// into `dir`.
fn build_libs(dir: &Path, runtime: bool) {
    for m in MODULES {
        let mut cmd = wasmc();
        cmd.args(["build", "--lib"]).arg(here().join(format!("{m}.wat"))).arg("-o").arg(dir.join(format!("lib{m}.a")));
        if !runtime {
            cmd.arg("--no-runtime");
        }
        run_ok(cmd);
    }
}

/// The libraries with the runtime inside, built once.
fn libs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("libs");
        build_libs(&dir, true);
        dir
    })
}

/// Compiles `sources` (in this folder) with the test modules' libraries.
fn compile(libdir: &Path, out: &Path, sources: &[&str], extra: &[&str]) {
    let mut cmd = Command::new("cc");
    cmd.args(["-g", "-O1", "-fno-omit-frame-pointer", "-Wall", "-Wextra", "-Werror", "-std=c11", "-D_GNU_SOURCE"]);
    cmd.args(extra).arg("-I").arg(libdir).arg("-I").arg(here()).arg("-o").arg(out);
    for s in sources {
        cmd.arg(here().join(s));
    }
    cmd.arg("-L").arg(libdir);
    for m in MODULES {
        cmd.arg(format!("-l{m}"));
    }
    cmd.arg("-lpthread");
    run_ok(cmd);
}

/// Runs a test program and checks its "N passed, 0 failed" line.
fn check_passes(mut cmd: Command, what: &str) -> String {
    cmd.current_dir(here());
    if what.starts_with("suite") {
        // A small nursery, so the suite's GC tests (which count
        // collections) see many of them.
        cmd.env("WASMC_GC_NURSERY", "1M");
    }
    let out = output(cmd);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stdout.lines().last().unwrap_or("");
    let passed: u32 = line.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(
        out.status.success() && line.ends_with(" passed, 0 failed") && passed > 0,
        "{what}: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    stderr.into_owned()
}

fn valgrind(program: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("valgrind");
    cmd.args(["--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect"])
        .args(["--show-leak-kinds=definite,indirect", "--track-fds=no"])
        .arg(format!("--suppressions={}", here().join("valgrind.supp").display()))
        .arg(program)
        .args(args);
    cmd
}

/// valgrind's own verdict: no errors (besides the suppressed guard-region
/// accesses) and nothing definitely or indirectly lost.
fn assert_valgrind_clean(stderr: &str) {
    assert!(stderr.contains("ERROR SUMMARY: 0 errors"), "valgrind reported errors:\n{stderr}");
    assert!(
        stderr.contains("definitely lost: 0 bytes") || stderr.contains("All heap blocks were freed"),
        "valgrind reported leaks:\n{stderr}"
    );
    assert!(stderr.contains("indirectly lost: 0 bytes") || stderr.contains("All heap blocks were freed"));
}

#[test]
fn suite_passes() {
    let dir = scratch("suite");
    let exe = dir.join("suite");
    compile(libs(), &exe, &["suite.c", "host.c"], &[]);
    check_passes(Command::new(&exe), "suite");
}

#[test]
fn suite_passes_under_gc_stress() {
    let dir = scratch("suite-stress");
    let exe = dir.join("suite");
    compile(libs(), &exe, &["suite.c", "host.c"], &[]);
    let mut cmd = Command::new(&exe);
    cmd.arg("2").env("WASMC_GC_STRESS", "1");
    check_passes(cmd, "suite with WASMC_GC_STRESS=1");
}

#[test]
fn suite_is_clean_under_valgrind() {
    let dir = scratch("suite-valgrind");
    let exe = dir.join("suite");
    compile(libs(), &exe, &["suite.c", "host.c"], &[]);
    let stderr = check_passes(valgrind(&exe, &["3"]), "suite under valgrind");
    assert_valgrind_clean(&stderr);
}

#[test]
fn suite_is_clean_under_address_sanitizer() {
    let dir = scratch("suite-asan");
    let exe = dir.join("suite");
    compile(libs(), &exe, &["suite.c", "host.c"], &["-fsanitize=address"]);
    let mut cmd = Command::new(&exe);
    // Leak detection is on by default; fail on any report.
    cmd.arg("5").env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=99");
    check_passes(cmd, "suite with AddressSanitizer");
}

#[test]
fn threads_share_nothing_and_are_clean_under_tools() {
    let dir = scratch("threads");
    let exe = dir.join("threads");
    compile(libs(), &exe, &["threads.c", "host.c"], &[]);
    check_passes(Command::new(&exe), "threads");
    let stderr = check_passes(valgrind(&exe, &["4"]), "threads under valgrind");
    assert_valgrind_clean(&stderr);
    let asan = dir.join("threads-asan");
    compile(libs(), &asan, &["threads.c", "host.c"], &["-fsanitize=address"]);
    let mut cmd = Command::new(&asan);
    cmd.arg("20").env("ASAN_OPTIONS", "detect_leaks=1:exitcode=99");
    check_passes(cmd, "threads with AddressSanitizer");
}

/// Libraries without the runtime, linked with the one `wasmc runtime` writes.
#[test]
fn no_runtime_libraries_link_with_wasmc_runtime() {
    let dir = scratch("no-runtime");
    build_libs(&dir, false);
    let size = std::fs::metadata(dir.join("libcalc.a")).unwrap().len();
    assert!(size < 1 << 20, "a --no-runtime library holds only the module ({size} bytes)");
    let exe = dir.join("suite");
    // Without the runtime the link fails...
    let mut cmd = Command::new("cc");
    cmd.arg("-I").arg(&dir).arg("-I").arg(here()).arg("-o").arg(&exe);
    cmd.arg(here().join("suite.c")).arg(here().join("host.c")).arg("-L").arg(&dir);
    MODULES.iter().for_each(|m| {
        cmd.arg(format!("-l{m}"));
    });
    assert!(!output(cmd).status.success());
    // ...and works with it.
    let mut cmd = wasmc();
    cmd.args(["runtime", "-o"]).arg(dir.join("libwasmc_rt.a"));
    run_ok(cmd);
    assert!(dir.join("wasmc.h").exists());
    let mut cmd = Command::new("cc");
    cmd.args(["-fno-omit-frame-pointer", "-O1"]).arg("-I").arg(&dir).arg("-I").arg(here()).arg("-o").arg(&exe);
    cmd.arg(here().join("suite.c")).arg(here().join("host.c")).arg("-L").arg(&dir);
    MODULES.iter().for_each(|m| {
        cmd.arg(format!("-l{m}"));
    });
    cmd.arg("-lwasmc_rt");
    run_ok(cmd);
    check_passes(Command::new(&exe), "suite linked with wasmc runtime");
}

/// The generated headers and wasmc.h are valid C++ too.
#[test]
fn headers_compile_as_cpp() {
    let dir = scratch("cpp");
    let src = dir.join("all.cpp");
    std::fs::write(
        &src,
        "#include \"host.h\"\nint main() { calc_instance_t *c = nullptr; wasmc_error_t *e = calc_instance_new(nullptr, \
         nullptr, &c);\n wasmc_error_delete(e); calc_instance_delete(c); return 0; }\n",
    )
    .unwrap();
    let mut cmd = Command::new("c++");
    cmd.args(["-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-std=c++11"])
        .arg("-I")
        .arg(libs())
        .arg("-I")
        .arg(here())
        .arg(&src);
    run_ok(cmd);
    // The golden header of the compiler's tests too.
    let mut cmd = Command::new("cc");
    cmd.args(["-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-std=c99", "-x", "c"])
        .arg("-I")
        .arg(libs())
        .arg(repo().join("compiler/tests/header/app.h"));
    run_ok(cmd);
}

/// Acceptance: the example builds with Make and with CMake, and runs.
#[test]
fn example_builds_with_make_and_cmake() {
    let example = repo().join("examples/c-embed");
    let expected = std::fs::read_to_string(example.join("expected-output.txt")).unwrap();
    for tool in ["make", "cmake"] {
        let dir = scratch(&format!("example-{tool}"));
        for f in std::fs::read_dir(&example).unwrap() {
            let f = f.unwrap().path();
            if f.is_file() {
                std::fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
            }
        }
        let exe = if tool == "make" {
            let mut cmd = Command::new("make");
            cmd.current_dir(&dir).arg(format!("WASMC={}", env!("CARGO_BIN_EXE_wasmc")));
            run_ok(cmd);
            dir.join("embed")
        } else {
            let build = dir.join("build");
            let mut cmd = Command::new("cmake");
            cmd.arg("-S").arg(&dir).arg("-B").arg(&build).arg(format!("-DWASMC={}", env!("CARGO_BIN_EXE_wasmc")));
            run_ok(cmd);
            let mut cmd = Command::new("cmake");
            cmd.arg("--build").arg(&build);
            run_ok(cmd);
            build.join("embed")
        };
        let out = run_ok(Command::new(&exe));
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{tool}");
    }
}

/// `wasmc build app.wasm host.c`: C functions define an executable's
/// imports; an import nobody defines is named in the error.
#[test]
fn executable_imports_defined_in_c() {
    let dir = scratch("exe");
    let wat = here().join("exe_host.wat");
    let exe = dir.join("app");
    let mut cmd = wasmc();
    cmd.arg("build").arg(&wat).arg(here().join("exe_host.c")).arg("-o").arg(&exe);
    run_ok(cmd);
    let out = output(Command::new(&exe));
    assert_eq!(out.status.code(), Some(42), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "host says 41\n");

    // A C file that defines only one of the two imports.
    let partial = dir.join("partial.c");
    std::fs::write(&partial, "#include <stdint.h>\nint32_t env__get_answer(void *c) { (void)c; return 1; }\n").unwrap();
    let mut cmd = wasmc();
    cmd.arg("build").arg(&wat).arg(&partial).arg("-o").arg(&exe);
    let out = output(cmd);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("import `env::say_it` needs a C function `env__say_it`"), "{stderr}");
    assert!(!stderr.contains("get_answer"), "{stderr}");

    // No C input at all: the imports are named at once.
    let mut cmd = wasmc();
    cmd.arg("build").arg(&wat).arg("-o").arg(&exe);
    let out = output(cmd);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("import `env::get_answer`"), "{stderr}");
}

/// C imports taking and returning v128 (`wasmc_v128_t` by value), also
/// where the ABI passes it on the stack; `tests/e2e/cross.rs` runs the same
/// program for the other targets.
#[test]
fn executable_v128_imports_defined_in_c() {
    let dir = scratch("exe-v128");
    let exe = dir.join("app");
    let mut cmd = wasmc();
    cmd.arg("build").arg(here().join("exe_v128.wat")).arg(here().join("exe_v128.c")).arg("-o").arg(&exe);
    run_ok(cmd);
    let out = run_ok(Command::new(&exe));
    let expected = std::fs::read_to_string(here().join("exe_v128.expected")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

#[test]
fn library_refuses_what_it_cannot_bind() {
    let dir = scratch("refuse");
    let wat = dir.join("m.wat");
    std::fs::write(&wat, r#"(module (import "env" "mem" (memory 1)))"#).unwrap();
    let mut cmd = wasmc();
    cmd.args(["build", "--lib"]).arg(&wat).arg("-o").arg(dir.join("libm.a"));
    let out = output(cmd);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("import `env::mem` is not a function"), "{stderr}");
    let mut cmd = wasmc();
    cmd.args(["build", "--lib", "--prefix", "9x"]).arg(here().join("counter.wat")).arg("-o").arg(dir.join("libc.a"));
    assert!(!output(cmd).status.success());
}

/// Functions of 0, 255, 256 and 1,000 parameters and results, through the
/// generated typed wrappers and through `wasmc_instance_call` (the counts
/// were once one byte in the type encoding).
#[test]
fn many_parameters_and_results_through_every_c_path() {
    const ARITIES: [usize; 4] = [0, 255, 256, 1000];
    let dir = scratch("arity");
    let mut wat = String::from("(module\n");
    for n in ARITIES {
        let params = if n == 0 { String::new() } else { format!("(param{})", " i32".repeat(n)) };
        let results = if n == 0 { String::new() } else { format!("(result{})", " i32".repeat(n)) };
        let sum: String = if n == 0 {
            "(i32.const 7)".into()
        } else {
            (1..n).fold("(local.get 0)".to_string(), |acc, i| format!("{acc} (local.get {i}) (i32.add)"))
        };
        let splat = "(local.get 0) ".repeat(n);
        wat += &format!("  (func (export \"sum{n}\") {params} (result i32) {sum})\n");
        wat += &format!("  (func (export \"splat{n}\") (param i32) {results} {splat})\n");
    }
    wat += ")\n";
    std::fs::write(dir.join("arity.wat"), wat).unwrap();
    let mut cmd = wasmc();
    cmd.args(["build", "--lib"]).arg(dir.join("arity.wat")).arg("-o").arg(dir.join("libarity.a"));
    run_ok(cmd);

    let mut c = String::from(
        "#include <stdio.h>\n#include <stdlib.h>\n#include \"arity.h\"\n\
         static void check(wasmc_error_t *e, int ok, const char *what) {\n\
         if (e) { printf(\"%s: %s\\n\", what, wasmc_error_message(e)); exit(1); }\n\
         if (!ok) { printf(\"%s: wrong result\\n\", what); exit(1); } }\n\
         int main(void) {\n  arity_instance_t *inst = NULL;\n\
         check(arity_instance_new(NULL, NULL, &inst), 1, \"instance\");\n\
         wasmc_instance_t *base = arity_instance_base(inst);\n  int32_t r[1000];\n\
         wasmc_val_t args[1000], res[1000];\n  int ok;\n  wasmc_error_t *e;\n",
    );
    for n in ARITIES {
        let expect = if n == 0 { 7 } else { n * (n - 1) / 2 };
        // Typed wrappers.
        let args: String = (0..n).map(|i| format!("{i}, ")).collect();
        c += &format!("  e = arity_sum{n}(inst, {args}&r[0]);\n  check(e, r[0] == {expect}, \"arity_sum{n}\");\n");
        let outs: String = (0..n).map(|i| format!(", &r[{i}]")).collect();
        c += &format!(
            "  for (int i = 0; i < 1000; i++) r[i] = 0;\n  check(arity_splat{n}(inst, 3{outs}), 1, \"arity_splat{n}\");\n\
             ok = 1; for (int i = 0; i < {n}; i++) ok &= r[i] == 3;\n  check(NULL, ok, \"arity_splat{n} results\");\n"
        );
        // The generic call.
        c += &format!(
            "  for (int i = 0; i < {n}; i++) {{ args[i].kind = WASMC_I32; args[i].of.i32 = i; }}\n\
             e = wasmc_instance_call(base, \"sum{n}\", args, {n}, res, 1);\n\
             check(e, res[0].of.i32 == {expect}, \"call sum{n}\");\n\
             args[0].kind = WASMC_I32; args[0].of.i32 = 5;\n\
             check(wasmc_instance_call(base, \"splat{n}\", args, 1, res, {n}), 1, \"call splat{n}\");\n\
             ok = 1; for (int i = 0; i < {n}; i++) ok &= res[i].kind == WASMC_I32 && res[i].of.i32 == 5;\n\
             check(NULL, ok, \"call splat{n} results\");\n"
        );
        if n > 0 {
            // One argument too few is refused, not passed through.
            c += &format!(
                "  {{ e = wasmc_instance_call(base, \"sum{n}\", args, {m}, res, 1);\n\
                 check(NULL, e != NULL, \"sum{n} with {m} arguments refused\"); wasmc_error_delete(e); }}\n",
                m = n - 1
            );
        }
    }
    c += "  arity_instance_delete(inst);\n  puts(\"ok\");\n  return 0;\n}\n";
    std::fs::write(dir.join("main.c"), c).unwrap();
    let exe = dir.join("arity");
    let mut cmd = Command::new("cc");
    cmd.args(["-O1", "-fno-omit-frame-pointer", "-Wall", "-Werror", "-std=c11"]).arg("-I").arg(&dir);
    cmd.arg(dir.join("main.c")).arg("-L").arg(&dir).arg("-larity").arg("-o").arg(&exe);
    run_ok(cmd);
    let out = run_ok(Command::new(&exe));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");
}
