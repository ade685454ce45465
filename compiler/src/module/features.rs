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

/// Only the nullable `funcref` and `externref` of WebAssembly 2.0.
pub fn check_ref_type(r: RefType, offset: u64) -> Result<()> {
    if r == RefType::FUNCREF || r == RefType::EXTERNREF {
        return Ok(());
    }
    let f = match r.heap_type() {
        HeapType::Abstract {
            ty: AbstractHeapType::Exn | AbstractHeapType::NoExn,
            ..
        } => feature::EXCEPTIONS,
        HeapType::Abstract {
            ty: AbstractHeapType::Func | AbstractHeapType::Extern,
            ..
        } => feature::FUNCTION_REFERENCES,
        HeapType::Concrete(_) | HeapType::Exact(_) => feature::FUNCTION_REFERENCES,
        _ => feature::GC,
    };
    Err(CompileError::unsupported(f, format!("{r}"), offset))
}

/// The feature an operator wasmc does not lower belongs to, from its name.
pub fn operator_feature(name: &str) -> &'static str {
    const GC_PREFIXES: [&str; 10] = [
        "Struct",
        "Array",
        "RefI31",
        "I31",
        "RefTest",
        "RefCast",
        "BrOnCast",
        "AnyConvert",
        "ExternConvert",
        "RefEq",
    ];
    if name.starts_with("V128")
        || name.contains("x16")
        || name.contains("x8")
        || name.contains("x4")
        || name.contains("x2")
    {
        feature::SIMD
    } else if name.starts_with("ReturnCall") {
        feature::TAIL_CALLS
    } else if matches!(
        name,
        "CallRef" | "RefAsNonNull" | "BrOnNull" | "BrOnNonNull"
    ) {
        feature::FUNCTION_REFERENCES
    } else if GC_PREFIXES.iter().any(|p| name.starts_with(p)) {
        feature::GC
    } else if ["Try", "Throw", "Rethrow", "Delegate", "Catch"]
        .iter()
        .any(|p| name.starts_with(p))
    {
        feature::EXCEPTIONS
    } else if name.contains("Atomic") {
        feature::THREADS
    } else {
        "operator"
    }
}
