//! Which value types and operators belong to features wasmc does not lower
//! yet, for the `unsupported: <feature>` error.

use crate::error::{feature, CompileError, Result};
use wasmparser::{AbstractHeapType, HeapType, RefType, ValType};

pub fn check_val_type(t: ValType, offset: u64) -> Result<()> {
    match t {
        ValType::Ref(r) => check_ref_type(r, offset),
        _ => Ok(()),
    }
}

/// Function, extern and GC references, nullable or not, abstract or typed.
pub fn check_ref_type(r: RefType, offset: u64) -> Result<()> {
    use AbstractHeapType::*;
    let f = match r.heap_type() {
        HeapType::Abstract { ty: Cont | NoCont, .. } => "stack switching",
        HeapType::Abstract { shared: true, .. } => feature::SHARED_EVERYTHING,
        HeapType::Exact(_) => "custom descriptors",
        HeapType::Abstract { .. } | HeapType::Concrete(_) => return Ok(()),
    };
    Err(CompileError::unsupported(f, format!("{r}"), offset))
}

/// The feature an operator wasmc does not lower belongs to, from its name.
pub fn operator_feature(name: &str) -> &'static str {
    if name.contains("Atomic") && ["Global", "Table", "Struct", "Array"].iter().any(|p| name.starts_with(p)) {
        feature::SHARED_EVERYTHING
    } else {
        "operator"
    }
}
