//! Calls and tail calls. A call to a function defined in this module is a
//! direct call; an imported function is called through its `VMFuncRef` slot
//! in the vmctx (its code and its own vmctx); `call_indirect` checks bounds,
//! null and the canonical type id before calling through the table entry;
//! `call_ref` only checks null. Every wasm function uses Cranelift's `tail`
//! convention, so each `return_call*` is a real tail call, also into an
//! imported host function (whose trampoline is a `tail` function too).

use super::{readonly, trusted, wasm_signature, FuncTranslator};
use crate::error::Result;
use cranelift_codegen::ir::{
    self, condcodes::IntCC, types, ExtFuncData, ExternalName, Inst, InstBuilder, SigRef, UserExternalName, Value,
};
use wasmc_abi::{vmctx, Trap, VMFuncRef};
use wasmparser::Operator;

impl FuncTranslator<'_, '_> {
    pub(super) fn sig_ref(&mut self, type_index: u32) -> SigRef {
        if let Some(s) = self.sig_refs.get(&type_index) {
            return *s;
        }
        let sig = wasm_signature(&self.env.info.types[type_index as usize]);
        let s = self.b.import_signature(sig);
        self.sig_refs.insert(type_index, s);
        s
    }

    fn finish_call(&mut self, call: Inst) {
        let results = self.b.inst_results(call).to_vec();
        self.stack.extend(results);
    }

    /// Calls (or tail-calls) through a funcref: its code and its vmctx.
    fn call_funcref(&mut self, funcref: Value, sig: SigRef, args: &[Value], tail: bool) {
        let code = self.b.ins().load(types::I64, trusted(), funcref, VMFuncRef::OFF_WASM_CALL as i32);
        let callee_vmctx = self.b.ins().load(types::I64, trusted(), funcref, VMFuncRef::OFF_VMCTX as i32);
        let mut full = vec![callee_vmctx];
        full.extend_from_slice(args);
        if tail {
            self.b.ins().return_call_indirect(sig, code, &full);
            self.reachable = false;
        } else {
            let call = self.b.ins().call_indirect(sig, code, &full);
            self.finish_call(call);
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
        let n = info.types[ty as usize].params.len();
        let args = self.popn(n);
        let sig = self.sig_ref(ty);
        if info.is_imported_func(index) {
            let slot = self.b.ins().iadd_imm_s(self.vmctx, self.env.offsets.funcref(index) as i64);
            self.call_funcref(slot, sig, &args, tail);
            return;
        }
        let fref = self.direct_ref(index, sig);
        let mut full = vec![self.vmctx];
        full.extend_from_slice(&args);
        if tail {
            self.b.ins().return_call(fref, &full);
            self.reachable = false;
        } else {
            let call = self.b.ins().call(fref, &full);
            self.finish_call(call);
        }
    }

    /// `call_indirect`/`return_call_indirect`: bounds, null and type checks.
    fn call_indirect(&mut self, type_index: u32, table_index: u32, tail: bool) {
        let index = self.pop();
        let n = self.env.info.types[type_index as usize].params.len();
        let args = self.popn(n);
        let p = self.table_elem_addr(table_index, index, Trap::UndefinedElement);
        let funcref = self.b.ins().load(types::I64, trusted(), p, 0);
        self.trap_if_zero(funcref, Trap::UninitializedElement);
        let actual = self.b.ins().load(types::I64, trusted(), funcref, VMFuncRef::OFF_TYPE_ID as i32);
        let ids = self.load_vmctx(types::I64, vmctx::OFF_TYPE_IDS, readonly());
        let expected = self.b.ins().load(types::I64, readonly(), ids, (type_index * 8) as i32);
        let mismatch = self.b.ins().icmp(IntCC::NotEqual, actual, expected);
        self.trap_if_nonzero(mismatch, Trap::IndirectCallTypeMismatch);
        let sig = self.sig_ref(type_index);
        self.call_funcref(funcref, sig, &args, tail);
    }

    /// `call_ref`/`return_call_ref`: the type is static, only null is checked.
    fn call_ref(&mut self, type_index: u32, tail: bool) {
        let funcref = self.pop();
        let n = self.env.info.types[type_index as usize].params.len();
        let args = self.popn(n);
        self.trap_if_zero(funcref, Trap::NullFunctionReference);
        let sig = self.sig_ref(type_index);
        self.call_funcref(funcref, sig, &args, tail);
    }

    pub(super) fn call(&mut self, op: &Operator<'_>) -> Result<bool> {
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
