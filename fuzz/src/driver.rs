//! Splitting a run into worker processes and adding up what they report.
//!
//! Workers are this program again (`wasmc-fuzz worker ...`), each given a
//! range of input indices: a crash or a hang (an alarm ends a worker
//! stuck on one input) costs one input, not the run, and dlopened
//! modules do not pile up in one process. A worker prints `begin <i>`
//! before input `i` and `result <i> <kind> <calls> <traps> [detail]` after
//! it; an input begun but never finished is a `crash` (or a `timeout`).

use crate::Mode;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Inputs per worker process.
const CHUNK: u64 = 200;

pub struct RunConfig {
    pub mode: Mode,
    pub seed: u64,
    pub count: Option<u64>,
    pub time: Option<Duration>,
    pub jobs: usize,
    pub gc_stress: bool,
    pub failures: PathBuf,
}

/// Kinds that are defects (in wasmc, or in the oracle: either way a human
/// looks at them).
pub fn is_failure(kind: &str) -> bool {
    matches!(kind, "mismatch" | "crash" | "timeout" | "panic" | "internal" | "link-failed")
}

#[derive(Default)]
struct Totals {
    kinds: BTreeMap<String, u64>,
    calls: u64,
    traps: u64,
    failures: Vec<String>,
}

impl Totals {
    fn add(&mut self, line: &str) {
        let mut w = line.splitn(6, ' ');
        let (_, index, kind) = (w.next(), w.next().unwrap_or("?"), w.next().unwrap_or("?"));
        let calls: u64 = w.next().and_then(|c| c.parse().ok()).unwrap_or(0);
        let traps: u64 = w.next().and_then(|c| c.parse().ok()).unwrap_or(0);
        *self.kinds.entry(kind.to_string()).or_default() += 1;
        self.calls += calls;
        self.traps += traps;
        if is_failure(kind) {
            self.failures.push(format!("input {index}: {kind} {}", w.next().unwrap_or("")));
        }
    }
    fn inputs(&self) -> u64 {
        self.kinds.values().sum()
    }
}

/// Runs one worker over `from..to`; returns the index it stopped at (to
/// when it finished) after adding every reported result.
fn run_worker(cfg: &RunConfig, from: u64, to: u64, totals: &mut Totals) -> anyhow::Result<u64> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.args(["worker", cfg.mode.name(), "--seed", &cfg.seed.to_string(), "--from", &from.to_string()])
        .args(["--to", &to.to_string(), "--failures"])
        .arg(&cfg.failures)
        .stdout(Stdio::piped());
    if cfg.gc_stress {
        cmd.arg("--gc-stress");
    }
    let mut child = cmd.spawn()?;
    let stdout = child.stdout.take().expect("piped");
    let mut begun = None;
    let mut next = from;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if let Some(i) = line.strip_prefix("begin ") {
            begun = i.parse::<u64>().ok();
        } else if line.starts_with("result ") {
            totals.add(&line);
            next = begun.take().map_or(next, |i| i + 1);
        }
    }
    let status = child.wait()?;
    if let Some(i) = begun {
        use std::os::unix::process::ExitStatusExt;
        let kind = if status.signal() == Some(libc::SIGALRM) { "timeout" } else { "crash" };
        totals.add(&format!("result {i} {kind} 0 0 worker ended by {status}"));
        crate::save_failure(&cfg.failures, cfg.mode, cfg.seed, i, &format!("{kind}: {status}"));
        return Ok(i + 1);
    }
    if next < to && !status.success() {
        anyhow::bail!("worker for inputs {from}..{to} failed at {next} ({status})");
    }
    Ok(to)
}

/// Runs the fuzzer; returns whether no failure was found.
pub fn run(cfg: &RunConfig) -> anyhow::Result<bool> {
    std::fs::create_dir_all(&cfg.failures)?;
    let start = Instant::now();
    let totals = std::sync::Mutex::new(Totals::default());
    let next_chunk = std::sync::atomic::AtomicU64::new(0);
    let done = |first: u64| cfg.count.is_some_and(|n| first >= n) || cfg.time.is_some_and(|t| start.elapsed() >= t);
    std::thread::scope(|s| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..cfg.jobs.max(1))
            .map(|_| {
                s.spawn(|| -> anyhow::Result<()> {
                    loop {
                        let first = next_chunk.fetch_add(CHUNK, std::sync::atomic::Ordering::Relaxed);
                        if done(first) {
                            return Ok(());
                        }
                        let end = cfg.count.map_or(first + CHUNK, |n| (first + CHUNK).min(n));
                        let mut at = first;
                        while at < end {
                            let mut t = Totals::default();
                            at = run_worker(cfg, at, end, &mut t)?;
                            let mut all = totals.lock().unwrap();
                            for (k, n) in t.kinds {
                                *all.kinds.entry(k).or_default() += n;
                            }
                            all.calls += t.calls;
                            all.traps += t.traps;
                            all.failures.extend(t.failures);
                        }
                        let all = totals.lock().unwrap();
                        eprintln!(
                            "wasmc-fuzz {}: {} inputs, {:.0} s",
                            cfg.mode.name(),
                            all.inputs(),
                            start.elapsed().as_secs_f64()
                        );
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().expect("worker thread")?;
        }
        Ok(())
    })?;
    let totals = totals.into_inner().unwrap();
    report(cfg, &totals, start.elapsed());
    Ok(totals.failures.is_empty())
}

fn report(cfg: &RunConfig, t: &Totals, elapsed: Duration) {
    let stress = if cfg.gc_stress { ", GC stress" } else { "" };
    println!(
        "wasmc-fuzz {} (seed {}{stress}): {} inputs in {:.0} s",
        cfg.mode.name(),
        cfg.seed,
        t.inputs(),
        elapsed.as_secs_f64()
    );
    for (kind, n) in &t.kinds {
        println!("  {kind:<32} {n:>8}");
    }
    if cfg.mode == Mode::Diff {
        println!("  calls compared {}, of which trapped {}", t.calls, t.traps);
    }
    for f in &t.failures {
        println!("FAILURE {f}");
    }
    if !t.failures.is_empty() {
        println!("inputs and details saved in {}", cfg.failures.display());
    }
}

/// The default place for failing inputs: the workspace's `target/`.
pub fn default_failures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-failures")
}
