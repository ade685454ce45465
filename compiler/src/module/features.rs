//! Which value types and operators belong to features wasmc does not lower
//! yet, for the `unsupported: <feature>` error.

use crate::error::{feature, CompileError, Result};
use wasmparser::{AbstractHeapType, HeapType, RefType, ValType};

pub fn check_val_type(t: ValType, offset: u64) -> Result<()> {
    match t {
        ValType::V128 => Err(CompileError::unsupported(feature::SIMD, "v128", offset)),
        ValType::Ref(r) => check_ref_type(r, offset),
        _ => Ok(()),
    }
}

/// Function and extern references, nullable or not, abstract or typed
/// (concrete types are all function types: others are refused earlier).
pub fn check_ref_type(r: RefType, offset: u64) -> Result<()> {
    use AbstractHeapType::*;
    let f = match r.heap_type() {
        HeapType::Abstract { shared: false, ty: Func | NoFunc | Extern | NoExtern } | HeapType::Concrete(_) => {
            return Ok(());
        }
        HeapType::Abstract { ty: Exn | NoExn, .. } => feature::EXCEPTIONS,
        HeapType::Abstract { shared: true, .. } => feature::THREADS,
        HeapType::Exact(_) => "custom descriptors",
        _ => feature::GC,
    };
    Err(CompileError::unsupported(f, format!("{r}"), offset))
}

/// The feature an operator wasmc does not lower belongs to, from its name.
pub fn operator_feature(name: &str) -> &'static str {
    const GC_PREFIXES: [&str; 10] =
        ["Struct", "Array", "RefI31", "I31", "RefTest", "RefCast", "BrOnCast", "AnyConvert", "ExternConvert", "RefEq"];
    if name.starts_with("V128")
        || name.contains("x16")
        || name.contains("x8")
        || name.contains("x4")
        || name.contains("x2")
    {
        feature::SIMD
    } else if GC_PREFIXES.iter().any(|p| name.starts_with(p)) {
        feature::GC
    } else if ["Try", "Throw", "Rethrow", "Delegate", "Catch"].iter().any(|p| name.starts_with(p)) {
        feature::EXCEPTIONS
    } else if name.contains("Atomic") {
        feature::THREADS
    } else {
        "operator"
    }
}
