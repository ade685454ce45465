//! Tables, references and globals.

use super::{readonly, trusted, FuncTranslator};
use crate::error::Result;
use cranelift_codegen::ir::{condcodes::IntCC, types, InstBuilder, Value};
use wasmc_abi::{Builtin, Trap, VMTableDef};
use wasmparser::{Operator, ValType};

impl FuncTranslator<'_, '_> {
    /// Address of element `index` (an i32) of `table`, trapping with `oob`
    /// when it is out of bounds.
    pub(super) fn table_elem_addr(&mut self, table: u32, index: Value, oob: Trap) -> Value {
        let def = self.load_vmctx(types::I64, self.env.offsets.table_def(table), readonly());
        let len = self.b.ins().load(types::I64, trusted(), def, VMTableDef::OFF_LENGTH as i32);
        let index = self.i64_of_u32(index);
        let out = self.uge(index, len);
        self.trap_if_nonzero(out, oob);
        let base = self.b.ins().load(types::I64, trusted(), def, VMTableDef::OFF_BASE as i32);
        let off = self.b.ins().ishl_imm_u(index, 3);
        self.b.ins().iadd(base, off)
    }

    /// The slot of global `index`: inline in the vmctx for defined globals,
    /// through a pointer for imported ones.
    fn global_addr(&mut self, index: u32) -> (Value, i32) {
        let info = self.env.info;
        if index >= info.num_imported_globals {
            let off = self.env.offsets.global_storage(index - info.num_imported_globals);
            (self.vmctx, off as i32)
        } else {
            let p = self.load_vmctx(types::I64, self.env.offsets.global_ptr(index), readonly());
            (p, 0)
        }
    }

    /// Handles table, reference and global operators.
    pub(super) fn table(&mut self, op: &Operator<'_>) -> Result<bool> {
        use Operator as O;
        match *op {
            O::GlobalGet { global_index } => {
                let g = &self.env.info.globals[global_index as usize];
                let ty = super::clif_type(g.ty);
                let flags = if g.mutable { trusted() } else { readonly() };
                let (p, off) = self.global_addr(global_index);
                let v = self.b.ins().load(ty, flags, p, off);
                self.push_typed(v, g.ty);
            }
            O::GlobalSet { global_index } => {
                let v = self.pop();
                let (p, off) = self.global_addr(global_index);
                self.b.ins().store(trusted(), v, p, off);
            }
            O::RefNull { .. } => {
                let v = self.b.ins().iconst(types::I64, 0);
                self.push(v);
            }
            O::RefIsNull => {
                let r = self.pop();
                let c = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
                let v = self.bool_to_i32(c);
                self.push(v);
            }
            O::RefFunc { function_index } => {
                let v = self.b.ins().iadd_imm_s(self.vmctx, self.env.offsets.funcref(function_index) as i64);
                self.push(v);
            }
            O::TableGet { table } => {
                let i = self.pop();
                let p = self.table_elem_addr(table, i, Trap::TableOutOfBounds);
                let v = self.b.ins().load(types::I64, trusted(), p, 0);
                let ty = ValType::Ref(self.env.info.tables[table as usize].elem);
                self.push_typed(v, ty);
            }
            O::TableSet { table } => {
                let v = self.pop();
                let i = self.pop();
                let p = self.table_elem_addr(table, i, Trap::TableOutOfBounds);
                self.b.ins().store(trusted(), v, p, 0);
            }
            O::TableSize { table } => {
                let def = self.load_vmctx(types::I64, self.env.offsets.table_def(table), readonly());
                let len = self.b.ins().load(types::I64, trusted(), def, VMTableDef::OFF_LENGTH as i32);
                let v = self.b.ins().ireduce(types::I32, len);
                self.push(v);
            }
            O::TableGrow { table } => {
                let n = self.pop();
                let init = self.pop();
                let (t, n) = (self.i32_const(table), self.i64_of_u32(n));
                let old = self.call_builtin(Builtin::TableGrow, &[t, init, n]).expect("returns old size");
                let v = self.b.ins().ireduce(types::I32, old);
                self.push(v);
            }
            O::TableFill { table } => {
                let n = self.pop();
                let val = self.pop();
                let d = self.pop();
                let (t, d, n) = (self.i32_const(table), self.i64_of_u32(d), self.i64_of_u32(n));
                self.call_checked(Builtin::TableFill, &[t, d, val, n], Trap::TableOutOfBounds);
            }
            O::TableCopy { dst_table, src_table } => {
                let n = self.pop();
                let s = self.pop();
                let d = self.pop();
                let (dt, st) = (self.i32_const(dst_table), self.i32_const(src_table));
                let (d, s, n) = (self.i64_of_u32(d), self.i64_of_u32(s), self.i64_of_u32(n));
                self.call_checked(Builtin::TableCopy, &[dt, st, d, s, n], Trap::TableOutOfBounds);
            }
            O::TableInit { elem_index, table } => {
                let n = self.pop();
                let s = self.pop();
                let d = self.pop();
                let (t, seg, d) = (self.i32_const(table), self.i32_const(elem_index), self.i64_of_u32(d));
                self.call_checked(Builtin::TableInit, &[t, seg, d, s, n], Trap::TableOutOfBounds);
            }
            O::ElemDrop { elem_index } => {
                let seg = self.i32_const(elem_index);
                self.call_builtin(Builtin::ElemDrop, &[seg]);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
