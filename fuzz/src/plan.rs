//! Which exports to call, with which arguments, and which state to report
//! afterwards: chosen from the module's exports and the input's seed.

use crate::generate::Rng;
use crate::outcome::{Call, Plan, StateItem, Ty, Value};
use wasmparser::{ExternalKind, Payload, ValType, Validator, WasmFeatures};

/// Calls per module at most: each export is called twice while that fits.
const MAX_CALLS: usize = 40;

fn numeric(t: &ValType) -> Option<Ty> {
    Some(match t {
        ValType::I32 => Ty::I32,
        ValType::I64 => Ty::I64,
        ValType::F32 => Ty::F32,
        ValType::F64 => Ty::F64,
        // v128 and references do not cross the oracle's Python API; code
        // that uses them runs inside the calls all the same.
        _ => return None,
    })
}

/// An argument: edge cases often, otherwise random bits. Floats are never
/// NaNs other than the canonical ones, which keep their bits through the
/// oracle's doubles.
fn argument(rng: &mut Rng, ty: Ty) -> Value {
    let pick = |rng: &mut Rng, edges: &[u64]| {
        if rng.below(3) == 0 {
            rng.next()
        } else {
            edges[rng.below(edges.len() as u64) as usize]
        }
    };
    let bits = match ty {
        Ty::I32 => pick(rng, &[0, 1, 2, 0xffff_ffff, 0x8000_0000, 0x7fff_ffff, 0x10000, 0xfffe]) & 0xffff_ffff,
        Ty::I64 => pick(rng, &[0, 1, 2, u64::MAX, 1 << 63, (1 << 63) - 1, 1 << 32, 0xffff_ffff]),
        Ty::F32 => {
            let b =
                pick(rng, &[0, 0x8000_0000, 0x3f80_0000, 0x7f80_0000, 0xff80_0000, 0x7fc0_0000, 0x4f00_0000, 1]) as u32;
            if f32::from_bits(b).is_nan() {
                0x7fc0_0000
            } else {
                b as u64
            }
        }
        Ty::F64 => {
            let b = pick(rng, &[0, 1 << 63, 0x3ff0 << 48, 0x7ff0 << 48, 0xfff0 << 48, 0x7ff8 << 48, 0x41e0 << 48, 1]);
            if f64::from_bits(b).is_nan() {
                0x7ff8 << 48
            } else {
                b
            }
        }
    };
    Value { ty, bits }
}

/// The plan for `wasm`, or `None` when it does not validate (the engines'
/// verdicts on it are compared without calls).
pub fn plan(wasm: &[u8], rng: &mut Rng) -> Option<Plan> {
    let types = Validator::new_with_features(WasmFeatures::all()).validate_all(wasm).ok()?;
    let types = types.as_ref();
    let mut plan = Plan::default();
    let mut funcs = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let Ok(Payload::ExportSection(section)) = payload else { continue };
        for export in section.into_iter().flatten() {
            match export.kind {
                ExternalKind::Func => {
                    let id = types.core_function_at(export.index);
                    let wasmparser::CompositeInnerType::Func(f) = &types[id].composite_type.inner else { continue };
                    let params: Option<Vec<Ty>> = f.params().iter().map(numeric).collect();
                    let results: Option<Vec<Ty>> = f.results().iter().map(numeric).collect();
                    if let (Some(p), Some(r)) = (params, results) {
                        funcs.push((export.name.to_string(), p, r));
                    }
                }
                ExternalKind::Memory => plan.state.push(StateItem::Memory(export.name.to_string())),
                ExternalKind::Global if numeric(&types.global_at(export.index).content_type).is_some() => {
                    plan.state.push(StateItem::Global(export.name.to_string()))
                }
                _ => {}
            }
        }
    }
    for _round in 0..2 {
        for (name, params, results) in &funcs {
            if plan.calls.len() < MAX_CALLS {
                let args = params.iter().map(|t| argument(rng, *t)).collect();
                plan.calls.push(Call { export: name.clone(), results: results.clone(), args });
            }
        }
    }
    Some(plan)
}
