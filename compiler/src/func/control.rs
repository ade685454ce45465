//! Structured control flow: blocks, loops, if/else, branches, return,
//! unreachable, and skipping code that cannot be reached.

use super::{clif_type, FuncTranslator};
use crate::error::Result;
use cranelift_codegen::ir::{Block, BlockArg, BlockCall, InstBuilder, JumpTableData, Type, Value};
use std::collections::HashMap;
use wasmc_abi::Trap;
use wasmparser::{BlockType, Operator, ValType};

pub(crate) enum FrameKind {
    Function,
    Block,
    Loop { header: Block },
    If { else_block: Block, else_params: Vec<Value>, has_else: bool },
}

pub(crate) struct Frame {
    pub kind: FrameKind,
    /// Wasm types of the results (for stack maps of the continuation).
    pub result_vts: Vec<ValType>,
    /// The continuation after `end`, with the results as parameters.
    pub next: Block,
    pub params: Vec<Type>,
    pub results: Vec<Type>,
    /// Operand stack height below this block's parameters.
    pub height: usize,
    /// Whether some branch (or the fall-through) reaches `next`.
    pub exit_reached: bool,
    /// The handlers of a `try_table` or legacy `try` (see `exception`).
    pub handlers: Option<Box<super::exception::Handlers>>,
}

impl Frame {
    /// A frame whose continuation `next` takes `results`, over `height`
    /// operands that stay below it; not reached until something branches.
    pub(super) fn new(
        kind: FrameKind,
        sig: (Vec<Type>, Vec<Type>),
        result_vts: Vec<ValType>,
        next: Block,
        height: usize,
    ) -> Frame {
        let (params, results) = sig;
        Frame { kind, result_vts, next, params, results, height, exit_reached: false, handlers: None }
    }

    pub fn function(ret: Block, results: Vec<Type>) -> Frame {
        Frame::new(FrameKind::Function, (vec![], results), vec![], ret, 0)
    }
    /// Where a branch to this frame goes and which values it carries.
    fn branch_target(&self) -> (Block, usize) {
        match self.kind {
            FrameKind::Loop { header } => (header, self.params.len()),
            _ => (self.next, self.results.len()),
        }
    }
}

pub(super) fn args(vals: &[Value]) -> Vec<BlockArg> {
    vals.iter().map(|v| BlockArg::Value(*v)).collect()
}

impl FuncTranslator<'_, '_> {
    /// Parameter and result types of a block, and which of each are GC
    /// references (their block parameters go in stack maps).
    pub(super) fn block_type(&self, bt: BlockType) -> (Vec<Type>, Vec<Type>) {
        let (p, r) = self.block_val_types(bt);
        (p.iter().map(|t| clif_type(*t)).collect(), r.iter().map(|t| clif_type(*t)).collect())
    }

    pub(super) fn block_val_types(&self, bt: BlockType) -> (Vec<ValType>, Vec<ValType>) {
        match bt {
            BlockType::Empty => (vec![], vec![]),
            BlockType::Type(t) => (vec![], vec![t]),
            BlockType::FuncType(i) => {
                let ft = self.env.info.types[i as usize].func();
                (ft.params.clone(), ft.results.clone())
            }
        }
    }

    /// Declares the GC references among a block's parameters.
    fn declare_gc_params(&mut self, block: Block, tys: &[ValType]) {
        let params = self.b.block_params(block).to_vec();
        for (v, t) in params.into_iter().zip(tys) {
            if self.is_gc_ref(*t) {
                self.gc_value(v);
            }
        }
    }

    pub(super) fn new_block_with(&mut self, tys: &[Type]) -> Block {
        let b = self.b.create_block();
        for t in tys {
            self.b.append_block_param(b, *t);
        }
        b
    }

    /// The target of a branch `depth` levels out and how many values it
    /// takes; marks the frame's exit as reached.
    pub(super) fn branch_block(&mut self, depth: u32) -> (Block, usize) {
        let i = self.control.len() - 1 - depth as usize;
        let (block, n) = self.control[i].branch_target();
        if !matches!(self.control[i].kind, FrameKind::Loop { .. }) {
            self.control[i].exit_reached = true;
        }
        (block, n)
    }

    /// Jumps to the target of a branch `depth` levels out, passing the
    /// values it expects from the top of the stack (which stay there).
    fn branch_args(&mut self, depth: u32) -> (Block, Vec<Value>) {
        let (block, n) = self.branch_block(depth);
        (block, self.peek(n).to_vec())
    }

    /// Handles control operators; returns false for anything else.
    pub(super) fn control(&mut self, op: &Operator<'_>) -> Result<bool> {
        match *op {
            Operator::Block { blockty } => {
                let (params, results) = self.block_type(blockty);
                let next = self.new_block_with(&results);
                let height = self.stack.len() - params.len();
                let result_vts = self.block_val_types(blockty).1;
                self.control.push(Frame::new(FrameKind::Block, (params, results), result_vts, next, height));
            }
            Operator::Loop { blockty } => {
                let (params, results) = self.block_type(blockty);
                let (param_vts, result_vts) = self.block_val_types(blockty);
                let header = self.new_block_with(&params);
                let next = self.new_block_with(&results);
                let vals = self.popn(params.len());
                self.b.ins().jump(header, &args(&vals));
                self.b.switch_to_block(header);
                self.declare_gc_params(header, &param_vts);
                let hp = self.b.block_params(header).to_vec();
                let height = self.stack.len();
                self.stack.extend(hp);
                self.control.push(Frame::new(FrameKind::Loop { header }, (params, results), result_vts, next, height));
            }
            Operator::If { blockty } => {
                let cond = self.pop();
                let (params, results) = self.block_type(blockty);
                let then_block = self.b.create_block();
                let else_block = self.b.create_block();
                let next = self.new_block_with(&results);
                self.b.ins().brif(cond, then_block, &[], else_block, &[]);
                self.b.switch_to_block(then_block);
                let else_params = self.peek(params.len()).to_vec();
                let height = self.stack.len() - params.len();
                let result_vts = self.block_val_types(blockty).1;
                self.control.push(Frame::new(
                    FrameKind::If { else_block, else_params, has_else: false },
                    (params, results),
                    result_vts,
                    next,
                    height,
                ));
            }
            Operator::Else => self.else_(),
            Operator::End if self.control.last().is_some_and(|f| f.handlers.is_some()) => self.end_try(),
            Operator::End => self.end(),
            Operator::Br { relative_depth } => {
                let (block, vals) = self.branch_args(relative_depth);
                self.b.ins().jump(block, &args(&vals));
                self.reachable = false;
            }
            Operator::BrIf { relative_depth } => {
                let cond = self.pop();
                let (block, vals) = self.branch_args(relative_depth);
                let cont = self.b.create_block();
                self.b.ins().brif(cond, block, &args(&vals), cont, &[]);
                self.b.switch_to_block(cont);
            }
            Operator::BrTable { ref targets } => {
                let index = self.pop();
                let depths: Vec<u32> = targets.targets().collect::<std::result::Result<_, _>>()?;
                let default = targets.default();
                // Each distinct target that takes values gets an edge block
                // passing them, so the table itself carries no arguments. The
                // edges are filled after the table ends the current block.
                let mut edges: HashMap<u32, Block> = HashMap::new();
                let mut pending: Vec<(Block, Block, Vec<Value>)> = Vec::new();
                let mut edge_for = |t: &mut Self, depth: u32| -> Block {
                    if let Some(b) = edges.get(&depth) {
                        return *b;
                    }
                    let (block, vals) = t.branch_args(depth);
                    let b = if vals.is_empty() {
                        block
                    } else {
                        let edge = t.b.create_block();
                        pending.push((edge, block, vals));
                        edge
                    };
                    edges.insert(depth, b);
                    b
                };
                let def_block = edge_for(self, default);
                let mut table = Vec::with_capacity(depths.len());
                for d in depths {
                    table.push(edge_for(self, d));
                }
                let pool = &mut self.b.func.dfg.value_lists;
                let def_call = BlockCall::new(def_block, [], pool);
                let calls: Vec<BlockCall> = table.iter().map(|b| BlockCall::new(*b, [], pool)).collect();
                let jt = self.b.create_jump_table(JumpTableData::new(def_call, &calls));
                self.b.ins().br_table(index, jt);
                for (edge, target, vals) in pending {
                    self.b.switch_to_block(edge);
                    self.b.ins().jump(target, &args(&vals));
                }
                self.reachable = false;
            }
            Operator::Return => {
                let n = self.control[0].results.len();
                let vals = self.peek(n).to_vec();
                self.b.ins().return_(&vals);
                self.reachable = false;
            }
            Operator::Unreachable => self.trap(Trap::Unreachable),
            Operator::BrOnNull { relative_depth } => {
                let r = self.pop();
                let is_null = self.b.ins().icmp_imm_s(cranelift_codegen::ir::condcodes::IntCC::Equal, r, 0);
                let (block, vals) = self.branch_args(relative_depth);
                let cont = self.b.create_block();
                self.b.ins().brif(is_null, block, &args(&vals), cont, &[]);
                self.b.switch_to_block(cont);
                self.push(r);
            }
            Operator::BrOnNonNull { relative_depth } => {
                // The reference travels with the branch; on fall-through it is dropped.
                let r = *self.peek(1).first().expect("validated");
                let (block, vals) = self.branch_args(relative_depth);
                let cont = self.b.create_block();
                self.b.ins().brif(r, block, &args(&vals), cont, &[]);
                self.b.switch_to_block(cont);
                self.pop();
            }
            Operator::BrOnCast { relative_depth, to_ref_type, .. }
            | Operator::BrOnCastFail { relative_depth, to_ref_type, .. } => {
                // The reference stays on the stack either way.
                let r = self.peek(1)[0];
                let ok = self.ref_test(r, to_ref_type);
                let (block, vals) = self.branch_args(relative_depth);
                let cont = self.b.create_block();
                if matches!(op, Operator::BrOnCast { .. }) {
                    self.b.ins().brif(ok, block, &args(&vals), cont, &[]);
                } else {
                    self.b.ins().brif(ok, cont, &[], block, &args(&vals));
                }
                self.b.switch_to_block(cont);
            }
            Operator::RefAsNonNull => {
                let r = self.peek(1)[0];
                self.trap_if_zero(r, Trap::NullReference);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn else_(&mut self) {
        let reachable = self.reachable;
        let frame = self.control.last_mut().expect("else inside if");
        let FrameKind::If { else_block, ref else_params, ref mut has_else } = frame.kind else {
            unreachable!("validated: else only follows if")
        };
        *has_else = true;
        let else_params = else_params.clone();
        let (next, n, height) = (frame.next, frame.results.len(), frame.height);
        if reachable {
            frame.exit_reached = true;
            let vals = self.peek(n).to_vec();
            self.b.ins().jump(next, &args(&vals));
        }
        self.stack.truncate(height);
        self.stack.extend(else_params);
        self.b.switch_to_block(else_block);
        self.reachable = true;
    }

    pub(super) fn end(&mut self) {
        let mut frame = self.control.pop().expect("end closes a frame");
        let n = frame.results.len();
        if self.reachable {
            let vals = self.peek(n).to_vec();
            self.b.ins().jump(frame.next, &args(&vals));
            frame.exit_reached = true;
        }
        // An `if` without `else` passes its parameters through unchanged.
        if let FrameKind::If { else_block, else_params, has_else: false } = &frame.kind {
            self.b.switch_to_block(*else_block);
            self.b.ins().jump(frame.next, &args(else_params));
            frame.exit_reached = true;
        }
        self.stack.truncate(frame.height);
        if frame.exit_reached {
            self.b.switch_to_block(frame.next);
            self.declare_gc_params(frame.next, &frame.result_vts);
            let vals = self.b.block_params(frame.next).to_vec();
            self.stack.extend(vals);
            self.reachable = true;
        } else {
            self.reachable = false;
        }
        if let FrameKind::Function = frame.kind {
            if self.reachable {
                let vals = self.popn(n);
                self.b.ins().return_(&vals);
            }
            self.reachable = false;
        }
    }

    /// Skips an operator in unreachable code, tracking nesting so that the
    /// `else`/`end` of the enclosing reachable frame is still seen.
    pub(super) fn skip(&mut self, op: Operator<'_>) -> Result<()> {
        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Try { .. }
            | Operator::TryTable { .. } => self.skip_depth += 1,
            Operator::Else if self.skip_depth == 0 => self.else_(),
            Operator::End if self.skip_depth == 0 => {
                if self.control.last().is_some_and(|f| f.handlers.is_some()) {
                    self.end_try()
                } else {
                    self.end()
                }
            }
            // A legacy `try`'s clauses and its `delegate` (which ends it).
            Operator::Catch { tag_index } if self.skip_depth == 0 => self.legacy_catch(Some(tag_index)),
            Operator::CatchAll if self.skip_depth == 0 => self.legacy_catch(None),
            Operator::Delegate { .. } if self.skip_depth == 0 => self.end_try(),
            Operator::End | Operator::Delegate { .. } => self.skip_depth -= 1,
            // Unsupported operators are refused even where unreachable, so a
            // module is accepted or refused as a whole.
            ref other => {
                if super::features_ok(other).is_err() {
                    return Err(self.unsupported(other));
                }
            }
        }
        Ok(())
    }
}
