//! `wasmc_val_t` and `wasmc_ref_t` (plain data, `wasmc.h`), and their
//! conversion to and from the raw words wasm uses, checked against the full
//! (canonical) type expected: kind, nullability, and the heap type of
//! references, so no value from C can break a guest's type safety.

use crate::instance::StoreInner;
use crate::types;
use std::ffi::c_void;
use wasmc_abi::descriptor::*;
use wasmc_abi::gc::{VMRtt, HOST_TAG, I31_TAG};
use wasmc_abi::typeenc::{self, Composite};
use wasmc_abi::{VMFuncRef, ValRaw};

pub const REF_NULL: u32 = 0;
pub const REF_HOST: u32 = 1;
pub const REF_I31: u32 = 2;
pub const REF_OBJECT: u32 = 3;

#[repr(C)]
#[derive(Clone, Copy)]
pub union RefOf {
    pub host: *mut c_void,
    pub i31: i32,
    pub root: u64,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct wasmc_ref_t {
    pub kind: u32,
    pub of: RefOf,
}

impl wasmc_ref_t {
    pub fn null() -> wasmc_ref_t {
        wasmc_ref_t { kind: REF_NULL, of: RefOf { root: 0 } }
    }
}

#[repr(C)]
#[derive(Clone, Copy)]
pub union ValOf {
    pub i32: i32,
    pub i64: i64,
    pub f32: f32,
    pub f64: f64,
    pub v128: [u8; 16],
    pub func: *const VMFuncRef,
    pub r: wasmc_ref_t,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct wasmc_val_t {
    pub kind: u32,
    pub of: ValOf,
}

/// Host values must fit in a reference word: `v << 2 | 2`.
const MAX_HOST: u64 = 1 << 62;

/// Canonical value type encodings.
pub(crate) type Encodings = Vec<Vec<u8>>;

/// Canonical encodings of a function type's parameters and results, with
/// references inside its recursion group resolved to runtime types.
pub(crate) fn func_sig(type_id: u64) -> Option<(Encodings, Encodings)> {
    let info = types::info(type_id)?;
    let Composite::Func { params, results } = typeenc::decode(&info.body)? else { return None };
    let resolve_all = |list: Vec<&[u8]>| list.into_iter().map(|v| resolve(v, &info.group)).collect();
    Some((resolve_all(params), resolve_all(results)))
}

/// Replaces a recursion-group-relative heap type by its runtime type.
fn resolve(enc: &[u8], group: &[usize]) -> Vec<u8> {
    match enc {
        [p, HEAP_REC, i @ ..] if i.len() >= 4 => {
            let idx = u32::from_le_bytes([i[0], i[1], i[2], i[3]]) as usize;
            let mut out = vec![*p, HEAP_RTT];
            out.extend_from_slice(&(group.get(idx).copied().unwrap_or(0) as u64).to_le_bytes());
            out
        }
        _ => enc.to_vec(),
    }
}

fn rtt_at(enc: &[u8]) -> *const VMRtt {
    match enc {
        [_, HEAP_RTT, b @ ..] if b.len() >= 8 => {
            u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as *const VMRtt
        }
        _ => std::ptr::null(),
    }
}

/// The runtime type of a GC object.
fn object_rtt(w: u64) -> *const VMRtt {
    (unsafe { *(w as *const u64) } & !3) as *const VMRtt
}

/// Whether the non-null raw reference `w` belongs to the heap type of `enc`.
fn ref_matches(enc: &[u8], w: u64) -> bool {
    let is_i31 = w & 1 == I31_TAG;
    let is_host = w & 3 == HOST_TAG;
    let is_obj = !is_i31 && !is_host;
    let obj_kind = || if is_obj { (unsafe { (*object_rtt(w)).kind }) as u8 } else { 0 };
    match enc.get(1).copied() {
        Some(0x70) => true,                      // func: any function
        Some(0x6f | 0x6e) => true,               // extern, any
        Some(0x6d) => is_i31 || is_obj,          // eq
        Some(0x6c) => is_i31,                    // i31
        Some(0x6b) => obj_kind() == TYPE_STRUCT, // struct
        Some(0x6a) => obj_kind() == TYPE_ARRAY,  // array
        Some(HEAP_RTT) => {
            let want = rtt_at(enc);
            if unsafe { (*want).kind } == TYPE_FUNC as u32 {
                let f = w as *const VMFuncRef;
                types::rtt_subtype(unsafe { (*f).type_id } as *const VMRtt, want)
            } else {
                is_obj && types::rtt_subtype(object_rtt(w), want)
            }
        }
        _ => false, // none, nofunc, noextern: only null
    }
}

fn kind_name(kind: u32) -> &'static str {
    match kind as u8 {
        TY_I32 => "i32",
        TY_I64 => "i64",
        TY_F32 => "f32",
        TY_F64 => "f64",
        TY_V128 => "v128",
        TY_FUNCREF => "funcref",
        TY_EXTERNREF => "externref",
        TY_ANYREF => "anyref",
        _ => "an unknown kind",
    }
}

/// The raw word of a reference value (no type check).
pub(crate) fn ref_to_raw(store: Option<&StoreInner>, r: &wasmc_ref_t) -> Result<u64, String> {
    Ok(match r.kind {
        REF_NULL => 0,
        REF_HOST => {
            let p = unsafe { r.of.host } as u64;
            if p >= MAX_HOST {
                return Err(format!("host pointer {p:#x} does not fit in a reference (must be below 2^62)"));
            }
            crate::val::host_ref(p)
        }
        REF_I31 => ((unsafe { r.of.i31 } as u32 as u64 & 0x7fff_ffff) << 1) | I31_TAG,
        REF_OBJECT => {
            let root = unsafe { r.of.root };
            match store.and_then(|s| s.rooted(root)) {
                Some(w) => w,
                None => return Err(format!("root {root:#x} is not a live root of this store")),
            }
        }
        k => return Err(format!("unknown reference kind {k}")),
    })
}

/// Converts `v` for a slot of canonical type `enc`, checking it.
pub(crate) fn to_raw(store: Option<&StoreInner>, v: &wasmc_val_t, enc: &[u8]) -> Result<ValRaw, String> {
    let want = types::representation(enc);
    if v.kind != want as u32 {
        return Err(format!("expected {}, got {}", kind_name(want as u32), kind_name(v.kind)));
    }
    let raw = unsafe {
        match want {
            TY_I32 => ValRaw::from_u64(v.of.i32 as u32 as u64),
            TY_I64 => ValRaw::from_u64(v.of.i64 as u64),
            TY_F32 => ValRaw::from_u64(v.of.f32.to_bits() as u64),
            TY_F64 => ValRaw::from_u64(v.of.f64.to_bits()),
            TY_V128 => ValRaw(v.of.v128),
            TY_FUNCREF => ValRaw::from_u64(v.of.func as u64),
            _ => ValRaw::from_u64(ref_to_raw(store, &v.of.r)?),
        }
    };
    if matches!(want, TY_FUNCREF | TY_EXTERNREF | TY_ANYREF) {
        let w = raw.u64();
        if w == 0 {
            if enc.first() == Some(&REF_NONNULL) {
                return Err("null given for a non-nullable reference".into());
            }
        } else if !ref_matches(enc, w) {
            return Err("reference of the wrong type".into());
        }
    }
    Ok(raw)
}

/// The value of a raw word of representation `ty`; objects become new
/// roots in `store` (owned by the caller).
pub(crate) fn from_raw(store: Option<&StoreInner>, ty: u8, raw: ValRaw) -> wasmc_val_t {
    let of = match ty {
        TY_I32 => ValOf { i32: raw.u32() as i32 },
        TY_I64 => ValOf { i64: raw.u64() as i64 },
        TY_F32 => ValOf { f32: f32::from_bits(raw.u32()) },
        TY_F64 => ValOf { f64: f64::from_bits(raw.u64()) },
        TY_V128 => ValOf { v128: raw.0 },
        TY_FUNCREF => ValOf { func: raw.u64() as *const VMFuncRef },
        _ => ValOf { r: ref_from_raw(store, raw.u64()) },
    };
    wasmc_val_t { kind: ty as u32, of }
}

pub(crate) fn ref_from_raw(store: Option<&StoreInner>, w: u64) -> wasmc_ref_t {
    if w == 0 {
        wasmc_ref_t::null()
    } else if w & 1 == I31_TAG {
        // Sign-extend the 31-bit value.
        let v = ((w >> 1) as u32) << 1;
        wasmc_ref_t { kind: REF_I31, of: RefOf { i31: (v as i32) >> 1 } }
    } else if let Some(p) = crate::val::host_value(w) {
        wasmc_ref_t { kind: REF_HOST, of: RefOf { host: p as *mut c_void } }
    } else {
        match store {
            Some(s) => wasmc_ref_t { kind: REF_OBJECT, of: RefOf { root: s.root(w) } },
            None => wasmc_ref_t::null(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    /// The layouts `wasmc.h` declares.
    #[test]
    fn layouts_match_the_header() {
        assert_eq!(size_of::<wasmc_ref_t>(), 16);
        assert_eq!(offset_of!(wasmc_ref_t, of), 8);
        assert_eq!(size_of::<wasmc_val_t>(), 24);
        assert_eq!(offset_of!(wasmc_val_t, of), 8);
    }

    #[test]
    fn i31_and_host_round_trip() {
        for v in [0, 1, -1, 0x3fff_ffff, -0x4000_0000] {
            let r = wasmc_ref_t { kind: REF_I31, of: RefOf { i31: v } };
            let w = ref_to_raw(None, &r).unwrap();
            let back = ref_from_raw(None, w);
            assert_eq!((back.kind, unsafe { back.of.i31 }), (REF_I31, v));
        }
        let r = wasmc_ref_t { kind: REF_HOST, of: RefOf { host: 0x1234_5678 as *mut c_void } };
        let back = ref_from_raw(None, ref_to_raw(None, &r).unwrap());
        assert_eq!((back.kind, unsafe { back.of.host } as usize), (REF_HOST, 0x1234_5678));
        let big = wasmc_ref_t { kind: REF_HOST, of: RefOf { host: (1u64 << 62) as *mut c_void } };
        assert!(ref_to_raw(None, &big).is_err());
    }
}
