//! Canonical encodings of types, shared with the runtime through the module
//! descriptor (format documented in `wasmc_abi::descriptor::TypeDesc`).
//!
//! A reference to a concrete type embeds that type's own encoding, so two
//! modules that declare structurally equal types produce equal bytes and the
//! runtime gives them the same canonical id. Without explicit recursion
//! groups a type refers to earlier types or to itself; a self-reference is
//! encoded as a recursion-group-relative index, so the embedding is finite
//! (iso-recursive canonicalization for singleton groups).

use super::FuncType;
use wasmc_abi::descriptor::{HEAP_CONCRETE, HEAP_REC, REF_NONNULL, REF_NULLABLE};
use wasmparser::{AbstractHeapType, HeapType, RefType, UnpackedIndex, ValType};

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

pub fn encode_ref(r: RefType, earlier: &[Vec<u8>], out: &mut Vec<u8>) {
    out.push(if r.is_nullable() { REF_NULLABLE } else { REF_NONNULL });
    match r.heap_type() {
        HeapType::Abstract { ty, .. } => out.push(abstract_code(ty)),
        // A type may refer to itself (its implicit recursion group).
        HeapType::Concrete(UnpackedIndex::Module(i)) | HeapType::Exact(UnpackedIndex::Module(i))
            if i as usize == earlier.len() =>
        {
            out.push(HEAP_REC);
            out.extend_from_slice(&0u32.to_le_bytes());
        }
        HeapType::Concrete(UnpackedIndex::Module(i)) | HeapType::Exact(UnpackedIndex::Module(i)) => {
            let inner = &earlier[i as usize];
            out.push(HEAP_CONCRETE);
            out.extend_from_slice(&(inner.len() as u32).to_le_bytes());
            out.extend_from_slice(inner);
        }
        // Validated module-level types only use module indices.
        HeapType::Concrete(_) | HeapType::Exact(_) => out.push(0x70),
    }
}

pub fn encode_val(t: ValType, earlier: &[Vec<u8>], out: &mut Vec<u8>) {
    match t {
        ValType::I32 => out.push(0x7f),
        ValType::I64 => out.push(0x7e),
        ValType::F32 => out.push(0x7d),
        ValType::F64 => out.push(0x7c),
        ValType::V128 => out.push(0x7b),
        ValType::Ref(r) => encode_ref(r, earlier, out),
    }
}

/// `0x60, n_params, params..., n_results, results...`
pub fn encode_func(t: &FuncType, earlier: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0x60, t.params.len() as u8];
    for p in &t.params {
        encode_val(*p, earlier, &mut out);
    }
    out.push(t.results.len() as u8);
    for r in &t.results {
        encode_val(*r, earlier, &mut out);
    }
    out
}

/// Encodings of all of a module's types, in index order.
pub fn encode_all(types: &[FuncType]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(types.len());
    for t in types {
        let e = encode_func(t, &out);
        out.push(e);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmparser::PackedIndex;

    #[test]
    fn structurally_equal_types_encode_equally() {
        let a = FuncType { params: vec![ValType::I32], results: vec![] };
        let by_ref = |i| FuncType {
            params: vec![ValType::Ref(RefType::concrete(false, PackedIndex::from_module_index(i).unwrap()))],
            results: vec![ValType::I64],
        };
        // Module 1: [a, ref a]; module 2: [i64 -> (), a, ref a] (a at index 1).
        let m1 = encode_all(&[a.clone(), by_ref(0)]);
        let other = FuncType { params: vec![ValType::I64], results: vec![] };
        let m2 = encode_all(&[other, a.clone(), by_ref(1)]);
        assert_eq!(m1[1], m2[2]);
        assert_ne!(m2[0], m2[1]);
        assert_eq!(m1[0], vec![0x60, 1, 0x7f, 0]);
    }
}
