//! Exceptions: `throw`, `throw_ref`, `try_table`, and the legacy `try`,
//! `catch`, `catch_all`, `delegate` and `rethrow` that LLVM still emits.
//!
//! Nothing is done on the path where nothing is thrown: a call inside a
//! handler's scope becomes a Cranelift `try_call` whose exception table
//! lists every handler in scope, innermost first (the first match wins),
//! with the vmctx as the table's context. Cranelift records, per call site,
//! where that vmctx is saved and the landing pad of each handler; the
//! runtime's throw walks the frame pointers up to the innermost handler
//! whose tag is the thrown one and resumes there (see
//! `runtime-lib/src/exn/DESIGN.md`). Every clause has one landing block,
//! shared by all the calls of its scope, that receives the exception
//! object, unpacks the payload and branches to the clause's label.
//!
//! An exception is a GC object laid out by `wasmc_abi::exn`; `exnref` is a
//! reference to it, kept in stack maps like any other.

use super::{readonly, FuncTranslator};
use crate::error::{CompileError, Result};
use crate::module::StorageType;
use cranelift_codegen::ir::{
    self, types, AbiParam, BlockArg, BlockCall, ExceptionTableData, ExceptionTableItem, ExceptionTag, InstBuilder,
    Signature, Type, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::Variable;
use wasmc_abi::exn::{exception_layout, VMTag, EXN_OFF_TAG};
use wasmc_abi::gc::storage_size;
use wasmc_abi::{vmctx, Builtin, Trap};
use wasmparser::{BlockType, Catch, Operator, OperatorsReader, ValType};

/// What a clause does with the exception at its label.
#[derive(Clone, Copy)]
enum ClauseKind {
    /// A `try_table` clause: branch to `label` (relative to the context
    /// outside the `try_table`), with the exception too if `with_ref`.
    Table { label: u32, with_ref: bool },
    /// A legacy `catch`/`catch_all`: its body follows in the `try`.
    Legacy,
}

struct Clause {
    /// `None`: catches everything.
    tag: Option<u32>,
    /// Receives the exception object (one i64 parameter).
    landing: ir::Block,
    /// Whether some call site lists it (else its code is never emitted).
    used: bool,
    kind: ClauseKind,
}

/// The handlers of a `try_table` or of a legacy `try`.
pub(crate) struct Handlers {
    clauses: Vec<Clause>,
    /// Whether calls here are in the handlers' scope: a legacy `try`'s
    /// clauses cover its body only, not its catch bodies.
    active: bool,
    legacy: bool,
    /// A legacy `try ... delegate`: the control index whose handlers take
    /// over (the frame the delegate's label names).
    delegate: Option<usize>,
    /// Legacy: the next clause to be met by `catch`/`catch_all`.
    next_clause: usize,
    /// Legacy: the exception caught by the current catch body, for `rethrow`.
    caught: Option<Variable>,
}

/// The clauses of a legacy `try` (they follow its body, but the calls of
/// the body must already know them).
pub(crate) struct LegacyShape {
    /// Tag of each `catch` (`None` for `catch_all`), in order.
    clauses: Vec<Option<u32>>,
    /// The label of a closing `delegate`.
    delegate: Option<u32>,
}

/// Reads ahead from just after a legacy `try` to its end and collects its
/// clauses.
pub(crate) fn scan_try(mut ops: OperatorsReader<'_>) -> Result<LegacyShape> {
    let mut shape = LegacyShape { clauses: Vec::new(), delegate: None };
    let mut depth = 0u32;
    while !ops.eof() {
        match ops.read()? {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Try { .. }
            | Operator::TryTable { .. } => depth += 1,
            Operator::End | Operator::Delegate { .. } if depth > 0 => depth -= 1,
            Operator::End => break,
            Operator::Delegate { relative_depth } => {
                shape.delegate = Some(relative_depth);
                break;
            }
            Operator::Catch { tag_index } if depth == 0 => shape.clauses.push(Some(tag_index)),
            Operator::CatchAll if depth == 0 => shape.clauses.push(None),
            _ => {}
        }
    }
    Ok(shape)
}

/// The callee of a call that may be a `try_call`.
pub(crate) enum Callee {
    Direct(ir::FuncRef),
    Indirect(ir::SigRef, Value),
}

/// Key of the throw builtin's signature in `builtin_sigs` (it is called
/// in the wasm convention, unlike the other builtins).
const THROW_SIG_KEY: u32 = u32::MAX;

impl FuncTranslator<'_, '_> {
    fn require_tail_calls(&self) -> Result<()> {
        if self.env.call_conv != CallConv::Tail {
            return Err(CompileError::unsupported(
                crate::error::feature::EXCEPTIONS,
                "exceptions under the system calling convention",
                self.offset,
            ));
        }
        Ok(())
    }

    /// The handlers in scope here, innermost first, each marked used:
    /// (tag or `None` for all, landing block). Stops after a catch-all.
    fn handlers_in_scope(&mut self) -> Vec<(Option<u32>, ir::Block)> {
        let mut out = Vec::new();
        let mut i = self.control.len();
        while i > 0 {
            let at = i - 1;
            let Some(h) = self.control[at].handlers.as_mut() else {
                i -= 1;
                continue;
            };
            if h.active {
                for c in &mut h.clauses {
                    c.used = true;
                    out.push((c.tag, c.landing));
                    if c.tag.is_none() {
                        return out;
                    }
                }
            }
            // `delegate l`: continue with the handlers of label `l`'s frame.
            i = match h.delegate {
                Some(d) if h.active => d + 1,
                _ => at,
            };
        }
        out
    }

    /// Emits a call; inside a handler's scope a `try_call` whose normal
    /// return continues in a new block. Returns the call's results.
    pub(super) fn emit_call(&mut self, callee: Callee, args: &[Value], results: &[Type]) -> Vec<Value> {
        let handlers = self.handlers_in_scope();
        if handlers.is_empty() {
            let call = match callee {
                Callee::Direct(f) => self.b.ins().call(f, args),
                Callee::Indirect(sig, p) => self.b.ins().call_indirect(sig, p, args),
            };
            return self.b.inst_results(call).to_vec();
        }
        let sig = match callee {
            Callee::Direct(f) => self.b.func.dfg.ext_funcs[f].signature,
            Callee::Indirect(sig, _) => sig,
        };
        let cont = self.new_block_with(results);
        let table = self.exception_table(sig, cont, results.len(), &handlers);
        match callee {
            Callee::Direct(f) => self.b.ins().try_call(f, args, table),
            Callee::Indirect(_, p) => self.b.ins().try_call_indirect(p, args, table),
        };
        self.b.switch_to_block(cont);
        self.b.block_params(cont).to_vec()
    }

    fn exception_table(
        &mut self,
        sig: ir::SigRef,
        cont: ir::Block,
        n_results: usize,
        handlers: &[(Option<u32>, ir::Block)],
    ) -> ir::ExceptionTable {
        let pool = &mut self.b.func.dfg.value_lists;
        let rets: Vec<BlockArg> = (0..n_results as u32).map(BlockArg::TryCallRet).collect();
        let normal = BlockCall::new(cont, rets, pool);
        let mut items = vec![ExceptionTableItem::Context(self.vmctx)];
        for &(tag, landing) in handlers {
            let to = BlockCall::new(landing, [BlockArg::TryCallExn(0)], pool);
            items.push(match tag {
                Some(t) => ExceptionTableItem::Tag(ExceptionTag::from_u32(t), to),
                None => ExceptionTableItem::Default(to),
            });
        }
        self.b.func.dfg.exception_tables.push(ExceptionTableData::new(sig, normal, items))
    }

    /// Throws exception object `exn` (non-null): the runtime never returns
    /// here. A handler of this very frame is found through the call's own
    /// exception table, so the call is a `try_call` in a handler's scope.
    fn throw_exn(&mut self, exn: Value) {
        let sig = match self.builtin_sigs.get(&THROW_SIG_KEY) {
            Some(s) => *s,
            None => {
                // The wasm convention: a handler in this frame then assumes
                // no register survived (what the runtime's resume gives).
                let mut sig = Signature::new(CallConv::Tail);
                sig.params.extend([AbiParam::new(types::I64), AbiParam::new(types::I64)]);
                let s = self.b.import_signature(sig);
                self.builtin_sigs.insert(THROW_SIG_KEY, s);
                s
            }
        };
        let table = self.load_vmctx(types::I64, vmctx::OFF_BUILTINS, readonly());
        let f = self.b.ins().load(types::I64, readonly(), table, Builtin::Throw.offset() as i32);
        let vmctx = self.vmctx;
        self.emit_call(Callee::Indirect(sig, f), &[vmctx, exn], &[]);
        self.trap(Trap::Unreachable);
    }

    /// The tag's `*const VMTag` (its identity) from the vmctx.
    fn tag_ptr(&mut self, tag: u32) -> Value {
        let off = self.env.offsets.tag(tag);
        self.load_vmctx(types::I64, off, readonly())
    }

    /// The tag's parameter types, their offsets in an exception object and
    /// the object's size.
    fn payload_layout(&self, tag: u32) -> (Vec<ValType>, Vec<u32>, u32) {
        let ty = self.env.info.tags[tag as usize];
        let params = self.env.info.types[ty as usize].func().params.clone();
        let sizes: Vec<u32> =
            params.iter().map(|p| storage_size(super::gc::storage_code(StorageType::Val(*p)))).collect();
        let mut offsets = vec![0; sizes.len()];
        let size = exception_layout(&sizes, &mut offsets);
        (params, offsets, size)
    }

    /// A new exception object of `tag` with payload `vals`.
    fn new_exception(&mut self, tag: u32, vals: &[Value]) -> Value {
        let (params, offsets, size) = self.payload_layout(tag);
        let tag_ptr = self.tag_ptr(tag);
        let rtt = self.b.ins().load(types::I64, readonly(), tag_ptr, VMTag::OFF_EXN_RTT as i32);
        let size = self.b.ins().iconst(types::I64, size as i64);
        let exn = self.alloc(rtt, size);
        self.init_field(StorageType::Val(ValType::I64), exn, EXN_OFF_TAG as i32, tag_ptr);
        for ((p, off), v) in params.iter().zip(offsets).zip(vals) {
            self.init_field(StorageType::Val(*p), exn, off as i32, *v);
        }
        exn
    }

    /// The payload of exception object `exn` of `tag`.
    fn unpack(&mut self, exn: Value, tag: u32) -> Vec<Value> {
        let (params, offsets, _) = self.payload_layout(tag);
        params
            .iter()
            .zip(offsets)
            .map(|(p, off)| self.load_field(StorageType::Val(*p), exn, off as i32, false))
            .collect()
    }

    fn new_clause(&mut self, tag: Option<u32>, kind: ClauseKind) -> Clause {
        let landing = self.new_block_with(&[types::I64]);
        Clause { tag, landing, used: false, kind }
    }

    /// The exception a landing block receives, kept in stack maps.
    fn landing_exn(&mut self, landing: ir::Block) -> Value {
        let exn = self.b.block_params(landing)[0];
        self.gc_value(exn)
    }

    /// Handles exception operators; returns false for anything else.
    pub(super) fn exception(&mut self, op: &Operator<'_>) -> Result<bool> {
        match *op {
            Operator::TryTable { ref try_table } => {
                self.require_tail_calls()?;
                let mut clauses = Vec::with_capacity(try_table.catches.len());
                for c in &try_table.catches {
                    let (tag, label, with_ref) = match *c {
                        Catch::One { tag, label } => (Some(tag), label, false),
                        Catch::OneRef { tag, label } => (Some(tag), label, true),
                        Catch::All { label } => (None, label, false),
                        Catch::AllRef { label } => (None, label, true),
                    };
                    clauses.push(self.new_clause(tag, ClauseKind::Table { label, with_ref }));
                }
                self.open_try(try_table.ty, clauses, false, None);
            }
            Operator::Throw { tag_index } => {
                self.require_tail_calls()?;
                let n = self.payload_layout(tag_index).0.len();
                let vals = self.popn(n);
                let exn = self.new_exception(tag_index, &vals);
                self.throw_exn(exn);
            }
            Operator::ThrowRef => {
                self.require_tail_calls()?;
                let exn = self.pop();
                self.trap_if_zero(exn, Trap::NullExnReference);
                self.throw_exn(exn);
            }
            Operator::Catch { tag_index } => self.legacy_catch(Some(tag_index)),
            Operator::CatchAll => self.legacy_catch(None),
            Operator::Delegate { .. } => self.end_try(),
            Operator::Rethrow { relative_depth } => {
                let i = self.control.len() - 1 - relative_depth as usize;
                let caught = self.control[i].handlers.as_ref().and_then(|h| h.caught);
                let caught = caught.ok_or_else(|| CompileError::internal("rethrow outside a catch body"))?;
                let exn = self.b.use_var(caught);
                self.throw_exn(exn);
            }
            Operator::Try { .. } => {
                return Err(CompileError::internal("legacy try reached the operator dispatch"));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Opens a `try_table` or legacy `try` block with its handlers.
    fn open_try(&mut self, blockty: BlockType, clauses: Vec<Clause>, legacy: bool, delegate: Option<usize>) {
        let (params, results) = self.block_type(blockty);
        let next = self.new_block_with(&results);
        let height = self.stack.len() - params.len();
        let result_vts = self.block_val_types(blockty).1;
        let mut frame =
            super::control::Frame::new(super::control::FrameKind::Block, (params, results), result_vts, next, height);
        frame.handlers =
            Some(Box::new(Handlers { clauses, active: true, legacy, delegate, next_clause: 0, caught: None }));
        self.control.push(frame);
    }

    /// A legacy `try` whose clauses `shape` lists (read ahead).
    pub(crate) fn legacy_try(&mut self, blockty: BlockType, shape: LegacyShape) -> Result<()> {
        self.require_tail_calls()?;
        let clauses = shape.clauses.iter().map(|t| self.new_clause(*t, ClauseKind::Legacy)).collect();
        // The delegate's label counts from the frame enclosing the `try`.
        let delegate = shape.delegate.map(|d| self.control.len() - 1 - d as usize);
        self.open_try(blockty, clauses, true, delegate);
        Ok(())
    }

    /// A legacy `catch`/`catch_all`: ends the body (or the previous catch
    /// body) and starts this clause's body at its landing block.
    pub(super) fn legacy_catch(&mut self, tag: Option<u32>) {
        let top = self.control.len() - 1;
        if self.reachable {
            let n = self.control[top].results.len();
            let vals = self.peek(n).to_vec();
            let next = self.control[top].next;
            self.b.ins().jump(next, &super::control::args(&vals));
            self.control[top].exit_reached = true;
        }
        let height = self.control[top].height;
        self.stack.truncate(height);
        let h = self.control[top].handlers.as_mut().expect("validated: catch inside a try");
        h.active = false;
        let clause = &h.clauses[h.next_clause];
        debug_assert_eq!(clause.tag, tag);
        h.next_clause += 1;
        if !clause.used {
            // Nothing in the body can throw: the catch body is dead code.
            self.reachable = false;
            return;
        }
        let landing = clause.landing;
        let caught = match h.caught {
            Some(v) => v,
            None => {
                let v = self.b.declare_var(types::I64);
                self.b.declare_var_needs_stack_map(v);
                self.control[top].handlers.as_mut().expect("just seen").caught = Some(v);
                v
            }
        };
        self.b.switch_to_block(landing);
        let exn = self.landing_exn(landing);
        self.b.def_var(caught, exn);
        if let Some(t) = tag {
            for v in self.unpack(exn, t) {
                self.stack.push(v);
            }
        }
        self.reachable = true;
    }

    /// `end` of a `try_table` or legacy `try`, or a legacy `delegate`.
    /// A `try_table`'s used clauses get their landing code here, while the
    /// frames their labels name are still open.
    pub(super) fn end_try(&mut self) {
        let top = self.control.len() - 1;
        let legacy = self.control[top].handlers.as_ref().is_none_or(|h| h.legacy);
        if legacy {
            self.end();
            return;
        }
        if self.reachable {
            let n = self.control[top].results.len();
            let vals = self.peek(n).to_vec();
            let next = self.control[top].next;
            self.b.ins().jump(next, &super::control::args(&vals));
            self.control[top].exit_reached = true;
            self.reachable = false;
        }
        let handlers = self.control[top].handlers.take().expect("checked above");
        for c in handlers.clauses.iter().filter(|c| c.used) {
            let ClauseKind::Table { label, with_ref } = c.kind else { continue };
            self.b.switch_to_block(c.landing);
            let exn = self.landing_exn(c.landing);
            let mut vals = match c.tag {
                Some(t) => self.unpack(exn, t),
                None => Vec::new(),
            };
            if with_ref {
                vals.push(exn);
            }
            // The label counts from outside the `try_table`, still open.
            let (target, _) = self.branch_block(label + 1);
            self.b.ins().jump(target, &super::control::args(&vals));
        }
        self.end();
    }
}
