//! The `.wast` script engine: runs a spec-test script through the real
//! compiler and runtime and counts its assertions.
//!
//! One concern per file: `script` (the directives and their counting),
//! `modules` (compiling, linking and instantiating the script's modules),
//! `values` (arguments, expected results, NaN patterns), `spectest` (the
//! host module every script may import from), `legacy_try` (the folded
//! legacy `try` syntax).
//!
//! Every assertion ends up passed, failed or unsupported. It is unsupported
//! only when the compiler refused one of the modules it needs with an
//! `unsupported:` error; anything else the engine cannot do is a failure.

mod imports;
mod legacy_try;
mod modules;
mod script;
mod spectest;
mod values;

use crate::loader::Loader;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Outcome of one script.
#[derive(Debug, Default, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    pub passed: usize,
    pub failed: usize,
    pub unsupported: usize,
    /// Unsupported assertions by feature name.
    pub unsupported_by_feature: BTreeMap<String, usize>,
    /// One line per failed assertion: `file:line:col: what went wrong`.
    pub failures: Vec<String>,
}

/// How to run a script.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Whether the `spectest` print functions write to stdout.
    pub print: bool,
    /// Stack size of the thread the script runs on.
    pub stack_size: usize,
    /// Whether to write each unsupported directive (`file:line:col:
    /// what: unsupported: feature`) to stderr.
    pub trace_unsupported: bool,
    /// GC heap settings of the script's store (default: from the
    /// environment, see `wasmc_rt::gc::HeapConfig::from_env`).
    pub heap: Option<wasmc_rt::gc::HeapConfig>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { print: true, stack_size: 16 << 20, trace_unsupported: false, heap: None }
    }
}

/// Runs one script on a thread of its own with a 16 MiB stack.
pub fn run_file(path: &Path, loader: &Loader) -> anyhow::Result<FileReport> {
    run_file_with(path, loader, &RunOptions::default())
}

/// [`run_file`] with options.
pub fn run_file_with(path: &Path, loader: &Loader, opts: &RunOptions) -> anyhow::Result<FileReport> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not valid UTF-8", path.display()))?;
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name(format!("wast {}", path.display()))
            .stack_size(opts.stack_size)
            .spawn_scoped(s, || script::run_text(path, &text, loader, opts))?;
        handle
            .join()
            .map_err(|p| anyhow::anyhow!("{}: script runner panicked: {}", path.display(), panic_message(&*p)))?
    })
}

/// The message of a caught panic.
pub(crate) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}
