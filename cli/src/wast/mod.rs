//! The `.wast` script engine (being written).
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

pub fn run_file(path: &Path, loader: &Loader) -> anyhow::Result<FileReport> {
    let _ = (path, loader);
    anyhow::bail!("not yet")
}
