//! `wasmc-fuzz`: differential fuzzing of wasmc against Wasmtime, and
//! compile-only fuzzing of the compiler (issue 17).
//!
//! ```text
//! wasmc-fuzz diff    --seed 1 --count 300      # what CI runs (a slice)
//! wasmc-fuzz diff    --time 3600 --jobs 2      # an hour, a fresh seed each day
//! wasmc-fuzz compile --seed 1 --count 3000
//! wasmc-fuzz replay  target/fuzz-failures/diff-s1-42.wasm
//! ```
//!
//! Every input is a function of `--seed` and its index, so a failure
//! printed as `input 42` of seed 1 is rerun by `replay --seed 1 --index 42`
//! (or from the `.wasm` saved under `--failures`).

mod compile_only;
mod driver;
mod engine_wasmc;
mod generate;
mod oracle;
mod outcome;
mod plan;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Generated modules run through wasmc and Wasmtime, results compared.
    Diff,
    /// Generated and mutated modules compiled (never a panic) and linked.
    Compile,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Diff => "diff",
            Mode::Compile => "compile",
        }
    }
}

#[derive(clap::Args)]
struct RunArgs {
    /// The run's seed (inputs are functions of it and their index).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Inputs to run (default: until --time is up, or 1000).
    #[arg(long)]
    count: Option<u64>,
    /// Stop starting new inputs after this many seconds.
    #[arg(long)]
    time: Option<u64>,
    /// Worker processes at a time (default: one per core).
    #[arg(long)]
    jobs: Option<usize>,
    /// Collect at every GC allocation and verify the heap (diff only).
    #[arg(long)]
    gc_stress: bool,
    /// Where failing inputs and their details are saved.
    #[arg(long)]
    failures: Option<PathBuf>,
}

#[derive(Parser)]
#[command(name = "wasmc-fuzz", about = "Fuzzing wasmc: differential (against Wasmtime) and compile-only")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run generated modules through wasmc and Wasmtime and compare.
    Diff(RunArgs),
    /// Compile generated and mutated modules for every target and link them.
    Compile(RunArgs),
    /// Run one module through both engines and print both runs.
    Replay {
        /// A module file; or give --seed and --index.
        file: Option<PathBuf>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        index: Option<u64>,
        #[arg(long)]
        gc_stress: bool,
    },
    /// (internal) Run inputs from..to and report each on stdout.
    #[command(hide = true)]
    Worker {
        mode: Mode,
        #[arg(long)]
        seed: u64,
        #[arg(long)]
        from: u64,
        #[arg(long)]
        to: u64,
        #[arg(long)]
        failures: PathBuf,
        #[arg(long)]
        gc_stress: bool,
    },
}

/// Saves input `index` of `seed` (regenerated) and why it failed.
pub fn save_failure(dir: &Path, mode: Mode, seed: u64, index: u64, detail: &str) {
    let wasm = match mode {
        Mode::Diff => generate::diff_module(seed, index).unwrap_or_default(),
        Mode::Compile => generate::compile_input(seed, index),
    };
    let stem = dir.join(format!("{}-s{seed}-{index}", mode.name()));
    let _ = std::fs::write(stem.with_extension("wasm"), wasm);
    let _ = std::fs::write(stem.with_extension("txt"), format!("{detail}\n"));
}

/// Seconds a worker may spend on one input before the alarm ends it.
const INPUT_TIMEOUT_SECS: u32 = 120;

fn set_alarm(secs: u32) {
    // SAFETY: alarm(2) only arms this process's timer; SIGALRM keeps its
    // default action (ending the worker), which the driver reports.
    unsafe { libc::alarm(secs) };
}

/// Compares both engines on one module: (verdict, wasmc's and the oracle's events).
fn diff_one(
    wasmc: &engine_wasmc::Wasmc,
    oracle: &mut oracle::Oracle,
    wasm: &[u8],
    rng: &mut generate::Rng,
) -> anyhow::Result<(outcome::Verdict, Vec<outcome::Event>, Vec<outcome::Event>)> {
    let plan = plan::plan(wasm, rng).unwrap_or_default();
    let ours = wasmc.run(wasm, &plan);
    let theirs = oracle.run(wasm, &plan)?;
    Ok((outcome::compare(&ours, &theirs), ours, theirs))
}

fn worker(mode: Mode, seed: u64, from: u64, to: u64, failures: &Path, gc_stress: bool) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let scratch = std::env::temp_dir().join(format!("wasmc-fuzz-w{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let mut diff = match mode {
        Mode::Diff => Some((engine_wasmc::Wasmc::new(gc_stress)?, oracle::Oracle::start()?)),
        Mode::Compile => None,
    };
    let targets = match mode {
        Mode::Compile => compile_only::targets()?,
        Mode::Diff => Vec::new(),
    };
    for i in from..to {
        writeln!(out, "begin {i}")?;
        out.flush()?;
        set_alarm(INPUT_TIMEOUT_SECS);
        let (kind, calls, traps, detail) = match &mut diff {
            Some((wasmc, oracle)) => match generate::diff_module(seed, i) {
                Err(_) => ("no-module".to_string(), 0, 0, None),
                Ok(wasm) => {
                    let mut rng = generate::Rng::new(seed ^ 0x5eed, i);
                    let (verdict, ours, theirs) = diff_one(wasmc, oracle, &wasm, &mut rng)?;
                    let (calls, traps) = match verdict {
                        outcome::Verdict::Same { calls, traps } => (calls, traps),
                        _ => (0, 0),
                    };
                    let detail = match &verdict {
                        outcome::Verdict::Mismatch(m) => {
                            Some(format!("{m}\n--- wasmc\n{}\n--- oracle\n{}", lines(&ours), lines(&theirs)))
                        }
                        _ => None,
                    };
                    (verdict.kind(), calls, traps, detail)
                }
            },
            None => {
                let wasm = generate::compile_input(seed, i);
                let (kind, detail) = compile_only::check(&wasm, compile_only::target_for(&targets, i), &scratch);
                (kind, 0, 0, detail)
            }
        };
        set_alarm(0);
        if let Some(d) = &detail {
            save_failure(failures, mode, seed, i, d);
        }
        let first_line = detail.as_deref().and_then(|d| d.lines().next()).unwrap_or("");
        writeln!(out, "result {i} {kind} {calls} {traps} {first_line}")?;
        out.flush()?;
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

fn lines(events: &[outcome::Event]) -> String {
    events.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")
}

fn run(mode: Mode, a: RunArgs) -> anyhow::Result<bool> {
    if mode == Mode::Diff {
        oracle::check()?;
    }
    let jobs = a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let count = if a.time.is_none() { Some(a.count.unwrap_or(1000)) } else { a.count };
    driver::run(&driver::RunConfig {
        mode,
        seed: a.seed,
        count,
        time: a.time.map(Duration::from_secs),
        jobs,
        gc_stress: a.gc_stress,
        failures: a.failures.unwrap_or_else(driver::default_failures),
    })
}

fn main() -> anyhow::Result<()> {
    let ok = match Cli::parse().command {
        Cmd::Diff(a) => run(Mode::Diff, a)?,
        Cmd::Compile(a) => run(Mode::Compile, a)?,
        Cmd::Worker { mode, seed, from, to, failures, gc_stress } => {
            worker(mode, seed, from, to, &failures, gc_stress)?;
            true
        }
        Cmd::Replay { file, seed, index, gc_stress } => {
            let wasm = match (file, index) {
                (Some(f), _) => std::fs::read(&f)?,
                (None, Some(i)) => generate::diff_module(seed, i).map_err(|e| anyhow::anyhow!("no module: {e}"))?,
                (None, None) => anyhow::bail!("give a module file or --index"),
            };
            let mut rng = generate::Rng::new(seed ^ 0x5eed, index.unwrap_or(0));
            let wasmc = engine_wasmc::Wasmc::new(gc_stress)?;
            let mut oracle = oracle::Oracle::start()?;
            let (verdict, ours, theirs) = diff_one(&wasmc, &mut oracle, &wasm, &mut rng)?;
            println!("--- wasmc\n{}\n--- oracle\n{}\n--- {verdict:?}", lines(&ours), lines(&theirs));
            !driver::is_failure(&verdict.kind())
        }
    };
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}
