//! Calls and tail calls. A call to a function defined in this module is a
//! direct call; an imported function is called through its `VMFuncRef` slot
//! in the vmctx (its code and its own vmctx); `call_indirect` checks bounds,
//! null and the canonical type id before calling through the table entry;
//! `call_ref` only checks null. Every wasm function uses Cranelift's `tail`
//! convention, so each `return_call*` is a real tail call, also into an
//! imported host function (whose trampoline is a `tail` function too).

use super::exception::Callee;
use super::{clif_type, readonly, trusted, wasm_signature, FuncTranslator};
use crate::error::Result;
use cranelift_codegen::ir::{
    self, condcodes::IntCC, types, ExtFuncData, ExternalName, InstBuilder, SigRef, UserExternalName, Value,
};
use wasmc_abi::{vmctx, Trap, VMFuncRef};
use wasmparser::Operator;

impl FuncTranslator<'_, '_> {
    pub(super) fn sig_ref(&mut self, type_index: u32) -> SigRef {
        if let Some(s) = self.sig_refs.get(&type_index) {
            return *s;
        }
        let sig = wasm_signature(self.env.info.types[type_index as usize].func(), self.env.call_conv);
        let s = self.b.import_signature(sig);
        self.sig_refs.insert(type_index, s);
        s
    }

    /// Calls (a `try_call` inside a handler's scope) and pushes the results.
    fn call_and_push(&mut self, callee: Callee, args: &[Value], type_index: u32) {
        let result_tys: Vec<ir::Type> =
            self.env.info.types[type_index as usize].func().results.iter().map(|t| clif_type(*t)).collect();
        let results = self.emit_call(callee, args, &result_tys);
        let tys = self.env.info.types[type_index as usize].func().results.clone();
        for (v, t) in results.into_iter().zip(tys) {
            self.push_typed(v, t);
        }
    }

    /// Calls (or tail-calls) through a funcref: its code and its vmctx.
    fn call_funcref(&mut self, funcref: Value, type_index: u32, args: &[Value], tail: bool) {
        let sig = self.sig_ref(type_index);
        let code = self.b.ins().load(types::I64, trusted(), funcref, VMFuncRef::OFF_WASM_CALL as i32);
        let callee_vmctx = self.b.ins().load(types::I64, trusted(), funcref, VMFuncRef::OFF_VMCTX as i32);
        let mut full = vec![callee_vmctx];
        full.extend_from_slice(args);
        if tail {
            self.b.ins().return_call_indirect(sig, code, &full);
            self.reachable = false;
        } else {
            self.call_and_push(Callee::Indirect(sig, code), &full, type_index);
        }
    }

    fn direct_ref(&mut self, function_index: u32, sig: SigRef) -> ir::FuncRef {
        if let Some(f) = self.func_refs.get(&function_index) {
            return *f;
        }
        let id = self.env.func_ids[function_index as usize];
        let name = self.b.func.declare_imported_user_function(UserExternalName::new(0, id));
        let f = self.b.import_function(ExtFuncData {
            name: ExternalName::User(name),
            signature: sig,
            colocated: true,
            patchable: false,
        });
        self.func_refs.insert(function_index, f);
        f
    }

    /// `call`/`return_call` of function `index`.
    fn call_direct(&mut self, index: u32, tail: bool) {
        let info = self.env.info;
        let ty = info.funcs[index as usize];
        let n = info.types[ty as usize].func().params.len();
        let args = self.popn(n);
        let sig = self.sig_ref(ty);
        if info.is_imported_func(index) {
            let slot = self.b.ins().iadd_imm_s(self.vmctx, self.env.offsets.funcref(index) as i64);
            self.call_funcref(slot, ty, &args, tail);
            return;
        }
        let fref = self.direct_ref(index, sig);
        let mut full = vec![self.vmctx];
        full.extend_from_slice(&args);
        if tail {
            self.b.ins().return_call(fref, &full);
            self.reachable = false;
        } else {
            self.call_and_push(Callee::Direct(fref), &full, ty);
        }
    }

    /// `call_indirect`/`return_call_indirect`: bounds, null and type checks.
    fn call_indirect(&mut self, type_index: u32, table_index: u32, tail: bool) {
        let index = self.pop();
        let n = self.env.info.types[type_index as usize].func().params.len();
        let args = self.popn(n);
        let p = self.table_elem_addr(table_index, index, Trap::UndefinedElement);
        let funcref = self.b.ins().load(types::I64, trusted(), p, 0);
        self.trap_if_zero(funcref, Trap::UninitializedElement);
        let actual = self.b.ins().load(types::I64, trusted(), funcref, VMFuncRef::OFF_TYPE_ID as i32);
        let ids = self.load_vmctx(types::I64, vmctx::OFF_TYPE_IDS, readonly());
        let expected = self.b.ins().load(types::I64, readonly(), ids, (type_index * 8) as i32);
        if self.env.info.types[type_index as usize].is_final {
            let mismatch = self.b.ins().icmp(IntCC::NotEqual, actual, expected);
            self.trap_if_nonzero(mismatch, Trap::IndirectCallTypeMismatch);
        } else {
            let depth = self.env.info.type_depth(type_index);
            self.check_subtype(actual, expected, depth, Trap::IndirectCallTypeMismatch);
        }
        self.call_funcref(funcref, type_index, &args, tail);
    }

    /// Traps with `trap` unless runtime type `actual` is a subtype of
    /// `expected` (whose depth is `depth`): equal, or `expected` sits at
    /// `depth` in `actual`'s display.
    pub(super) fn check_subtype(&mut self, actual: Value, expected: Value, depth: u32, trap: Trap) {
        let ok = self.is_subtype(actual, expected, depth);
        self.trap_if_zero(ok, trap);
    }

    /// 1 if runtime type `actual` <: `expected` (at `depth`), else 0 (i32).
    pub(super) fn is_subtype(&mut self, actual: Value, expected: Value, depth: u32) -> Value {
        use wasmc_abi::gc::VMRtt;
        let slow = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, types::I32);
        let one = self.b.ins().iconst(types::I32, 1);
        let same = self.b.ins().icmp(IntCC::Equal, actual, expected);
        self.b.ins().brif(same, done, &[ir::BlockArg::Value(one)], slow, &[]);
        self.b.switch_to_block(slow);
        let d = self.b.ins().load(types::I32, readonly(), actual, VMRtt::OFF_DEPTH as i32);
        let deep_enough = self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, d, depth as i64);
        let check = self.b.create_block();
        let zero = self.b.ins().iconst(types::I32, 0);
        self.b.ins().brif(deep_enough, check, &[], done, &[ir::BlockArg::Value(zero)]);
        self.b.switch_to_block(check);
        let at = self.b.ins().load(types::I64, readonly(), actual, (VMRtt::OFF_DISPLAY + 8 * depth) as i32);
        let eq = self.b.ins().icmp(IntCC::Equal, at, expected);
        let r = self.bool_to_i32(eq);
        self.b.ins().jump(done, &[ir::BlockArg::Value(r)]);
        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }

    /// `call_ref`/`return_call_ref`: the type is static, only null is checked.
    fn call_ref(&mut self, type_index: u32, tail: bool) {
        let funcref = self.pop();
        let n = self.env.info.types[type_index as usize].func().params.len();
        let args = self.popn(n);
        self.trap_if_zero(funcref, Trap::NullFunctionReference);
        self.call_funcref(funcref, type_index, &args, tail);
    }

    pub(super) fn call(&mut self, op: &Operator<'_>) -> Result<bool> {
        let tail_call = matches!(
            op,
            Operator::ReturnCall { .. } | Operator::ReturnCallIndirect { .. } | Operator::ReturnCallRef { .. }
        );
        if tail_call && self.env.call_conv != cranelift_codegen::isa::CallConv::Tail {
            return Err(crate::CompileError::unsupported(
                "tail calls",
                "return_call under the system calling convention",
                self.offset,
            ));
        }
        match *op {
            Operator::Call { function_index } => self.call_direct(function_index, false),
            Operator::ReturnCall { function_index } => self.call_direct(function_index, true),
            Operator::CallIndirect { type_index, table_index } => self.call_indirect(type_index, table_index, false),
            Operator::ReturnCallIndirect { type_index, table_index } => {
                self.call_indirect(type_index, table_index, true)
            }
            Operator::CallRef { type_index } => self.call_ref(type_index, false),
            Operator::ReturnCallRef { type_index } => self.call_ref(type_index, true),
            _ => return Ok(false),
        }
        Ok(true)
    }
}
