//! Script values: turning `(i32.const 1)` arguments into runtime values and
//! checking results against expected patterns (NaN classes, `either`,
//! references). A script's `(ref.extern N)` and `(ref.host N)` are host
//! values, tagged as the runtime defines (`wasmc_rt::host_ref`).

use crate::v128::{self, Shape};
use wasmc_abi::descriptor::{TY_ANYREF, TY_EXTERNREF, TY_FUNCREF};
use wasmc_rt::host_ref;
use wasmc_rt::Val;

/// What a reference result of an invocation is (see `wasmc_rt::ref_kind`).
#[allow(unsafe_code)]
fn ref_kind(r: u64) -> Option<&'static str> {
    // SAFETY: `r` is a result word just returned by a wasm function of the
    // script's store (null, i31, host value or a live GC object), read
    // before anything else runs in that store, so nothing collected or
    // moved it.
    unsafe { wasmc_rt::ref_kind(r) }
}
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};

/// Converts an argument; `ty` is the parameter's type code when known
/// (it decides the type of a `ref.null`).
pub fn arg(a: &WastArg<'_>, ty: Option<u8>) -> Result<Val, String> {
    let core = match a {
        WastArg::Core(c) => c,
        _ => return Err("component-model argument in a core script".into()),
    };
    Ok(match core {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(h) => match ty {
            Some(TY_FUNCREF) => Val::FuncRef(0),
            Some(TY_EXTERNREF) => Val::ExternRef(0),
            Some(TY_ANYREF) => Val::AnyRef(0),
            _ => match heap_family(h) {
                Family::Func => Val::FuncRef(0),
                Family::Extern => Val::ExternRef(0),
                Family::Any => Val::AnyRef(0),
            },
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(host_ref(*n as u64)),
        WastArgCore::RefHost(n) => match ty {
            Some(TY_EXTERNREF) => Val::ExternRef(host_ref(*n as u64)),
            _ => Val::AnyRef(host_ref(*n as u64)),
        },
    })
}

#[derive(PartialEq, Eq, Clone, Copy, Debug)]
enum Family {
    Func,
    Extern,
    Any,
}

fn heap_family(h: &HeapType<'_>) -> Family {
    match h {
        HeapType::Abstract { ty: AbstractHeapType::Func | AbstractHeapType::NoFunc, .. } => Family::Func,
        HeapType::Abstract { ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern, .. } => Family::Extern,
        // Concrete types: a null of one is a null all the same.
        _ => Family::Any,
    }
}

/// Checks `actual` against the expected results; `Err` describes the
/// mismatch.
pub fn check_results(actual: &[Val], expected: &[WastRet<'_>]) -> Result<(), String> {
    if actual.len() != expected.len() {
        return Err(format!("expected {} results, got {}: {}", expected.len(), actual.len(), format_vals(actual)));
    }
    for (i, (v, e)) in actual.iter().zip(expected).enumerate() {
        let e = match e {
            WastRet::Core(c) => c,
            _ => return Err("component-model result in a core script".into()),
        };
        match matches(v, e) {
            Ok(true) => {}
            Ok(false) => {
                return Err(format!("result {i}: expected {}, got {}", format_ret(e), format_actual(v, e)));
            }
            Err(why) => return Err(format!("result {i}: {why}")),
        }
    }
    Ok(())
}

/// Whether `v` matches `e`; `Err` when the pattern cannot be checked.
fn matches(v: &Val, e: &WastRetCore<'_>) -> Result<bool, String> {
    Ok(match (e, v) {
        (WastRetCore::I32(x), Val::I32(y)) => x == y,
        (WastRetCore::I64(x), Val::I64(y)) => x == y,
        (WastRetCore::F32(p), Val::F32(bits)) => f32_matches(p, *bits),
        (WastRetCore::F64(p), Val::F64(bits)) => f64_matches(p, *bits),
        (WastRetCore::V128(p), Val::V128(bits)) => v128_matches(p, *bits),
        (WastRetCore::RefNull(h), Val::FuncRef(r)) => {
            *r == 0 && h.as_ref().is_none_or(|h| matches!(heap_family(h), Family::Func | Family::Any))
        }
        (WastRetCore::RefNull(h), Val::ExternRef(r)) => {
            *r == 0 && h.as_ref().is_none_or(|h| heap_family(h) == Family::Extern)
        }
        (WastRetCore::RefNull(h), Val::AnyRef(r)) => {
            *r == 0 && h.as_ref().is_none_or(|h| heap_family(h) == Family::Any)
        }
        (WastRetCore::RefExtern(None), Val::ExternRef(r)) => *r != 0,
        (WastRetCore::RefExtern(Some(n)), Val::ExternRef(r)) => *r == host_ref(*n as u64),
        (WastRetCore::RefHost(n), Val::ExternRef(r) | Val::AnyRef(r)) => *r == host_ref(*n as u64),
        (WastRetCore::RefAny, Val::AnyRef(r) | Val::ExternRef(r)) => *r != 0,
        (WastRetCore::RefEq, Val::AnyRef(r)) => matches!(ref_kind(*r), Some("i31" | "struct" | "array")),
        (WastRetCore::RefI31, Val::AnyRef(r)) => ref_kind(*r) == Some("i31"),
        (WastRetCore::RefStruct, Val::AnyRef(r)) => ref_kind(*r) == Some("struct"),
        (WastRetCore::RefArray, Val::AnyRef(r)) => ref_kind(*r) == Some("array"),
        // A function reference's identity cannot be named from the script;
        // any non-null funcref matches.
        (WastRetCore::RefFunc(_), Val::FuncRef(r)) => *r != 0,
        (WastRetCore::Either(alts), v) => {
            for alt in alts {
                if matches(v, alt)? {
                    return Ok(true);
                }
            }
            false
        }
        (WastRetCore::RefI31Shared, _) => return Err(format!("cannot check a result against {}", format_ret(e))),
        _ => false,
    })
}

fn f32_matches(p: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn f64_matches(p: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    const CANON: u64 = 0x7ff8_0000_0000_0000;
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == CANON,
        NanPattern::ArithmeticNan => bits & CANON == CANON,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn v128_matches(p: &V128Pattern, bits: u128) -> bool {
    let b = bits.to_le_bytes();
    let lane = |i: usize, n: usize| -> u64 {
        let mut v = [0u8; 8];
        v[..n].copy_from_slice(&b[i * n..i * n + n]);
        u64::from_le_bytes(v)
    };
    match p {
        V128Pattern::I8x16(l) => l.iter().enumerate().all(|(i, x)| lane(i, 1) == *x as u8 as u64),
        V128Pattern::I16x8(l) => l.iter().enumerate().all(|(i, x)| lane(i, 2) == *x as u16 as u64),
        V128Pattern::I32x4(l) => l.iter().enumerate().all(|(i, x)| lane(i, 4) == *x as u32 as u64),
        V128Pattern::I64x2(l) => l.iter().enumerate().all(|(i, x)| lane(i, 8) == *x as u64),
        V128Pattern::F32x4(l) => l.iter().enumerate().all(|(i, x)| f32_matches(x, lane(i, 4) as u32)),
        V128Pattern::F64x2(l) => l.iter().enumerate().all(|(i, x)| f64_matches(x, lane(i, 8))),
    }
}

pub fn format_val(v: &Val) -> String {
    match v {
        Val::I32(x) => format!("i32:{x} (0x{:08x})", *x as u32),
        Val::I64(x) => format!("i64:{x} (0x{:016x})", *x as u64),
        Val::F32(b) => format!("f32:{:?} (0x{b:08x})", f32::from_bits(*b)),
        Val::F64(b) => format!("f64:{:?} (0x{b:016x})", f64::from_bits(*b)),
        Val::V128(b) => format!("v128:{}", v128::format(*b, Shape::I32x4)),
        Val::FuncRef(0) => "ref.null func".into(),
        Val::FuncRef(r) => format!("ref.func (0x{r:x})"),
        Val::ExternRef(0) => "ref.null extern".into(),
        Val::ExternRef(r) => match wasmc_rt::host_value(*r) {
            Some(n) => format!("ref.extern {n}"),
            None => format!("ref.extern (0x{r:x}, {})", ref_kind(*r).unwrap_or("?")),
        },
        Val::AnyRef(0) => "ref.null any".into(),
        Val::AnyRef(r) => format!("ref.any (0x{r:x}, {})", ref_kind(*r).unwrap_or("?")),
    }
}

pub fn format_vals(vs: &[Val]) -> String {
    if vs.is_empty() {
        return "nothing".into();
    }
    vs.iter().map(format_val).collect::<Vec<_>>().join(", ")
}

fn format_nan<T: Copy>(p: &NanPattern<T>, f: impl Fn(T) -> String) -> String {
    match p {
        NanPattern::CanonicalNan => "nan:canonical".into(),
        NanPattern::ArithmeticNan => "nan:arithmetic".into(),
        NanPattern::Value(v) => f(*v),
    }
}

fn format_ret(e: &WastRetCore<'_>) -> String {
    match e {
        WastRetCore::I32(x) => format_val(&Val::I32(*x)),
        WastRetCore::I64(x) => format_val(&Val::I64(*x)),
        WastRetCore::F32(p) => {
            format!("f32:{}", format_nan(p, |v| format!("{:?} (0x{:08x})", f32::from_bits(v.bits), v.bits)))
        }
        WastRetCore::F64(p) => {
            format!("f64:{}", format_nan(p, |v| format!("{:?} (0x{:016x})", f64::from_bits(v.bits), v.bits)))
        }
        WastRetCore::Either(alts) => {
            format!("either({})", alts.iter().map(format_ret).collect::<Vec<_>>().join(" | "))
        }
        WastRetCore::V128(p) => format!("v128:{}", format_v128_pattern(p)),
        WastRetCore::RefNull(_) => "ref.null".into(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefExtern(None) => "ref.extern".into(),
        WastRetCore::RefFunc(_) => "ref.func".into(),
        other => format!("{other:?}"),
    }
}

/// A mismatching result, a v128 in the shape of the expected one.
fn format_actual(v: &Val, e: &WastRetCore<'_>) -> String {
    match (v, e) {
        (Val::V128(b), WastRetCore::V128(p)) => format!("v128:{}", v128::format(*b, pattern_shape(p))),
        _ => format_val(v),
    }
}

fn pattern_shape(p: &V128Pattern) -> Shape {
    match p {
        V128Pattern::I8x16(_) => Shape::I8x16,
        V128Pattern::I16x8(_) => Shape::I16x8,
        V128Pattern::I32x4(_) => Shape::I32x4,
        V128Pattern::I64x2(_) => Shape::I64x2,
        V128Pattern::F32x4(_) => Shape::F32x4,
        V128Pattern::F64x2(_) => Shape::F64x2,
    }
}

/// `i32x4 0x00000001 ...`, float lanes with their NaN classes.
fn format_v128_pattern(p: &V128Pattern) -> String {
    let shape = pattern_shape(p);
    let float = |p: &NanPattern<u64>| format_nan(p, |b| v128::format_float(b, shape));
    let lanes: Vec<String> = match p {
        V128Pattern::F32x4(l) => l.iter().map(|x| float(&nan_bits(x, |v| v.bits as u64))).collect(),
        V128Pattern::F64x2(l) => l.iter().map(|x| float(&nan_bits(x, |v| v.bits))).collect(),
        _ => {
            let mut bits = 0u128;
            let n = shape.lane_bytes() * 8;
            let mut put = |i: usize, v: u128| bits |= (v & ((1u128 << n) - 1)) << (i * n);
            match p {
                V128Pattern::I8x16(l) => l.iter().enumerate().for_each(|(i, x)| put(i, *x as u8 as u128)),
                V128Pattern::I16x8(l) => l.iter().enumerate().for_each(|(i, x)| put(i, *x as u16 as u128)),
                V128Pattern::I32x4(l) => l.iter().enumerate().for_each(|(i, x)| put(i, *x as u32 as u128)),
                V128Pattern::I64x2(l) => l.iter().enumerate().for_each(|(i, x)| put(i, *x as u64 as u128)),
                _ => {}
            }
            return v128::format(bits, shape);
        }
    };
    format!("{} {}", shape.name(), lanes.join(" "))
}

fn nan_bits<T: Copy>(p: &NanPattern<T>, bits: impl Fn(T) -> u64) -> NanPattern<u64> {
    match p {
        NanPattern::CanonicalNan => NanPattern::CanonicalNan,
        NanPattern::ArithmeticNan => NanPattern::ArithmeticNan,
        NanPattern::Value(v) => NanPattern::Value(bits(*v)),
    }
}

/// Whether a trap message satisfies an assertion's expected text: ours
/// contains it, or ours is a prefix of it ("uninitialized element" for
/// "uninitialized element 2").
pub fn trap_message_matches(actual: &str, expected: &str) -> bool {
    actual.contains(expected) || (!actual.is_empty() && expected.starts_with(actual))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_classes() {
        assert!(f32_matches(&NanPattern::CanonicalNan, 0x7fc0_0000));
        assert!(f32_matches(&NanPattern::CanonicalNan, 0xffc0_0000));
        assert!(!f32_matches(&NanPattern::CanonicalNan, 0x7fc0_0001));
        assert!(f32_matches(&NanPattern::ArithmeticNan, 0x7fc0_0001));
        assert!(!f32_matches(&NanPattern::ArithmeticNan, 0x7f80_0001));
        assert!(f64_matches(&NanPattern::CanonicalNan, 0xfff8_0000_0000_0000));
        assert!(f64_matches(&NanPattern::ArithmeticNan, 0x7ff8_0000_0000_0001));
        assert!(!f64_matches(&NanPattern::ArithmeticNan, 0x7ff0_0000_0000_0001));
    }

    #[test]
    fn v128_mismatches_print_lanes_in_the_expected_shape() {
        let wat = "(assert_return (invoke \"f\") (v128.const i16x8 -1 2 3 4 5 6 7 8))\n\
                   (assert_return (invoke \"f\") (v128.const f32x4 1.5 nan:canonical -inf 0))";
        let buf = wast::parser::ParseBuffer::new(wat).unwrap();
        let script: wast::Wast<'_> = wast::parser::parse(&buf).unwrap();
        let mut messages = Vec::new();
        for d in script.directives {
            if let wast::WastDirective::AssertReturn { results, .. } = d {
                messages.push(check_results(&[Val::V128(1)], &results).unwrap_err());
            }
        }
        assert_eq!(
            messages,
            [
                "result 0: expected v128:i16x8 0xffff 0x0002 0x0003 0x0004 0x0005 0x0006 0x0007 0x0008, \
                 got v128:i16x8 0x0001 0x0000 0x0000 0x0000 0x0000 0x0000 0x0000 0x0000",
                "result 0: expected v128:f32x4 1.5 nan:canonical -inf 0.0, got v128:f32x4 1e-45 0.0 0.0 0.0",
            ]
        );
    }

    #[test]
    fn trap_messages() {
        assert!(trap_message_matches("uninitialized element", "uninitialized element 2"));
        assert!(trap_message_matches("uninitialized element 2", "uninitialized element"));
        assert!(!trap_message_matches("unreachable", "integer overflow"));
        assert!(!trap_message_matches("", "integer overflow"));
    }
}
