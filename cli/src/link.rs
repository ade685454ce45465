//! Linking objects with the system C compiler, and the runtime library
//! embedded in this binary (see build.rs).

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

static RUNTIME_LIB: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libwasmc_rt.a"));

/// The target triple the embedded runtime was built for.
pub const HOST_TARGET: &str = env!("WASMC_HOST_TARGET");

/// A per-user cache directory for wasmc (`$XDG_CACHE_HOME/wasmc` or
/// `~/.cache/wasmc`, else the temp dir).
pub fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("wasmc")
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// A content hash used for cache file names.
pub fn hash(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0;
    for p in parts {
        h = fnv1a(&[h.to_le_bytes().as_slice(), p].concat());
    }
    format!("{h:016x}")
}

/// Writes the embedded runtime library to the cache (once) and returns its path.
pub fn runtime_library() -> Result<PathBuf> {
    let dir = cache_dir().join("runtime");
    let path = dir.join(format!("libwasmc_rt-{}-{}.a", HOST_TARGET, hash(&[RUNTIME_LIB])));
    if path.exists() {
        return Ok(path);
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = dir.join(format!(".tmp-{}", std::process::id()));
    std::fs::write(&tmp, RUNTIME_LIB).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

fn on_path(prog: &str) -> bool {
    if prog.contains('/') {
        return Path::new(prog).exists();
    }
    std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join(prog).is_file())).unwrap_or(false)
}

/// The C compiler used as linker: `--linker`, else `$CC`, else `cc`.
pub fn find_linker(explicit: Option<&str>) -> Result<String> {
    let cc = explicit
        .map(str::to_string)
        .or_else(|| std::env::var("CC").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "cc".to_string());
    let prog = cc.split_whitespace().next().unwrap_or("cc").to_string();
    if !on_path(&prog) {
        bail!(
            "no C compiler found to link with (looked for `{prog}`): install one \
             (Debian: `apt-get install gcc`) or name it with --linker or CC"
        );
    }
    Ok(cc)
}

fn run(mut cmd: Command) -> Result<()> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("linking failed: {:?}\n{}", cmd, String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

fn command(linker: &str) -> Command {
    let mut parts = linker.split_whitespace();
    let mut cmd = Command::new(parts.next().unwrap_or("cc"));
    cmd.args(parts);
    cmd
}

/// What goes into an executable.
pub struct ExeLink<'a> {
    pub linker: &'a str,
    /// Target triple the objects were compiled for.
    pub target: &'a str,
    /// The module's object file.
    pub object: &'a Path,
    /// Extra inputs given by the user (C sources, objects, libraries) that
    /// may define the module's non-WASI imports.
    pub extra: &'a [PathBuf],
    pub output: &'a Path,
    /// Link fully statically (no dynamic glibc).
    pub static_link: bool,
}

/// Links an executable from the module object and the runtime.
pub fn link_executable(job: &ExeLink<'_>) -> Result<()> {
    let rt = runtime_library()?;
    let mut cmd = command(job.linker);
    cmd.arg("-o").arg(job.output).arg(job.object).args(job.extra).arg(&rt);
    if job.static_link {
        cmd.arg("-static");
    } else {
        // Loading libgcc_s.so at start-up costs ~0.1 ms; the few unwinder
        // routines the runtime references are small.
        cmd.arg("-static-libgcc");
    }
    // Keep only what is referenced: small executables.
    cmd.arg("-Wl,--gc-sections");
    // The runtime's debug info is of no use in a user's program; backtraces
    // come from wasmc's own tables.
    cmd.arg("-Wl,--strip-debug");
    run(cmd)
}

/// Links a module object into a shared object for loading in process. The
/// object has no undefined symbols (it reaches the runtime through the
/// vmctx), so no libraries are needed.
pub fn link_shared(linker: &str, object: &Path, output: &Path) -> Result<()> {
    let mut cmd = command(linker);
    cmd.args(["-shared", "-nostdlib", "-Wl,-z,noexecstack", "-o"]).arg(output).arg(object);
    run(cmd)
}
