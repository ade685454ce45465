//! The entry point of executables built by `wasmc build`: the generated
//! `main` calls [`wasmc_main`] with the module's descriptor and the
//! executable's launch configuration ([`ExeConfig`], embedded at build time).
//!
//! Exit status: the guest's `proc_exit` status; 0 when `_start` returns;
//! [`wasmc_abi::trap::TRAP_EXIT_STATUS`] (134) after a trap, with the trap
//! report on stderr; 1 when the module cannot be instantiated or a granted
//! directory cannot be opened.
//!
//! # What a guest is granted
//! Only what the executable was built with: `wasmc build --dir HOST[::GUEST]`
//! (a preopened directory), `--env KEY=VALUE` (a fixed variable), `--env KEY`
//! (the variable's value at run time, if set) and `--inherit-env` (the whole
//! run-time environment). Nothing else: with no flags a guest sees stdin,
//! stdout, stderr and its arguments, an empty environment and no files.
//! There is deliberately no run-time override (see the README's "Sandbox"
//! section for the reasoning).

use crate::instance::{Instance, Module, Store};
use crate::val::Extern;
use crate::wasi::{self, WasiCtx};
use crate::Error;
use std::ffi::{c_char, CStr};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wasmc_abi::descriptor::{ModuleDesc, KIND_MEMORY};
use wasmc_abi::trap::TRAP_EXIT_STATUS;

/// The launch configuration of an executable: WASI grants.
///
/// Encoding (the bytes in `wasmc_compiler::Options::exe_config`): empty
/// means "grant nothing"; otherwise one version byte ([`ExeConfig::VERSION`])
/// followed by records `tag: u8, len: u32 (little-endian), payload: [u8; len]`:
///
/// | tag | payload | meaning |
/// | --- | --- | --- |
/// | 1 | `HOST \0 GUEST` | preopen host directory HOST as GUEST |
/// | 2 | `KEY=VALUE` | fixed environment variable |
/// | 3 | `KEY` | pass KEY's run-time value through, if set |
/// | 4 | (empty) | pass the whole run-time environment through |
/// | 5 | u64 little-endian | the GC heap limit in bytes (`--max-heap`) |
///
/// An unknown version or tag is an error at start-up, never ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExeConfig {
    /// `(host, guest)` directories, preopened in this order from fd 3.
    /// A relative host path is relative to the working directory of the
    /// executable when it starts.
    pub dirs: Vec<(PathBuf, String)>,
    /// Fixed `(key, value)` variables; they win over passed-through ones.
    pub env: Vec<(String, String)>,
    /// Variables whose run-time value is passed through, if set.
    pub pass_env: Vec<String>,
    /// Pass the whole run-time environment through.
    pub inherit_env: bool,
    /// GC heap limit; `WASMC_MAX_HEAP` at run time overrides it.
    pub max_heap: Option<u64>,
}

const TAG_DIR: u8 = 1;
const TAG_ENV: u8 = 2;
const TAG_PASS_ENV: u8 = 3;
const TAG_INHERIT_ENV: u8 = 4;
const TAG_MAX_HEAP: u8 = 5;

impl ExeConfig {
    pub const VERSION: u8 = 1;

    /// Parse a `--dir` argument: `HOST` or `HOST::GUEST` (the guest name
    /// defaults to HOST as written, as in Wasmtime).
    pub fn parse_dir(arg: &str) -> Result<(PathBuf, String), String> {
        let (host, guest) = match arg.split_once("::") {
            Some((h, g)) => (h, g),
            None => (arg, arg),
        };
        if host.is_empty() || guest.is_empty() {
            return Err(format!("invalid --dir `{arg}`: expected HOST or HOST::GUEST"));
        }
        if host.contains('\0') || guest.contains('\0') {
            return Err(format!("invalid --dir `{arg}`: contains a NUL byte"));
        }
        Ok((PathBuf::from(host), guest.to_string()))
    }

    /// Add an `--env` argument: `KEY=VALUE` (fixed) or `KEY` (passed through).
    pub fn add_env(&mut self, arg: &str) -> Result<(), String> {
        let key = arg.split('=').next().unwrap_or("");
        if key.is_empty() || arg.contains('\0') {
            return Err(format!("invalid --env `{arg}`: expected KEY=VALUE or KEY"));
        }
        match arg.split_once('=') {
            Some((k, v)) => self.env.push((k.to_string(), v.to_string())),
            None => self.pass_env.push(arg.to_string()),
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        *self == ExeConfig::default()
    }

    pub fn encode(&self) -> Vec<u8> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut out = vec![Self::VERSION];
        let mut record = |tag: u8, payload: &[u8]| {
            out.push(tag);
            out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            out.extend_from_slice(payload);
        };
        for (host, guest) in &self.dirs {
            let mut p = host.as_os_str().as_bytes().to_vec();
            p.push(0);
            p.extend_from_slice(guest.as_bytes());
            record(TAG_DIR, &p);
        }
        for (k, v) in &self.env {
            record(TAG_ENV, format!("{k}={v}").as_bytes());
        }
        for k in &self.pass_env {
            record(TAG_PASS_ENV, k.as_bytes());
        }
        if self.inherit_env {
            record(TAG_INHERIT_ENV, &[]);
        }
        if let Some(n) = self.max_heap {
            record(TAG_MAX_HEAP, &n.to_le_bytes());
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<ExeConfig, String> {
        let mut c = ExeConfig::default();
        let Some((&version, mut rest)) = bytes.split_first() else {
            return Ok(c);
        };
        if version != Self::VERSION {
            return Err(format!(
                "launch configuration version {version} is not supported (expected {})",
                Self::VERSION
            ));
        }
        let bad = || "corrupt launch configuration".to_string();
        let text = |p: &[u8]| String::from_utf8(p.to_vec()).map_err(|_| bad());
        while let Some((&tag, r)) = rest.split_first() {
            let len = r.get(..4).ok_or_else(bad)?;
            let len = u32::from_le_bytes(len.try_into().unwrap()) as usize;
            let payload = r.get(4..4 + len).ok_or_else(bad)?;
            rest = &r[4 + len..];
            match tag {
                TAG_DIR => {
                    let nul = payload.iter().position(|&b| b == 0).ok_or_else(bad)?;
                    let host = std::ffi::OsString::from_vec(payload[..nul].to_vec());
                    c.dirs.push((host.into(), text(&payload[nul + 1..])?));
                }
                TAG_ENV => {
                    let kv = text(payload)?;
                    let (k, v) = kv.split_once('=').ok_or_else(bad)?;
                    c.env.push((k.to_string(), v.to_string()));
                }
                TAG_PASS_ENV => c.pass_env.push(text(payload)?),
                TAG_INHERIT_ENV => c.inherit_env = true,
                TAG_MAX_HEAP => c.max_heap = Some(u64::from_le_bytes(payload.try_into().map_err(|_| bad())?)),
                _ => return Err(format!("unknown launch configuration record {tag}")),
            }
        }
        Ok(c)
    }

    /// The guest's environment, given the run-time environment `host`.
    pub fn environment(&self, host: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        if self.inherit_env || !self.pass_env.is_empty() {
            for (k, v) in host {
                if self.inherit_env || self.pass_env.contains(&k) {
                    out.push((k, v));
                }
            }
        }
        for (k, v) in &self.env {
            match out.iter_mut().find(|(ok, _)| ok == k) {
                Some(slot) => slot.1 = v.clone(),
                None => out.push((k.clone(), v.clone())),
            }
        }
        out
    }

    /// The WASI state for a guest run with `args` (`args[0]` is the program
    /// name): environment and preopened directories.
    pub fn wasi_ctx(&self, args: Vec<String>) -> Result<WasiCtx, String> {
        // Variables that are not UTF-8 cannot be represented; skip them.
        let host = std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        let mut ctx = WasiCtx::new(args, self.environment(host));
        for (host, guest) in &self.dirs {
            ctx.preopen_dir(host, guest)
                .map_err(|e| format!("cannot open directory `{}` granted as `{guest}`: {e}", show(host)))?;
        }
        Ok(ctx)
    }
}

fn show(p: &Path) -> String {
    p.display().to_string()
}

/// # Safety
/// `desc` is the module descriptor emitted next to the generated `main`
/// (as [`Module::from_descriptor`] requires); when `argc > 0`, `argv`
/// points to at least `argc` pointers, each to a NUL-terminated C string
/// that stays valid during the call; `config` is null or points to
/// `config_len` readable bytes that stay unchanged during the call.
#[no_mangle]
pub unsafe extern "C" fn wasmc_main(
    desc: *const ModuleDesc,
    argc: i32,
    argv: *const *const c_char,
    config: *const u8,
    config_len: usize,
) -> i32 {
    crate::oom::report_failures();
    let args: Vec<String> = (0..argc.max(0) as usize)
        // SAFETY: `i < argc`, so `argv.add(i)` is one of the `argc` valid
        // pointers, each to a NUL-terminated string (this function's
        // contract); the `CStr` is copied before the closure returns.
        .map(|i| unsafe { CStr::from_ptr(*argv.add(i)) }.to_string_lossy().into_owned())
        .collect();
    let config = if config.is_null() || config_len == 0 {
        &[][..]
    } else {
        // SAFETY: non-null and `config_len` readable, unchanging bytes (the
        // contract); `config_len` comes from the length of an embedded
        // array, far below `isize::MAX`.
        unsafe { std::slice::from_raw_parts(config, config_len) }
    };
    // SAFETY: `desc` is the emitted descriptor (this function's contract).
    match unsafe { run(desc, args, config) } {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("{msg}");
            1
        }
    }
}

/// # Safety
/// `desc` must satisfy [`Module::from_descriptor`]'s contract: a descriptor
/// emitted by the wasmc compiler whose code stays mapped for the rest of
/// the process.
unsafe fn run(desc: *const ModuleDesc, args: Vec<String>, config: &[u8]) -> Result<i32, String> {
    // SAFETY: this function's contract is `from_descriptor`'s.
    let module = unsafe { Module::from_descriptor(desc) }?;
    let config = ExeConfig::decode(config).map_err(|e| format!("error: {e}"))?;
    let wasi_ctx = config.wasi_ctx(args).map_err(|e| format!("error: {e}"))?;
    // Memories the module imports (wasi-threads programs import their
    // shared memory) are created here, as the module declares them.
    let mut memories = Vec::new();
    for d in module.dynamic_imports().filter(|d| d.kind == KIND_MEMORY) {
        let md = &module.memory_descs()[d.index as usize];
        memories.push(crate::instantiate::memory_for(md).map_err(|e| format!("error: {e}"))?);
    }
    let mut heap = crate::gc::HeapConfig::default();
    if let Some(n) = config.max_heap {
        heap.max_heap_bytes = n as usize;
    }
    let heap = heap.from_env();
    let wasi_ctx = Arc::new(std::sync::Mutex::new(wasi_ctx));
    let program = wasi::threads::Program::new(module, memories, wasi_ctx.clone(), heap.clone());
    let imports = program.imports().map_err(|e| format!("error: {e}"))?;
    let store = Store::with_heap(heap);
    let instance = match Instance::with_shared_wasi(&store, program.module(), &imports, wasi_ctx) {
        Ok(i) => i,
        Err(crate::InstantiateError::Trap(e)) => return Ok(report(&e)),
        Err(e) => return Err(format!("error: cannot instantiate: {e}")),
    };
    let Some(Extern::Func(start)) = instance.export("_start") else {
        return Ok(0);
    };
    match start.call(&[]) {
        Ok(_) => Ok(0),
        Err(crate::CallError::Trap(e)) => Ok(report(&e)),
        Err(e) => Err(format!("error: {e}")),
    }
}

fn report(e: &Error) -> i32 {
    match e {
        Error::Exit(code) => *code,
        _ => {
            eprintln!("{e}");
            TRAP_EXIT_STATUS
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_round_trips() {
        assert_eq!(ExeConfig::default().encode(), Vec::<u8>::new());
        assert_eq!(ExeConfig::decode(&[]), Ok(ExeConfig::default()));
        let mut c = ExeConfig::default();
        c.dirs.push(ExeConfig::parse_dir("data").unwrap());
        c.dirs.push(ExeConfig::parse_dir("/tmp/x::/sandbox").unwrap());
        c.add_env("A=1=2").unwrap();
        c.add_env("B=").unwrap();
        c.add_env("HOME").unwrap();
        c.inherit_env = true;
        let bytes = c.encode();
        assert_eq!(bytes[0], ExeConfig::VERSION);
        let d = ExeConfig::decode(&bytes).unwrap();
        assert_eq!(d, c);
        assert_eq!(d.dirs[0], (PathBuf::from("data"), "data".to_string()));
        assert_eq!(d.dirs[1], (PathBuf::from("/tmp/x"), "/sandbox".to_string()));
        assert_eq!(d.env, vec![("A".into(), "1=2".into()), ("B".into(), "".into())]);
        assert_eq!(d.pass_env, vec!["HOME".to_string()]);
        // Corrupt or foreign blobs are refused.
        assert!(ExeConfig::decode(&[2]).is_err());
        assert!(ExeConfig::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(ExeConfig::decode(&[1, 9, 0, 0, 0, 0]).is_err());
        assert!(ExeConfig::parse_dir("::x").is_err());
        assert!(ExeConfig::parse_dir("x::").is_err());
        assert!(c.add_env("=x").is_err());
    }

    #[test]
    fn environment_rules() {
        let host = || {
            vec![
                ("HOME".to_string(), "/h".to_string()),
                ("A".to_string(), "host".to_string()),
                ("Z".to_string(), "z".to_string()),
            ]
            .into_iter()
        };
        let mut c = ExeConfig::default();
        assert!(c.environment(host()).is_empty());
        c.add_env("A=fixed").unwrap();
        c.add_env("HOME").unwrap();
        c.add_env("MISSING").unwrap();
        assert_eq!(c.environment(host()), vec![("HOME".into(), "/h".into()), ("A".into(), "fixed".into())]);
        c.inherit_env = true;
        assert_eq!(
            c.environment(host()),
            vec![("HOME".into(), "/h".into()), ("A".into(), "fixed".into()), ("Z".into(), "z".into())]
        );
    }
}
