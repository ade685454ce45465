//! The reference engine: Wasmtime, driven by `fuzz/oracle.py` in a child
//! process that lives as long as the worker.

use crate::outcome::{Event, Plan};
use anyhow::{anyhow, bail, Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

pub struct Oracle {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    dir: PathBuf,
}

/// The script beside this crate's sources.
fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oracle.py")
}

/// Whether the `wasmtime` Python package can be imported.
pub fn check() -> Result<()> {
    let out = Command::new("python3").args(["-c", "import wasmtime"]).output().context("running python3")?;
    if !out.status.success() {
        bail!(
            "the oracle needs the wasmtime Python package: `pip install wasmtime` ({})",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

impl Oracle {
    pub fn start() -> Result<Oracle> {
        let mut child = Command::new("python3")
            .arg(script())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("starting the oracle (python3 fuzz/oracle.py)")?;
        let stdin = child.stdin.take().ok_or_else(|| anyhow!("oracle stdin"))?;
        let stdout = BufReader::new(child.stdout.take().ok_or_else(|| anyhow!("oracle stdout"))?);
        let dir = std::env::temp_dir().join(format!("wasmc-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Oracle { child, stdin, stdout, dir })
    }

    /// Runs `wasm` by `plan` in Wasmtime.
    pub fn run(&mut self, wasm: &[u8], plan: &Plan) -> Result<Vec<Event>> {
        let path = self.dir.join("module.wasm");
        std::fs::write(&path, wasm)?;
        let path = path.to_str().ok_or_else(|| anyhow!("temporary path is not UTF-8"))?;
        self.stdin.write_all(plan.request(path).as_bytes())?;
        self.stdin.flush()?;
        let mut events = Vec::new();
        loop {
            let mut line = String::new();
            if self.stdout.read_line(&mut line)? == 0 {
                bail!("the oracle exited");
            }
            let line = line.trim_end();
            if line == "done" {
                return Ok(events);
            }
            events.push(Event::parse(line).ok_or_else(|| anyhow!("unexpected oracle line: {line}"))?);
        }
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
