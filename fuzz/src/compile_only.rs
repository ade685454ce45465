//! The compile-only fuzzer's check of one input: the compiler returns an
//! object or an error (never panics), for every target, and every object
//! it returns links into a loadable shared object with the target's
//! linker.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use wasmc_cli::link;
use wasmc_compiler::{CpuFeatures, ErrorKind, Options, OutputKind};

/// A target and its linker, set up once per worker.
pub struct Target {
    opts: Options,
    linker: String,
}

/// Every target wasmc compiles for whose linker is installed; the inputs
/// rotate over them. riscv64 gets the V extension, so SIMD compiles there.
pub fn targets() -> anyhow::Result<Vec<Target>> {
    let mut out = Vec::new();
    for name in wasmc_compiler::isa::TARGETS {
        let Ok(linker) = link::find_linker(None, name) else {
            eprintln!("wasmc-fuzz: no linker for {name}, not compiling for it");
            continue;
        };
        let mut opts = Options::host(OutputKind::Loadable);
        opts.triple = name.parse().map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        opts.threads = 1;
        if name.starts_with("riscv64") {
            opts.cpu = CpuFeatures::Rv64gcv;
        }
        out.push(Target { opts, linker });
    }
    anyhow::ensure!(!out.is_empty(), "no target has a linker");
    Ok(out)
}

/// The verdict on one input: `compiled`, `invalid`, `unsupported:<feature>`,
/// or a failure (`panic`, `internal`, `link-failed`) with its detail.
pub fn check(wasm: &[u8], target: &Target, scratch: &Path) -> (String, Option<String>) {
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| wasmc_compiler::compile(wasm, &target.opts)));
    match result {
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            ("panic".into(), Some(msg))
        }
        Ok(Err(e)) => match &e.kind {
            ErrorKind::Invalid => ("invalid".into(), None),
            ErrorKind::Unsupported { feature, .. } => (format!("unsupported:{feature}"), None),
            ErrorKind::Internal => ("internal".into(), Some(e.to_string())),
        },
        Ok(Ok(object)) => {
            let obj = scratch.join("input.o");
            let so = scratch.join("input.so");
            let linked = std::fs::write(&obj, &object)
                .map_err(anyhow::Error::from)
                .and_then(|()| link::link_shared(&target.linker, &obj, &so));
            match linked {
                Ok(()) => ("compiled".into(), None),
                Err(e) => ("link-failed".into(), Some(format!("{}: {e:#}", target.opts.triple))),
            }
        }
    }
}

/// Where input `index` is compiled.
pub fn target_for(targets: &[Target], index: u64) -> &Target {
    &targets[(index % targets.len() as u64) as usize]
}
