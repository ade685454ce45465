//! The structure encoding of defined types, written and read here only.
//!
//! A type's encoding (`TypeDesc::encoding` in the descriptor, and the
//! runtime's canonical bodies) is one of
//!
//! * `[TYPE_FUNC, u32 n, n × value, u32 m, m × value]`
//! * `[TYPE_STRUCT, u32 n, n × (storage, mutable)]`
//! * `[TYPE_ARRAY, storage, mutable]`
//!
//! with counts little-endian (the validator allows 1,000 parameters and
//! results and 10,000 fields, so no count fits a byte), a value one code
//! byte for numbers or a reference encoding (`REF_*`, then an abstract
//! heap type byte, or `HEAP_TYPE_INDEX`/`HEAP_REC` + u32, or `HEAP_RTT` +
//! u64), a storage a value or a packed type, and `mutable` 0 or 1.
//!
//! Every producer calls [`encode`] and every consumer [`decode`], which
//! parses structurally: counts and indices are never mistaken for type
//! codes, and a malformed or truncated encoding is `None`, never a panic.

extern crate alloc;
use crate::descriptor::{HEAP_REC, HEAP_RTT, HEAP_TYPE_INDEX, REF_NONNULL, REF_NULLABLE};
use crate::descriptor::{TYPE_ARRAY, TYPE_FUNC, TYPE_STRUCT};
use alloc::vec::Vec;

/// A struct field or array element: its storage type encoding and mutability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field<'a> {
    pub storage: &'a [u8],
    pub mutable: bool,
}

/// A decoded type structure; value and storage types stay encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Composite<'a> {
    Func { params: Vec<&'a [u8]>, results: Vec<&'a [u8]> },
    Struct(Vec<Field<'a>>),
    Array(Field<'a>),
}

/// Splits the value or storage type encoded at the start of `enc`.
pub fn split_val(enc: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = match *enc.first()? {
        REF_NULLABLE | REF_NONNULL => match *enc.get(1)? {
            HEAP_TYPE_INDEX | HEAP_REC => 6,
            HEAP_RTT => 10,
            _ => 2,
        },
        _ => 1,
    };
    (enc.len() >= len).then(|| enc.split_at(len))
}

fn split_u32(enc: &[u8]) -> Option<(u32, &[u8])> {
    let (n, rest) = enc.split_first_chunk::<4>()?;
    Some((u32::from_le_bytes(*n), rest))
}

fn split_vals(mut enc: &[u8]) -> Option<(Vec<&[u8]>, &[u8])> {
    let (n, rest) = split_u32(enc)?;
    enc = rest;
    // Each value takes at least one byte: bounds the allocation by the input.
    let mut out = Vec::with_capacity((n as usize).min(enc.len()));
    for _ in 0..n {
        let (v, rest) = split_val(enc)?;
        out.push(v);
        enc = rest;
    }
    Some((out, enc))
}

fn split_field(enc: &[u8]) -> Option<(Field<'_>, &[u8])> {
    let (storage, rest) = split_val(enc)?;
    let (&m, rest) = rest.split_first()?;
    (m <= 1).then_some((Field { storage, mutable: m == 1 }, rest))
}

/// Parses a whole type encoding (trailing bytes are an error).
pub fn decode(body: &[u8]) -> Option<Composite<'_>> {
    let (&kind, rest) = body.split_first()?;
    let (composite, rest) = match kind {
        TYPE_FUNC => {
            let (params, rest) = split_vals(rest)?;
            let (results, rest) = split_vals(rest)?;
            (Composite::Func { params, results }, rest)
        }
        TYPE_STRUCT => {
            let (n, mut rest) = split_u32(rest)?;
            let mut fields = Vec::with_capacity((n as usize).min(rest.len()));
            for _ in 0..n {
                let (f, r) = split_field(rest)?;
                fields.push(f);
                rest = r;
            }
            (Composite::Struct(fields), rest)
        }
        TYPE_ARRAY => {
            let (f, rest) = split_field(rest)?;
            (Composite::Array(f), rest)
        }
        _ => return None,
    };
    rest.is_empty().then_some(composite)
}

fn put_count(n: usize, out: &mut Vec<u8>) {
    let n = u32::try_from(n).expect("type encoding: count exceeds u32");
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_field(f: &Field<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(f.storage);
    out.push(f.mutable as u8);
}

/// Appends the encoding of `c` to `out`.
pub fn encode(c: &Composite<'_>, out: &mut Vec<u8>) {
    match c {
        Composite::Func { params, results } => {
            out.push(TYPE_FUNC);
            for list in [params, results] {
                put_count(list.len(), out);
                list.iter().for_each(|v| out.extend_from_slice(v));
            }
        }
        Composite::Struct(fields) => {
            out.push(TYPE_STRUCT);
            put_count(fields.len(), out);
            fields.iter().for_each(|f| put_field(f, out));
        }
        Composite::Array(f) => {
            out.push(TYPE_ARRAY);
            put_field(f, out);
        }
    }
}

/// Re-encodes `body` with every value and storage type replaced by
/// `map(type)` (the runtime's canonicalization rewrites type indices this
/// way). `None` if `body` is not a well-formed encoding.
pub fn map_types(body: &[u8], mut map: impl FnMut(&[u8], &mut Vec<u8>)) -> Option<Vec<u8>> {
    let c = decode(body)?;
    let mut out = Vec::with_capacity(body.len());
    let mut vals = |list: &[&[u8]], out: &mut Vec<u8>| {
        put_count(list.len(), out);
        list.iter().for_each(|v| map(v, out));
    };
    match &c {
        Composite::Func { params, results } => {
            out.push(TYPE_FUNC);
            vals(params, &mut out);
            vals(results, &mut out);
        }
        Composite::Struct(fields) => {
            out.push(TYPE_STRUCT);
            put_count(fields.len(), &mut out);
            for f in fields {
                map(f.storage, &mut out);
                out.push(f.mutable as u8);
            }
        }
        Composite::Array(f) => {
            out.push(TYPE_ARRAY);
            map(f.storage, &mut out);
            out.push(f.mutable as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::{STORAGE_I8, TY_F64, TY_I32, TY_I64};
    use alloc::vec;

    const I32: &[u8] = &[TY_I32];
    const REF: &[u8] = &[REF_NULLABLE, HEAP_TYPE_INDEX, 7, 0, 0, 0];

    fn func(np: usize, nr: usize) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&Composite::Func { params: vec![I32; np], results: vec![I32; nr] }, &mut out);
        out
    }

    #[test]
    fn round_trips_at_the_limits() {
        // The validator's limits are 1,000 params/results; 255 and 256
        // straddle the old one-byte count.
        for (np, nr) in [(0, 0), (1, 383), (255, 256), (256, 255), (257, 127), (1000, 1000)] {
            let body = func(np, nr);
            let Some(Composite::Func { params, results }) = decode(&body) else { panic!("{np}/{nr}") };
            assert_eq!((params.len(), results.len()), (np, nr));
        }
        let mixed = Composite::Func { params: vec![REF, &[TY_F64], REF], results: vec![&[TY_I64]] };
        let mut body = Vec::new();
        encode(&mixed, &mut body);
        assert_eq!(decode(&body), Some(mixed));
    }

    #[test]
    fn types_that_once_collided_differ() {
        // With one-byte counts these two encoded alike.
        assert_ne!(func(257, 127), func(1, 383));
    }

    #[test]
    fn counts_are_not_mistaken_for_type_codes() {
        // 99 = REF_NULLABLE, 100 = REF_NONNULL: a count's bytes look like
        // a reference prefix followed by HEAP_TYPE_INDEX.
        for n in [99usize, 100, 0x6300, 10_000] {
            let fields = vec![Field { storage: I32, mutable: true }; n];
            let mut body = Vec::new();
            encode(&Composite::Struct(fields.clone()), &mut body);
            let mapped = map_types(&body, |v, out| out.extend_from_slice(v)).unwrap();
            assert_eq!(mapped, body);
            assert_eq!(decode(&body), Some(Composite::Struct(fields)));
        }
    }

    #[test]
    fn map_types_rewrites_every_value() {
        let body = {
            let mut b = Vec::new();
            let f = Field { storage: REF, mutable: false };
            encode(&Composite::Struct(vec![f, Field { storage: &[STORAGE_I8], mutable: true }]), &mut b);
            b
        };
        let mapped = map_types(&body, |v, out| {
            if v == REF {
                out.extend_from_slice(&[REF_NULLABLE, HEAP_REC, 0, 0, 0, 0]);
            } else {
                out.extend_from_slice(v);
            }
        })
        .unwrap();
        let Some(Composite::Struct(fields)) = decode(&mapped) else { panic!() };
        assert_eq!(fields[0].storage, &[REF_NULLABLE, HEAP_REC, 0, 0, 0, 0]);
        assert_eq!(fields[1], Field { storage: &[STORAGE_I8], mutable: true });
    }

    #[test]
    fn malformed_encodings_are_refused() {
        let good = func(3, 2);
        for cut in 0..good.len() {
            assert_eq!(decode(&good[..cut]), None, "truncated at {cut}");
        }
        let mut trailing = good.clone();
        trailing.push(TY_I32);
        assert_eq!(decode(&trailing), None);
        // A count far beyond the input allocates nothing and fails.
        assert_eq!(decode(&[TYPE_FUNC, 0xff, 0xff, 0xff, 0xff]), None);
        assert_eq!(decode(&[TYPE_ARRAY, TY_I32, 2]), None);
        assert_eq!(decode(&[0x42]), None);
    }
}
