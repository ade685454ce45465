//! Glue code between the C ABI and wasm's `tail` convention.
//!
//! * array entry: `extern "C" fn(vmctx, *mut ValRaw) -> u32` that loads the
//!   arguments from 16-byte slots, calls the wasm function and stores the
//!   results back. The runtime calls every exported function this way.
//! * host call: a `tail` function with the import's wasm signature that
//!   spills the arguments to slots and calls the host's array entry found at
//!   offset 0 of its context; a non-zero status traps (`HostError`) and the
//!   runtime reports what the host function left behind.
//! * `main` for executables: calls the runtime's `wasmc_main`.

use super::c_abi::{c_import, CArg, RESULT_SLOT};
use super::{array_signature, err, MAIN_ENTRY};
use crate::error::Result;
use crate::func::{clif_type, trap_code, trusted, wasm_signature};
use crate::module::FuncType;
use crate::ModuleEnv;
use cranelift_codegen::ir::{
    types, AbiParam, ExtFuncData, ExternalName, Function, InstBuilder, Signature, StackSlotData, StackSlotKind,
    UserExternalName, UserFuncName,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{DataId, FuncId, Linkage, Module};
use cranelift_object::ObjectModule;
use wasmc_abi::{Builtin, Trap, VMHostCtx, ValRaw};
use wasmparser::ValType;

const SLOT: i32 = ValRaw::SIZE as i32;

pub(crate) fn array_entry(
    env: &ModuleEnv<'_>,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    id: FuncId,
    callee: FuncId,
    ty: &FuncType,
) {
    *func =
        Function::with_name_signature(UserFuncName::user(0, id.as_u32()), array_signature(env.isa.default_call_conv()));
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let (vmctx, values) = (b.block_params(entry)[0], b.block_params(entry)[1]);
    let mut args = vec![vmctx];
    for (i, p) in ty.params.iter().enumerate() {
        args.push(b.ins().load(clif_type(*p), trusted(), values, i as i32 * SLOT));
    }
    let sig = b.import_signature(wasm_signature(ty, env.call_conv));
    let name = b.func.declare_imported_user_function(UserExternalName::new(0, callee.as_u32()));
    let f = b.import_function(ExtFuncData {
        name: ExternalName::User(name),
        signature: sig,
        colocated: true,
        patchable: false,
    });
    let call = b.ins().call(f, &args);
    let results = b.inst_results(call).to_vec();
    for (i, r) in results.into_iter().enumerate() {
        b.ins().store(trusted(), r, values, i as i32 * SLOT);
    }
    let ok = b.ins().iconst(types::I32, 0);
    b.ins().return_(&[ok]);
    b.seal_all_blocks();
    b.finalize(env.isa.frontend_config());
}

pub(crate) fn host_call(
    env: &ModuleEnv<'_>,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    id: FuncId,
    ty: &FuncType,
) {
    *func = Function::with_name_signature(UserFuncName::user(0, id.as_u32()), wasm_signature(ty, env.call_conv));
    let slots = ty.params.len().max(ty.results.len()).max(1) as u32;
    let mut b = FunctionBuilder::new(func, fctx);
    let ss = b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, slots * ValRaw::SIZE, 4));
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let params = b.block_params(entry).to_vec();
    let host_ctx = params[0];
    let values = b.ins().stack_addr(types::I64, ss, 0);
    for (i, v) in params[1..].iter().enumerate() {
        b.ins().store(trusted(), *v, values, i as i32 * SLOT);
    }
    let entry_fn = b.ins().load(types::I64, trusted(), host_ctx, VMHostCtx::OFF_ARRAY_CALL as i32);
    let sig = b.import_signature(array_signature(env.isa.default_call_conv()));
    let call = b.ins().call_indirect(sig, entry_fn, &[host_ctx, values]);
    let status = b.inst_results(call)[0];
    // A failed host call goes to the runtime's `throw` builtin with no
    // exception: it throws the one the host function asked for from this
    // frame (handlers around the call catch it), or raises its trap.
    let failed = b.create_block();
    let ok = b.create_block();
    b.ins().brif(status, failed, &[], ok, &[]);
    b.set_cold_block(failed);
    b.switch_to_block(failed);
    let mut throw_sig = Signature::new(CallConv::Tail);
    throw_sig.params.extend([AbiParam::new(types::I64), AbiParam::new(types::I64)]);
    let throw_sig = b.import_signature(throw_sig);
    let builtins = b.ins().load(types::I64, trusted(), host_ctx, VMHostCtx::OFF_BUILTINS as i32);
    let throw = b.ins().load(types::I64, trusted(), builtins, Builtin::Throw.offset() as i32);
    let none = b.ins().iconst(types::I64, 0);
    b.ins().call_indirect(throw_sig, throw, &[host_ctx, none]);
    b.ins().trap(trap_code(Trap::HostError));
    b.switch_to_block(ok);
    let mut results = Vec::new();
    for (i, r) in ty.results.iter().enumerate() {
        results.push(b.ins().load(clif_type(*r), trusted(), values, i as i32 * SLOT));
    }
    b.ins().return_(&results);
    b.seal_all_blocks();
    b.finalize(env.isa.frontend_config());
}

/// The trampoline of an import bound to a C function: a `tail` function
/// with the import's wasm signature (its vmctx is the importing instance's,
/// passed to C as the `caller`) that calls the C function directly, its
/// arguments arranged as `c_abi` says (v128 as two words).
pub(crate) fn static_import(
    env: &ModuleEnv<'_>,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    id: FuncId,
    c_func: FuncId,
    ty: &FuncType,
) {
    *func = Function::with_name_signature(UserFuncName::user(0, id.as_u32()), wasm_signature(ty, env.call_conv));
    let c = c_import(ty, env.isa);
    let mut b = FunctionBuilder::new(func, fctx);
    // Result slots (by pointer), and a place to split and join v128 values.
    let n = if c.by_pointer { ty.results.len() as u32 } else { 0 };
    let v128s = ty.params.iter().chain(&ty.results).filter(|t| **t == ValType::V128).count() as u32;
    let slot_data = |count: u32| StackSlotData::new(StackSlotKind::ExplicitSlot, count * RESULT_SLOT, 4);
    let results_ss = (n > 0).then(|| b.create_sized_stack_slot(slot_data(n)));
    let v128_ss = (v128s > 0).then(|| b.create_sized_stack_slot(slot_data(1)));
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let params = b.block_params(entry).to_vec();
    let mut args = Vec::new();
    for a in &c.args {
        args.push(match *a {
            CArg::Caller => params[0],
            CArg::Param(i) => params[1 + i],
            CArg::Low(i) | CArg::High(i) => {
                let ss = v128_ss.expect("a slot for v128 values");
                b.ins().stack_store(types::I64, params[1 + i], ss, 0);
                b.ins().stack_load(types::I64, types::I64, ss, if matches!(a, CArg::Low(_)) { 0 } else { 8 })
            }
            CArg::Result(i) => {
                b.ins().stack_addr(types::I64, results_ss.expect("result slots"), (i as u32 * RESULT_SLOT) as i32)
            }
            CArg::Pad => b.ins().iconst(types::I64, 0),
        });
    }
    let sig = b.import_signature(c.sig);
    let name = b.func.declare_imported_user_function(UserExternalName::new(0, c_func.as_u32()));
    let f = b.import_function(ExtFuncData {
        name: ExternalName::User(name),
        signature: sig,
        colocated: false,
        patchable: false,
    });
    let call = b.ins().call(f, &args);
    let returned = b.inst_results(call).to_vec();
    let results: Vec<_> = match (results_ss, ty.results.as_slice()) {
        (Some(ss), _) => ty
            .results
            .iter()
            .enumerate()
            .map(|(i, r)| b.ins().stack_load(types::I64, clif_type(*r), ss, (i as u32 * RESULT_SLOT) as i32))
            .collect(),
        (None, [ValType::V128]) => {
            // Low half in the first return register, high in the second.
            let ss = v128_ss.expect("a slot for v128 values");
            b.ins().stack_store(types::I64, returned[0], ss, 0);
            b.ins().stack_store(types::I64, returned[1], ss, 8);
            vec![b.ins().stack_load(types::I64, types::I8X16, ss, 0)]
        }
        (None, _) => returned,
    };
    b.ins().return_(&results);
    b.seal_all_blocks();
    b.finalize(env.isa.frontend_config());
}

/// `int main(int argc, char **argv) {
///     return wasmc_main(&wasmc_module, argc, argv, wasmc_exe_config, CONFIG_LEN);
/// }`
pub(crate) fn define_main(obj: &mut ObjectModule, desc: DataId, config: DataId, config_len: usize) -> Result<()> {
    let cc = obj.isa().default_call_conv();
    let mut sig = Signature::new(cc);
    sig.params.push(AbiParam::new(types::I32));
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I32));
    let main_id = obj.declare_function("main", Linkage::Export, &sig).map_err(err)?;
    let mut entry_sig = Signature::new(cc);
    entry_sig.params.push(AbiParam::new(types::I64));
    entry_sig.params.push(AbiParam::new(types::I32));
    entry_sig.params.push(AbiParam::new(types::I64));
    entry_sig.params.push(AbiParam::new(types::I64));
    entry_sig.params.push(AbiParam::new(types::I64));
    entry_sig.returns.push(AbiParam::new(types::I32));
    let entry_id = obj.declare_function(MAIN_ENTRY, Linkage::Import, &entry_sig).map_err(err)?;

    let frontend_config = obj.isa().frontend_config();
    let mut ctx = obj.make_context();
    ctx.func = Function::with_name_signature(UserFuncName::user(0, main_id.as_u32()), sig);
    let desc_gv = obj.declare_data_in_func(desc, &mut ctx.func);
    let config_gv = obj.declare_data_in_func(config, &mut ctx.func);
    let entry_ref = obj.declare_func_in_func(entry_id, &mut ctx.func);
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    let (argc, argv) = (b.block_params(block)[0], b.block_params(block)[1]);
    let desc_addr = b.ins().symbol_value(types::I64, desc_gv);
    let config_addr = b.ins().symbol_value(types::I64, config_gv);
    let config_len = b.ins().iconst(types::I64, config_len as i64);
    let call = b.ins().call(entry_ref, &[desc_addr, argc, argv, config_addr, config_len]);
    let status = b.inst_results(call)[0];
    b.ins().return_(&[status]);
    b.seal_all_blocks();
    b.finalize(frontend_config);
    obj.define_function(main_id, &mut ctx).map_err(err)?;
    Ok(())
}
