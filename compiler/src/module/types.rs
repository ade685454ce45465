//! Types as the module descriptor carries them (format documented in
//! `wasmc_abi::descriptor::TypeDesc`): each type's structure with
//! references to other types as module type indices, plus its recursion
//! group and supertype. The runtime canonicalizes them (iso-recursively,
//! group by group) into process-wide runtime types, so equal types from
//! different modules are the same runtime type.

use super::{Composite, FieldType, FuncType, StorageType, TypeDef};
use crate::error::{feature, CompileError, Result};
use wasmc_abi::descriptor::{HEAP_TYPE_INDEX, REF_NONNULL, REF_NULLABLE, STORAGE_I16, STORAGE_I8};
use wasmc_abi::typeenc::{self, Field};
use wasmparser::{AbstractHeapType, CompositeInnerType, HeapType, RefType, StorageType as WpStorage, SubType, ValType};

/// The abstract heap type's code (its binary-format byte).
fn abstract_code(t: AbstractHeapType) -> u8 {
    use AbstractHeapType::*;
    match t {
        Func => 0x70,
        Extern => 0x6f,
        Any => 0x6e,
        None => 0x71,
        NoExtern => 0x72,
        NoFunc => 0x73,
        Eq => 0x6d,
        Struct => 0x6b,
        Array => 0x6a,
        I31 => 0x6c,
        Exn => 0x69,
        NoExn => 0x74,
        Cont => 0x68,
        NoCont => 0x75,
    }
}

pub fn encode_ref(r: RefType, out: &mut Vec<u8>) {
    out.push(if r.is_nullable() { REF_NULLABLE } else { REF_NONNULL });
    match r.heap_type() {
        HeapType::Abstract { ty, .. } => out.push(abstract_code(ty)),
        HeapType::Concrete(i) | HeapType::Exact(i) => {
            out.push(HEAP_TYPE_INDEX);
            out.extend_from_slice(&i.as_module_index().unwrap_or(0).to_le_bytes());
        }
    }
}

pub fn encode_val(t: ValType, out: &mut Vec<u8>) {
    match t {
        ValType::I32 => out.push(0x7f),
        ValType::I64 => out.push(0x7e),
        ValType::F32 => out.push(0x7d),
        ValType::F64 => out.push(0x7c),
        ValType::V128 => out.push(0x7b),
        ValType::Ref(r) => encode_ref(r, out),
    }
}

fn encode_storage(s: StorageType) -> Vec<u8> {
    match s {
        StorageType::I8 => vec![STORAGE_I8],
        StorageType::I16 => vec![STORAGE_I16],
        StorageType::Val(v) => {
            let mut out = Vec::new();
            encode_val(v, &mut out);
            out
        }
    }
}

/// The type's structure in the format of `wasmc_abi::typeenc`.
pub fn encode_def(t: &TypeDef) -> Vec<u8> {
    let vals =
        |list: &[ValType]| -> Vec<Vec<u8>> { list.iter().map(|v| encode_storage(StorageType::Val(*v))).collect() };
    let fields = |list: &[FieldType]| -> Vec<(Vec<u8>, bool)> {
        list.iter().map(|f| (encode_storage(f.storage), f.mutable)).collect()
    };
    let mut out = Vec::new();
    match &t.composite {
        Composite::Func(f) => {
            let (params, results) = (vals(&f.params), vals(&f.results));
            let params = params.iter().map(Vec::as_slice).collect();
            let results = results.iter().map(Vec::as_slice).collect();
            typeenc::encode(&typeenc::Composite::Func { params, results }, &mut out);
        }
        Composite::Struct(fs) => {
            let fs = fields(fs);
            typeenc::encode(
                &typeenc::Composite::Struct(fs.iter().map(|(s, m)| Field { storage: s, mutable: *m }).collect()),
                &mut out,
            );
        }
        Composite::Array(f) => {
            let fs = fields(std::slice::from_ref(f));
            typeenc::encode(&typeenc::Composite::Array(Field { storage: &fs[0].0, mutable: fs[0].1 }), &mut out);
        }
    }
    out
}

fn storage(s: WpStorage) -> StorageType {
    match s {
        WpStorage::I8 => StorageType::I8,
        WpStorage::I16 => StorageType::I16,
        WpStorage::Val(v) => StorageType::Val(v),
    }
}

/// Converts one parsed sub type, refusing what wasmc does not lower.
pub fn type_def(sub: &SubType, group_start: u32, group_len: u32, offset: u64) -> Result<TypeDef> {
    if sub.composite_type.shared {
        return Err(CompileError::unsupported(feature::SHARED_EVERYTHING, "shared type", offset));
    }
    if sub.composite_type.descriptor_idx.is_some() || sub.composite_type.describes_idx.is_some() {
        return Err(CompileError::unsupported("custom descriptors", "descriptor type", offset));
    }
    let composite = match &sub.composite_type.inner {
        CompositeInnerType::Func(f) => {
            for t in f.params().iter().chain(f.results()) {
                super::check_val_type(*t, offset)?;
            }
            Composite::Func(FuncType { params: f.params().to_vec(), results: f.results().to_vec() })
        }
        CompositeInnerType::Struct(s) => {
            let fields = s.fields.iter().map(|f| FieldType { storage: storage(f.element_type), mutable: f.mutable });
            let fields: Vec<FieldType> = fields.collect();
            check_fields(&fields, offset)?;
            Composite::Struct(fields)
        }
        CompositeInnerType::Array(a) => {
            let f = FieldType { storage: storage(a.0.element_type), mutable: a.0.mutable };
            check_fields(&[f], offset)?;
            Composite::Array(f)
        }
        CompositeInnerType::Cont(_) => {
            return Err(CompileError::unsupported("stack switching", "continuation type", offset));
        }
    };
    Ok(TypeDef {
        composite,
        is_final: sub.is_final,
        supertype: sub.supertype_idxs.first().and_then(|s| s.as_module_index()),
        group_start,
        group_len,
    })
}

fn check_fields(fields: &[FieldType], offset: u64) -> Result<()> {
    for f in fields {
        if let StorageType::Val(v) = f.storage {
            super::check_val_type(v, offset)?;
        }
    }
    Ok(())
}
