//! Static libraries for C and C++ programs (`wasmc build --lib`), the
//! runtime as a library of its own (`wasmc runtime`), and C inputs that
//! define a module's imports (`wasmc build app.wasm host.c`).
//!
//! A library holds the module's object (every global symbol starts with
//! the library's prefix: `<prefix>_wasmc_module`, and the imports it needs,
//! `<prefix>_<module>__<name>`) and, unless `--no-runtime`, all of the
//! runtime's members, so `-lapp` is the only library to give. Several such
//! libraries link into one program: the linker takes each runtime member
//! from the first library that provides it, and since a module object
//! needs nothing from the runtime by symbol (it reaches it through the
//! vmctx), the copies in later libraries are never pulled in. This holds
//! for libraries made by the same wasmc; for libraries of different wasmc
//! versions, build them with `--no-runtime` and link one `wasmc runtime`.

use crate::archive::{self, Member};
use crate::link;
use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use wasmc_compiler::{Options, OutputKind};

/// `wasmc build --lib` and its options.
#[derive(clap::Args, Debug, Default)]
pub struct LibArgs {
    /// Build a static library (`-o libNAME.a`, default `lib<input>.a`) and
    /// its C header (`NAME.h` beside it, with `wasmc.h`) instead of an
    /// executable.
    #[arg(long)]
    pub lib: bool,
    /// With --lib: leave the runtime out (link `wasmc runtime`'s library
    /// once, for several libraries of different wasmc versions).
    #[arg(long, requires = "lib")]
    pub no_runtime: bool,
    /// With --lib: the prefix of every symbol and name (default: the
    /// library's name without `lib` and extension).
    #[arg(long, requires = "lib")]
    pub prefix: Option<String>,
    /// With --lib: where to write the module's header (default:
    /// `<prefix>.h` next to the library).
    #[arg(long, requires = "lib")]
    pub header: Option<PathBuf>,
}

/// The runtime API header, written next to every header and library.
pub static WASMC_H: &str = include_str!("../../runtime-lib/include/wasmc.h");

/// The prefix a library gets by default: its file name without `lib` and
/// extension, as a C identifier (`libmy-app.a` -> `my_app`).
pub fn default_prefix(output: &Path) -> String {
    let stem = output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = stem.strip_prefix("lib").filter(|s| !s.is_empty()).unwrap_or(&stem);
    let mut p: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if p.is_empty() || p.starts_with(|c: char| c.is_ascii_digit()) {
        p.insert(0, 'm');
    }
    p.trim_end_matches('_').to_string()
}

pub fn check_prefix(p: &str) -> Result<()> {
    let ok = p.starts_with(|c: char| c.is_ascii_alphabetic())
        && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !p.ends_with('_');
    if !ok {
        bail!("--prefix `{p}`: expected a C identifier starting with a letter and not ending with `_`");
    }
    Ok(())
}

/// The runtime library for `target` (any spelling `--target` accepts), as
/// bytes.
fn runtime_archive(target: &str) -> Result<Vec<u8>> {
    let triple = target.parse().map_err(|e| anyhow!("invalid target triple `{target}`: {e}"))?;
    let target = wasmc_compiler::isa::canonical_target(&triple).map_err(|e| anyhow!("{}", e.message))?;
    let path = link::runtime_library(target)?;
    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::read(path).ok().as_deref() == Some(bytes) {
        return Ok(());
    }
    let tmp = path.with_extension(format!("wasmc-tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

/// Writes `wasmc.h` into `dir`.
pub fn write_api_header(dir: &Path) -> Result<PathBuf> {
    let path = dir.join("wasmc.h");
    write_file(&path, WASMC_H.as_bytes())?;
    Ok(path)
}

fn parent(path: &Path) -> PathBuf {
    path.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| ".".into())
}

/// `wasmc runtime -o libwasmc_rt.a`: the runtime alone, and `wasmc.h`.
pub fn write_runtime(output: &Path, target: &str) -> Result<()> {
    write_file(output, &runtime_archive(target)?)?;
    write_api_header(&parent(output))?;
    Ok(())
}

/// Imports a library cannot have: anything but functions (bound to C) and
/// the WASI functions the runtime provides.
pub fn check_library_imports(input: &Path, wasm: &[u8]) -> Result<()> {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::ImportSection(r)) = payload {
            for imp in r.into_imports().flatten() {
                let is_func = matches!(imp.ty, wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_));
                if imp.module == wasmc_rt::wasi::MODULE_NAME {
                    if !is_func || wasmc_rt::wasi::lookup(imp.name).is_none() {
                        bail!(
                            "{}: import `{}::{}` is not a WASI preview1 function",
                            input.display(),
                            imp.module,
                            imp.name
                        );
                    }
                } else if !is_func {
                    bail!(
                        "{}: import `{}::{}` is not a function: a library's imports are C functions \
                         (memories, tables and globals cannot be imported yet)",
                        input.display(),
                        imp.module,
                        imp.name
                    );
                }
            }
        }
    }
    Ok(())
}

/// What `wasmc build --lib` makes.
pub struct LibJob<'a> {
    pub input: &'a Path,
    pub wasm: &'a [u8],
    /// Code generation options (kind, prefix and imports are set here).
    pub opts: Options,
    pub output: &'a Path,
    pub prefix: String,
    /// The module's header (default: `<prefix>.h` next to the library).
    pub header: Option<PathBuf>,
    /// Put the runtime into the library.
    pub runtime: bool,
}

/// Builds the library and its header; returns the header's path.
pub fn build_library(job: LibJob<'_>) -> Result<PathBuf> {
    check_prefix(&job.prefix)?;
    check_library_imports(job.input, job.wasm)?;
    let mut opts = job.opts;
    opts.kind = OutputKind::Loadable;
    opts.static_imports = true;
    opts.symbol_prefix = job.prefix.clone();
    let file_error = |e: wasmc_compiler::CompileError| anyhow!("{}: {e}", job.input.display());
    let object = wasmc_compiler::compile(job.wasm, &opts).map_err(file_error)?;
    let library = job.output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let header = wasmc_compiler::c_header(job.wasm, &job.prefix, &library).map_err(file_error)?;
    let mut members = vec![Member { name: format!("{}.o", job.prefix), data: object }];
    if job.runtime {
        members.extend(archive::read_members(&runtime_archive(&opts.triple.to_string())?)?);
    }
    write_file(job.output, &archive::write(&members)?)?;
    let header_path = job.header.unwrap_or_else(|| parent(job.output).join(format!("{}.h", job.prefix)));
    write_file(&header_path, header.as_bytes())?;
    write_api_header(&parent(&header_path))?;
    Ok(header_path)
}

/// Compiles the C sources among `inputs` (with frame pointers, which the
/// runtime's stack walks need) into `dir`; objects and libraries pass
/// through. Returns what to link.
pub fn prepare_link_inputs(linker: &str, inputs: &[PathBuf], dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        if input.extension().is_some_and(|e| e == "c") {
            let obj = dir.join(format!("input{i}.o"));
            let mut parts = linker.split_whitespace();
            let mut cmd = Command::new(parts.next().unwrap_or("cc"));
            cmd.args(parts).args(["-c", "-O2", "-fno-omit-frame-pointer", "-o"]).arg(&obj).arg(input);
            let r = cmd.output().with_context(|| format!("running {cmd:?}"))?;
            if !r.status.success() {
                bail!("compiling {} failed:\n{}", input.display(), String::from_utf8_lossy(&r.stderr));
            }
            out.push(obj);
        } else {
            if !input.exists() {
                bail!("{}: no such file", input.display());
            }
            out.push(input.clone());
        }
    }
    Ok(out)
}

/// Non-WASI function imports of a module: (module, name).
pub fn c_imports(wasm: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::ImportSection(r)) = payload {
            for imp in r.into_imports().flatten() {
                if imp.module != wasmc_rt::wasi::MODULE_NAME && matches!(imp.ty, wasmparser::TypeRef::Func(_)) {
                    out.push((imp.module.to_string(), imp.name.to_string()));
                }
            }
        }
    }
    out
}

/// Rewrites a link failure caused by imports nobody defined into an error
/// that names them and the C function each one needs.
pub fn explain_link_error(
    err: anyhow::Error,
    input: &Path,
    prefix: &str,
    imports: &[(String, String)],
) -> anyhow::Error {
    let text = format!("{err:#}");
    let mut missing = Vec::new();
    for (m, n) in imports {
        let sym = wasmc_abi::mangle::import_symbol(prefix, m, n);
        let gnu = format!("undefined reference to `{sym}'");
        let lld = format!("undefined symbol: {sym}");
        if (text.contains(&gnu) || text.contains(&lld)) && !missing.iter().any(|(s, _)| *s == sym) {
            missing.push((sym, format!("{m}::{n}")));
        }
    }
    if missing.is_empty() {
        return err;
    }
    let list: Vec<String> =
        missing.iter().map(|(sym, imp)| format!("  import `{imp}` needs a C function `{sym}`")).collect();
    anyhow!(
        "{}: {} not defined by the inputs (define {} in a C file given to `wasmc build`):\n{}",
        input.display(),
        if missing.len() == 1 { "an import is" } else { "imports are" },
        if missing.len() == 1 { "it" } else { "them" },
        list.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(default_prefix(Path::new("out/libapp.a")), "app");
        assert_eq!(default_prefix(Path::new("libmy-app.a")), "my_app");
        assert_eq!(default_prefix(Path::new("9.a")), "m9");
        assert_eq!(default_prefix(Path::new("lib.a")), "lib");
        assert!(check_prefix("app").is_ok());
        assert!(check_prefix("_app").is_err());
        assert!(check_prefix("app_").is_err());
        assert!(check_prefix("a-b").is_err());
    }

    #[test]
    fn undefined_imports_are_named() {
        let imports = vec![("env".to_string(), "log_it".to_string()), ("env".to_string(), "ok".to_string())];
        let err = anyhow!("linking failed: cc\n/usr/bin/ld: x.o: in function `wasm_h0':\n(.text+0x5): undefined reference to `env__log_it'");
        let msg = format!("{:#}", explain_link_error(err, Path::new("app.wasm"), "", &imports));
        assert!(msg.contains("import `env::log_it` needs a C function `env__log_it`"), "{msg}");
        assert!(!msg.contains("env::ok"), "{msg}");
    }
}
