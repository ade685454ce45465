//! `wasmc`: compile WebAssembly to native executables.

#![forbid(unsafe_code)]

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wasmc_cli::{cache, library, link, loader::Loader, v128, wast};
use wasmc_compiler::{CompileError, OptLevel, Options, OutputKind};

#[derive(Parser)]
#[command(name = "wasmc", version, about = "Ahead-of-time WebAssembly to native compiler")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Emit {
    /// A linked executable.
    Exe,
    /// The object file only (link it with the runtime yourself).
    Obj,
}

#[derive(clap::Args)]
struct CodegenArgs {
    /// Optimization level: 0, 1 or 2.
    #[arg(short = 'O', default_value = "2", value_parser = ["0", "1", "2"])]
    opt: String,
    /// Target triple (default: the host).
    #[arg(long)]
    target: Option<String>,
    /// C compiler used to link (default: $CC, else cc).
    #[arg(long)]
    linker: Option<String>,
    /// Calling convention of wasm-to-wasm calls: `tail` (the default; real
    /// tail calls) or `system` (the platform's; for measuring the cost of
    /// `tail`, refuses modules that tail-call).
    #[arg(long, default_value = "tail", value_parser = ["tail", "system"])]
    call_conv: String,
    /// CPU features: `baseline` (portable; the default for `build`),
    /// `native` (all of this machine's; the default for `run`), or for
    /// riscv64 `rv64gcv` (RV64GC plus the V vector extension, which SIMD
    /// needs there).
    #[arg(long, value_parser = ["baseline", "native", "rv64gcv"])]
    cpu: Option<String>,
}

/// What the program may see at run time (WASI). Without these flags it
/// gets stdin, stdout, stderr and its arguments: no files, no environment.
#[derive(clap::Args, Default)]
struct WasiArgs {
    /// Grant a host directory as a preopen, named GUEST inside (default:
    /// HOST as written). A relative HOST is relative to the working
    /// directory the program starts in. Repeatable.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,
    /// Give the program an environment variable: KEY=VALUE fixes it at build
    /// time, KEY passes its run-time value through (if set). Repeatable.
    #[arg(long = "env", value_name = "KEY[=VALUE]")]
    env: Vec<String>,
    /// Pass the whole run-time environment through.
    #[arg(long)]
    inherit_env: bool,
    /// Most memory the GC heap may use (bytes, or with K/M/G); default: the
    /// physical memory, or `ulimit -v` when lower;
    /// past it allocation traps. `WASMC_MAX_HEAP` at run time overrides it.
    #[arg(long, value_name = "SIZE")]
    max_heap: Option<String>,
}

impl WasiArgs {
    fn config(&self) -> Result<wasmc_rt::exe::ExeConfig> {
        let mut c = wasmc_rt::exe::ExeConfig::default();
        for d in &self.dirs {
            c.dirs.push(wasmc_rt::exe::ExeConfig::parse_dir(d).map_err(anyhow::Error::msg)?);
        }
        for e in &self.env {
            c.add_env(e).map_err(anyhow::Error::msg)?;
        }
        c.inherit_env = self.inherit_env;
        if let Some(s) = &self.max_heap {
            let n = wasmc_rt::gc::parse_size(s)
                .ok_or_else(|| anyhow::anyhow!("--max-heap: cannot read `{s}` as a size"))?;
            c.max_heap = Some(n as u64);
        }
        Ok(c)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Compile a .wasm or .wat file to a native executable.
    Build {
        input: PathBuf,
        /// C sources (compiled with frame pointers), objects and libraries
        /// to link in: their functions define the module's non-WASI imports,
        /// `M.N` as `<M>__<N>` (with --lib: the program linking the library
        /// defines them, as `<prefix>_<M>__<N>`; see the generated header).
        inputs: Vec<PathBuf>,
        /// Output path (default: the input's name without extension).
        #[arg(short)]
        o: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "exe")]
        emit: Emit,
        /// Link fully statically: the executable needs no C library on the
        /// machine it runs on (for devices with an older glibc, or none).
        #[arg(long = "static")]
        static_link: bool,
        #[command(flatten)]
        codegen: CodegenArgs,
        #[command(flatten)]
        wasi: WasiArgs,
        #[command(flatten)]
        lib: library::LibArgs,
    },
    /// Write the runtime as a static library (and wasmc.h beside it), for
    /// programs linking libraries built with `--lib --no-runtime`.
    Runtime {
        /// Output path, e.g. libwasmc_rt.a.
        #[arg(short)]
        o: PathBuf,
        /// Target triple (default: the host).
        #[arg(long)]
        target: Option<String>,
    },
    /// Build (cached) and run a module, or call one of its exports.
    Run {
        input: PathBuf,
        /// Call this exported function instead of running `_start`; ARGS are
        /// its arguments, and its results are printed one per line. A v128
        /// is written `i32x4 1 2 3 4` (one argument: quote it), also
        /// `i32x4:1,2,3,4`, in any shape (i8x16 ... f64x2), or `0x` and 32
        /// hex digits; v128 results print as `i32x4` with hex lanes.
        #[arg(long)]
        invoke: Option<String>,
        #[command(flatten)]
        codegen: CodegenArgs,
        #[command(flatten)]
        wasi: WasiArgs,
        /// Arguments for the program, or for the function given to --invoke.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run .wast test scripts through the compiler and runtime.
    Wast {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the targets `--target` accepts and whether each is ready here
    /// (runtime library embedded, linker found).
    Targets,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build { lib, static_link: true, .. } if lib.lib => {
            Err(anyhow::anyhow!("--static is for executables; a library is linked by the program using it"))
        }
        Command::Build { input, inputs, o, emit: _, static_link: _, codegen, wasi, lib } if lib.lib => {
            build_library(&input, &inputs, o, &codegen, &wasi, &lib).map(|_| ExitCode::SUCCESS)
        }
        Command::Build { input, inputs, o, emit, static_link, codegen, wasi, lib: _ } => {
            build(&input, o, emit, static_link, &codegen, &wasi, false, &inputs).map(|_| ExitCode::SUCCESS)
        }
        Command::Runtime { o, target } => {
            library::write_runtime(&o, target.as_deref().unwrap_or(link::HOST_TARGET)).map(|_| ExitCode::SUCCESS)
        }
        Command::Run { input, invoke, codegen, wasi, args } => match invoke {
            Some(name) => invoke_export(&input, &name, &args, &codegen, &wasi),
            None => run(&input, &codegen, &wasi, &args),
        },
        Command::Wast { files } => run_wast(&files),
        Command::Targets => {
            print!("{}", link::targets_report());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn options(codegen: &CodegenArgs, kind: OutputKind, run_here: bool) -> Result<Options> {
    let mut opts = Options::host(kind);
    opts.opt_level = match codegen.opt.as_str() {
        "0" => OptLevel::O0,
        "1" => OptLevel::O1,
        _ => OptLevel::O2,
    };
    if let Some(t) = &codegen.target {
        let triple = t.parse().map_err(|e| anyhow::anyhow!("invalid target triple `{t}`: {e}"))?;
        let canonical = wasmc_compiler::isa::canonical_target(&triple).map_err(|e| anyhow::anyhow!("{}", e.message))?;
        opts.triple = canonical.parse().expect("canonical triples parse");
    }
    if codegen.call_conv == "system" {
        opts.call_conv = wasmc_compiler::WasmCallConv::System;
    }
    // What runs where it is compiled (`run`, `--invoke`, `wast`) may use
    // every feature of this machine; an executable defaults to portable.
    if codegen.cpu.as_deref() == Some("rv64gcv") {
        if !matches!(opts.triple.architecture, target_lexicon::Architecture::Riscv64(_)) {
            bail!("--cpu rv64gcv is for riscv64 targets, not for {}", opts.triple);
        }
        opts.cpu = wasmc_compiler::CpuFeatures::Rv64gcv;
        return Ok(opts);
    }
    let native = match codegen.cpu.as_deref() {
        Some(c) => c == "native",
        None => kind != OutputKind::Executable || run_here,
    };
    if native {
        if opts.triple != target_lexicon::Triple::host() {
            bail!("--cpu native is for the machine wasmc runs on, not for --target {}", opts.triple);
        }
        opts.cpu = wasmc_compiler::CpuFeatures::Native;
    }
    wasmc_compiler::isa::supported(&opts.triple).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    Ok(opts)
}

/// Reads and compiles `input`, reporting errors as `file: message`.
fn compile(input: &Path, opts: &Options) -> Result<Vec<u8>> {
    let bytes = std::fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
    let wasm = wasmc_compiler::to_binary(&bytes).map_err(|e| file_error(input, e))?;
    check_imports(input, &wasm, opts.kind, opts.static_imports)?;
    wasmc_compiler::compile(&wasm, opts).map_err(|e| file_error(input, e))
}

fn file_error(input: &Path, e: CompileError) -> anyhow::Error {
    anyhow::anyhow!("{}: {e}", input.display())
}

/// Executables import WASI, and functions defined by C inputs (`c_inputs`):
/// name anything else at build time.
fn check_imports(input: &Path, wasm: &[u8], kind: OutputKind, c_inputs: bool) -> Result<()> {
    if kind != OutputKind::Executable {
        return Ok(());
    }
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::ImportSection(r)) = payload {
            for imp in r.into_imports().flatten() {
                use wasmc_rt::wasi::threads;
                let known = (imp.module == wasmc_rt::wasi::MODULE_NAME && wasmc_rt::wasi::lookup(imp.name).is_some())
                    || (imp.module == threads::MODULE_NAME && imp.name == threads::SPAWN)
                    // The executable creates imported memories as declared
                    // (wasi-threads programs import their shared memory).
                    || matches!(imp.ty, wasmparser::TypeRef::Memory(_));
                let from_c = c_inputs
                    && imp.module != wasmc_rt::wasi::MODULE_NAME
                    && matches!(imp.ty, wasmparser::TypeRef::Func(_));
                if !known && !from_c {
                    bail!(
                        "{}: import `{}::{}` is not provided by wasmc (executables may import WASI preview1, \
                         wasi-threads' `wasi::thread-spawn`, memories, and functions defined by C inputs: \
                         `wasmc build app.wasm host.c`)",
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

#[allow(clippy::too_many_arguments)]
fn build(
    input: &Path,
    output: Option<PathBuf>,
    emit: Emit,
    static_link: bool,
    codegen: &CodegenArgs,
    wasi: &WasiArgs,
    run_here: bool,
    inputs: &[PathBuf],
) -> Result<PathBuf> {
    let mut opts = options(codegen, OutputKind::Executable, run_here)?;
    let target = opts.triple.to_string();
    opts.exe_config = wasi.config()?.encode();
    // Imports bound to C functions of the extra inputs.
    opts.static_imports = !inputs.is_empty();
    let output = output.unwrap_or_else(|| {
        let stem = input.with_extension("");
        match emit {
            Emit::Exe => stem,
            Emit::Obj => stem.with_extension("o"),
        }
    });
    let linker = match emit {
        Emit::Exe => Some(link::exe_linker(codegen.linker.as_deref(), &target)?),
        Emit::Obj => None,
    };
    let object = compile(input, &opts)?;
    match linker {
        None => std::fs::write(&output, object).with_context(|| format!("writing {}", output.display()))?,
        Some(linker) => {
            let obj_path = output.with_extension(format!("wasmc-{}.o", std::process::id()));
            std::fs::write(&obj_path, &object).with_context(|| format!("writing {}", obj_path.display()))?;
            let tmp = output.with_extension(format!("wasmc-{}.d", std::process::id()));
            std::fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
            let r = library::prepare_link_inputs(&linker, inputs, &tmp).and_then(|extra| {
                link::link_executable(&link::ExeLink {
                    linker: &linker,
                    target: &target,
                    object: &obj_path,
                    extra: &extra,
                    output: &output,
                    static_link,
                })
            });
            let _ = std::fs::remove_file(&obj_path);
            let _ = std::fs::remove_dir_all(&tmp);
            if let Err(e) = r {
                let wasm =
                    std::fs::read(input).ok().and_then(|b| wasmc_compiler::to_binary(&b).ok().map(|w| w.to_vec()));
                let imports = wasm.map(|w| library::c_imports(&w)).unwrap_or_default();
                return Err(library::explain_link_error(e, input, "", &imports));
            }
        }
    }
    Ok(output)
}

/// `wasmc build --lib`: a static library and its header.
fn build_library(
    input: &Path,
    inputs: &[PathBuf],
    output: Option<PathBuf>,
    codegen: &CodegenArgs,
    wasi: &WasiArgs,
    lib: &library::LibArgs,
) -> Result<PathBuf> {
    if !inputs.is_empty() {
        bail!("--lib takes one module; the program that links the library defines its imports");
    }
    if !wasi.dirs.is_empty() || !wasi.env.is_empty() || wasi.inherit_env || wasi.max_heap.is_some() {
        bail!("--dir, --env, --inherit-env and --max-heap are for executables; a library's WASI is configured per instance (wasmc_wasi_config_t)");
    }
    let output = output.unwrap_or_else(|| {
        let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "module".into());
        input.with_file_name(format!("lib{stem}.a"))
    });
    let bytes = std::fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
    let wasm = wasmc_compiler::to_binary(&bytes).map_err(|e| file_error(input, e))?;
    let prefix = lib.prefix.clone().unwrap_or_else(|| library::default_prefix(&output));
    library::build_library(library::LibJob {
        input,
        wasm: &wasm,
        // Options as for an executable (portable CPU features by default).
        opts: options(codegen, OutputKind::Executable, false)?,
        output: &output,
        prefix,
        header: lib.header.clone(),
        runtime: !lib.no_runtime,
    })
}

fn run(input: &Path, codegen: &CodegenArgs, wasi: &WasiArgs, args: &[String]) -> Result<ExitCode> {
    link::check_runnable(codegen.target.as_deref())?;
    let bytes = std::fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
    // The key covers everything the executable depends on: the module, the
    // grants baked into it, the resolved code generation options and
    // linker, and this wasmc (version, build, embedded runtime).
    let opts = options(codegen, OutputKind::Executable, true)?;
    let target = opts.triple.to_string();
    let linker = link::exe_linker(codegen.linker.as_deref(), &target)?;
    let key = cache::key(&[
        ("kind", b"run-exe-v2"),
        ("module", &bytes),
        ("config", &wasi.config()?.encode()),
        ("opt", codegen.opt.as_bytes()),
        ("cpu", format!("{:?}", opts.cpu).as_bytes()),
        ("call-conv", codegen.call_conv.as_bytes()),
        ("target", target.as_bytes()),
        ("linker", linker.as_bytes()),
        ("wasmc", env!("CARGO_PKG_VERSION").as_bytes()),
        ("wasmc-build", &cache::build_id()),
        ("runtime", link::embedded_runtime(&target).unwrap_or_default()),
    ]);
    let dir = cache::private_dir("run")?;
    let exe = dir.join(&key);
    // Run only a file that is still the one wasmc wrote; anything else
    // (missing, a symlink, someone else's, writable by others) is rebuilt.
    let file = match cache::open_trusted(&exe)? {
        Some(f) => f,
        None => {
            let tmp = cache::temp_name(&dir);
            let built = build(input, Some(tmp.clone()), Emit::Exe, false, codegen, wasi, true, &[])
                .and_then(|_| cache::install(&tmp, &exe));
            if let Err(e) = built {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
            cache::open_trusted(&exe)?.with_context(|| format!("{} changed after wasmc wrote it", exe.display()))?
        }
    };
    // Execute the checked file itself, not whatever the name points to by
    // then (Linux; elsewhere the name, in a directory only we can write).
    let fd_path = PathBuf::from(format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&file)));
    let path = if fd_path.exists() { fd_path } else { exe.clone() };
    use std::os::unix::process::CommandExt;
    let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let err = std::process::Command::new(&path).arg0(name).args(args).exec();
    bail!("cannot execute {}: {err}", exe.display())
}

fn invoke_export(
    input: &Path,
    name: &str,
    args: &[String],
    codegen: &CodegenArgs,
    wasi_args: &WasiArgs,
) -> Result<ExitCode> {
    link::check_runnable(codegen.target.as_deref())?;
    let bytes = std::fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
    let wasm = wasmc_compiler::to_binary(&bytes).map_err(|e| file_error(input, e))?;
    let mut loader = Loader::new(codegen.linker.as_deref())?;
    loader.opts = options(codegen, OutputKind::Loadable, true)?;
    let module = loader.load(&wasm).map_err(|e| anyhow::anyhow!("{}: {e}", input.display()))?;
    let mut imports = Vec::new();
    for (m, n, _) in module.imports() {
        let f = (m == wasmc_rt::wasi::MODULE_NAME).then(|| wasmc_rt::wasi::lookup(n)).flatten();
        let Some(f) = f else { bail!("{}: import `{m}::{n}` is not provided", input.display()) };
        let body = f.body;
        let ty = wasmc_rt::FuncType::new(f.params, f.results);
        imports.push(wasmc_rt::Extern::Func(wasmc_rt::Func::host(ty, std::sync::Arc::new(body))));
    }
    let store = wasmc_rt::Store::new();
    let wasi = wasi_args.config()?.wasi_ctx(vec![input.display().to_string()]).map_err(anyhow::Error::msg)?;
    let instance =
        wasmc_rt::Instance::with_wasi(&store, &module, &imports, Some(wasi)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(wasmc_rt::Extern::Func(func)) = instance.export(name) else {
        bail!("{}: no exported function `{name}`", input.display());
    };
    let ty = func.ty().clone();
    if args.len() != ty.params.len() {
        bail!("`{name}` takes {} arguments, {} given", ty.params.len(), args.len());
    }
    let vals = args.iter().zip(&ty.params).map(|(a, t)| parse_val(a, *t)).collect::<Result<Vec<_>>>()?;
    match func.call(&vals) {
        Ok(results) => {
            for r in results {
                println!("{}", format_val(&r));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(wasmc_rt::CallError::Trap(wasmc_rt::Error::Exit(c))) => Ok(ExitCode::from(c as u8)),
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::from(wasmc_abi::trap::TRAP_EXIT_STATUS as u8))
        }
    }
}

fn parse_val(s: &str, ty: u8) -> Result<wasmc_rt::Val> {
    use wasmc_abi::descriptor::*;
    use wasmc_rt::Val;
    let bad = || anyhow::anyhow!("cannot parse `{s}` as an argument of type {}", type_name(ty));
    Ok(match ty {
        TY_I32 => Val::I32(s.parse::<i32>().or_else(|_| s.parse::<u32>().map(|v| v as i32)).map_err(|_| bad())?),
        TY_I64 => Val::I64(s.parse::<i64>().or_else(|_| s.parse::<u64>().map(|v| v as i64)).map_err(|_| bad())?),
        TY_F32 => Val::F32(s.parse::<f32>().map_err(|_| bad())?.to_bits()),
        TY_F64 => Val::F64(s.parse::<f64>().map_err(|_| bad())?.to_bits()),
        TY_V128 => {
            Val::V128(v128::parse(s).map_err(|e| anyhow::anyhow!("cannot parse an argument of type v128: {e}"))?)
        }
        _ => bail!("arguments of type {} cannot be given on the command line", type_name(ty)),
    })
}

fn type_name(ty: u8) -> &'static str {
    use wasmc_abi::descriptor::*;
    match ty {
        TY_I32 => "i32",
        TY_I64 => "i64",
        TY_F32 => "f32",
        TY_F64 => "f64",
        TY_V128 => "v128",
        TY_FUNCREF => "funcref",
        _ => "externref",
    }
}

fn format_val(v: &wasmc_rt::Val) -> String {
    use wasmc_rt::Val;
    match *v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => f32::from_bits(b).to_string(),
        Val::F64(b) => f64::from_bits(b).to_string(),
        Val::V128(x) => v128::format(x, v128::Shape::I32x4),
        Val::FuncRef(0) | Val::ExternRef(0) => "null".into(),
        Val::FuncRef(p) => format!("funcref 0x{p:x}"),
        Val::ExternRef(p) => format!("externref 0x{p:x}"),
        Val::AnyRef(0) => "null".into(),
        Val::AnyRef(p) => format!("anyref 0x{p:x}"),
    }
}

fn run_wast(files: &[PathBuf]) -> Result<ExitCode> {
    let loader = Loader::new(None)?;
    let (mut passed, mut failed, mut unsupported) = (0, 0, 0);
    for f in files {
        let r = wast::run_file(f, &loader)?;
        for line in &r.failures {
            println!("  FAIL {line}");
        }
        println!("{}: {} passed, {} failed, {} unsupported", f.display(), r.passed, r.failed, r.unsupported);
        passed += r.passed;
        failed += r.failed;
        unsupported += r.unsupported;
    }
    if files.len() > 1 {
        println!("total: {passed} passed, {failed} failed, {unsupported} unsupported");
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
