//! SIMD end to end: C programs built with `clang -msimd128` (one
//! auto-vectorized, one written with `wasm_simd128.h` intrinsics) print what
//! their native builds print, on this machine and under qemu for the cross
//! targets; and every relaxed SIMD instruction gives the deterministic
//! profile's result, bit for bit, on every target.

use super::cross::{qemu_run, targets, Target};
use super::{clang, repo, run_ok, scratch, wasmc};
use std::path::Path;
use std::process::{Command, Output};

/// `--cpu rv64gcv` for riscv64 (SIMD needs the V extension).
fn cpu_args(triple: &str) -> &'static [&'static str] {
    if triple.starts_with("riscv64") {
        &["--cpu", "rv64gcv"]
    } else {
        &[]
    }
}

fn build(input: &Path, exe: &Path, target: Option<&str>) {
    let mut cmd = wasmc();
    cmd.arg("build").arg(input).arg("-o").arg(exe);
    if let Some(t) = target {
        cmd.args(["--target", t]).args(cpu_args(t));
    }
    run_ok(cmd);
}

/// Runs `exe` built for `t` under qemu (with a 128-bit V extension for riscv64).
fn run_emulated(t: &Target, exe: &Path) -> Output {
    let mut cmd = Command::new(qemu_run());
    cmd.arg(t.gnu).arg(exe);
    if t.triple.starts_with("riscv64") {
        cmd.env("QEMU_CPU", "rv64,v=true,vlen=128,vext_spec=v1.0");
    }
    cmd.output().unwrap_or_else(|e| panic!("cannot run {}: {e}", qemu_run().display()))
}

/// The module uses SIMD: riscv64 without the V extension refuses it (an
/// object needs neither runtime nor linker, so this runs everywhere).
fn assert_uses_simd(wasm: &Path) {
    let out = wasmc()
        .arg("build")
        .arg(wasm)
        .args(["--emit", "obj", "--target", "riscv64gc-unknown-linux-gnu", "-o"])
        .arg(wasm.with_extension("rv.o"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}: {stderr}", wasm.display());
    assert!(stderr.contains("unsupported: simd (") && stderr.contains(" at offset "), "{}: {stderr}", wasm.display());
}

/// tests/e2e/programs/simd/*.c: built with `clang -O2 -msimd128` and wasmc
/// they print what `cc -O2` builds print (the intrinsics program checks
/// each intrinsic against a scalar reference, which is all the native build
/// has); the same for each cross target under qemu.
#[test]
fn simd_c_programs_match_their_native_builds() {
    let dir = scratch("simd-c");
    let mut programs: Vec<_> = std::fs::read_dir(repo().join("tests/e2e/programs/simd"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    programs.sort();
    assert_eq!(programs.len(), 2);
    let targets = targets();
    for src in programs {
        let stem = src.file_stem().unwrap().to_string_lossy().into_owned();
        let (wasm, native, exe) =
            (dir.join(format!("{stem}.wasm")), dir.join(format!("{stem}.native")), dir.join(&stem));
        let s = src.to_str().unwrap();
        clang(&["--target=wasm32-wasi", "-O2", "-msimd128", s, "-o", wasm.to_str().unwrap(), "-lm"]);
        let cc = Command::new("cc").args(["-O2", s, "-o"]).arg(&native).arg("-lm").output().unwrap();
        assert!(cc.status.success(), "cc {s}: {}", String::from_utf8_lossy(&cc.stderr));
        assert_uses_simd(&wasm);
        let expected = Command::new(&native).output().unwrap();
        assert_eq!(expected.status.code(), Some(0), "{stem}: native build failed");
        let expected = String::from_utf8_lossy(&expected.stdout).into_owned();
        assert!(expected.lines().count() > 10, "{stem}: {expected}");
        if stem == "intrinsics" {
            assert!(expected.ends_with("failures: 0\n"), "{expected}");
        }
        build(&wasm, &exe, None);
        let out = Command::new(&exe).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{stem}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{stem}");
        for t in &targets {
            let cross = dir.join(format!("{stem}.{}", t.triple));
            build(&wasm, &cross, Some(t.triple));
            let out = run_emulated(t, &cross);
            let what = format!("{stem} for {}", t.triple);
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                expected,
                "{what}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.status.code(), Some(0), "{what}");
        }
    }
}

/// What tests/e2e/programs/relaxed.wat prints under the deterministic
/// profile (spec "Relaxed Operations": every choice is the first one).
/// Hex is byte 15 first, so lane 3 of an i32x4 comes first.
const RELAXED_EXPECTED: &str = "\
swizzle         a300af0000a10000000000000000afa0
trunc_f32_s a   7fffffff800000007fffffff00000000
trunc_f32_s b   ffffffff7fffff808000000080000000
trunc_f32_u a   0000000000000000ffffffff00000000
trunc_f32_u b   00000000ffffff00ffffffff00000000
trunc_f64_s a   00000000000000008000000000000000
trunc_f64_s b   0000000000000000800000007fffffff
trunc_f64_u a   0000000000000000ffffffff00000000
trunc_f64_u b   00000000000000000000000100000000
madd f32        800000007f80000040e0000000000000
nmadd f32       00000000ff800000c0a0000000000000
madd f32 nan    7fc000007fc000007fc000007fc00000
madd f64        7ff00000000000000000000000000000
nmadd f64       fff00000000000000000000000000000
laneselect i8   aa552bb2f00fc33ccc339966cd324cb3
laneselect i16  aa552bb2f00fc33ccc339966cd324cb3
laneselect i32  aa552bb2f00fc33ccc339966cd324cb3
laneselect i64  aa552bb2f00fc33ccc339966cd324cb3
min f32         80000000800000007fc000007fc00000
max f32         00000000000000007fc000007fc00000
min f64         80000000000000007ff8000000000000
max f64         7ff80000000000000000000000000000
q15mulr         dd7be00000002000ffff7ffe80017fff
dot             0080fff19c640100fffdc10081007fff
dot_add         800000717fff9d63ffffc0fc00000100
";
// How each line follows from the spec (deterministic profile: relaxed(R)[A0..] = A0):
// - swizzle = swizzle: a[i] = 0xa0+i; indices 0 15 16 17 31 32 127 128 255 200 1 240 64 15 100 3
//   give a0 af, then 0 for every index >= 16 (also 128..255, negative as i8), a1 0 0 af 0 a3.
// - trunc = trunc_sat: NaN -> 0; +inf, 3e9 -> 7fffffff; -inf, -2^31-256 -> 80000000;
//   -2^31 exactly -> 80000000 (in range); 2147483520 (largest f32 < 2^31) -> 7fffff80; -1.9 -> -1.
//   Unsigned: NaN, -inf, -1 -> 0; -0.9 -> 0 (truncates to -0, in range); +inf, 2^32 -> ffffffff;
//   4294967040 (largest f32 < 2^32) -> ffffff00; the smallest subnormal -> 0.
//   f64x2 _zero: lanes 2 and 3 are 0; 2147483647.9 -> 7fffffff, -2147483649 -> 80000000,
//   2^32 -> ffffffff, 1.5 -> 1.
// - madd = fadd(fmul(a, b), c), rounded twice. f32 lane 0: (1+2^-12)^2 = 1+2^-11+2^-24 is a tie
//   that rounds to even, 1+2^-11; adding -(1+2^-11) gives +0 (fused: 2^-24 = 33800000).
//   Lane 1: 2*3+1 = 7 (40e00000). Lane 2: 2^64*2^64 overflows to +inf, + -2^127 stays +inf
//   (fused: 2^127 = 7f000000). Lane 3: -0*5 + -0 = -0. f64 the same way: (1+2^-27)^2 rounds to
//   1+2^-26 (2^-54 is a quarter ulp), minus 1+2^-26 = +0 (fused 2^-54); 2^512*2^512 = +inf.
// - nmadd = madd(-a, b, c): -(1+2^-11) + (1+2^-11) = +0 (fused: -2^-24); -6+1 = -5 (c0a00000);
//   -inf + 2^127 = -inf (fused -2^127); +0*5 + +0 = +0; f64: +0 and -inf.
// - NaN results are the positive canonical NaN (deterministic profile, "NaN propagation"):
//   inf*0+1, 0*-inf+1, NaN*1+1 and -NaN*1+1 all give 7fc00000.
// - laneselect = bitselect, whatever the lane width: (0xcc & m) | (0x33 & !m) per byte for the
//   mask bytes 80 7f 01 fe 55 aa 00 ff 0f f0 3c c3 81 18 66 99 (mixed bits in every lane).
// - min/max = fmin/fmax: NaN (+ or -) in either operand -> +canonical NaN; min(+0, -0) and
//   min(-0, +0) = -0; max of opposite zeros = +0.
// - q15mulr = q15mulr_sat: -32768 * -32768 -> sat((2^30 + 2^14) >> 15) = 32767 (7fff);
//   -32768*32767 -> -32767; 32767^2 -> 32766; -32768*1 -> -1; 16384^2 -> 8192; -1*-1 -> 0;
//   16384*-16384 -> -8192; 12345*-23456 -> -8837.
// - dot: signed x signed (the second operand's high bit is a sign), each pair summed with
//   i16 saturation: -128*-128*2 = 32768 -> 7fff; 127*-128*2 = -32512; -128*-1 + 127*-128 =
//   -16128; -1-2 = -3; 128+128 = 256; 100*-128 + -100*127 = -25500; -15; -128*-128 + -128*127
//   = 128. dot_add: those pairs summed into i32 lanes plus c = 1, -1, 2^31-1, -2^31 (wrapping):
//   256, -16132, 2147458403, -2147483535.

#[test]
fn relaxed_simd_is_deterministic_on_every_target() {
    let dir = scratch("simd-relaxed");
    let wat = repo().join("tests/e2e/programs/relaxed.wat");
    let exe = dir.join("relaxed");
    build(&wat, &exe, None);
    let out = Command::new(&exe).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), RELAXED_EXPECTED, "this machine");
    for t in targets() {
        let cross = dir.join(format!("relaxed.{}", t.triple));
        build(&wat, &cross, Some(t.triple));
        let out = run_emulated(&t, &cross);
        assert_eq!(out.status.code(), Some(0), "{}: {}", t.triple, String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), RELAXED_EXPECTED, "{}", t.triple);
    }
}
