//! Canonical runtime types (`VMRtt`).
//!
//! Modules describe their types with module-relative indices (see
//! `wasmc_abi::descriptor::TypeDesc`). [`canonicalize`] turns them, one
//! recursion group at a time, into process-wide runtime types: a group's
//! key is its members' structure with references inside the group as
//! relative indices and references outside it as the already canonical
//! runtime types. Equal keys are the same group (iso-recursive type
//! equivalence), so equal types from different modules share one `VMRtt`,
//! and `call_indirect` and casts compare pointers.
//!
//! Runtime types are never freed: there is one per distinct type.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use wasmc_abi::descriptor::*;
use wasmc_abi::gc::{storage_size, struct_layout, VMRtt};
use wasmc_abi::typeenc::{self, Composite, Field};

/// What the runtime knows about a runtime type beyond the `VMRtt` itself.
#[derive(Debug)]
pub struct RttInfo {
    /// Canonical structure (references as `HEAP_RTT`/`HEAP_REC`).
    pub body: Vec<u8>,
    /// The group's runtime types, for resolving `HEAP_REC` in `body`.
    pub group: Vec<usize>,
    pub func: Option<FuncType>,
    /// Struct fields / array element: (storage code, offset, mutable).
    pub fields: Vec<(u8, u32, bool)>,
}

struct Registry {
    groups: HashMap<Vec<u8>, Vec<usize>>,
    info: HashMap<usize, &'static RttInfo>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);

fn with_registry<R>(f: impl FnOnce(&mut Registry) -> R) -> R {
    let mut guard = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(|| Registry { groups: HashMap::new(), info: HashMap::new() }))
}

pub use wasmc_abi::typeenc::split_val;

/// Every runtime type ever made, so that a runtime type named by an
/// encoding (a `HEAP_RTT` word, which could be any bytes) is dereferenced
/// only if it is one. Its own lock: it is consulted while `REGISTRY` is held.
static KNOWN: Mutex<Option<HashSet<usize>>> = Mutex::new(None);

fn add_known(rtt: usize) {
    KNOWN.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashSet::new).insert(rtt);
}

/// Lets unit tests use hand-built runtime types.
///
/// # Safety
/// `rtt` is a `VMRtt` with its display that lives for the rest of the
/// process (tests leak or keep them).
#[cfg(test)]
pub(crate) unsafe fn add_known_for_test(rtt: usize) {
    add_known(rtt)
}

/// `p` as a runtime type, if it is one.
fn known(p: u64) -> Option<&'static VMRtt> {
    let guard = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    let is_known = guard.as_ref().is_some_and(|k| k.contains(&(p as usize)));
    // SAFETY: `p` is a runtime type made by `new_rtt`: a leaked allocation,
    // never freed, initialized before `add_known`. Its reference offsets
    // are written once more by `canonicalize_group` before the type's
    // address leaves that function, while no reference from here is live.
    is_known.then(|| unsafe { &*(p as *const VMRtt) })
}

/// The kind (`TYPE_*`) of the runtime type `p`, if it is one.
fn kind_of(p: u64) -> Option<u8> {
    known(p).map(|r| r.kind as u8)
}

/// How a value of the encoded type is represented (a `TY_*` code).
pub fn representation(val: &[u8]) -> u8 {
    match val {
        [REF_NULLABLE | REF_NONNULL, 0x6f | 0x72, ..] => TY_EXTERNREF,
        [REF_NULLABLE | REF_NONNULL, 0x70 | 0x73, ..] => TY_FUNCREF,
        [REF_NULLABLE | REF_NONNULL, HEAP_RTT, ..] => match rtt_of(val).and_then(|r| kind_of(r as u64)) {
            Some(TYPE_FUNC) => TY_FUNCREF,
            _ => TY_ANYREF,
        },
        [REF_NULLABLE | REF_NONNULL, ..] => TY_ANYREF,
        [code, ..] => *code,
        [] => 0,
    }
}

/// Whether reference word `w` is a valid value of the reference type
/// encoded by `enc` (canonical form) without knowing more than the word:
/// null for a nullable type, an i31 for `any`/`eq`/`i31`/`extern` (which
/// `extern.convert_any` may give), a host value for `extern` and `any`.
/// Pointers (functions, GC objects) cannot be checked from the word alone;
/// they go through the `_unchecked` variants, which are `unsafe`.
pub fn ref_word_fits(enc: &[u8], w: u64) -> bool {
    let nullable = enc.first() == Some(&REF_NULLABLE);
    let is_i31 = w & 1 == 1;
    let is_host = w & 3 == wasmc_abi::gc::HOST_TAG;
    match enc {
        [REF_NULLABLE | REF_NONNULL, ..] if w == 0 => nullable,
        [REF_NULLABLE | REF_NONNULL, 0x6f, ..] => is_i31 || is_host,
        [REF_NULLABLE | REF_NONNULL, 0x6e, ..] => is_i31 || is_host,
        [REF_NULLABLE | REF_NONNULL, 0x6d | 0x6c, ..] => is_i31,
        _ => false,
    }
}

/// The encoding of a numeric type or a nullable abstract reference given
/// by its representation code (what host-made values have).
pub fn encode_simple(code: u8) -> Vec<u8> {
    match code {
        TY_FUNCREF | TY_EXTERNREF | TY_ANYREF => vec![REF_NULLABLE, code],
        c => vec![c],
    }
}

fn rtt_of(enc: &[u8]) -> Option<*const VMRtt> {
    match enc {
        [_, HEAP_RTT, rest @ ..] => Some(u64::from_le_bytes(rest.get(..8)?.try_into().ok()?) as *const VMRtt),
        _ => None,
    }
}

/// `a <: b` for runtime types (false if either is not one).
pub(crate) fn rtt_subtype(a: *const VMRtt, b: *const VMRtt) -> bool {
    if a == b {
        return true;
    }
    let (Some(ra), Some(rb)) = (known(a as u64), known(b as u64)) else { return false };
    // SAFETY: `new_rtt` allocates each runtime type with `depth + 1`
    // display entries after the header and never frees it; the display is
    // reached from the raw pointer `a` (whose provenance is the whole
    // allocation, unlike a `&VMRtt`), and `b.depth <= a.depth` keeps the
    // index in bounds.
    ra.depth >= rb.depth && unsafe { *display(a).add(rb.depth as usize) } == b as u64
}

/// The first display entry of runtime type `r`.
fn display(r: *const VMRtt) -> *const u64 {
    r.cast::<u8>().wrapping_add(VMRtt::OFF_DISPLAY as usize).cast()
}

/// The abstract heap type a canonical heap type belongs under.
fn heap_top_kind(enc: &[u8]) -> u8 {
    match enc {
        [_, HEAP_RTT, ..] => match rtt_of(enc).and_then(|r| kind_of(r as u64)) {
            Some(TYPE_FUNC) => 0x70,
            Some(TYPE_STRUCT) => 0x6b,
            _ => 0x6a,
        },
        [_, h, ..] => *h,
        _ => 0,
    }
}

/// Abstract heap subtyping: i31, struct, array <: eq <: any; bottoms
/// none <: any family, nofunc <: func family, noextern <: extern.
/// (The codes are the binary format's; named, not ranges, on purpose.)
#[allow(clippy::manual_range_patterns)]
fn abstract_subtype(a: u8, b: u8) -> bool {
    a == b
        || matches!(
            (a, b),
            (0x6c | 0x6b | 0x6a | 0x6d, 0x6e)
                | (0x6c | 0x6b | 0x6a, 0x6d)
                | (0x71, 0x6e | 0x6d | 0x6c | 0x6b | 0x6a)
                | (0x73, 0x70)
                | (0x72, 0x6f)
                | (0x74, 0x69)
        )
}

/// Whether a value of canonical type `a` may be used where `b` is expected.
pub fn val_subtype(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (&[pa, ..], &[pb, ..]) = (a, b) else { return false };
    if !matches!(pa, REF_NULLABLE | REF_NONNULL) || !matches!(pb, REF_NULLABLE | REF_NONNULL) {
        return false;
    }
    if pa == REF_NULLABLE && pb == REF_NONNULL {
        return false;
    }
    match (rtt_of(a), rtt_of(b)) {
        (Some(x), Some(y)) => rtt_subtype(x, y),
        // A bottom type is below every concrete type of its family.
        (None, Some(_)) => {
            let bottom = a[1];
            let family = heap_top_kind(b);
            (bottom == 0x71 && family != 0x70) || (bottom == 0x73 && family == 0x70)
        }
        _ => abstract_subtype(heap_top_kind(a), heap_top_kind(b)),
    }
}

/// A function type in the runtime's terms: representation codes of its
/// parameters and results, and its runtime type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncType {
    pub params: Vec<u8>,
    pub results: Vec<u8>,
}

impl FuncType {
    /// A type of numbers and nullable abstract references (as host
    /// functions use).
    pub fn new(params: &[u8], results: &[u8]) -> FuncType {
        FuncType { params: params.to_vec(), results: results.to_vec() }
    }

    /// The canonical runtime type of this (host) function type.
    pub fn id(&self) -> u64 {
        let (params, results): (Vec<_>, Vec<_>) = (
            self.params.iter().map(|p| encode_simple(*p)).collect(),
            self.results.iter().map(|r| encode_simple(*r)).collect(),
        );
        let mut body = Vec::new();
        let params = params.iter().map(Vec::as_slice).collect();
        let results = results.iter().map(Vec::as_slice).collect();
        typeenc::encode(&Composite::Func { params, results }, &mut body);
        let desc = [Member { body: &body, supertype: None, is_final: true }];
        canonicalize_group(&desc, &[], 0)[0] as u64
    }

    fn from_body(body: &[u8]) -> Option<FuncType> {
        let Composite::Func { params, results } = typeenc::decode(body)? else { return None };
        let reprs = |list: Vec<&[u8]>| list.into_iter().map(representation).collect();
        Some(FuncType { params: reprs(params), results: reprs(results) })
    }
}

/// The runtime type of the exception objects of a tag of function type
/// `func_rtt` (see `wasmc_abi::exn`): a struct with a leading 8-byte word
/// (the `*const VMTag`, not traced) and a field per parameter, of the same
/// size, references traced as `anyref` (function references, which never
/// point into the heap, as 8-byte numbers). Only the collector reads it:
/// an `exnref` can never be cast to a struct type.
pub fn exception_rtt(func_rtt: u64) -> Option<u64> {
    let Composite::Func { params, .. } = typeenc::decode(&info(func_rtt)?.body)? else { return None };
    const WORD: &[u8] = &[TY_I64];
    const ANY: &[u8] = &[REF_NULLABLE, 0x6e];
    let mut fields = vec![Field { storage: WORD, mutable: false }];
    for p in params {
        let storage = if is_gc_ref(p) {
            ANY
        } else if matches!(p.first(), Some(&REF_NULLABLE | &REF_NONNULL)) {
            WORD
        } else {
            p
        };
        fields.push(Field { storage, mutable: false });
    }
    let mut body = Vec::new();
    typeenc::encode(&Composite::Struct(fields), &mut body);
    let desc = [Member { body: &body, supertype: None, is_final: true }];
    Some(canonicalize_group(&desc, &[], 0)[0] as u64)
}

/// The canonical encodings of a function runtime type's parameters
/// (references into its recursion group stay `HEAP_REC`).
pub fn param_encodings(rtt: u64) -> Option<Vec<Vec<u8>>> {
    let Composite::Func { params, .. } = typeenc::decode(&info(rtt)?.body)? else { return None };
    Some(params.into_iter().map(<[u8]>::to_vec).collect())
}

/// The function type of a runtime type, if it is one.
pub fn func_type(rtt: u64) -> Option<FuncType> {
    info(rtt).and_then(|i| i.func.clone())
}

pub fn info(rtt: u64) -> Option<&'static RttInfo> {
    with_registry(|r| r.info.get(&(rtt as usize)).copied())
}

struct Member<'a> {
    body: &'a [u8],
    /// Module type index of the supertype.
    supertype: Option<u32>,
    is_final: bool,
}

/// Rewrites the module type index of one value type encoding: inside the
/// group `[start, start+len)` as `HEAP_REC`, outside as the canonical
/// `HEAP_RTT`.
fn canonical_type(val: &[u8], rtts: &[usize], start: u32, len: u32, out: &mut Vec<u8>) {
    match val {
        [prefix @ (REF_NULLABLE | REF_NONNULL), HEAP_TYPE_INDEX, idx @ ..] if idx.len() == 4 => {
            let idx = u32::from_le_bytes([idx[0], idx[1], idx[2], idx[3]]);
            out.push(*prefix);
            if idx >= start && idx - start < len {
                out.push(HEAP_REC);
                out.extend_from_slice(&(idx - start).to_le_bytes());
            } else {
                out.push(HEAP_RTT);
                out.extend_from_slice(&(rtts.get(idx as usize).copied().unwrap_or(0) as u64).to_le_bytes());
            }
        }
        _ => out.extend_from_slice(val),
    }
}

/// [`canonical_type`] applied to every value and storage type of a type's
/// structure. The compiler only emits well-formed encodings; anything else
/// is kept as it is (and matches nothing but itself).
fn canonical_body(body: &[u8], rtts: &[usize], start: u32, len: u32, out: &mut Vec<u8>) {
    match typeenc::map_types(body, |v, out| canonical_type(v, rtts, start, len, out)) {
        Some(mapped) => out.extend_from_slice(&mapped),
        None => out.extend_from_slice(body),
    }
}

/// Canonicalizes one recursion group whose members start at module type
/// index `start`, given the runtime types of all earlier module types.
fn canonicalize_group(members: &[Member<'_>], earlier: &[usize], start: u32) -> Vec<usize> {
    let len = members.len() as u32;
    let mut key = Vec::new();
    let mut bodies = Vec::new();
    for m in members {
        key.push(m.is_final as u8);
        match m.supertype {
            None => key.push(0xff),
            Some(s) if s >= start => {
                key.push(HEAP_REC);
                key.extend_from_slice(&(s - start).to_le_bytes());
            }
            Some(s) => {
                key.push(HEAP_RTT);
                key.extend_from_slice(&(earlier[s as usize] as u64).to_le_bytes());
            }
        }
        let mut body = Vec::new();
        canonical_body(m.body, earlier, start, len, &mut body);
        key.extend_from_slice(&(body.len() as u32).to_le_bytes());
        key.extend_from_slice(&body);
        bodies.push(body);
    }
    with_registry(|reg| {
        if let Some(g) = reg.groups.get(&key) {
            return g.clone();
        }
        let mut group: Vec<usize> = Vec::new();
        for (m, body) in members.iter().zip(&bodies) {
            let sup = m.supertype.map(|s| if s >= start { group[(s - start) as usize] } else { earlier[s as usize] });
            let rtt = new_rtt(body, m.is_final, sup);
            group.push(rtt);
        }
        for (i, body) in bodies.into_iter().enumerate() {
            let info = build_info(body, group.clone());
            let info: &'static RttInfo = Box::leak(Box::new(info));
            if let Some(offsets) = ref_offsets(info) {
                let offsets: &'static [u32] = Box::leak(offsets.into_boxed_slice());
                // SAFETY: `group[i]` was just made by `new_rtt` and is not
                // yet shared (the registry lock is held and no module has
                // its pointer); `offsets` is leaked, so it lives forever.
                unsafe {
                    let r = group[i] as *mut VMRtt;
                    (*r).n_ref_offsets = offsets.len() as u32;
                    (*r).ref_offsets = offsets.as_ptr() as u64;
                }
            }
            reg.info.insert(group[i], info);
        }
        reg.groups.insert(key, group.clone());
        group
    })
}

/// Allocates a `VMRtt` (with its display) for a type of structure `body`.
fn new_rtt(body: &[u8], is_final: bool, sup: Option<usize>) -> usize {
    let (depth, mut chain) = match sup {
        Some(s) => {
            let depth = known(s as u64).map_or(0, |r| r.depth);
            // SAFETY: `s` is a runtime type (a supertype made earlier) with
            // `depth + 1` display entries, read through its raw pointer.
            let d = unsafe { std::slice::from_raw_parts(display(s as *const VMRtt), depth as usize + 1) }.to_vec();
            (depth + 1, d)
        }
        None => (0, Vec::new()),
    };
    let words = (VMRtt::OFF_DISPLAY / 8) as usize + depth as usize + 1;
    let mem: &'static mut [u64] = Box::leak(vec![0u64; words].into_boxed_slice());
    let rtt = mem.as_mut_ptr() as *mut VMRtt;
    chain.push(rtt as u64);
    let (size, elem_is_ref) = layout_of(body);
    // SAFETY: `mem` is a fresh, leaked allocation of `words` words: the
    // header plus `depth + 1` display entries (`chain`'s length), written
    // through `rtt`, which carries the provenance of all of it.
    unsafe {
        (*rtt).kind = body.first().copied().unwrap_or(TYPE_FUNC) as u32;
        (*rtt).depth = depth;
        (*rtt).is_final = is_final as u32;
        (*rtt).size = size;
        (*rtt).elem_is_ref = elem_is_ref as u32;
        std::ptr::copy_nonoverlapping(chain.as_ptr(), display(rtt).cast_mut(), chain.len());
    }
    add_known(rtt as usize);
    rtt as usize
}

/// Struct fields or the array element: (storage, mutable) pairs.
fn storages(body: &[u8]) -> Vec<(Vec<u8>, bool)> {
    let pair = |f: &Field<'_>| (f.storage.to_vec(), f.mutable);
    match typeenc::decode(body) {
        Some(Composite::Struct(fields)) => fields.iter().map(pair).collect(),
        Some(Composite::Array(f)) => vec![pair(&f)],
        _ => Vec::new(),
    }
}

fn is_gc_ref(storage: &[u8]) -> bool {
    // Function references point into instances, never into the GC heap.
    matches!(storage.first(), Some(&REF_NULLABLE | &REF_NONNULL)) && representation(storage) != TY_FUNCREF
}

fn layout_of(body: &[u8]) -> (u32, bool) {
    let fields = storages(body);
    match body.first() {
        Some(&TYPE_STRUCT) => {
            let sizes: Vec<u32> = fields.iter().map(|(s, _)| storage_size(s[0])).collect();
            let mut offs = vec![0; sizes.len()];
            (struct_layout(&sizes, &mut offs), false)
        }
        Some(&TYPE_ARRAY) => fields.first().map_or((0, false), |(s, _)| (storage_size(s[0]), is_gc_ref(s))),
        _ => (0, false),
    }
}

fn build_info(body: Vec<u8>, group: Vec<usize>) -> RttInfo {
    let func = FuncType::from_body(&body);
    let st = storages(&body);
    let sizes: Vec<u32> = st.iter().map(|(s, _)| storage_size(s[0])).collect();
    let mut offs = vec![0; sizes.len()];
    if body.first() == Some(&TYPE_STRUCT) {
        struct_layout(&sizes, &mut offs);
    }
    let fields = st.iter().zip(offs).map(|((s, m), o)| (s[0], o, *m)).collect();
    RttInfo { body, group, func, fields }
}

fn ref_offsets(info: &RttInfo) -> Option<Vec<u32>> {
    if info.body.first() != Some(&TYPE_STRUCT) {
        return None;
    }
    let st = storages(&info.body);
    Some(st.iter().zip(&info.fields).filter(|((s, _), _)| is_gc_ref(s)).map(|(_, f)| f.1).collect())
}

/// The runtime types of a module's types, in type index order.
///
/// # Safety
/// Each type's `encoding` is `len` live bytes (a module descriptor's).
pub unsafe fn canonicalize(types: &[TypeDesc]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(types.len());
    let mut i = 0;
    while i < types.len() {
        let len = (types[i].group_len as usize).max(1);
        let members: Vec<Member<'_>> = types[i..(i + len).min(types.len())]
            .iter()
            .map(|t| Member {
                // SAFETY: the encoding is live bytes (contract).
                body: unsafe { t.encoding.as_slice() },
                supertype: (t.supertype != NONE).then_some(t.supertype),
                is_final: t.is_final != 0,
            })
            .collect();
        let group = canonicalize_group(&members, &out, i as u32);
        out.extend(group);
        i += len;
    }
    out
}

/// A module-relative value type encoding in canonical form.
pub fn canonical_val(enc: &[u8], rtts: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    canonical_type(enc, rtts, u32::MAX, 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmc_abi::descriptor::{TY_F32, TY_I32, TY_I64};

    #[test]
    fn equal_types_share_a_runtime_type() {
        let a = FuncType::new(&[TY_I32, TY_I64], &[TY_F32]);
        let b = FuncType::new(&[TY_I32, TY_I64], &[TY_F32]);
        let c = FuncType::new(&[TY_I32], &[TY_F32]);
        assert_eq!(a.id(), b.id());
        assert_ne!(a.id(), c.id());
        assert_eq!(func_type(a.id()), Some(a));
    }

    fn desc(enc: &'static [u8], start: u32, len: u32, sup: u32, fin: bool) -> TypeDesc {
        TypeDesc {
            encoding: Slice { ptr: enc.as_ptr() as u64, len: enc.len() as u64 },
            group_start: start,
            group_len: len,
            supertype: sup,
            is_final: fin as u32,
        }
    }

    #[test]
    fn recursive_groups_canonicalize_and_subtype() {
        // Module A: [struct {}] ; [sub 0 struct {i32}] ; rec { struct (ref null 2) }
        static S0: [u8; 5] = [TYPE_STRUCT, 0, 0, 0, 0];
        static S1: [u8; 7] = [TYPE_STRUCT, 1, 0, 0, 0, TY_I32, 1];
        static S2: [u8; 12] = [TYPE_STRUCT, 1, 0, 0, 0, REF_NULLABLE, HEAP_TYPE_INDEX, 2, 0, 0, 0, 1];
        // SAFETY: the encodings are statics.
        let a = unsafe {
            canonicalize(&[desc(&S0, 0, 1, NONE, false), desc(&S1, 1, 1, 0, true), desc(&S2, 2, 1, NONE, true)])
        };
        // Module B declares the same types at other indices.
        static T0: [u8; 9] = [TYPE_FUNC, 0, 0, 0, 0, 0, 0, 0, 0];
        static S2B: [u8; 12] = [TYPE_STRUCT, 1, 0, 0, 0, REF_NULLABLE, HEAP_TYPE_INDEX, 3, 0, 0, 0, 1];
        // SAFETY: as above.
        let b = unsafe {
            canonicalize(&[
                desc(&T0, 0, 1, NONE, true),
                desc(&S0, 1, 1, NONE, false),
                desc(&S1, 2, 1, 1, true),
                desc(&S2B, 3, 1, NONE, true),
            ])
        };
        assert_eq!(a[0], b[1]);
        assert_eq!(a[1], b[2]);
        assert_eq!(a[2], b[3]);
        assert!(rtt_subtype(a[1] as _, a[0] as _));
        assert!(!rtt_subtype(a[0] as _, a[1] as _));
        assert!(!rtt_subtype(a[2] as _, a[0] as _));
        // Layout: struct {i32} is header + 4 bytes, padded to 16.
        assert_eq!(known(a[1] as u64).unwrap().size, 16);
        assert_eq!(known(a[2] as u64).unwrap().n_ref_offsets, 1);
        // Words that are not runtime types are never dereferenced.
        assert!(!rtt_subtype(0x1000 as _, a[0] as _));
        assert_eq!(representation(&[REF_NULLABLE, HEAP_RTT, 0, 0x10, 0, 0, 0, 0, 0, 0]), TY_ANYREF);
    }

    #[test]
    fn value_subtyping() {
        let any = [REF_NULLABLE, 0x6e];
        let eq = [REF_NONNULL, 0x6d];
        let i31 = [REF_NONNULL, 0x6c];
        let none = [REF_NULLABLE, 0x71];
        assert!(val_subtype(&i31, &eq) && val_subtype(&eq, &any) && val_subtype(&none, &any));
        assert!(!val_subtype(&any, &eq) && !val_subtype(&any, &i31));
        assert!(!val_subtype(&[REF_NULLABLE, 0x72], &[REF_NULLABLE, 0x70]));
        assert!(val_subtype(&[REF_NULLABLE, 0x73], &[REF_NULLABLE, 0x70]));
        assert!(!val_subtype(&[TY_I32], &[TY_I64]));
    }
}
