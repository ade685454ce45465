//! Loading compiled modules into this process: compile to an object, link
//! it into a shared object, `dlopen` it and register its descriptor with the
//! runtime. Used by `wasmc wast` and `wasmc run --invoke`.

use crate::link;
use anyhow::{anyhow, Context, Result};
use std::ffi::CString;
use std::path::PathBuf;
use wasmc_compiler::{CompileError, Options, OutputKind};
use wasmc_rt::Module;

/// Compiles and loads modules; keeps a scratch directory for its files.
pub struct Loader {
    linker: String,
    dir: PathBuf,
    counter: std::sync::atomic::AtomicU64,
    pub opts: Options,
}

/// Why a module could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The compiler refused the module (invalid, or unsupported feature).
    Compile(CompileError),
    /// Linking or loading failed.
    Other(anyhow::Error),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Compile(e) => write!(f, "{e}"),
            LoadError::Other(e) => write!(f, "{e:#}"),
        }
    }
}

impl Loader {
    pub fn new(linker: Option<&str>) -> Result<Loader> {
        let linker = link::find_linker(linker, link::HOST_TARGET)?;
        let dir = std::env::temp_dir().join(format!("wasmc-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut opts = Options::host(OutputKind::Loadable);
        // Callers load many small modules in parallel threads of their own.
        opts.threads = 1;
        Ok(Loader { linker, dir, counter: Default::default(), opts })
    }

    /// Compiles binary wasm and loads it.
    pub fn load(&self, wasm: &[u8]) -> std::result::Result<Module, LoadError> {
        let object = wasmc_compiler::compile(wasm, &self.opts).map_err(LoadError::Compile)?;
        self.load_object(&object).map_err(LoadError::Other)
    }

    fn load_object(&self, object: &[u8]) -> Result<Module> {
        let n = self.counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tid = format!("{:?}", std::thread::current().id()).replace(|c: char| !c.is_ascii_alphanumeric(), "");
        let obj_path = self.dir.join(format!("m{tid}-{n}.o"));
        let so_path = self.dir.join(format!("m{tid}-{n}.so"));
        std::fs::write(&obj_path, object)?;
        link::link_shared(&self.linker, &obj_path, &so_path)?;
        let _ = std::fs::remove_file(&obj_path);
        let c = CString::new(so_path.to_string_lossy().as_bytes())?;
        // The library stays loaded for the life of the process: its code may
        // be referenced by any instance.
        // SAFETY: `c` is a NUL-terminated path; the library is our own
        // linker output, whose initializers are the C runtime's only.
        let handle = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        let _ = std::fs::remove_file(&so_path);
        if handle.is_null() {
            // SAFETY: after a failed dlopen, dlerror returns a NUL-terminated
            // message, valid until the next dl* call on this thread.
            let msg = unsafe { std::ffi::CStr::from_ptr(libc::dlerror()) }.to_string_lossy().into_owned();
            return Err(anyhow!("dlopen: {msg}"));
        }
        let sym = CString::new(wasmc_compiler::emit::DESCRIPTOR_SYMBOL)?;
        // SAFETY: `handle` is a live library (never closed) and `sym` a
        // NUL-terminated name.
        let desc = unsafe { libc::dlsym(handle, sym.as_ptr()) };
        if desc.is_null() {
            return Err(anyhow!("module descriptor not found in the loaded object"));
        }
        // SAFETY: the symbol is the descriptor our compiler emitted into
        // this object, and the library is never unloaded.
        unsafe { Module::from_descriptor(desc as *const _) }.map_err(|e| anyhow!(e)).context("registering module")
    }
}

impl Drop for Loader {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
