//! Constant expressions: the simple forms become data in the descriptor;
//! anything else (extended-const arithmetic) is compiled to a function.

use crate::error::Result;
use wasmparser::{ConstExpr, Operator};

#[derive(Clone, Copy, Debug)]
pub enum ConstKind {
    Value([u64; 2]),
    RefNull,
    RefFunc(u32),
    GlobalGet(u32),
    Compiled,
}

pub fn classify(e: &ConstExpr<'_>) -> Result<ConstKind> {
    let mut r = e.get_operators_reader();
    let first = r.read()?;
    let second = if r.eof() { Operator::End } else { r.read()? };
    if !matches!(second, Operator::End) || !r.eof() {
        return Ok(ConstKind::Compiled);
    }
    Ok(match first {
        Operator::I32Const { value } => ConstKind::Value([value as u32 as u64, 0]),
        Operator::I64Const { value } => ConstKind::Value([value as u64, 0]),
        Operator::F32Const { value } => ConstKind::Value([value.bits() as u64, 0]),
        Operator::F64Const { value } => ConstKind::Value([value.bits(), 0]),
        Operator::V128Const { value } => {
            let bits = value.i128() as u128;
            ConstKind::Value([bits as u64, (bits >> 64) as u64])
        }
        Operator::RefNull { .. } => ConstKind::RefNull,
        Operator::RefFunc { function_index } => ConstKind::RefFunc(function_index),
        Operator::GlobalGet { global_index } => ConstKind::GlobalGet(global_index),
        _ => ConstKind::Compiled,
    })
}
