//! What the compiler is asked to produce.

use target_lexicon::Triple;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptLevel {
    /// No optimization: fastest compile.
    O0,
    /// Cranelift's optimizer (e-graphs, GVN, LICM).
    O1,
    /// O1 plus alias analysis (redundant load elimination).
    O2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// An object with a `main` that runs the module's `_start`.
    Executable,
    /// An object exporting only the module descriptor (`wasmc_module`), to
    /// be linked into a shared object and loaded by a host process.
    Loadable,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub triple: Triple,
    pub opt_level: OptLevel,
    pub kind: OutputKind,
    /// Worker threads for compiling functions (0 = one per core).
    pub threads: usize,
    /// For executables: bytes embedded in the object and handed to the
    /// runtime's `wasmc_main` (its launch configuration, e.g. WASI grants).
    /// Opaque to the compiler; the runtime's `exe` module defines the format.
    pub exe_config: Vec<u8>,
    /// Imports other than WASI are C functions linked into the output
    /// (executables with extra C inputs, static libraries), called directly
    /// by symbol: `[prefix_]<module>__<name>` (see `emit::symbols`).
    pub static_imports: bool,
    /// Prefix of every global symbol of the output, so several modules can
    /// be linked into one program.
    pub symbol_prefix: String,
    /// Calling convention between wasm functions: `tail` (needed by
    /// `return_call*`), or the platform's for comparison in benchmarks.
    pub call_conv: WasmCallConv,
    /// Which CPU features generated code may use.
    pub cpu: CpuFeatures,
}

/// CPU features of the generated code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuFeatures {
    /// A portable baseline (x86-64-v2 on x86_64): runs on any machine of the
    /// target architecture from the last fifteen years.
    Baseline,
    /// Everything the machine running the compiler has (AVX2, BMI, LZCNT,
    /// FMA, ...; on riscv64 the V extension if it has it): only for programs
    /// run where they are built.
    Native,
    /// riscv64 only: RV64GC plus the V vector extension (`-march=rv64gcv` in
    /// gcc's and clang's spelling; V implies vectors of at least 128 bits).
    /// Needed for SIMD, which Cranelift lowers to V instructions only.
    Rv64gcv,
}

/// The calling convention of wasm-to-wasm calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasmCallConv {
    Tail,
    /// The platform's C convention; modules that tail-call are refused.
    System,
}

impl Options {
    pub fn host(kind: OutputKind) -> Options {
        Options {
            triple: Triple::host(),
            opt_level: OptLevel::O2,
            kind,
            threads: 0,
            exe_config: Vec::new(),
            static_imports: false,
            symbol_prefix: String::new(),
            call_conv: WasmCallConv::Tail,
            cpu: CpuFeatures::Baseline,
        }
    }
}
