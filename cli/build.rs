//! Builds the runtime library as a static library and embeds it in the
//! `wasmc` binary, so `wasmc build` links executables with no environment
//! variables and no files to find: one binary is the whole toolchain.
//!
//! The runtime is built by a nested `cargo build` into its own target
//! directory (`target/runtime`), always optimized, for the host target.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.parent().unwrap().to_path_buf();
    for p in
        ["runtime-lib/src", "runtime-lib/abi/src", "runtime-lib/csrc", "runtime-lib/Cargo.toml", "runtime-lib/build.rs"]
    {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
    let target = std::env::var("TARGET").unwrap();
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target")).join("runtime");
    let lib = build_runtime(&root, &target_dir, &target);
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("libwasmc_rt.a");
    std::fs::copy(&lib, &out).expect("copy runtime library");
    println!("cargo:rustc-env=WASMC_HOST_TARGET={target}");
}

fn build_runtime(root: &Path, target_dir: &Path, target: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "--release", "--lib", "-p", "wasmc-rt", "--target", target])
        .arg("--target-dir")
        .arg(target_dir);
    // Do not inherit the outer build's flags, wrappers or jobserver settings
    // meant for another profile (e.g. clippy's wrapper).
    for (k, _) in std::env::vars() {
        if k.starts_with("CARGO_") && k != "CARGO_HOME" || k == "RUSTFLAGS" || k.starts_with("RUSTC") {
            cmd.env_remove(&k);
        }
    }
    let status = cmd.status().expect("run cargo for the runtime library");
    assert!(status.success(), "building the runtime library failed");
    target_dir.join(target).join("release").join("libwasmc_rt.a")
}
