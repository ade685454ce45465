//! Linking objects with the C compiler for the target, and the runtime
//! libraries embedded in this binary (see build.rs and toolchain.rs).

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::toolchain::on_path;
pub use crate::toolchain::{toolchain, Toolchain, TOOLCHAINS};

// `RUNTIMES`: the runtime library for this binary's own target and for each
// cross target whose toolchain was installed when wasmc was built.
include!(concat!(env!("OUT_DIR"), "/runtimes.rs"));

/// The target triple this binary runs on (its runtime is always embedded).
pub const HOST_TARGET: &str = env!("WASMC_HOST_TARGET");

/// The embedded runtime library for `target`, if wasmc was built with it.
pub fn embedded_runtime(target: &str) -> Option<&'static [u8]> {
    RUNTIMES.iter().find(|(t, _)| *t == target).map(|(_, b)| *b)
}

/// Writes the embedded runtime library for `target` to the cache (once)
/// and returns its path.
pub fn runtime_library(target: &str) -> Result<PathBuf> {
    let Some(lib) = embedded_runtime(target) else {
        match toolchain(target) {
            Some(tc) => bail!("{}", not_ready(tc, true, false)),
            None => bail!("unknown target `{target}`"),
        }
    };
    let dir = crate::cache::private_dir("runtime")?;
    let path = dir.join(format!("libwasmc_rt-{target}-{}.a", crate::cache::key(&[("runtime", lib)])));
    // Reused only if it is ours and holds exactly these bytes: it is linked
    // into every executable.
    if let Some(mut f) = crate::cache::open_trusted(&path)? {
        let mut have = Vec::with_capacity(lib.len());
        if std::io::Read::read_to_end(&mut f, &mut have).is_ok() && have == lib {
            return Ok(path);
        }
    }
    let tmp = crate::cache::temp_name(&dir);
    std::fs::write(&tmp, lib).with_context(|| format!("writing {}", tmp.display()))?;
    crate::cache::install(&tmp, &path)?;
    Ok(path)
}

/// One message saying what `tc` lacks on this machine (its runtime library,
/// a linker) and how to install it.
fn not_ready(tc: &Toolchain, no_runtime: bool, no_linker: bool) -> String {
    let target = tc.triple;
    let mut msg = format!("cannot link executables for {target} on this machine:");
    if no_runtime {
        msg.push_str(&format!("\n  - this wasmc was built without the runtime library for {target}"));
        if let Some((_, why)) = NOT_EMBEDDED.iter().find(|(t, _)| *t == target) {
            msg.push_str(&format!(": when it was built, {why}"));
        }
    }
    if no_linker {
        msg.push_str(&format!("\n  - no linker for it was found (looked for {})", linker_candidates(tc).join(", ")));
    }
    msg.push_str("\nto install what is missing (Debian):");
    if no_runtime {
        msg.push_str(&format!("\n    rustup target add {target}"));
    }
    // The runtime's build needs the cross C compiler too.
    msg.push_str(&format!("\n    apt-get install {}", tc.debian));
    if no_runtime {
        msg.push_str(
            "\nthen rebuild wasmc (`cargo install --path cli` in its source tree): it embeds the \
             runtime library of every target installed when it is built",
        );
    } else {
        msg.push_str("\nor name a C compiler that links for it with --linker");
    }
    msg.push_str(&format!(
        "\n(`wasmc targets` shows what is ready; `--emit obj` needs neither and writes the object file for {target})"
    ));
    msg
}

/// Checks that `wasmc run` can run programs for `target` (from `--target`)
/// on this machine.
pub fn check_runnable(target: Option<&str>) -> Result<()> {
    let Some(t) = target else { return Ok(()) };
    let canonical = t.parse().ok().and_then(|t| wasmc_compiler::isa::canonical_target(&t).ok());
    if canonical != Some(HOST_TARGET) {
        bail!(
            "`wasmc run` runs programs on this machine ({HOST_TARGET}); for `{t}` use \
             `wasmc build --target {t}` and run the executable there"
        );
    }
    Ok(())
}

/// The linkers tried for `tc` when none is named, in order (for messages).
fn linker_candidates(tc: &Toolchain) -> Vec<String> {
    let mut v = Vec::new();
    if tc.triple == HOST_TARGET {
        v.push("$CC".to_string());
        v.push("cc".to_string());
    } else {
        v.push(format!("${}", tc.cc_env()));
    }
    v.push(tc.gcc());
    if tc.lld {
        v.push(format!("clang --target={} with ld.lld", tc.gnu));
    }
    v
}

/// The architecture a compiler driver produces code for, from
/// `-dumpmachine`; None if it cannot tell.
fn driver_arch(cc: &str) -> Option<String> {
    let out = command(cc).arg("-dumpmachine").output().ok()?;
    let machine = String::from_utf8(out.stdout).ok()?;
    let arch = machine.trim().split('-').next()?.to_string();
    (out.status.success() && !arch.is_empty()).then_some(arch)
}

/// Whether the C library for `tc` is where clang finds it (Debian's cross
/// packages, or multiarch `libc6-dev:<arch>`).
fn c_library_present(tc: &Toolchain) -> bool {
    [format!("/usr/{}/lib/crt1.o", tc.gnu), format!("/usr/lib/{}/crt1.o", tc.gnu)].iter().any(|p| Path::new(p).exists())
}

fn program(cmd: &str) -> &str {
    cmd.split_whitespace().next().unwrap_or("")
}

/// The C compiler that links for `target` here, if one is installed. For
/// the target wasmc runs on: `$CC`, else `cc`; for another target:
/// `$CC_<target>` (`CC_aarch64_unknown_linux_gnu`, as for the `cc` crate);
/// then the target's GCC (`aarch64-linux-gnu-gcc`), then clang with lld
/// (when the target's C library is installed).
pub fn discover_linker(target: &str) -> Option<String> {
    let tc = toolchain(target)?;
    let env = |k: &str| std::env::var(k).ok().filter(|s| !s.trim().is_empty());
    if target == HOST_TARGET {
        if let Some(cc) = env("CC") {
            return Some(cc);
        }
        // `cc` is the machine's own compiler. When wasmc itself runs under
        // emulation (an aarch64 wasmc started by qemu-aarch64 on x86_64, as
        // the aarch64 spec harness is), it produces code for another target.
        if on_path("cc") && driver_arch("cc").is_none_or(|a| a == tc.arch()) {
            return Some("cc".into());
        }
    } else if let Some(cc) = env(&tc.cc_env()) {
        return Some(cc);
    }
    if on_path(&tc.gcc()) {
        return Some(tc.gcc());
    }
    if tc.lld && on_path("clang") && on_path("ld.lld") && c_library_present(tc) {
        return Some(format!("clang --target={} -fuse-ld=lld", tc.gnu));
    }
    None
}

/// The C compiler used as linker for `target`: `--linker`, else the one
/// [`discover_linker`] finds. The error says how to install one.
pub fn find_linker(explicit: Option<&str>, target: &str) -> Result<String> {
    if let Some(cc) = explicit {
        if !on_path(program(cc)) {
            bail!("the linker `{}` given with --linker was not found", program(cc));
        }
        return Ok(cc.to_string());
    }
    match discover_linker(target) {
        Some(cc) if on_path(program(&cc)) => Ok(cc),
        Some(cc) => bail!("the C compiler `{}` named by the environment was not found", program(&cc)),
        None if target == HOST_TARGET => bail!(
            "no C compiler found to link with (looked for `cc`): install one \
             (Debian: `apt-get install gcc`) or name it with --linker or CC"
        ),
        None => match toolchain(target) {
            Some(tc) => bail!("{}", not_ready(tc, false, true)),
            None => bail!("unknown target `{target}`"),
        },
    }
}

/// Checks that executables for `target` can be made here (its runtime is
/// embedded and a linker is found) and returns the linker. When something
/// is missing, one message lists all of it and how to install it.
pub fn exe_linker(explicit: Option<&str>, target: &str) -> Result<String> {
    let linker = find_linker(explicit, target);
    match toolchain(target) {
        Some(tc) if embedded_runtime(target).is_none() => bail!("{}", not_ready(tc, true, linker.is_err())),
        _ => linker,
    }
}

/// `wasmc targets`: each supported target and whether it is ready here.
pub fn targets_report() -> String {
    let rows: Vec<[String; 4]> = TOOLCHAINS
        .iter()
        .map(|tc| {
            let runtime = embedded_runtime(tc.triple).is_some();
            let linker = discover_linker(tc.triple).filter(|l| on_path(program(l)));
            let status = match (runtime, &linker) {
                (true, Some(_)) if tc.triple == HOST_TARGET => "ready (this machine)".to_string(),
                (true, Some(_)) => format!("ready (runs there, or here under {})", tc.qemu),
                (true, None) => format!("no linker: apt-get install {}", tc.debian),
                (false, _) => {
                    format!("not ready: rustup target add {}; apt-get install {}; rebuild wasmc", tc.triple, tc.debian)
                }
            };
            let runtime = if runtime { "embedded" } else { "missing" };
            [tc.triple.to_string(), runtime.to_string(), linker.unwrap_or_else(|| "-".into()), status]
        })
        .collect();
    let header = ["target", "runtime", "linker", "status"].map(String::from);
    let width = |i: usize| rows.iter().chain([&header]).map(|r| r[i].len()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut out = String::new();
    for r in [&header].into_iter().chain(&rows) {
        out.push_str(&format!("{:<w0$}  {:<w1$}  {:<w2$}  {}\n", r[0], r[1], r[2], r[3]));
    }
    out
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
    let rt = runtime_library(job.target)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_compiler_target_has_a_toolchain_and_a_runtime_slot() {
        let names: Vec<&str> = TOOLCHAINS.iter().map(|t| t.triple).collect();
        assert_eq!(names, wasmc_compiler::isa::TARGETS);
        assert!(embedded_runtime(HOST_TARGET).is_some(), "the runtime for this machine is always embedded");
        assert!(RUNTIMES.iter().all(|(t, lib)| toolchain(t).is_some() && lib.starts_with(b"!<arch>\n")));
    }

    #[test]
    fn not_ready_says_what_to_install() {
        let tc = toolchain("aarch64-unknown-linux-gnu").unwrap();
        let both = not_ready(tc, true, true);
        for part in [
            "without the runtime library for aarch64-unknown-linux-gnu",
            "no linker for it was found (looked for ",
            "aarch64-linux-gnu-gcc",
            "rustup target add aarch64-unknown-linux-gnu",
            "apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross",
            "rebuild wasmc",
            "--emit obj",
        ] {
            assert!(both.contains(part), "{part}: {both}");
        }
        let linker_only = not_ready(tc, false, true);
        assert!(!linker_only.contains("rustup") && !linker_only.contains("rebuild"), "{linker_only}");
        assert!(linker_only.contains("apt-get install gcc-aarch64-linux-gnu") && linker_only.contains("--linker"));
        let runtime_only = not_ready(tc, true, false);
        assert!(!runtime_only.contains("no linker") && runtime_only.contains("rustup target add"), "{runtime_only}");
        // lld 14 cannot link riscv64: not offered.
        let rv = not_ready(toolchain("riscv64gc-unknown-linux-gnu").unwrap(), false, true);
        assert!(rv.contains("riscv64-linux-gnu-gcc") && !rv.contains("lld"), "{rv}");
    }

    #[test]
    fn explicit_and_environment_linkers() {
        assert!(find_linker(Some("no-such-cc-for-wasmc --flag"), HOST_TARGET)
            .unwrap_err()
            .to_string()
            .contains("`no-such-cc-for-wasmc` given with --linker"));
        assert_eq!(find_linker(Some("cc -fuse-ld=bfd"), "aarch64-unknown-linux-gnu").unwrap(), "cc -fuse-ld=bfd");
        assert!(check_runnable(None).is_ok() && check_runnable(Some(HOST_TARGET)).is_ok());
        let other = TOOLCHAINS.iter().find(|t| t.triple != HOST_TARGET).unwrap();
        assert!(check_runnable(Some(other.triple)).is_err());
        assert!(check_runnable(Some("not-a-triple")).is_err());
    }
}
