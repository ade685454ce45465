//! Parallel code generation: every job builds one CLIF function and
//! compiles it to machine code on a worker thread.

use super::{trampolines, Symbols};
use crate::error::{CompileError, Result};
use crate::func::{wasm_signature, wasm_trap, FuncTranslator};
use crate::module::FuncType;
use crate::ModuleEnv;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{Function, UserFuncName};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::{FuncId, ModuleReloc};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use wasmc_abi::Trap;

pub(crate) enum Job {
    /// Defined wasm function `i`.
    Function(u32),
    /// The host-call trampoline of imported function `i`.
    HostTrampoline(u32),
    /// The trampoline of import `index`, bound to C function `c_func`.
    StaticImport { index: u32, c_func: FuncId },
    /// The C-ABI array entry `id` calling `callee` of type `ty`.
    ArrayEntry { id: FuncId, callee: FuncId, ty: FuncType },
    /// Constant expression `k` as a function.
    ConstExpr(usize),
}

pub(crate) struct Output {
    pub id: FuncId,
    pub wasm_index: Option<u32>,
    pub alignment: u64,
    pub bytes: Vec<u8>,
    pub relocs: Vec<ModuleReloc>,
    /// (offset, trap) of each trapping instruction.
    pub traps: Vec<(u32, Trap)>,
    /// (return address offset, frame size (FP - SP at the call),
    /// SP-relative slots holding GC references) of each call site.
    pub safepoints: Vec<(u32, u32, Vec<u32>)>,
    /// The call sites inside handlers' scopes.
    pub handler_sites: Vec<HandlerSite>,
}

/// A `try_call` site: return address offset, frame size (FP - SP at the
/// call), SP-relative offset of the saved vmctx, and its handlers in order
/// as (vmctx offset of the tag slot or `CATCH_ALL`, landing pad offset).
#[derive(Clone, Debug)]
pub(crate) struct HandlerSite {
    pub ret_offset: u32,
    pub frame_size: u32,
    pub vmctx_offset: u32,
    pub handlers: Vec<(u32, u32)>,
}

pub(crate) fn run_parallel(env: &ModuleEnv<'_>, syms: &Symbols, jobs: &[Job], threads: usize) -> Result<Vec<Output>> {
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<Output>)>> = Mutex::new(Vec::with_capacity(jobs.len()));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut fctx = FunctionBuilderContext::new();
                let mut ctx = Context::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= jobs.len() {
                        break;
                    }
                    // A panic in code generation is a compiler bug; report it as
                    // an error instead of taking the whole process down.
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        run_job(env, syms, &jobs[i], &mut ctx, &mut fctx)
                    }))
                    .unwrap_or_else(|p| {
                        let msg = p
                            .downcast_ref::<String>()
                            .map(String::as_str)
                            .or_else(|| p.downcast_ref::<&str>().copied())
                            .unwrap_or("unknown panic");
                        ctx = Context::new();
                        fctx = FunctionBuilderContext::new();
                        Err(CompileError::internal(format!("code generation panicked: {msg}")))
                    });
                    let failed = r.is_err();
                    results.lock().unwrap_or_else(|e| e.into_inner()).push((i, r));
                    if failed {
                        // Stop handing out work; the first error is reported.
                        next.store(jobs.len(), Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

fn run_job(
    env: &ModuleEnv<'_>,
    syms: &Symbols,
    job: &Job,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
) -> Result<Output> {
    ctx.clear();
    let info = env.info;
    let (id, wasm_index) = match job {
        Job::Function(i) => {
            let id = syms.wasm[*i as usize];
            let ty = info.func_type(*i);
            ctx.func =
                Function::with_name_signature(UserFuncName::user(0, id.as_u32()), wasm_signature(ty, env.call_conv));
            let body = &info.bodies[(*i - info.num_imported_funcs) as usize];
            let mut locals = Vec::new();
            for l in body.get_locals_reader()? {
                locals.push(l?);
            }
            FuncTranslator::translate(env, &mut ctx.func, fctx, ty, &locals, body.get_operators_reader()?)?;
            (id, Some(*i))
        }
        Job::ConstExpr(k) => {
            let (id, _) = syms.const_fns[*k].expect("compiled constant expression");
            let ty = FuncType { params: vec![], results: vec![info.const_exprs[*k].ty] };
            ctx.func =
                Function::with_name_signature(UserFuncName::user(0, id.as_u32()), wasm_signature(&ty, env.call_conv));
            let ops = info.const_exprs[*k].expr().get_operators_reader();
            FuncTranslator::translate(env, &mut ctx.func, fctx, &ty, &[], ops)?;
            (id, None)
        }
        Job::HostTrampoline(i) => {
            let id = syms.wasm[*i as usize];
            trampolines::host_call(env, &mut ctx.func, fctx, id, info.func_type(*i));
            // Registered like a function so its trap (a failed host call)
            // is recognised and shows in backtraces under the import's name.
            (id, Some(*i))
        }
        Job::StaticImport { index, c_func } => {
            let id = syms.wasm[*index as usize];
            trampolines::static_import(env, &mut ctx.func, fctx, id, *c_func, info.func_type(*index));
            (id, Some(*index))
        }
        Job::ArrayEntry { id, callee, ty } => {
            trampolines::array_entry(env, &mut ctx.func, fctx, *id, *callee, ty);
            (*id, None)
        }
    };
    let code = ctx
        .compile(env.isa, &mut ControlPlane::default())
        .map_err(|e| CompileError::internal(format!("code generation failed: {:?}", e.inner)))?;
    let bytes = code.code_buffer().to_vec();
    let alignment = code.buffer.alignment as u64;
    let traps = code.buffer.traps().iter().filter_map(|t| wasm_trap(t.code).map(|w| (t.offset, w))).collect();
    let safepoints = code
        .buffer
        .user_stack_maps()
        .iter()
        .map(|(ret, span, map)| (*ret, *span, map.entries().map(|(_, off)| off).collect()))
        .collect();
    let handler_sites = handler_sites(env, &code.buffer)?;
    let mach_relocs = code.buffer.relocs().to_vec();
    let relocs = mach_relocs.iter().map(|r| ModuleReloc::from_mach_reloc(r, &ctx.func, id)).collect();
    Ok(Output { id, wasm_index, alignment, bytes, relocs, traps, safepoints, handler_sites })
}

/// The handler sites of a compiled function, from Cranelift's call-site
/// records: the exception table's context (the vmctx) must be in a stack
/// slot, since every register is clobbered on the exceptional edge.
fn handler_sites(
    env: &ModuleEnv<'_>,
    buffer: &cranelift_codegen::MachBufferFinalized<cranelift_codegen::Final>,
) -> Result<Vec<HandlerSite>> {
    use cranelift_codegen::{ExceptionContextLoc, FinalizedMachExceptionHandler as H};
    let mut out = Vec::new();
    for site in buffer.call_sites() {
        if site.exception_handlers.is_empty() {
            continue;
        }
        let frame_size =
            site.frame_offset.ok_or_else(|| CompileError::internal("try_call site without a frame offset"))?;
        let mut vmctx_offset = None;
        let mut handlers = Vec::new();
        for h in site.exception_handlers {
            match *h {
                H::Context(ExceptionContextLoc::SPOffset(off)) => vmctx_offset = Some(off),
                H::Context(ExceptionContextLoc::GPR(_)) => {
                    return Err(CompileError::internal("exception context in a register at a try_call"))
                }
                H::Tag(tag, target) => handlers.push((env.offsets.tag(tag.as_u32()), target)),
                H::Default(target) => handlers.push((wasmc_abi::exn::CATCH_ALL, target)),
            }
        }
        let vmctx_offset = vmctx_offset.ok_or_else(|| CompileError::internal("try_call site without its vmctx"))?;
        out.push(HandlerSite { ret_offset: site.ret_addr, frame_size, vmctx_offset, handlers });
    }
    out.sort_by_key(|s| s.ret_offset);
    Ok(out)
}
