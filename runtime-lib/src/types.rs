//! Process-wide canonical type ids and the type encodings of the module
//! descriptor (see `wasmc_abi::descriptor::TypeDesc`). Two modules that
//! declare structurally equal function types get the same id, which is what
//! `call_indirect` compares (ids start at 1; 0 never matches).

use std::collections::HashMap;
use std::sync::Mutex;
use wasmc_abi::descriptor::{HEAP_CONCRETE, HEAP_REC, REF_NONNULL, REF_NULLABLE, TY_EXTERNREF, TY_FUNCREF};

struct Registry {
    ids: HashMap<Vec<u8>, u64>,
    encodings: Vec<Vec<u8>>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);

pub fn intern(encoding: &[u8]) -> u64 {
    let mut guard = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    let reg = guard.get_or_insert_with(|| Registry { ids: HashMap::new(), encodings: Vec::new() });
    if let Some(&id) = reg.ids.get(encoding) {
        return id;
    }
    reg.encodings.push(encoding.to_vec());
    let id = reg.encodings.len() as u64;
    reg.ids.insert(encoding.to_vec(), id);
    id
}

/// The encoding behind an id.
pub fn encoding(id: u64) -> Option<Vec<u8>> {
    let guard = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    guard.as_ref()?.encodings.get((id as usize).checked_sub(1)?).cloned()
}

/// Splits the value type encoded at the start of `enc`; returns it and the rest.
pub fn split_val(enc: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = match *enc.first()? {
        REF_NULLABLE | REF_NONNULL => match *enc.get(1)? {
            HEAP_CONCRETE => {
                let n = u32::from_le_bytes(enc.get(2..6)?.try_into().ok()?) as usize;
                6 + n
            }
            HEAP_REC => 6,
            _ => 2,
        },
        _ => 1,
    };
    (enc.len() >= len).then(|| enc.split_at(len))
}

/// How a value of the encoded type is represented (a `TY_*` code).
pub fn representation(val: &[u8]) -> u8 {
    match val {
        [REF_NULLABLE | REF_NONNULL, 0x6f | 0x72, ..] => TY_EXTERNREF,
        [REF_NULLABLE | REF_NONNULL, ..] => TY_FUNCREF,
        [code, ..] => *code,
        [] => 0,
    }
}

/// The encoding of a numeric type or a nullable abstract reference given
/// by its representation code (what host-made values have).
pub fn encode_simple(code: u8) -> Vec<u8> {
    match code {
        TY_FUNCREF | TY_EXTERNREF => vec![REF_NULLABLE, code],
        c => vec![c],
    }
}

/// Whether a value of encoded type `a` may be used where `b` is expected.
pub fn val_subtype(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (&[pa, ha, ..], &[pb, hb, ..]) = (a, b) else { return false };
    if !matches!(pa, REF_NULLABLE | REF_NONNULL) || !matches!(pb, REF_NULLABLE | REF_NONNULL) {
        return false;
    }
    if pa == REF_NULLABLE && pb == REF_NONNULL {
        return false;
    }
    let (heap_a, heap_b) = (&a[1..], &b[1..]);
    if heap_a == heap_b {
        return true;
    }
    // Concrete types are function types until GC types arrive.
    let concrete = |h: u8| h == HEAP_CONCRETE || h == HEAP_REC;
    let func_family = |h: u8| h == 0x70 || h == 0x73 || concrete(h);
    match (ha, hb) {
        (0x73, h) if func_family(h) => true, // nofunc <: every function type
        (0x72, 0x6f) => true,                // noextern <: extern
        (h, 0x70) if concrete(h) => true,    // a function type <: func
        _ => false,
    }
}

/// A function type in the runtime's terms: representation codes of its
/// parameters and results, and its full encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncType {
    pub params: Vec<u8>,
    pub results: Vec<u8>,
    encoding: Vec<u8>,
}

impl FuncType {
    /// A type of numbers and nullable `funcref`/`externref` (as host
    /// functions use).
    pub fn new(params: &[u8], results: &[u8]) -> FuncType {
        let mut enc = vec![0x60, params.len() as u8];
        params.iter().for_each(|p| enc.extend(encode_simple(*p)));
        enc.push(results.len() as u8);
        results.iter().for_each(|r| enc.extend(encode_simple(*r)));
        FuncType { params: params.to_vec(), results: results.to_vec(), encoding: enc }
    }
    pub fn encode(&self) -> Vec<u8> {
        self.encoding.clone()
    }
    pub fn decode(enc: &[u8]) -> Option<FuncType> {
        let (&0x60, rest) = enc.split_first()? else { return None };
        let (&np, mut rest) = rest.split_first()?;
        let mut params = Vec::new();
        for _ in 0..np {
            let (v, r) = split_val(rest)?;
            params.push(representation(v));
            rest = r;
        }
        let (&nr, mut rest) = rest.split_first()?;
        let mut results = Vec::new();
        for _ in 0..nr {
            let (v, r) = split_val(rest)?;
            results.push(representation(v));
            rest = r;
        }
        rest.is_empty().then(|| FuncType { params, results, encoding: enc.to_vec() })
    }
    pub fn id(&self) -> u64 {
        intern(&self.encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmc_abi::descriptor::{TY_F32, TY_I32, TY_I64};

    #[test]
    fn equal_types_share_an_id() {
        let a = FuncType::new(&[TY_I32, TY_I64], &[TY_F32]);
        let b = FuncType::new(&[TY_I32, TY_I64], &[TY_F32]);
        let c = FuncType::new(&[TY_I32], &[TY_F32]);
        assert_eq!(a.id(), b.id());
        assert_ne!(a.id(), c.id());
        assert_eq!(FuncType::decode(&a.encode()), Some(a.clone()));
        assert_eq!(encoding(a.id()), Some(a.encode()));
    }

    #[test]
    fn typed_references_decode_and_subtype() {
        let inner = [0x60, 0, 0];
        let mut concrete = vec![REF_NONNULL, HEAP_CONCRETE];
        concrete.extend_from_slice(&(inner.len() as u32).to_le_bytes());
        concrete.extend_from_slice(&inner);
        let mut enc = vec![0x60, 1];
        enc.extend_from_slice(&concrete);
        enc.extend_from_slice(&[1, REF_NULLABLE, 0x6f]);
        let t = FuncType::decode(&enc).unwrap();
        assert_eq!(t.params, vec![TY_FUNCREF]);
        assert_eq!(t.results, vec![TY_EXTERNREF]);
        let funcref = [REF_NULLABLE, 0x70];
        let mut nullable_concrete = concrete.clone();
        nullable_concrete[0] = REF_NULLABLE;
        assert!(val_subtype(&concrete, &funcref));
        assert!(val_subtype(&concrete, &nullable_concrete));
        assert!(!val_subtype(&nullable_concrete, &concrete));
        assert!(!val_subtype(&funcref, &concrete));
        assert!(val_subtype(&[REF_NULLABLE, 0x73], &nullable_concrete));
        assert!(!val_subtype(&[REF_NULLABLE, 0x72], &funcref));
        assert!(!val_subtype(&[TY_I32], &[TY_I64]));
    }
}
