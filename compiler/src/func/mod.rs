//! Translation of one wasm function body (or constant expression) to CLIF.
//!
//! [`FuncTranslator`] holds the per-function state: the operand stack of
//! SSA values, the control stack, locals as frontend variables, and caches
//! of imported signatures. Operators are handled by concern: `control`,
//! `numeric`, `memory`, `atomic`, `table` (tables, references, globals), `call`,
//! `gc`, `simd`, `exception`.

mod atomic;
mod call;
mod control;
mod exception;
mod gc;
mod memory;
mod numeric;
mod simd;
mod table;

use crate::error::{CompileError, Result};
use crate::module::{check_val_type, features::operator_feature, FuncType};
use crate::ModuleEnv;
use control::Frame;
use cranelift_codegen::ir::{
    self, condcodes::IntCC, types, AbiParam, ArgumentPurpose, Function, GlobalValueData, InstBuilder, MemFlagsData,
    Signature, TrapCode, Type, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use std::collections::HashMap;
use wasmc_abi::{vmctx, Builtin, Trap};
use wasmparser::{Operator, OperatorsReader, ValType};

/// The CLIF type of a wasm value type (references are pointers).
pub fn clif_type(t: ValType) -> Type {
    match t {
        ValType::I32 => types::I32,
        ValType::I64 => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        ValType::V128 => types::I8X16,
        ValType::Ref(_) => types::I64,
    }
}

/// The signature of a wasm function: vmctx first, in the convention of
/// wasm-to-wasm calls (`tail` unless asked otherwise).
pub fn wasm_signature(ty: &FuncType, call_conv: CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::special(types::I64, ArgumentPurpose::VMContext));
    sig.params.extend(ty.params.iter().map(|t| AbiParam::new(clif_type(*t))));
    sig.returns.extend(ty.results.iter().map(|t| AbiParam::new(clif_type(*t))));
    sig
}

/// The Cranelift trap code for a wasm trap.
pub fn trap_code(t: Trap) -> TrapCode {
    match t {
        Trap::StackOverflow => TrapCode::STACK_OVERFLOW,
        Trap::MemoryOutOfBounds => TrapCode::HEAP_OUT_OF_BOUNDS,
        Trap::IntegerOverflow => TrapCode::INTEGER_OVERFLOW,
        Trap::IntegerDivisionByZero => TrapCode::INTEGER_DIVISION_BY_ZERO,
        Trap::BadConversionToInteger => TrapCode::BAD_CONVERSION_TO_INTEGER,
        other => TrapCode::unwrap_user(other as u8),
    }
}

/// The wasm trap for a Cranelift trap code (inverse of [`trap_code`]).
pub fn wasm_trap(code: TrapCode) -> Option<Trap> {
    Some(match code {
        TrapCode::STACK_OVERFLOW => Trap::StackOverflow,
        TrapCode::HEAP_OUT_OF_BOUNDS => Trap::MemoryOutOfBounds,
        TrapCode::INTEGER_OVERFLOW => Trap::IntegerOverflow,
        TrapCode::INTEGER_DIVISION_BY_ZERO => Trap::IntegerDivisionByZero,
        TrapCode::BAD_CONVERSION_TO_INTEGER => Trap::BadConversionToInteger,
        other => return Trap::from_code(other.as_raw().get()),
    })
}

/// Flags for loads of runtime data that never trap (vmctx fields).
pub fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Flags for loads of fields that never change after instantiation.
pub fn readonly() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly().with_can_move()
}

pub(crate) struct FuncTranslator<'a, 'f> {
    pub b: FunctionBuilder<'f>,
    pub env: &'a ModuleEnv<'a>,
    pub vmctx: Value,
    pub locals: Vec<(Variable, Type)>,
    pub stack: Vec<Value>,
    pub control: Vec<Frame>,
    pub reachable: bool,
    /// Depth of blocks opened while unreachable (skipped entirely).
    pub skip_depth: u32,
    /// Base address of each memory, loaded once in the entry block.
    pub memory_base: Vec<Value>,
    pub func_refs: HashMap<u32, ir::FuncRef>,
    pub sig_refs: HashMap<u32, ir::SigRef>,
    pub builtin_sigs: HashMap<u32, ir::SigRef>,
    /// Offset of the operator being translated, for errors.
    pub offset: u64,
}

impl<'a, 'f> FuncTranslator<'a, 'f> {
    /// Sets up `func` (already given its signature) and translates the body:
    /// `locals` are the declared locals after the parameters.
    pub fn translate(
        env: &'a ModuleEnv<'a>,
        func: &'f mut Function,
        fctx: &'f mut FunctionBuilderContext,
        ty: &FuncType,
        locals: &[(u32, ValType)],
        ops: OperatorsReader<'_>,
    ) -> Result<()> {
        // The stack limit: vmctx -> limits block -> stack_limit.
        let vmctx_gv = func.create_global_value(GlobalValueData::VMContext);
        let ro = func.dfg.mem_flags.insert(readonly()).map_err(|_| CompileError::internal("memflags"))?;
        let tr = func.dfg.mem_flags.insert(trusted()).map_err(|_| CompileError::internal("memflags"))?;
        let limits = func.create_global_value(GlobalValueData::Load {
            base: vmctx_gv,
            offset: (vmctx::OFF_LIMITS as i32).into(),
            global_type: types::I64,
            flags: ro,
        });
        let limit = func.create_global_value(GlobalValueData::Load {
            base: limits,
            offset: (vmctx::VMLimits::OFF_STACK_LIMIT as i32).into(),
            global_type: types::I64,
            flags: tr,
        });
        func.stack_limit = Some(limit);

        let mut b = FunctionBuilder::new(func, fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let vmctx = b.block_params(entry)[0];
        let mut t = FuncTranslator {
            b,
            env,
            vmctx,
            locals: Vec::new(),
            stack: Vec::new(),
            control: Vec::new(),
            reachable: true,
            skip_depth: 0,
            memory_base: Vec::new(),
            func_refs: HashMap::new(),
            sig_refs: HashMap::new(),
            builtin_sigs: HashMap::new(),
            offset: ops.original_position(),
        };
        for (i, p) in ty.params.iter().enumerate() {
            let ct = clif_type(*p);
            let var = t.b.declare_var(ct);
            if t.is_gc_ref(*p) {
                t.b.declare_var_needs_stack_map(var);
            }
            let v = t.b.block_params(entry)[i + 1];
            t.b.def_var(var, v);
            t.locals.push((var, ct));
        }
        for &(count, vt) in locals {
            check_val_type(vt, t.offset)?;
            let ct = clif_type(vt);
            for _ in 0..count {
                let var = t.b.declare_var(ct);
                if t.is_gc_ref(vt) {
                    t.b.declare_var_needs_stack_map(var);
                }
                let zero = t.zero(ct);
                t.b.def_var(var, zero);
                t.locals.push((var, ct));
            }
        }
        for m in 0..env.info.memories.len() as u32 {
            let off = env.offsets.memory_base(m) as i32;
            let base = t.b.ins().load(types::I64, readonly(), vmctx, off);
            t.memory_base.push(base);
        }
        // The function body is a block whose exit returns.
        let results: Vec<Type> = ty.results.iter().map(|r| clif_type(*r)).collect();
        let ret = t.b.create_block();
        for r in &results {
            t.b.append_block_param(ret, *r);
        }
        t.control.push(Frame::function(ret, results));

        let mut ops = ops;
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset()?;
            t.offset = offset;
            match op {
                // A legacy `try`'s body must know its clauses, which follow it.
                Operator::Try { blockty } if t.reachable => {
                    let shape = exception::scan_try(ops.clone())?;
                    t.legacy_try(blockty, shape)?;
                }
                op => t.op(op)?,
            }
        }
        t.b.seal_all_blocks();
        t.b.finalize(env.isa.frontend_config());
        Ok(())
    }

    fn op(&mut self, op: Operator<'_>) -> Result<()> {
        if !self.reachable {
            return self.skip(op);
        }
        if self.control(&op)?
            || self.numeric(&op)?
            || self.memory(&op)?
            || self.atomic(&op)
            || self.table(&op)?
            || self.call(&op)?
            || self.gc(&op)?
            || self.simd(&op)?
            || self.exception(&op)?
        {
            return Ok(());
        }
        match op {
            Operator::Nop => {}
            Operator::Drop => {
                self.pop();
            }
            Operator::Select | Operator::TypedSelect { .. } | Operator::TypedSelectMulti { .. } => {
                let c = self.pop();
                let y = self.pop();
                let x = self.pop();
                let v = self.b.ins().select(c, x, y);
                match op {
                    Operator::TypedSelect { ty } => self.push_typed(v, ty),
                    _ => self.push(v),
                }
            }
            Operator::LocalGet { local_index } => {
                let v = self.b.use_var(self.locals[local_index as usize].0);
                self.push(v);
            }
            Operator::LocalSet { local_index } => {
                let v = self.pop();
                self.b.def_var(self.locals[local_index as usize].0, v);
            }
            Operator::LocalTee { local_index } => {
                let v = self.peek(1)[0];
                self.b.def_var(self.locals[local_index as usize].0, v);
            }
            other => return Err(self.unsupported(&other)),
        }
        Ok(())
    }

    pub fn unsupported(&self, op: &Operator<'_>) -> CompileError {
        CompileError::unsupported(operator_feature(&op_name(op)), op_name(op), self.offset)
    }
}

/// The operator's name as wasmparser spells it (`I32Add`, `CallRef`, ...).
pub fn op_name(op: &Operator<'_>) -> String {
    let dbg = format!("{op:?}");
    dbg.split([' ', '{', '(']).next().unwrap_or("").to_string()
}

/// Whether an operator is outside the features wasmc lowers.
pub(crate) fn features_ok(op: &Operator<'_>) -> std::result::Result<(), &'static str> {
    match operator_feature(&op_name(op)) {
        "operator" => Ok(()),
        f => Err(f),
    }
}

impl FuncTranslator<'_, '_> {
    pub fn push(&mut self, v: Value) {
        self.stack.push(v);
    }
    pub fn pop(&mut self) -> Value {
        self.stack.pop().expect("validated wasm never underflows the operand stack")
    }
    pub fn popn(&mut self, n: usize) -> Vec<Value> {
        let at = self.stack.len() - n;
        self.stack.split_off(at)
    }
    pub fn peek(&self, n: usize) -> &[Value] {
        &self.stack[self.stack.len() - n..]
    }

    pub fn zero(&mut self, t: Type) -> Value {
        match t {
            types::F32 => self.b.ins().f32const(0.0),
            types::F64 => self.b.ins().f64const(0.0),
            t if t.is_vector() => self.v128_const(t, 0),
            t => self.b.ins().iconst(t, 0),
        }
    }

    /// Traps unconditionally; the rest of the block is unreachable.
    pub fn trap(&mut self, t: Trap) {
        self.b.ins().trap(trap_code(t));
        self.reachable = false;
    }
    pub fn trap_if_zero(&mut self, v: Value, t: Trap) {
        self.b.ins().trapz(v, trap_code(t));
    }
    pub fn trap_if_nonzero(&mut self, v: Value, t: Trap) {
        self.b.ins().trapnz(v, trap_code(t));
    }

    /// Converts an i8 comparison result to wasm's i32 boolean.
    pub fn bool_to_i32(&mut self, c: Value) -> Value {
        self.b.ins().uextend(types::I32, c)
    }

    pub fn load_vmctx(&mut self, ty: Type, offset: u32, flags: MemFlagsData) -> Value {
        self.b.ins().load(ty, flags, self.vmctx, offset as i32)
    }

    /// Calls a runtime builtin through the vmctx's builtins table.
    pub fn call_builtin(&mut self, builtin: Builtin, args: &[Value]) -> Option<Value> {
        let sig = match self.builtin_sigs.get(&(builtin as u32)) {
            Some(s) => *s,
            None => {
                let mut sig = Signature::new(self.env.isa.default_call_conv());
                let ty = |t: &wasmc_abi::builtins::BuiltinTy| match t {
                    wasmc_abi::builtins::BuiltinTy::I32 => types::I32,
                    _ => types::I64,
                };
                sig.params.extend(builtin.params().iter().map(|t| AbiParam::new(ty(t))));
                sig.returns.extend(builtin.results().iter().map(|t| AbiParam::new(ty(t))));
                let s = self.b.import_signature(sig);
                self.builtin_sigs.insert(builtin as u32, s);
                s
            }
        };
        let table = self.load_vmctx(types::I64, vmctx::OFF_BUILTINS, readonly());
        let fptr = self.b.ins().load(types::I64, readonly(), table, builtin.offset() as i32);
        let mut full = vec![self.vmctx];
        full.extend_from_slice(args);
        let call = self.b.ins().call_indirect(sig, fptr, &full);
        self.b.inst_results(call).first().copied()
    }

    /// Calls `builtin` and traps with `t` when it returns 0.
    pub fn call_checked(&mut self, builtin: Builtin, args: &[Value], t: Trap) {
        let ok = self.call_builtin(builtin, args).expect("checked builtins return a status");
        self.trap_if_zero(ok, t);
    }

    pub fn i64_of_u32(&mut self, v: Value) -> Value {
        self.b.ins().uextend(types::I64, v)
    }

    pub fn i32_const(&mut self, v: u32) -> Value {
        self.b.ins().iconst(types::I32, v as i64)
    }

    /// `a >= b` (unsigned) as an i8 flag.
    pub fn uge(&mut self, a: Value, b: Value) -> Value {
        self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, a, b)
    }
}
