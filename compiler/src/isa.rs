//! Target selection and Cranelift settings.

use crate::error::{CompileError, Result};
pub use crate::options::{OptLevel, Options, OutputKind, WasmCallConv};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use target_lexicon::{Architecture, OperatingSystem, Triple};

/// The optional x86_64 features this machine has, by Cranelift setting name.
fn native_x86_features() -> Vec<&'static str> {
    let mut v = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        let has = [
            (std::arch::is_x86_feature_detected!("avx"), "has_avx"),
            (std::arch::is_x86_feature_detected!("avx2"), "has_avx2"),
            (std::arch::is_x86_feature_detected!("bmi1"), "has_bmi1"),
            (std::arch::is_x86_feature_detected!("bmi2"), "has_bmi2"),
            (std::arch::is_x86_feature_detected!("lzcnt"), "has_lzcnt"),
            (std::arch::is_x86_feature_detected!("fma"), "has_fma"),
        ];
        v.extend(has.iter().filter(|(on, _)| *on).map(|(_, name)| *name));
    }
    v
}

/// Targets wasmc can generate code for.
pub fn supported(triple: &Triple) -> Result<()> {
    let arch_ok = matches!(triple.architecture, Architecture::X86_64);
    if !arch_ok || triple.operating_system != OperatingSystem::Linux {
        return Err(CompileError::internal(format!(
            "target `{triple}` is not supported yet (supported: x86_64-unknown-linux-gnu)"
        )));
    }
    Ok(())
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
    set(&mut flags, "enable_probestack", "true")?;
    set(&mut flags, "probestack_strategy", "inline")?;
    set(&mut flags, "enable_multi_ret_implicit_sret", "true")?;
    set(&mut flags, "unwind_info", "false")?;
    set(&mut flags, "enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" })?;
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
    isa.finish(settings::Flags::new(flags)).map_err(|e| CompileError::internal(format!("{e}")))
}
