//! Builds the runtime library as a static library and embeds it in the
//! `wasmc` binary, so `wasmc build` links executables with no environment
//! variables and no files to find: one binary is the whole toolchain.
//!
//! The runtime is built by a nested `cargo build` into its own target
//! directory (`target/runtime`), always optimized: for the target `wasmc`
//! itself is built for (required), and for every other supported target
//! whose toolchain is installed here (Rust's standard library for it, from
//! `rustup target add`, and a C cross compiler for `runtime-lib/csrc`).
//! Targets that are not ready are left out with a note; `wasmc build
//! --target` and `wasmc targets` then say how to install them.
//!
//! Output: `$OUT_DIR/runtimes.rs`, a table of (triple, library bytes) that
//! `link.rs` includes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "src/toolchain.rs"]
#[allow(dead_code)]
mod toolchain;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.parent().unwrap().to_path_buf();
    for p in [
        "runtime-lib/src",
        "runtime-lib/abi/src",
        "runtime-lib/csrc",
        "runtime-lib/Cargo.toml",
        "runtime-lib/build.rs",
        "cli/src/toolchain.rs",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
    let host = std::env::var("TARGET").unwrap();
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target")).join("runtime");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());

    let mut built = Vec::new();
    match build_runtime(&root, &target_dir, &host) {
        Ok(lib) => built.push((host.clone(), lib)),
        Err(e) => panic!("building the runtime library for {host} failed: {e}"),
    }
    // `rustup target add` adds a directory here: build again when it does.
    if let Some(rustlib) = rustlib_dir() {
        println!("cargo:rerun-if-changed={}", rustlib.display());
    }
    let mut left_out = Vec::new();
    for tc in toolchain::TOOLCHAINS.iter().filter(|t| t.triple != host) {
        println!("cargo:rerun-if-env-changed={}", tc.cc_env());
        match missing(tc) {
            // Not an error: most machines build for their own target only.
            Some(why) => left_out.push((tc.triple, why, false)),
            None => match build_runtime(&root, &target_dir, tc.triple) {
                Ok(lib) => built.push((tc.triple.to_string(), lib)),
                Err(e) => left_out.push((tc.triple, format!("its build failed: {e}"), true)),
            },
        }
    }
    for (triple, why, failed) in &left_out {
        if *failed || std::env::var_os("WASMC_RUNTIME_NOTES").is_some() {
            println!("cargo:warning=no runtime library for {triple}: {why}");
        }
    }

    let mut table = String::from(
        "/// The embedded runtime libraries: (target triple, static library).\n\
         pub static RUNTIMES: &[(&str, &[u8])] = &[\n",
    );
    for (triple, lib) in &built {
        let copy = out_dir.join(format!("libwasmc_rt-{triple}.a"));
        copy_stripped(lib, &copy, triple);
        writeln!(table, "    ({triple:?}, include_bytes!({:?})),", copy.display().to_string()).unwrap();
    }
    table.push_str(
        "];\n\n/// Targets whose runtime library is not embedded, and why.\n\
         pub static NOT_EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for (triple, why, _) in &left_out {
        writeln!(table, "    ({triple:?}, {why:?}),").unwrap();
    }
    table.push_str("];\n");
    std::fs::write(out_dir.join("runtimes.rs"), table).expect("write runtimes.rs");
    println!("cargo:rustc-env=WASMC_HOST_TARGET={host}");
}

/// Copies a runtime library to `dest` without its debug information, which
/// executables never keep (they are linked with `--strip-debug`): that
/// halves what the wasmc binary carries per target. A plain copy if the
/// target's `objcopy` is missing or fails.
fn copy_stripped(lib: &Path, dest: &Path, triple: &str) {
    let objcopy = match toolchain::toolchain(triple) {
        Some(_) if std::env::var("HOST").is_ok_and(|h| h == triple) => "objcopy".to_string(),
        Some(tc) => format!("{}-objcopy", tc.gnu),
        None => String::new(),
    };
    let stripped = toolchain::on_path(&objcopy)
        && Command::new(&objcopy)
            .arg("--strip-debug")
            .arg(lib)
            .arg(dest)
            .output()
            .is_ok_and(|o| o.status.success() && o.stderr.is_empty());
    if !stripped {
        std::fs::copy(lib, dest).expect("copy runtime library");
    }
}

/// The sysroot's `lib/rustlib`, which holds one directory per installed target.
fn rustlib_dir() -> Option<PathBuf> {
    let out = Command::new("rustc").args(["--print", "sysroot"]).output().ok()?;
    let sysroot = String::from_utf8(out.stdout).ok()?;
    let dir = Path::new(sysroot.trim()).join("lib").join("rustlib");
    dir.is_dir().then_some(dir)
}

/// What is missing to build the runtime for `tc` here, if anything.
fn missing(tc: &toolchain::Toolchain) -> Option<String> {
    let std_ok = Command::new("rustc")
        .args(["--print", "target-libdir", "--target", tc.triple])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|dir| std::fs::read_dir(dir.trim()).ok())
        .is_some_and(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with("libstd-") && name.ends_with(".rlib")
            })
        });
    if !std_ok {
        return Some("Rust's standard library for it was not installed".to_string());
    }
    let cc_env = std::env::var_os(tc.cc_env()).is_some_and(|v| !v.is_empty());
    if !cc_env && !toolchain::on_path(&tc.gcc()) {
        // Installing the compiler adds it to a PATH directory: look again then.
        println!("cargo:rerun-if-env-changed=PATH");
        if let Some(path) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&path).filter(|d| d.is_absolute() && d.is_dir()) {
                println!("cargo:rerun-if-changed={}", dir.display());
            }
        }
        return Some(format!("no C compiler for it was found ({} or ${})", tc.gcc(), tc.cc_env()));
    }
    None
}

fn build_runtime(root: &Path, target_dir: &Path, target: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "--release", "--lib", "-p", "wasmc-rt", "--target", target])
        .arg("--target-dir")
        .arg(target_dir);
    // Do not inherit the outer build's flags, wrappers or jobserver settings
    // meant for another profile or target (e.g. clippy's wrapper, a cross
    // linker). The generic C compiler settings are for this machine: a cross
    // target gets its own (`CC_<target>`, else the cross GCC).
    let cross = std::env::var("HOST").is_ok_and(|h| h != target);
    for (k, _) in std::env::vars() {
        if k.starts_with("CARGO_") && k != "CARGO_HOME"
            || k == "RUSTFLAGS"
            || k.starts_with("RUSTC")
            || cross && matches!(k.as_str(), "CC" | "CFLAGS" | "TARGET_CC" | "TARGET_CFLAGS")
        {
            cmd.env_remove(&k);
        }
    }
    let out = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        // One line (it becomes a cargo warning): the first error.
        let stderr = String::from_utf8_lossy(&out.stderr);
        let error = stderr.lines().find(|l| l.starts_with("error")).unwrap_or("see `cargo build -p wasmc-rt`");
        return Err(format!("`cargo build --target {target} -p wasmc-rt`: {error}"));
    }
    Ok(target_dir.join(target).join("release").join("libwasmc_rt.a"))
}
