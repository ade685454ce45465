//! The object file: every function compiled in parallel, trampolines, the
//! module descriptor, and for executables a `main`.
//!
//! Symbols (all local except the descriptor and `main`):
//! `wasm_f{i}` function i, `wasm_a{i}` its C-ABI array entry,
//! `wasm_h{i}` the trampoline through which import i calls a host function,
//! `wasm_c{k}`/`wasm_ca{k}` compiled constant expression k and its entry,
//! `wasmc_module` the descriptor.

mod c_abi;
mod compile;
mod const_expr;
mod descriptor;
pub mod header;
mod trampolines;

use crate::error::{CompileError, Result};
use crate::func::wasm_signature;
use crate::isa::{build_isa, Options, OutputKind};
use crate::module::{FuncType, ModuleInfo};
use crate::ModuleEnv;
use compile::{Job, Output};
use const_expr::ConstKind;
use cranelift_codegen::ir::{types, AbiParam, Signature};
use cranelift_module::{FuncId, Linkage, Module};
use cranelift_object::{ObjectBuilder, ObjectModule};
use wasmc_abi::vmctx::{VMCounts, VMOffsets};

/// Symbol of the module descriptor (with a prefix: `<prefix>_wasmc_module`).
pub const DESCRIPTOR_SYMBOL: &str = "wasmc_module";
/// WASI's module name: its imports are always provided by the runtime.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// Alignment of every compiled wasm function's entry (a cache line).
const FUNCTION_ALIGNMENT: u64 = 64;

pub fn descriptor_symbol(prefix: &str) -> String {
    if prefix.is_empty() {
        DESCRIPTOR_SYMBOL.to_string()
    } else {
        format!("{prefix}_{DESCRIPTOR_SYMBOL}")
    }
}
/// The runtime's entry for executables.
pub const MAIN_ENTRY: &str = "wasmc_main";

/// Function ids of everything the object defines.
pub(crate) struct Symbols {
    /// Per wasm function: `wasm_f{i}` for defined, `wasm_h{i}` for imports.
    pub wasm: Vec<FuncId>,
    /// Per wasm function: its array entry, if it escapes.
    pub array: Vec<Option<FuncId>>,
    /// Per constant expression that needs code: (function, entry).
    pub const_fns: Vec<Option<(FuncId, FuncId)>>,
    /// Per wasm function: the C function a static import is bound to.
    pub static_c: Vec<Option<FuncId>>,
}

fn err(e: impl std::fmt::Display) -> CompileError {
    CompileError::internal(e.to_string())
}

pub fn array_signature(call_conv: cranelift_codegen::isa::CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::new(types::I64));
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

pub fn emit_object(info: &ModuleInfo<'_>, opts: &Options) -> Result<Vec<u8>> {
    let isa = build_isa(opts)?;
    let builder = ObjectBuilder::new(isa.clone(), "wasm", cranelift_module::default_libcall_names()).map_err(err)?;
    let mut obj = ObjectModule::new(builder);
    let call_conv = isa.default_call_conv();

    // Classify constant expressions; the ones that need code become functions.
    let consts: Vec<ConstKind> =
        info.const_exprs.iter().map(|c| const_expr::classify(&c.expr())).collect::<Result<_>>()?;
    let escaping = escaping_functions(info, &consts);
    // Imports bound at link time to C functions, by symbol.
    let mut static_c = vec![None; info.funcs.len()];
    for imp in &info.imports {
        if opts.static_imports && imp.kind == wasmparser::ExternalKind::Func && imp.module != WASI_MODULE {
            let sym = wasmc_abi::mangle::import_symbol(&opts.symbol_prefix, imp.module, imp.name);
            let sig = c_abi::c_import(info.func_type(imp.index), &*isa).sig;
            static_c[imp.index as usize] = Some(obj.declare_function(&sym, Linkage::Import, &sig).map_err(err)?);
        }
    }

    let mut wasm = Vec::new();
    for (i, &t) in info.funcs.iter().enumerate() {
        let sig = wasm_signature(info.types[t as usize].func(), call_conv_of(opts, &isa));
        let name = if (i as u32) < info.num_imported_funcs { format!("wasm_h{i}") } else { format!("wasm_f{i}") };
        wasm.push(obj.declare_function(&name, Linkage::Local, &sig).map_err(err)?);
    }
    let mut array = Vec::new();
    for (i, esc) in escaping.iter().enumerate() {
        let has_code = i as u32 >= info.num_imported_funcs || static_c[i].is_some();
        array.push(if *esc && has_code {
            Some(
                obj.declare_function(&format!("wasm_a{i}"), Linkage::Local, &array_signature(call_conv))
                    .map_err(err)?,
            )
        } else {
            None
        });
    }
    let mut const_fns = Vec::new();
    for (k, c) in consts.iter().enumerate() {
        const_fns.push(if let ConstKind::Compiled = c {
            let ty = FuncType { params: vec![], results: vec![info.const_exprs[k].ty] };
            let f = obj
                .declare_function(&format!("wasm_c{k}"), Linkage::Local, &wasm_signature(&ty, call_conv_of(opts, &isa)))
                .map_err(err)?;
            let a = obj
                .declare_function(&format!("wasm_ca{k}"), Linkage::Local, &array_signature(call_conv))
                .map_err(err)?;
            Some((f, a))
        } else {
            None
        });
    }
    let syms = Symbols { wasm, array, const_fns, static_c };

    let counts = VMCounts {
        memories: info.memories.len() as u32,
        tables: info.tables.len() as u32,
        globals: info.globals.len() as u32,
        defined_globals: info.globals.len() as u32 - info.num_imported_globals,
        functions: info.funcs.len() as u32,
        tags: info.tags.len() as u32,
    };
    let env = ModuleEnv {
        info,
        offsets: VMOffsets::new(counts),
        func_ids: syms.wasm.iter().map(|f| f.as_u32()).collect(),
        isa: &*isa,
        call_conv: call_conv_of(opts, &isa),
    };

    // Everything that becomes code, compiled in parallel.
    let mut jobs = Vec::new();
    for i in 0..info.funcs.len() as u32 {
        jobs.push(if i >= info.num_imported_funcs {
            Job::Function(i)
        } else if let Some(c) = syms.static_c[i as usize] {
            Job::StaticImport { index: i, c_func: c }
        } else {
            Job::HostTrampoline(i)
        });
        if let Some(id) = syms.array[i as usize] {
            let ty = info.func_type(i).clone();
            jobs.push(Job::ArrayEntry { id, callee: syms.wasm[i as usize], ty });
        }
    }
    for (k, f) in syms.const_fns.iter().enumerate() {
        if let Some((f, a)) = f {
            jobs.push(Job::ConstExpr(k));
            let ty = FuncType { params: vec![], results: vec![info.const_exprs[k].ty] };
            jobs.push(Job::ArrayEntry { id: *a, callee: *f, ty });
        }
    }
    let outputs: Vec<Output> = compile::run_parallel(&env, &syms, &jobs, opts.threads)?;
    let mut code_len = vec![0u64; info.funcs.len()];
    let mut traps = vec![Vec::new(); info.funcs.len()];
    let mut safepoints = vec![Vec::new(); info.funcs.len()];
    let mut handler_sites = vec![Vec::new(); info.funcs.len()];
    for out in outputs {
        // Wasm functions start on a cache-line boundary, so where a hot
        // loop falls relative to 64-byte fetch blocks depends only on the
        // function itself, not on how much code the linker put before it
        // (identical machine code ran 1.67 s or 2.35 s on matmul
        // depending on that alone; see benches/ab.py).
        let align = if out.wasm_index.is_some() { out.alignment.max(FUNCTION_ALIGNMENT) } else { out.alignment };
        obj.define_function_bytes(out.id, align, &out.bytes, &out.relocs).map_err(err)?;
        if let Some(i) = out.wasm_index {
            code_len[i as usize] = out.bytes.len() as u64;
            traps[i as usize] = out.traps;
            safepoints[i as usize] = out.safepoints;
            handler_sites[i as usize] = out.handler_sites;
        }
    }

    let desc_id =
        obj.declare_data(&descriptor_symbol(&opts.symbol_prefix), Linkage::Export, false, false).map_err(err)?;
    let code =
        descriptor::Code { len: &code_len, traps: &traps, safepoints: &safepoints, handler_sites: &handler_sites };
    descriptor::define(&mut obj, desc_id, info, &syms, &consts, &code)?;
    if opts.kind == OutputKind::Executable {
        let config_id = obj.declare_data("wasmc_exe_config", Linkage::Local, false, false).map_err(err)?;
        let mut config = cranelift_module::DataDescription::new();
        // Never empty, so the symbol always has an address.
        config.define(opts.exe_config.iter().copied().chain([0]).collect::<Vec<u8>>().into_boxed_slice());
        obj.define_data(config_id, &config).map_err(err)?;
        trampolines::define_main(&mut obj, desc_id, config_id, opts.exe_config.len())?;
    }
    let product = obj.finish();
    product.emit().map_err(err)
}

fn call_conv_of(opts: &Options, isa: &cranelift_codegen::isa::OwnedTargetIsa) -> cranelift_codegen::isa::CallConv {
    match opts.call_conv {
        crate::WasmCallConv::Tail => cranelift_codegen::isa::CallConv::Tail,
        crate::WasmCallConv::System => isa.default_call_conv(),
    }
}

/// Functions that can be called from outside generated code (exported,
/// the start function, or referenced as a value) and so need an array entry.
fn escaping_functions(info: &ModuleInfo<'_>, consts: &[ConstKind]) -> Vec<bool> {
    let mut esc = vec![false; info.funcs.len()];
    for (_, kind, index) in &info.exports {
        if *kind == wasmparser::ExternalKind::Func {
            esc[*index as usize] = true;
        }
    }
    if let Some(s) = info.start {
        esc[s as usize] = true;
    }
    // ref.func in constant expressions: simple ones were classified
    // already; only compiled ones are read again. (A ref.func in a function
    // body must name a declared function, i.e. one in an element segment,
    // which this covers.)
    for (c, kind) in info.const_exprs.iter().zip(consts) {
        match kind {
            ConstKind::RefFunc(f) => esc[*f as usize] = true,
            ConstKind::Compiled => {
                for op in c.expr().get_operators_reader().into_iter().flatten() {
                    if let wasmparser::Operator::RefFunc { function_index } = op {
                        esc[function_index as usize] = true;
                    }
                }
            }
            _ => {}
        }
    }
    esc
}
