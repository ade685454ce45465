//! Bad input never panics: truncated files, random bytes, and every
//! `assert_invalid` / `assert_malformed` module of the spec testsuite give
//! exit status 1 and an `error:` message from `wasmc build`.

use super::{repo, scratch, wasmc};
use std::path::{Path, PathBuf};

fn expect_clean_error(input: &Path, what: &str) {
    let out = wasmc()
        .arg("build")
        .arg(input)
        .arg("--emit")
        .arg("obj")
        .arg("-o")
        .arg(input.with_extension("o"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{what}: expected exit status 1, got {}: {stderr}", out.status);
    assert!(stderr.starts_with("error: "), "{what}: {stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
}

/// Builds `bytes`: a valid module must compile (a cut at a section
/// boundary, or random bytes that happen to be valid), anything else must
/// fail cleanly. Returns 1 if it was rejected.
fn check(path: &Path, bytes: &[u8], what: &str) -> usize {
    std::fs::write(path, bytes).unwrap();
    if wasmparser::Validator::new().validate_all(bytes).is_ok() {
        let out = wasmc().arg("build").arg(path).arg("--emit").arg("obj").output().unwrap();
        assert!(out.status.success(), "{what}: valid module refused");
        0
    } else {
        expect_clean_error(path, what);
        1
    }
}

/// A small valid module in binary form.
fn sample_module() -> Vec<u8> {
    wat::parse_str(
        r#"(module (memory 1) (global (mut i32) (i32.const 7)) (table 2 funcref)
             (func $f (export "f") (param i32) (result i32) (i32.add (local.get 0) (global.get 0)))
             (elem (i32.const 0) $f) (data (i32.const 8) "abc"))"#,
    )
    .unwrap()
}

#[test]
fn truncated_and_random_inputs_give_clean_errors() {
    let dir = scratch("bad");
    let wasm = sample_module();
    let mut rejected = 0;
    for len in 0..wasm.len() {
        rejected += check(&dir.join(format!("trunc{len}.wasm")), &wasm[..len], &format!("truncated to {len} bytes"));
    }
    assert!(rejected > wasm.len() / 2, "most truncations must be rejected");
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    for i in 0..50 {
        let mut bytes = b"\0asm\x01\0\0\0".to_vec();
        for _ in 0..(i * 7 % 200) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            bytes.push(seed as u8);
        }
        if i % 2 == 1 {
            bytes.drain(..8); // not even a header
        }
        rejected += check(&dir.join(format!("random{i}.wasm")), &bytes, &format!("random input {i}"));
    }
    assert!(rejected > wasm.len() / 2 + 25, "most random inputs must be rejected");
    expect_clean_error(&dir.join("does-not-exist.wasm"), "missing file");
}

fn spec_dir() -> PathBuf {
    std::env::var_os("WASMC_SPEC_DIR").map(PathBuf::from).unwrap_or_else(|| repo().join("../shared/testsuite/core"))
}

fn wast_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("spec testsuite at {}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            wast_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "wast") {
            out.push(p);
        }
    }
}

/// Every module the spec says is malformed or invalid, as the file a user
/// would hand to `wasmc build` (binary modules as .wasm, text as .wat).
fn rejected_modules() -> Vec<(String, Vec<u8>, &'static str)> {
    let mut files = Vec::new();
    wast_files(&spec_dir(), &mut files);
    files.sort();
    let mut modules = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let buf = match wast::parser::ParseBuffer::new(&text) {
            Ok(b) => b,
            Err(_) => continue,
        };
        let Ok(script) = wast::parser::parse::<wast::Wast>(&buf) else {
            continue;
        };
        for d in script.directives {
            let (line, _) = d.span().linecol_in(&text);
            let module = match d {
                wast::WastDirective::AssertMalformed { module, .. } => module,
                wast::WastDirective::AssertInvalid { module, .. } => module,
                _ => continue,
            };
            let name = format!("{}:{}", f.strip_prefix(spec_dir()).unwrap_or(&f).display(), line + 1);
            match module {
                wast::QuoteWat::QuoteModule(_, parts) => {
                    let src: Vec<u8> = parts.iter().flat_map(|(_, p)| p.iter().copied().chain([b' '])).collect();
                    let mut text = b"(module ".to_vec();
                    text.extend(src);
                    text.push(b')');
                    modules.push((name, text, "wat"));
                }
                mut m => {
                    if let Ok(bytes) = m.encode() {
                        modules.push((name, bytes, "wasm"));
                    }
                }
            }
        }
    }
    modules
}

#[test]
fn spec_invalid_and_malformed_modules_give_clean_errors() {
    let modules = rejected_modules();
    assert!(modules.len() > 1000, "found only {} modules", modules.len());
    let dir = scratch("spec-bad");
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((name, bytes, ext)) = modules.get(i) else {
                    break;
                };
                let p = dir.join(format!("m{i}.{ext}"));
                std::fs::write(&p, bytes).unwrap();
                expect_clean_error(&p, name);
            });
        }
    });
}

/// A module of one function `() -> result` with code `body` (no locals; the
/// final `end` is added) and one memory page.
fn module_with_body(result: u8, body: &[u8]) -> Vec<u8> {
    let mut code = vec![0u8]; // no locals
    code.extend_from_slice(body);
    code.push(0x0b);
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    m.extend([0x01, 0x05, 0x01, 0x60, 0x00, 0x01, result]); // type: () -> result
    m.extend([0x03, 0x02, 0x01, 0x00]); // function 0 has type 0
    m.extend([0x05, 0x03, 0x01, 0x00, 0x01]); // memory 1 page
    m.extend([0x0a, code.len() as u8 + 2, 0x01, code.len() as u8]);
    m.extend(code);
    m
}

const V128: u8 = 0x7b;
const I32: u8 = 0x7f;

/// `v128.const` with 16 bytes `b`.
fn v128_const(b: u8) -> Vec<u8> {
    let mut v = vec![0xfd, 0x0c];
    v.extend([b; 16]);
    v
}

/// Invalid SIMD immediates, in binary (the text parser refuses some of
/// them before the compiler sees them): each is an error naming the file
/// and the byte offset of the bad instruction, never a panic.
#[test]
fn bad_simd_immediates_give_clean_errors() {
    let dir = scratch("bad-simd");
    let extract = |lane: u8| [v128_const(1), vec![0xfd, 0x15, lane]].concat(); // i8x16.extract_lane_s
    let shuffle = |last: u8| {
        let mut lanes: Vec<u8> = (0..15).collect();
        lanes.push(last);
        [v128_const(1), v128_const(2), vec![0xfd, 0x0d], lanes].concat()
    };
    // i32.const 0; v128.load align=2^align offset=0
    let load = |align: u8| vec![0x41, 0x00, 0xfd, 0x00, align, 0x00];
    // i32.const 0; v128.const; v128.load8_lane align=1 offset=0 lane
    let load_lane = |lane: u8| [vec![0x41, 0x00], v128_const(3), vec![0xfd, 0x54, 0x00, 0x00, lane]].concat();
    let replace = |lane: u8| [v128_const(4), vec![0x41, 0x07, 0xfd, 0x1c, lane]].concat(); // i32x4.replace_lane
    let good = [
        ("extract_lane 15", module_with_body(I32, &extract(15))),
        ("shuffle lane 31", module_with_body(V128, &shuffle(31))),
        ("v128.load align=16", module_with_body(V128, &load(4))),
        ("load8_lane 15", module_with_body(V128, &load_lane(15))),
        ("i32x4.replace_lane 3", module_with_body(V128, &replace(3))),
    ];
    for (what, bytes) in &good {
        // The same modules with in-range immediates are valid and compile:
        // the errors below are about the immediates alone.
        wasmparser::Validator::new().validate_all(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        let p = dir.join("good.wasm");
        std::fs::write(&p, bytes).unwrap();
        let out = wasmc().arg("build").arg(&p).args(["--emit", "obj"]).output().unwrap();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut truncated_const = module_with_body(V128, &v128_const(5));
    truncated_const.truncate(truncated_const.len() - 10); // the file ends inside the constant
    let short_body = module_with_body(V128, &[0xfd, 0x0c, 1, 2, 3, 4, 5]); // the body ends inside it
    let bad: [(&str, Vec<u8>, &str); 8] = [
        ("extract_lane 16", module_with_body(I32, &extract(16)), "offset 47: SIMD index out of bounds"),
        ("extract_lane 255", module_with_body(I32, &extract(255)), "offset 47: SIMD index out of bounds"),
        ("shuffle lane 32", module_with_body(V128, &shuffle(32)), "offset 65: SIMD index out of bounds"),
        ("v128.load align=32", module_with_body(V128, &load(5)), "offset 31: invalid memop alignment"),
        ("load8_lane 16", module_with_body(V128, &load_lane(16)), "offset 49: SIMD index out of bounds"),
        ("i32x4.replace_lane 4", module_with_body(V128, &replace(4)), "offset 49: SIMD index out of bounds"),
        ("truncated file in v128.const", truncated_const, "offset 28: unexpected end-of-file"),
        ("function body ends in v128.const", short_body, "offset 31: unexpected end-of-file"),
    ];
    // Offsets: the body starts at 29 (8 header, 7 type, 4 function, 5 memory
    // and 4 code section bytes, 1 for the locals); each names the bad
    // instruction (the code section, for a file that ends inside it).
    for (i, (what, bytes, needle)) in bad.iter().enumerate() {
        let name = format!("bad{i}.wasm");
        let p = dir.join(&name);
        std::fs::write(&p, bytes).unwrap();
        expect_clean_error(&p, what);
        let out = wasmc().arg("build").arg(&p).args(["--emit", "obj"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&name) && stderr.contains("offset"), "{what}: {stderr}");
        assert!(stderr.contains(needle), "{what}: {stderr}");
    }
}

/// Threads: a memarg without natural alignment, `shared` without a
/// maximum, and wait/notify on a memory that does not exist are errors
/// with the file and offset; the valid forms compile.
#[test]
fn bad_atomics_give_clean_errors() {
    let dir = scratch("bad-atomics");
    let cases = [
        ("(module (memory 1 1 shared) (func (drop (i32.atomic.load align=2 (i32.const 0)))))", "maximum alignment"),
        ("(module (memory 1 1) (func (drop (i64.atomic.rmw.cmpxchg align=4 (i32.const 0) (i64.const 0) (i64.const 0)))))", "maximum alignment"),
        ("(module (memory 1 shared))", "shared memory must have maximum size"),
        ("(module (func (drop (memory.atomic.notify (i32.const 0) (i32.const 0)))))", "unknown memory"),
        ("(module (memory 1 1 shared) (func (drop (memory.atomic.wait32 1 (i32.const 0) (i32.const 0) (i64.const 0)))))", "unknown memory"),
    ];
    for (i, (wat, want)) in cases.iter().enumerate() {
        let p = dir.join(format!("bad{i}.wat"));
        std::fs::write(&p, wat).unwrap();
        expect_clean_error(&p, wat);
        let out = wasmc().arg("build").arg(&p).args(["--emit", "obj", "-o"]).arg(dir.join("x.o")).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want) && stderr.contains("offset"), "{wat}: {stderr}");
    }
    let good =
        "(module (memory 1 1 shared) (func (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))))";
    let p = dir.join("good.wat");
    std::fs::write(&p, good).unwrap();
    let out = wasmc().arg("build").arg(&p).args(["--emit", "obj", "-o"]).arg(dir.join("good.o")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
