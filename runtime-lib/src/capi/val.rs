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
///
/// # Safety
/// `w` is the address of a live GC object of a live store (its first word
/// is the header: the runtime type pointer and two flag bits).
unsafe fn object_rtt(w: u64) -> *const VMRtt {
    // SAFETY: `w` points to a live object, whose header word is readable
    // and 8-aligned (objects are 8-aligned), by this function's contract.
    (unsafe { *(w as *const u64) } & !3) as *const VMRtt
}

/// Whether the non-null raw reference `w` belongs to the heap type of `enc`.
///
/// # Safety
/// `enc` is a canonical value type (its runtime types live for the
/// process). `w` is a reference word of that type's representation: for a
/// funcref, the address of a live `VMFuncRef`; for an anyref/externref that
/// is neither i31 nor host, the address of a live GC object (a word read
/// from a live root).
unsafe fn ref_matches(enc: &[u8], w: u64) -> bool {
    let is_i31 = w & 1 == I31_TAG;
    let is_host = w & 3 == HOST_TAG;
    let is_obj = !is_i31 && !is_host;
    let obj_kind = || {
        if is_obj {
            // SAFETY: `w` is an object (neither i31 nor host), so a live GC
            // object by this function's contract; its runtime type, which
            // the header names, lives for the process.
            (unsafe { (*object_rtt(w)).kind }) as u8
        } else {
            0
        }
    };
    match enc.get(1).copied() {
        Some(0x70) => true,                      // func: any function
        Some(0x6f | 0x6e) => true,               // extern, any
        Some(0x6d) => is_i31 || is_obj,          // eq
        Some(0x6c) => is_i31,                    // i31
        Some(0x6b) => obj_kind() == TYPE_STRUCT, // struct
        Some(0x6a) => obj_kind() == TYPE_ARRAY,  // array
        Some(HEAP_RTT) => {
            let want = rtt_at(enc);
            if want.is_null() {
                // Not canonical (no runtime type): nothing matches.
                return false;
            }
            // SAFETY: `want` is non-null, so the runtime type a canonical
            // encoding names (contract above); runtime types are never freed.
            if unsafe { (*want).kind } == TYPE_FUNC as u32 {
                let f = w as *const VMFuncRef;
                // SAFETY: `enc` is a concrete function type, so its
                // representation is funcref and `w` is a live `VMFuncRef`
                // (contract above).
                types::rtt_subtype(unsafe { (*f).type_id } as *const VMRtt, want)
            } else {
                // SAFETY: `is_obj` is checked first, so `w` is a live GC
                // object (contract above).
                is_obj && types::rtt_subtype(unsafe { object_rtt(w) }, want)
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
///
/// # Safety
/// The member of `r.of` that `r.kind` selects is initialized (the caller's
/// obligation per wasmc.h for values from C: `wasmc_ref_t`, POINTERS).
/// Other kinds are rejected without reading `r.of`.
pub(crate) unsafe fn ref_to_raw(store: Option<&StoreInner>, r: &wasmc_ref_t) -> Result<u64, String> {
    Ok(match r.kind {
        REF_NULL => 0,
        REF_HOST => {
            // SAFETY: kind REF_HOST selects `host`, initialized (contract
            // above); any pointer bits are a valid `*mut c_void`.
            let p = unsafe { r.of.host } as u64;
            if p >= MAX_HOST {
                return Err(format!("host pointer {p:#x} does not fit in a reference (must be below 2^62)"));
            }
            crate::val::host_ref(p)
        }
        // SAFETY: kind REF_I31 selects `i31`, initialized (contract above).
        REF_I31 => ((unsafe { r.of.i31 } as u32 as u64 & 0x7fff_ffff) << 1) | I31_TAG,
        REF_OBJECT => {
            // SAFETY: kind REF_OBJECT selects `root`, initialized (contract
            // above). Its value is only looked up, never trusted.
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
///
/// # Safety
/// The member of `v.of` that `v.kind` selects is initialized; a funcref's
/// `func` is NULL or a live function (a `wasmc_func_t` the API returned
/// whose instance lives): the caller's obligations per wasmc.h
/// (`wasmc_val_t`, POINTERS). `enc` is a canonical value type. `store` is
/// NULL or not used by another thread.
pub(crate) unsafe fn to_raw(store: Option<&StoreInner>, v: &wasmc_val_t, enc: &[u8]) -> Result<ValRaw, String> {
    let want = types::representation(enc);
    if v.kind != want as u32 {
        return Err(format!("expected {}, got {}", kind_name(want as u32), kind_name(v.kind)));
    }
    // SAFETY: `v.kind == want` (checked above), and each arm reads the
    // member that kind selects, initialized by the contract above; every bit
    // pattern is valid for these members; `ref_to_raw`'s contract is the
    // same one for `v.of.r`.
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
        } else {
            // SAFETY: `w` is non-null and of `enc`'s representation: a
            // funcref's `func`, live by the contract above, or a reference
            // word from `ref_to_raw`, which is i31, host, or an object read
            // from a live root of `store` (roots are only ever set to live
            // objects, and the collector keeps them current).
            let matches = unsafe { ref_matches(enc, w) };
            if !matches {
                return Err("reference of the wrong type".into());
            }
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
        // Sign-extend the 31-bit value. The whole union is written (as the
        // header's `wasmc_ref_i31` does): C may copy or compare all of it.
        let v = ((w >> 1) as u32) << 1;
        let mut of = RefOf { root: 0 };
        of.i31 = (v as i32) >> 1;
        wasmc_ref_t { kind: REF_I31, of }
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
            // SAFETY: kind REF_I31, member `i31` initialized.
            let w = unsafe { ref_to_raw(None, &r) }.unwrap();
            let back = ref_from_raw(None, w);
            // SAFETY: `ref_from_raw` made an i31 reference.
            assert_eq!((back.kind, unsafe { back.of.i31 }), (REF_I31, v));
            // Regression: the whole union is initialized (C may read or
            // compare `of.root`); Miri flags reading uninitialized bytes.
            // SAFETY: `ref_from_raw` writes all of `of` for i31 values.
            let whole = unsafe { back.of.root };
            assert_eq!(whole >> 32, 0);
        }
        let r = wasmc_ref_t { kind: REF_HOST, of: RefOf { host: 0x1234_5678 as *mut c_void } };
        // SAFETY: kind REF_HOST, member `host` initialized.
        let back = ref_from_raw(None, unsafe { ref_to_raw(None, &r) }.unwrap());
        // SAFETY: `ref_from_raw` made a host reference.
        assert_eq!((back.kind, unsafe { back.of.host } as usize), (REF_HOST, 0x1234_5678));
        let big = wasmc_ref_t { kind: REF_HOST, of: RefOf { host: (1u64 << 62) as *mut c_void } };
        // SAFETY: kind REF_HOST, member `host` initialized.
        assert!(unsafe { ref_to_raw(None, &big) }.is_err());
    }
}
