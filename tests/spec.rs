//! Spec conformance: runs every `.wast` script of the WebAssembly testsuite
//! through the real compiler and runtime, one trial per file.
//!
//! A trial fails when the file has a failed assertion that is not listed in
//! `spec-expected-failures.txt`, or when a listed one now passes. After all
//! trials a summary is printed: per file, per unsupported feature, totals.
//!
//! Environment:
//! - `WASMC_SPEC_DIR`: the testsuite's `core` directory (default
//!   `../shared/testsuite/core` next to the workspace). Its sibling
//!   `legacy/` (legacy exception handling) runs too, as `legacy/<file>`.
//! - `WASMC_SPEC_FILTER`: only files whose relative path contains this.
//! - `WASMC_SPEC_OPT_LEVEL`: 0, 1 or 2 (default 2, what the loader uses).
//! - `WASMC_SPEC_CPU`: `baseline` (the default), `native` (every feature of
//!   the machine the harness runs on) or `rv64gcv` (riscv64 with the V
//!   extension, which SIMD needs there; under qemu set
//!   `QEMU_CPU=rv64,v=true,vlen=128,vext_spec=v1.0`).
//! - `WASMC_SPEC_TRACE_UNSUPPORTED`: list every unsupported directive on
//!   stderr with its feature.
//!
//! wasmc's own regression scripts (`tests/wast/`) run beside the testsuite
//! as `wasmc/<file>`, on every target the harness runs on, and are counted
//! apart from it.
//!
//! Every file that uses GC runs a second time as `gc-stress/<file>`, with
//! a collection at every allocation and the heap verified after each one.
//! Those runs are reported apart and not added to the totals.

use libtest_mimic::{Arguments, Failed, Trial};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use wasmc_cli::loader::Loader;
use wasmc_cli::wast::{run_file_with, FileReport, RunOptions};
use wasmc_compiler::{CpuFeatures, OptLevel};

const EXPECTED_FAILURES: &str = include_str!("spec-expected-failures.txt");

static RESULTS: Mutex<Vec<(String, FileReport)>> = Mutex::new(Vec::new());
static STRESS_RESULTS: Mutex<Vec<(String, FileReport)>> = Mutex::new(Vec::new());

/// Whether a script allocates GC objects (or could): its files are run
/// again in stress mode.
fn uses_gc(rel: &str, text: &str) -> bool {
    rel.starts_with("gc/")
        || ["struct", "array", "ref.i31", "anyref", "eqref", "i31ref", "(ref any", "(ref eq", "convert_"]
            .iter()
            .any(|k| text.contains(k))
}

/// Scripts run under a fixed 4 GiB heap limit rather than the machine's
/// memory (`WASMC_MAX_HEAP` still overrides it), so a script's results (`allocation size too large`) do not
/// depend on the machine, and no script can exhaust it.
const HARNESS_MAX_HEAP: usize = 4 << 30;

fn heap(stress: bool) -> wasmc_rt::gc::HeapConfig {
    let base = wasmc_rt::gc::HeapConfig { max_heap_bytes: HARNESS_MAX_HEAP, ..Default::default() }.from_env();
    wasmc_rt::gc::HeapConfig { stress: base.stress || stress, verify: base.verify || stress, ..base }
}

fn spec_dir() -> PathBuf {
    match std::env::var_os("WASMC_SPEC_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testsuite/core"),
    }
}

/// Prefix of the trial names of the testsuite's `legacy/` scripts (legacy
/// exception handling), counted with the spec's.
const LEGACY_PREFIX: &str = "legacy/";

/// Prefix of the trial names of wasmc's own scripts.
const OWN_PREFIX: &str = "wasmc/";

fn own_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("wast")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "wast") {
            out.push(path);
        }
    }
    Ok(())
}

/// `relative/path.wast` -> lines expected to fail.
fn expected_failures() -> Result<BTreeMap<String, BTreeSet<u32>>, String> {
    let mut map: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for (n, line) in EXPECTED_FAILURES.lines().enumerate() {
        let entry = line.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        let parsed = entry.rsplit_once(':').and_then(|(f, l)| Some((f.to_string(), l.trim().parse::<u32>().ok()?)));
        match parsed {
            Some((file, line)) => {
                map.entry(file).or_default().insert(line);
            }
            None => return Err(format!("spec-expected-failures.txt:{}: expected `path.wast:LINE`", n + 1)),
        }
    }
    Ok(map)
}

/// The line number of a failure `file:line:col: what`.
fn failure_line(report: &FileReport, failure: &str) -> Option<u32> {
    let prefix = format!("{}:", report.path.display());
    failure.strip_prefix(&prefix)?.split(':').next()?.parse().ok()
}

fn run_one(loader: &Loader, rel: &str, path: &Path, expected: &BTreeSet<u32>, stress: bool) -> Result<(), Failed> {
    let opts = RunOptions {
        print: false,
        trace_unsupported: std::env::var_os("WASMC_SPEC_TRACE_UNSUPPORTED").is_some(),
        heap: Some(heap(stress)),
        ..RunOptions::default()
    };
    let report = run_file_with(path, loader, &opts).map_err(|e| Failed::from(format!("{e:#}")))?;
    let mut failed_lines = BTreeSet::new();
    let mut unexpected = Vec::new();
    for f in &report.failures {
        let line = failure_line(&report, f);
        if let Some(l) = line {
            failed_lines.insert(l);
        }
        if !line.is_some_and(|l| expected.contains(&l)) {
            unexpected.push(f.clone());
        }
    }
    let stale: Vec<String> =
        expected.iter().filter(|l| !failed_lines.contains(l)).map(|l| format!("{rel}:{l}")).collect();
    let results = if stress { &STRESS_RESULTS } else { &RESULTS };
    results.lock().unwrap_or_else(|e| e.into_inner()).push((rel.to_string(), report));
    let mut msg = String::new();
    if !unexpected.is_empty() {
        msg.push_str(&format!("{} unexpected failure(s):\n", unexpected.len()));
        for f in &unexpected {
            msg.push_str(&format!("  {f}\n"));
        }
    }
    if !stale.is_empty() {
        msg.push_str("listed in spec-expected-failures.txt but passing now (remove it from the list):\n");
        for s in &stale {
            msg.push_str(&format!("  {s}\n"));
        }
    }
    if msg.is_empty() {
        Ok(())
    } else {
        Err(msg.into())
    }
}

fn print_summary() {
    let mut results = std::mem::take(&mut *RESULTS.lock().unwrap_or_else(|e| e.into_inner()));
    if results.is_empty() {
        return;
    }
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let own: Vec<(String, FileReport)> = results.extract_if(.., |(rel, _)| rel.starts_with(OWN_PREFIX)).collect();
    let (mut passed, mut failed, mut unsupported) = (0, 0, 0);
    let mut features: BTreeMap<String, usize> = BTreeMap::new();
    println!("\nspec results (passed/failed/unsupported/total):");
    for (rel, r) in &results {
        let total = r.passed + r.failed + r.unsupported;
        println!("  {rel}: {}/{}/{}/{total}", r.passed, r.failed, r.unsupported);
        passed += r.passed;
        failed += r.failed;
        unsupported += r.unsupported;
        for (f, n) in &r.unsupported_by_feature {
            *features.entry(f.clone()).or_default() += n;
        }
    }
    if !features.is_empty() {
        println!("unsupported assertions by feature:");
        for (f, n) in &features {
            println!("  {f}: {n}");
        }
    }
    let stress = std::mem::take(&mut *STRESS_RESULTS.lock().unwrap_or_else(|e| e.into_inner()));
    if !stress.is_empty() {
        let p: usize = stress.iter().map(|(_, r)| r.passed).sum();
        let f: usize = stress.iter().map(|(_, r)| r.failed).sum();
        println!(
            "GC stress mode (collect at every allocation, heap verified): {} files, {p} passed, {f} failed",
            stress.len()
        );
    }
    println!("spec assertions in {} files: {passed} passed, {failed} failed, {unsupported} unsupported", results.len());
    let own_passed: usize = own.iter().map(|(_, r)| r.passed).sum();
    let own_failed: usize = own.iter().map(|(_, r)| r.failed).sum();
    let own_unsupported: usize = own.iter().map(|(_, r)| r.unsupported).sum();
    for (rel, r) in &own {
        println!("  {rel}: {}/{}/{}", r.passed, r.failed, r.unsupported);
    }
    println!(
        "wasmc's own scripts, {} files: {own_passed} passed, {own_failed} failed, {own_unsupported} unsupported",
        own.len()
    );
    println!("{} passed, {} failed", passed + own_passed, failed + own_failed);
}

fn main() {
    let args = Arguments::from_args();
    let dir = spec_dir();
    let mut files = Vec::new();
    if let Err(e) = collect(&dir, &mut files) {
        eprintln!("cannot read the spec testsuite at {} ({e}); set WASMC_SPEC_DIR", dir.display());
        std::process::exit(1);
    }
    files.sort();
    let core_files = files.len();
    // The legacy exception-handling tests sit beside `core/`.
    let legacy = dir.join("../legacy");
    if legacy.is_dir() {
        if let Err(e) = collect(&legacy, &mut files) {
            eprintln!("cannot read the legacy tests at {} ({e})", legacy.display());
            std::process::exit(1);
        }
        files[core_files..].sort();
    }
    let spec_files = files.len();
    if let Err(e) = collect(&own_dir(), &mut files) {
        eprintln!("cannot read wasmc's own scripts at {} ({e})", own_dir().display());
        std::process::exit(1);
    }
    files[spec_files..].sort();
    let filter = std::env::var("WASMC_SPEC_FILTER").ok();
    let expected = match expected_failures() {
        Ok(e) => Arc::new(e),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let opt_level = match std::env::var("WASMC_SPEC_OPT_LEVEL").as_deref() {
        Err(_) | Ok("2") => OptLevel::O2,
        Ok("1") => OptLevel::O1,
        Ok("0") => OptLevel::O0,
        Ok(other) => {
            eprintln!("WASMC_SPEC_OPT_LEVEL must be 0, 1 or 2, not `{other}`");
            std::process::exit(1);
        }
    };
    let cpu = match std::env::var("WASMC_SPEC_CPU").as_deref() {
        Err(_) | Ok("baseline") => CpuFeatures::Baseline,
        Ok("native") => CpuFeatures::Native,
        Ok("rv64gcv") => CpuFeatures::Rv64gcv,
        Ok(other) => {
            eprintln!("WASMC_SPEC_CPU must be baseline, native or rv64gcv, not `{other}`");
            std::process::exit(1);
        }
    };
    let loader = match Loader::new(None) {
        Ok(mut l) => {
            l.opts.opt_level = opt_level;
            l.opts.cpu = cpu;
            Arc::new(l)
        }
        Err(e) => {
            eprintln!("cannot create the module loader: {e:#}");
            std::process::exit(1);
        }
    };
    let mut trials = Vec::new();
    let mut known: HashMap<String, ()> = HashMap::new();
    for (i, path) in files.into_iter().enumerate() {
        let (root, prefix) = if i < core_files {
            (dir.clone(), "")
        } else if i < spec_files {
            (legacy.clone(), LEGACY_PREFIX)
        } else {
            (own_dir(), OWN_PREFIX)
        };
        let rel = path.strip_prefix(&root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let rel = format!("{prefix}{rel}");
        known.insert(rel.clone(), ());
        if filter.as_deref().is_some_and(|f| !rel.contains(f)) {
            continue;
        }
        if std::fs::read_to_string(&path).is_ok_and(|t| uses_gc(&rel, &t)) {
            let (expected, loader, rel, path) = (expected.clone(), loader.clone(), rel.clone(), path.clone());
            trials.push(Trial::test(format!("gc-stress/{rel}"), move || {
                let lines = expected.get(&rel).cloned().unwrap_or_default();
                run_one(&loader, &rel, &path, &lines, true)
            }));
        }
        let expected = expected.clone();
        let loader = loader.clone();
        trials.push(Trial::test(rel.clone(), move || {
            let lines = expected.get(&rel).cloned().unwrap_or_default();
            run_one(&loader, &rel, &path, &lines, false)
        }));
    }
    // Entries naming files that do not exist are mistakes in the list.
    let unknown: Vec<String> = expected.keys().filter(|f| !known.contains_key(*f)).cloned().collect();
    if filter.is_none() {
        trials.push(Trial::test("expected-failures-list", move || {
            if unknown.is_empty() {
                Ok(())
            } else {
                Err(format!("spec-expected-failures.txt names unknown files: {}", unknown.join(", ")).into())
            }
        }));
    }
    let conclusion = libtest_mimic::run(&args, trials);
    print_summary();
    // The trials are gone: this drops the last loader, which removes its
    // scratch directory (`exit` would skip that).
    drop(loader);
    conclusion.exit();
}
