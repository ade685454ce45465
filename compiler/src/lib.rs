//! wasmc's compiler: WebAssembly bytes in, a native object file out.
//!
//! Stages, one folder each: `module` (parse and validate into
//! [`module::ModuleInfo`]), `func` (wasm to CLIF, one function at a time),
//! `emit` (compile in parallel, trampolines, the module descriptor, the
//! object file).

#![forbid(unsafe_code)]

pub mod emit;
pub mod error;
pub mod func;
pub mod isa;
pub mod module;
pub mod options;

pub use error::{CompileError, ErrorKind, Result};
pub use options::{CpuFeatures, OptLevel, Options, OutputKind, WasmCallConv};

use cranelift_codegen::isa::TargetIsa;
use module::ModuleInfo;
use wasmc_abi::vmctx::VMOffsets;

/// What every function translation needs to know about its module.
pub struct ModuleEnv<'a> {
    pub info: &'a ModuleInfo<'a>,
    pub offsets: VMOffsets,
    /// Object-file function id of each wasm function (imports: unused).
    pub func_ids: Vec<u32>,
    pub isa: &'a dyn TargetIsa,
    /// Convention of wasm-to-wasm calls (see `Options::call_conv`).
    pub call_conv: cranelift_codegen::isa::CallConv,
}

/// Accepts binary `.wasm` or text `.wat` and returns binary wasm.
pub fn to_binary(input: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    if input.starts_with(b"\0asm") {
        return Ok(std::borrow::Cow::Borrowed(input));
    }
    match wat::parse_bytes(input) {
        Ok(b) => Ok(b),
        // The text parser's message carries the line and column.
        Err(e) => Err(CompileError::invalid(0, format!("cannot parse text format: {e}"))),
    }
}

/// The C header of a static library built from `wasm` with
/// `symbol_prefix = prefix` and static imports (see `emit::header`).
pub fn c_header(wasm: &[u8], prefix: &str, library: &str) -> Result<String> {
    let info = module::parse(wasm)?;
    emit::header::generate(&info, prefix, library)
}

/// Compiles a module to an object file.
pub fn compile(wasm: &[u8], opts: &Options) -> Result<Vec<u8>> {
    let info = module::parse(wasm)?;
    if matches!(opts.triple.architecture, target_lexicon::Architecture::Riscv64(_)) && !isa::riscv_vector(opts) {
        module::refuse_simd(wasm, "riscv64 needs the V extension for it: build with `--cpu rv64gcv`")?;
    }
    emit::emit_object(&info, opts)
}
