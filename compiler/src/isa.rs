//! Target selection and Cranelift settings.

use crate::error::{CompileError, Result};
pub use crate::options::{OptLevel, Options, OutputKind, WasmCallConv};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use target_lexicon::{Architecture, OperatingSystem, Triple};

/// The optional x86_64 features this machine has, by Cranelift setting name.
#[cfg(target_arch = "x86_64")]
fn native_x86_features() -> Vec<&'static str> {
    let has = [
        (std::arch::is_x86_feature_detected!("avx"), "has_avx"),
        (std::arch::is_x86_feature_detected!("avx2"), "has_avx2"),
        (std::arch::is_x86_feature_detected!("bmi1"), "has_bmi1"),
        (std::arch::is_x86_feature_detected!("bmi2"), "has_bmi2"),
        (std::arch::is_x86_feature_detected!("lzcnt"), "has_lzcnt"),
        (std::arch::is_x86_feature_detected!("fma"), "has_fma"),
        // AVX-512 gives single instructions for i64x2 mul/abs/conversions,
        // the permutes behind shuffles, and popcnt on vectors.
        (std::arch::is_x86_feature_detected!("avx512f"), "has_avx512f"),
        (std::arch::is_x86_feature_detected!("avx512vl"), "has_avx512vl"),
        (std::arch::is_x86_feature_detected!("avx512dq"), "has_avx512dq"),
        (std::arch::is_x86_feature_detected!("avx512bitalg"), "has_avx512bitalg"),
        (std::arch::is_x86_feature_detected!("avx512vbmi"), "has_avx512vbmi"),
    ];
    has.iter().filter(|(on, _)| *on).map(|(_, name)| *name).collect()
}

/// On other hosts no x86_64 feature can be detected.
#[cfg(not(target_arch = "x86_64"))]
fn native_x86_features() -> Vec<&'static str> {
    Vec::new()
}

/// Whether this machine is riscv64 with the V extension: bit `'V' - 'A'`
/// of the kernel's `AT_HWCAP` (read from `/proc/self/auxv`).
fn native_riscv_vector() -> bool {
    if !cfg!(target_arch = "riscv64") {
        return false;
    }
    const AT_HWCAP: u64 = 16;
    let Ok(auxv) = std::fs::read("/proc/self/auxv") else { return false };
    let words: Vec<u64> = auxv.chunks_exact(8).map(|c| u64::from_ne_bytes(c.try_into().expect("8 bytes"))).collect();
    words.chunks_exact(2).any(|kv| kv[0] == AT_HWCAP && kv[1] & (1 << (b'V' - b'A')) != 0)
}

/// Whether this machine is aarch64 with LSE's single-instruction atomics
/// (ARMv8.1-A).
fn native_aarch64_lse() -> bool {
    #[cfg(target_arch = "aarch64")]
    {
        std::arch::is_aarch64_feature_detected!("lse")
    }
    #[cfg(not(target_arch = "aarch64"))]
    {
        false
    }
}

/// Whether code for `opts` may use riscv64's V extension (and so SIMD).
pub fn riscv_vector(opts: &Options) -> bool {
    matches!(opts.triple.architecture, Architecture::Riscv64(_))
        && match opts.cpu {
            crate::CpuFeatures::Rv64gcv => true,
            crate::CpuFeatures::Native => native_riscv_vector(),
            crate::CpuFeatures::Baseline => false,
        }
}

/// The targets wasmc generates code for, by their Rust triples: 64-bit
/// little-endian Linux. The CLI keeps one runtime library per entry.
pub const TARGETS: [&str; 3] = ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "riscv64gc-unknown-linux-gnu"];

/// The entry of [`TARGETS`] that `triple` names. Any vendor is accepted
/// (`aarch64-linux-gnu` is Debian's spelling), `riscv64` means `riscv64gc`
/// (Cranelift needs the G extensions: M, A, F, D, Zicsr, Zifencei), and the
/// environment must be glibc's (or left out).
pub fn canonical_target(triple: &Triple) -> Result<&'static str> {
    use target_lexicon::{Aarch64Architecture, Environment, Riscv64Architecture};
    let arch = match triple.architecture {
        Architecture::X86_64 => Some(0),
        Architecture::Aarch64(Aarch64Architecture::Aarch64) => Some(1),
        Architecture::Riscv64(Riscv64Architecture::Riscv64 | Riscv64Architecture::Riscv64gc) => Some(2),
        _ => None,
    };
    let env_ok = matches!(triple.environment, Environment::Gnu | Environment::Unknown);
    match arch {
        Some(i) if triple.operating_system == OperatingSystem::Linux && env_ok => Ok(TARGETS[i]),
        _ => Err(CompileError::internal(format!(
            "target `{triple}` is not supported (supported: {})",
            TARGETS.join(", ")
        ))),
    }
}

/// Whether wasmc can generate code for `triple`.
pub fn supported(triple: &Triple) -> Result<()> {
    canonical_target(triple).map(|_| ())
}

pub fn build_isa(opts: &Options) -> Result<OwnedTargetIsa> {
    supported(&opts.triple)?;
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k: &str, v: &str| {
        f.set(k, v).map_err(|e| CompileError::internal(format!("cranelift setting {k}={v}: {e}")))
    };
    let opt = match opts.opt_level {
        OptLevel::O0 => "none",
        _ => "speed",
    };
    set(&mut flags, "opt_level", opt)?;
    set(&mut flags, "enable_alias_analysis", if opts.opt_level == OptLevel::O2 { "true" } else { "false" })?;
    // Frame pointers make backtraces and (later) GC stack walking simple.
    set(&mut flags, "preserve_frame_pointers", "true")?;
    // gcc links PIE by default: position-independent code avoids text relocations.
    set(&mut flags, "is_pic", "true")?;
    // Frames larger than a page touch each page on the way down, so a big
    // frame cannot jump over the guard page. Inline probes are the only
    // strategy Cranelift offers on aarch64 and riscv64 (and need no
    // `__probestack` symbol on x86_64).
    set(&mut flags, "enable_probestack", "true")?;
    set(&mut flags, "probestack_strategy", "inline")?;
    set(&mut flags, "enable_multi_ret_implicit_sret", "true")?;
    set(&mut flags, "unwind_info", "false")?;
    set(&mut flags, "enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" })?;
    // aarch64: the ARMv8.0-A baseline (no LSE atomics), which every 64-bit
    // ARM board runs; `--cpu native` on an aarch64 host with LSE uses it. riscv64: Cranelift's defaults are exactly RV64G; the C
    // (compressed) extension stays off.
    let mut isa = cranelift_codegen::isa::lookup(opts.triple.clone())
        .map_err(|e| CompileError::internal(format!("target `{}`: {e}", opts.triple)))?;
    if opts.triple.architecture == Architecture::X86_64 {
        // Baseline x86-64-v2 (every x86_64 CPU since 2009): SSE4.1 gives
        // single-instruction float rounding, POPCNT a single-instruction popcnt.
        for f in ["has_sse3", "has_ssse3", "has_sse41", "has_sse42", "has_popcnt"] {
            isa.enable(f).map_err(|e| CompileError::internal(format!("{f}: {e}")))?;
        }
        if opts.cpu == crate::CpuFeatures::Native {
            for f in native_x86_features() {
                isa.enable(f).map_err(|e| CompileError::internal(format!("{f}: {e}")))?;
            }
        }
    }
    if matches!(opts.triple.architecture, Architecture::Aarch64(_))
        && opts.cpu == crate::CpuFeatures::Native
        && native_aarch64_lse()
    {
        // LSE: `ldaddal`, `casal`, ... instead of LL/SC loops.
        isa.enable("has_lse").map_err(|e| CompileError::internal(format!("has_lse: {e}")))?;
    }
    if riscv_vector(opts) {
        // V guarantees 128-bit vector registers (Zvl128b), which is what
        // Cranelift needs to hold a v128.
        for f in ["has_v", "zvl128b"] {
            isa.enable(f).map_err(|e| CompileError::internal(format!("{f}: {e}")))?;
        }
    }
    isa.finish(settings::Flags::new(flags)).map_err(|e| CompileError::internal(format!("{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(t: &str) -> std::result::Result<&'static str, String> {
        canonical_target(&t.parse().unwrap()).map_err(|e| e.message)
    }

    #[test]
    fn canonical_targets() {
        assert_eq!(canon("x86_64-unknown-linux-gnu"), Ok(TARGETS[0]));
        assert_eq!(canon("x86_64-linux-gnu"), Ok(TARGETS[0]));
        assert_eq!(canon("aarch64-unknown-linux-gnu"), Ok(TARGETS[1]));
        assert_eq!(canon("aarch64-linux-gnu"), Ok(TARGETS[1]));
        assert_eq!(canon("riscv64gc-unknown-linux-gnu"), Ok(TARGETS[2]));
        assert_eq!(canon("riscv64-linux-gnu"), Ok(TARGETS[2]));
        for bad in [
            "aarch64_be-unknown-linux-gnu",
            "aarch64-apple-darwin",
            "x86_64-unknown-linux-musl",
            "i686-unknown-linux-gnu",
            "riscv64imac-unknown-none-elf",
        ] {
            let e = canon(bad).unwrap_err();
            assert!(e.contains("not supported"), "{bad}: {e}");
            assert!(e.contains("aarch64-unknown-linux-gnu"), "{bad}: {e}");
        }
    }

    #[test]
    fn every_target_builds_an_isa() {
        for t in TARGETS {
            for opt_level in [OptLevel::O0, OptLevel::O2] {
                let opts = Options { triple: t.parse().unwrap(), opt_level, ..Options::host(OutputKind::Loadable) };
                let isa = build_isa(&opts).unwrap();
                assert_eq!(isa.triple().architecture, opts.triple.architecture);
                assert!(isa.flags().preserve_frame_pointers());
                assert!(isa.flags().is_pic());
            }
        }
    }
}
