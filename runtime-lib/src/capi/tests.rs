//! C API tests that need no compiled module: errors, stores and roots,
//! value conversion and release, guest address translation. They call the
//! `extern "C"` functions as C would and run under Miri
//! (`cargo +nightly miri test -p wasmc-rt capi`).

use super::error::*;
use super::store::*;
use super::val::*;
use super::wasmc_store_t;
use crate::instance::StoreInner;
use std::ffi::{c_void, CStr};
use std::ptr::{null, null_mut};
use wasmc_abi::descriptor::*;
use wasmc_abi::gc::VMRtt;
use wasmc_abi::ValRaw;

/// The store behind a handle of `wasmc_store_new`.
fn inner<'a>(s: *mut wasmc_store_t) -> &'a StoreInner {
    // SAFETY: every caller passes a live handle of `wasmc_store_new`.
    unsafe { super::store(s) }.unwrap()
}

fn text(p: *const std::ffi::c_char) -> String {
    assert!(!p.is_null());
    // SAFETY: the error functions return NUL-terminated strings that live
    // as long as their error (the callers keep it alive).
    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string()
}

#[test]
fn error_objects() {
    let e = wasmc_error_t::new(ERROR_LINK, "bad\0import");
    // SAFETY: `e` is a live error until `wasmc_error_delete` below.
    unsafe {
        assert_eq!(wasmc_error_kind(e), ERROR_LINK);
        assert_eq!(wasmc_error_trap(e), 0);
        assert_eq!(wasmc_error_exit_status(e), 0);
        // Interior NULs cannot end the C string early.
        assert_eq!(text(wasmc_error_message(e)), "bad\\0import");
        assert_eq!(text(wasmc_error_report(e)), "bad\\0import");
        assert_eq!(wasmc_error_frame_count(e), 0);
        assert!(wasmc_error_frame_name(e, 0).is_null());
        wasmc_error_delete(e);
    }

    let trap = crate::Error::Trap {
        trap: crate::Trap::Unreachable,
        message: None,
        backtrace: vec![
            crate::trap::Frame { name: "inner".into(), pc: 1 },
            crate::trap::Frame { name: "outer".into(), pc: 2 },
        ],
    };
    let e = wasmc_error_t::from_runtime(&trap);
    // SAFETY: `e` is a live error until `wasmc_error_delete` below.
    unsafe {
        assert_eq!(wasmc_error_kind(e), ERROR_TRAP);
        assert_eq!(wasmc_error_trap(e), crate::Trap::Unreachable as u32);
        assert_eq!(text(wasmc_error_message(e)), crate::Trap::Unreachable.message());
        assert_eq!(wasmc_error_frame_count(e), 2);
        assert_eq!(text(wasmc_error_frame_name(e, 0)), "inner");
        assert_eq!(text(wasmc_error_frame_name(e, 1)), "outer");
        assert!(wasmc_error_frame_name(e, 2).is_null());
        assert!(wasmc_error_frame_name(e, usize::MAX).is_null());
        wasmc_error_delete(e);
    }

    let e = wasmc_error_t::from_runtime(&crate::Error::Exit(3));
    // SAFETY: `e` is a live error until `wasmc_error_delete` below.
    unsafe {
        assert_eq!((wasmc_error_kind(e), wasmc_error_exit_status(e)), (ERROR_EXIT, 3));
        wasmc_error_delete(e);
    }

    // NULL is accepted everywhere.
    // SAFETY: NULL is allowed for every error function.
    unsafe {
        assert_eq!(wasmc_error_kind(null()), 0);
        assert_eq!(text(wasmc_error_message(null())), "");
        assert_eq!(text(wasmc_error_report(null())), "");
        assert_eq!(wasmc_error_frame_count(null()), 0);
        assert!(wasmc_error_frame_name(null(), 0).is_null());
        wasmc_error_delete(null_mut());
    }
    assert!(status(Ok(())).is_null());
}

#[test]
fn store_stats_and_null_stores() {
    let s = wasmc_store_new();
    let (mut minor, mut major) = (7, 7);
    // SAFETY: `s` is live until `wasmc_store_delete`; the out pointers are
    // locals or NULL.
    unsafe {
        wasmc_store_gc_stats(s, &mut minor, &mut major);
        assert_eq!((minor, major), (0, 0));
        wasmc_store_gc_stats(s, null_mut(), null_mut());
        assert_eq!(wasmc_store_root_count(s), 0);
        wasmc_store_delete(s);
    }
    // SAFETY: NULL is allowed for every store function.
    unsafe {
        let (mut minor, mut major) = (7, 7);
        wasmc_store_gc_stats(null(), &mut minor, &mut major);
        assert_eq!((minor, major), (0, 0));
        assert_eq!(wasmc_store_root_count(null()), 0);
        assert!(!wasmc_root_release(null_mut(), 1));
        assert_eq!(wasmc_root_clone(null_mut(), 1), 0);
        wasmc_store_delete(null_mut());
    }
}

/// Stand-ins for GC objects: a header word naming a runtime type. Roots
/// store the address; type checks read the header and the runtime type.
#[repr(C)]
struct FakeRtt {
    rtt: VMRtt,
    /// The supertype display that follows a `VMRtt` (itself at depth 0).
    display: [u64; 1],
}

/// A runtime type built by hand, leaked and registered as a runtime type.
fn rtt(kind: u8) -> &'static FakeRtt {
    let mut r = Box::new(FakeRtt {
        rtt: VMRtt {
            kind: kind as u32,
            depth: 0,
            is_final: 0,
            size: 16,
            elem_is_ref: 0,
            n_ref_offsets: 0,
            ref_offsets: 0,
            display: [],
        },
        display: [0],
    });
    r.display[0] = rtt_addr(&r);
    let r: &'static FakeRtt = Box::leak(r);
    // SAFETY: `r` is a `VMRtt` followed by its display, leaked: it lives
    // for the rest of the process.
    unsafe { crate::types::add_known_for_test(rtt_addr(r) as usize) };
    r
}

/// The runtime type's address, with provenance over the display too (a
/// pointer made from `&rtt.rtt` would cover the `VMRtt` alone).
fn rtt_addr(rtt: &FakeRtt) -> u64 {
    (rtt as *const FakeRtt).cast::<VMRtt>() as u64
}

fn object(rtt: &FakeRtt) -> Box<[u64; 2]> {
    Box::new([rtt_addr(rtt), 0])
}

fn addr(obj: &[u64; 2]) -> u64 {
    obj.as_ptr() as u64
}

fn anyref(heap: u8) -> Vec<u8> {
    vec![REF_NULLABLE, heap]
}

fn concrete(rtt: &FakeRtt, nullable: bool) -> Vec<u8> {
    let mut enc = vec![if nullable { REF_NULLABLE } else { REF_NONNULL }, HEAP_RTT];
    enc.extend_from_slice(&(rtt_addr(rtt)).to_le_bytes());
    enc
}

fn val(kind: u8, of: ValOf) -> wasmc_val_t {
    wasmc_val_t { kind: kind as u32, of }
}

fn obj_ref(kind: u8, root: u64) -> wasmc_val_t {
    val(kind, ValOf { r: wasmc_ref_t { kind: REF_OBJECT, of: RefOf { root } } })
}

#[test]
fn roots_clone_release() {
    let t = rtt(TYPE_STRUCT);
    let o = object(t);
    let s = wasmc_store_new();
    let st = inner(s);
    let root = st.root(addr(&o));
    assert_ne!(root, 0);
    // SAFETY: `s` is live until `wasmc_store_delete`; values are locals.
    unsafe {
        assert_eq!(wasmc_store_root_count(s), 1);
        let copy = wasmc_root_clone(s, root);
        assert!(copy != 0 && copy != root);
        assert_eq!(st.rooted(copy), Some(addr(&o)));
        assert_eq!(wasmc_store_root_count(s), 2);

        // Releasing through a value nulls it; its copies name a dead root.
        let mut v = obj_ref(TY_ANYREF, root);
        let mut stale = v;
        assert!(wasmc_val_release(s, &mut v));
        assert_eq!(v.of.r.kind, REF_NULL);
        assert!(wasmc_val_release(s, &mut v)); // null now: nothing to do
        assert!(!wasmc_val_release(s, &mut stale)); // already released
        assert!(!wasmc_root_release(s, root));
        assert_eq!(wasmc_root_clone(s, root), 0);
        assert_eq!(st.rooted(copy), Some(addr(&o))); // the clone lives on

        // A freed slot is reused with a new name: the old one stays dead.
        let again = st.root(addr(&o));
        assert_ne!(again, root);
        assert_eq!(st.rooted(root), None);

        // Roots of another store are not roots of this one.
        let other = wasmc_store_new();
        assert!(!wasmc_root_release(other, copy));
        assert_eq!(st.rooted(copy), Some(addr(&o)));
        wasmc_store_delete(other);

        assert!(wasmc_root_release(s, copy));
        assert!(wasmc_root_release(s, again));
        assert_eq!(wasmc_store_root_count(s), 0);

        // Values without roots are left alone.
        let mut n = val(TY_I32, ValOf { i32: 5 });
        assert!(wasmc_val_release(s, &mut n));
        assert_eq!(n.of.i32, 5);
        let mut h =
            val(TY_EXTERNREF, ValOf { r: wasmc_ref_t { kind: REF_HOST, of: RefOf { host: 8 as *mut c_void } } });
        assert!(wasmc_val_release(s, &mut h));
        assert_eq!((h.of.r.kind, h.of.r.of.host as usize), (REF_HOST, 8));
        assert!(wasmc_val_release(s, null_mut()));
        wasmc_store_delete(s);
    }
}

#[test]
fn numbers_convert_and_check_kinds() {
    let cases = [
        (TY_I32, val(TY_I32, ValOf { i32: -2 }), 0xffff_fffe_u64),
        (TY_I64, val(TY_I64, ValOf { i64: -2 }), u64::MAX - 1),
        (TY_F32, val(TY_F32, ValOf { f32: f32::from_bits(0x7fc0_0001) }), 0x7fc0_0001),
        (TY_F64, val(TY_F64, ValOf { f64: f64::from_bits(0x7ff8_0000_0000_0001) }), 0x7ff8_0000_0000_0001),
    ];
    for (ty, v, want) in cases {
        // SAFETY: each value's member matches its kind.
        let raw = unsafe { to_raw(None, &v, &[ty]) }.unwrap();
        assert_eq!(raw.u64(), want);
        let back = from_raw(None, ty, raw);
        assert_eq!(back.kind, ty as u32);
        // SAFETY: kind checked above; the member of each kind is 4 or 8 bytes.
        let bits = unsafe {
            if matches!(ty, TY_I32 | TY_F32) {
                back.of.i32 as u32 as u64
            } else {
                back.of.i64 as u64
            }
        };
        assert_eq!(bits, want, "NaN payloads and signs survive");
        // The wrong kind is an error, whatever the union holds.
        // SAFETY: as above.
        assert!(unsafe { to_raw(None, &v, &[if ty == TY_I32 { TY_I64 } else { TY_I32 }]) }.is_err());
    }
    let v = val(TY_V128, ValOf { v128: [9; 16] });
    // SAFETY: member `v128` matches the kind.
    let raw = unsafe { to_raw(None, &v, &[TY_V128]) }.unwrap();
    assert_eq!(raw, ValRaw([9; 16]));
    // SAFETY: `from_raw` made a v128 value.
    assert_eq!(unsafe { from_raw(None, TY_V128, raw).of.v128 }, [9; 16]);
    let unknown = val(0x42, ValOf { i64: 0 });
    // SAFETY: `to_raw` rejects the kind before reading the union.
    assert!(unsafe { to_raw(None, &unknown, &[TY_I32]) }.is_err());
}

#[test]
fn references_are_checked() {
    let st_t = rtt(TYPE_STRUCT);
    let arr_t = rtt(TYPE_ARRAY);
    let s_obj = object(st_t);
    let a_obj = object(arr_t);
    let s = wasmc_store_new();
    let st = inner(s);
    let sr = st.root(addr(&s_obj));
    let ar = st.root(addr(&a_obj));
    let null = val(TY_ANYREF, ValOf { r: wasmc_ref_t::null() });
    let i31 = val(TY_ANYREF, ValOf { r: wasmc_ref_t { kind: REF_I31, of: RefOf { i31: -7 } } });
    let host = val(TY_EXTERNREF, ValOf { r: wasmc_ref_t { kind: REF_HOST, of: RefOf { host: 0x40 as *mut c_void } } });
    let ok = |v: &wasmc_val_t, enc: &[u8]| {
        // SAFETY: every value here is initialized as its kind says; object
        // roots name live fake objects whose runtime types outlive the test.
        unsafe { to_raw(Some(st), v, enc) }
    };
    // Abstract heap types.
    assert_eq!(ok(&null, &anyref(0x6e)).unwrap().u64(), 0);
    assert!(ok(&null, &[REF_NONNULL, 0x6e]).is_err(), "null for a non-nullable reference");
    assert!(ok(&i31, &anyref(0x6c)).is_ok());
    assert!(ok(&i31, &anyref(0x6d)).is_ok());
    assert!(ok(&i31, &anyref(0x6b)).is_err());
    assert!(ok(&obj_ref(TY_ANYREF, sr), &anyref(0x6b)).is_ok());
    assert!(ok(&obj_ref(TY_ANYREF, sr), &anyref(0x6a)).is_err());
    assert!(ok(&obj_ref(TY_ANYREF, ar), &anyref(0x6a)).is_ok());
    assert!(ok(&obj_ref(TY_ANYREF, ar), &anyref(0x6c)).is_err());
    assert!(ok(&obj_ref(TY_ANYREF, sr), &anyref(0x71)).is_err(), "none: only null");
    assert_eq!(ok(&host, &anyref(0x6f)).unwrap().u64(), crate::val::host_ref(0x40));
    // Concrete types: the same runtime type matches.
    assert_eq!(ok(&obj_ref(TY_ANYREF, sr), &concrete(st_t, false)).unwrap().u64(), addr(&s_obj));
    assert!(ok(&i31, &concrete(st_t, true)).is_err());
    // Another runtime type at the same depth: not a subtype (reads the
    // display that follows the `VMRtt`).
    assert!(ok(&obj_ref(TY_ANYREF, ar), &concrete(st_t, true)).is_err());
    assert!(ok(&null, &concrete(st_t, false)).is_err());
    // A non-canonical concrete type (no runtime type) matches nothing.
    assert!(ok(&obj_ref(TY_ANYREF, sr), &[REF_NULLABLE, HEAP_RTT, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
    // Released roots and unknown reference kinds are errors.
    assert!(st.release(sr));
    assert!(ok(&obj_ref(TY_ANYREF, sr), &anyref(0x6e)).is_err());
    let odd = val(TY_ANYREF, ValOf { r: wasmc_ref_t { kind: 9, of: RefOf { root: 0 } } });
    assert!(ok(&odd, &anyref(0x6e)).is_err());

    // Results: objects become new roots, the caller's to release.
    let v = from_raw(Some(st), TY_ANYREF, ValRaw::from_u64(addr(&a_obj)));
    // SAFETY: `from_raw` made an anyref value.
    let r = unsafe { v.of.r };
    assert_eq!(r.kind, REF_OBJECT);
    // SAFETY: kind REF_OBJECT, member `root`.
    let root = unsafe { r.of.root };
    assert_eq!(st.rooted(root), Some(addr(&a_obj)));
    // Without a store there is nothing to root an object in: null.
    // SAFETY: `from_raw` made an anyref value.
    assert_eq!(unsafe { from_raw(None, TY_ANYREF, ValRaw::from_u64(addr(&a_obj))).of.r.kind }, REF_NULL);
    // SAFETY: `s` is live; `root` and `ar` are its roots.
    unsafe {
        assert!(wasmc_root_release(s, root));
        assert!(wasmc_root_release(s, ar));
        assert_eq!(wasmc_store_root_count(s), 0);
        wasmc_store_delete(s);
    }
}

#[test]
fn funcref_values_are_checked() {
    let f_t = rtt(TYPE_FUNC);
    let f = wasmc_abi::VMFuncRef { wasm_call: 0, array_call: 0, type_id: rtt_addr(f_t), vmctx: 0 };
    let fv = val(TY_FUNCREF, ValOf { func: &f });
    let nullf = val(TY_FUNCREF, ValOf { func: null() });
    // SAFETY: funcrefs are NULL or point to the live `f` above.
    unsafe {
        assert_eq!(to_raw(None, &fv, &anyref(0x70)).unwrap().u64(), &f as *const _ as u64);
        assert_eq!(to_raw(None, &fv, &concrete(f_t, false)).unwrap().u64(), &f as *const _ as u64);
        assert!(to_raw(None, &nullf, &concrete(f_t, true)).is_ok());
        assert!(to_raw(None, &nullf, &concrete(f_t, false)).is_err());
        assert!(to_raw(None, &nullf, &anyref(0x73)).is_ok(), "nofunc: null only");
        assert!(to_raw(None, &fv, &anyref(0x73)).is_err());
        assert!(to_raw(None, &fv, &anyref(0x6e)).is_err(), "a funcref is not an anyref");
    }
    let back = from_raw(None, TY_FUNCREF, ValRaw::from_u64(&f as *const _ as u64));
    // SAFETY: `from_raw` made a funcref value.
    assert_eq!(unsafe { back.of.func }, &f as *const _);
}
