//! CLIF for each SIMD operation of the table. Cranelift's vector
//! instructions already have wasm's semantics for lane order, NaN
//! propagation (`fmin`/`fmax`), saturation and out-of-range swizzle
//! indices; the few wasm operations Cranelift lacks are composed here from
//! the patterns its backends recognise (widen + multiply for `extmul`,
//! widen + pairwise add for `extadd_pairwise` and `dot`, convert + narrow
//! against zero for the `_zero` conversions), so they still become one or
//! two machine instructions.

use super::table::{Binary, Shift, Simd, Ternary, Unary};
use crate::func::FuncTranslator;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::types::{F32X4, F64X2, I16, I16X8, I32, I32X4, I64X2, I8, I8X16};
use cranelift_codegen::ir::{InstBuilder, Type, Value};

impl FuncTranslator<'_, '_> {
    pub(super) fn lower_simd(&mut self, op: Simd) {
        match op {
            Simd::Splat(ty) => {
                let x = self.pop();
                let x = self.narrow_scalar(ty, x);
                let v = self.b.ins().splat(ty, x);
                self.push_v128(v);
            }
            Simd::ExtractLane(ty, lane, extend) => {
                let v = self.pop_lanes(ty);
                let x = self.b.ins().extractlane(v, lane);
                let x = match extend {
                    Some(true) => self.b.ins().sextend(I32, x),
                    Some(false) => self.b.ins().uextend(I32, x),
                    None => x,
                };
                self.push(x);
            }
            Simd::ReplaceLane(ty, lane) => {
                let x = self.pop();
                let x = self.narrow_scalar(ty, x);
                let v = self.pop_lanes(ty);
                let r = self.b.ins().insertlane(v, x, lane);
                self.push_v128(r);
            }
            Simd::Unary(ty, op) => {
                let x = self.pop_lanes(ty);
                let r = self.simd_unary(ty, op, x);
                self.push_v128(r);
            }
            Simd::Binary(ty, op) => {
                let y = self.pop_lanes(ty);
                let x = self.pop_lanes(ty);
                let r = self.simd_binary(ty, op, x, y);
                self.push_v128(r);
            }
            Simd::Ternary(ty, op) => {
                let c_ty = if let Ternary::DotI8Add = op { I32X4 } else { ty };
                let c = self.pop_lanes(c_ty);
                let y = self.pop_lanes(ty);
                let x = self.pop_lanes(ty);
                let ins = self.b.ins();
                let r = match op {
                    Ternary::Bitselect => ins.bitselect(c, x, y),
                    Ternary::MulAdd => {
                        let p = ins.fmul(x, y);
                        let r = self.b.ins().fadd(p, c);
                        self.canonical_nan(ty, r)
                    }
                    Ternary::NegMulAdd => {
                        let p = ins.fmul(x, y);
                        let r = self.b.ins().fsub(c, p);
                        self.canonical_nan(ty, r)
                    }
                    Ternary::DotI8Add => {
                        let d = self.dot_i8(x, y);
                        let d = self.pairwise_add(d, true);
                        self.b.ins().iadd(d, c)
                    }
                };
                self.push_v128(r);
            }
            Simd::Shift(ty, op) => {
                // Cranelift takes vector shift amounts modulo the lane width,
                // as wasm does.
                let n = self.pop();
                let v = self.pop_lanes(ty);
                let ins = self.b.ins();
                let r = match op {
                    Shift::Left => ins.ishl(v, n),
                    Shift::RightSigned => ins.sshr(v, n),
                    Shift::RightUnsigned => ins.ushr(v, n),
                };
                self.push_v128(r);
            }
            Simd::IntCmp(ty, cc) => {
                let y = self.pop_lanes(ty);
                let x = self.pop_lanes(ty);
                let r = self.b.ins().icmp(cc, x, y);
                self.push_v128(r);
            }
            Simd::FloatCmp(ty, cc) => {
                let y = self.pop_lanes(ty);
                let x = self.pop_lanes(ty);
                let r = self.b.ins().fcmp(cc, x, y);
                self.push_v128(r);
            }
            Simd::AnyTrue => {
                let v = self.pop_lanes(I8X16);
                let c = self.b.ins().vany_true(v);
                let r = self.bool_to_i32(c);
                self.push(r);
            }
            Simd::AllTrue(ty) => {
                let v = self.pop_lanes(ty);
                let c = self.b.ins().vall_true(v);
                let r = self.bool_to_i32(c);
                self.push(r);
            }
            Simd::Bitmask(ty) => {
                let v = self.pop_lanes(ty);
                let r = self.b.ins().vhigh_bits(I32, v);
                self.push(r);
            }
        }
    }

    /// An i32 operand of `splat`/`replace_lane` on i8 or i16 lanes, reduced
    /// to the lane type.
    fn narrow_scalar(&mut self, ty: Type, x: Value) -> Value {
        match ty.lane_type() {
            t @ (I8 | I16) => self.b.ins().ireduce(t, x),
            _ => x,
        }
    }

    fn simd_unary(&mut self, ty: Type, op: Unary, x: Value) -> Value {
        let ins = self.b.ins();
        match op {
            Unary::Not => ins.bnot(x),
            Unary::Abs => ins.iabs(x),
            Unary::Neg => ins.ineg(x),
            Unary::Popcnt => ins.popcnt(x),
            Unary::FloatAbs => ins.fabs(x),
            Unary::FloatNeg => ins.fneg(x),
            Unary::Sqrt => ins.sqrt(x),
            Unary::Ceil => ins.ceil(x),
            Unary::Floor => ins.floor(x),
            Unary::Trunc => ins.trunc(x),
            Unary::Nearest => ins.nearest(x),
            Unary::ExtAddPairwise { signed } => self.pairwise_add(x, signed),
            Unary::Extend { signed, high } => self.widen(x, signed, high),
            Unary::TruncSat { signed: true } => ins.fcvt_to_sint_sat(I32X4, x),
            Unary::TruncSat { signed: false } => ins.fcvt_to_uint_sat(I32X4, x),
            Unary::Convert { signed: true } => ins.fcvt_from_sint(F32X4, x),
            Unary::Convert { signed: false } => ins.fcvt_from_uint(F32X4, x),
            Unary::TruncSatZero { signed } => {
                let zero = self.v128_const(I64X2, 0);
                if signed {
                    let w = self.b.ins().fcvt_to_sint_sat(I64X2, x);
                    self.b.ins().snarrow(w, zero)
                } else {
                    let w = self.b.ins().fcvt_to_uint_sat(I64X2, x);
                    self.b.ins().uunarrow(w, zero)
                }
            }
            Unary::ConvertLow { signed } => {
                let w = self.widen(x, signed, false);
                if signed {
                    self.b.ins().fcvt_from_sint(F64X2, w)
                } else {
                    self.b.ins().fcvt_from_uint(F64X2, w)
                }
            }
            Unary::Demote => ins.fvdemote(x),
            Unary::Promote => {
                debug_assert_eq!(ty, F32X4);
                ins.fvpromote_low(x)
            }
        }
    }

    fn simd_binary(&mut self, ty: Type, op: Binary, x: Value, y: Value) -> Value {
        let ins = self.b.ins();
        match op {
            Binary::And => ins.band(x, y),
            Binary::AndNot => ins.band_not(x, y),
            Binary::Or => ins.bor(x, y),
            Binary::Xor => ins.bxor(x, y),
            Binary::Add => ins.iadd(x, y),
            Binary::Sub => ins.isub(x, y),
            Binary::Mul => ins.imul(x, y),
            Binary::AddSat { signed: true } => ins.sadd_sat(x, y),
            Binary::AddSat { signed: false } => ins.uadd_sat(x, y),
            Binary::SubSat { signed: true } => ins.ssub_sat(x, y),
            Binary::SubSat { signed: false } => ins.usub_sat(x, y),
            Binary::Min { signed: true } => ins.smin(x, y),
            Binary::Min { signed: false } => ins.umin(x, y),
            Binary::Max { signed: true } => ins.smax(x, y),
            Binary::Max { signed: false } => ins.umax(x, y),
            Binary::AvgrU => ins.avg_round(x, y),
            Binary::Narrow { signed: true } => ins.snarrow(x, y),
            Binary::Narrow { signed: false } => ins.unarrow(x, y),
            Binary::ExtMul { signed, high } => {
                let a = self.widen(x, signed, high);
                let b = self.widen(y, signed, high);
                self.b.ins().imul(a, b)
            }
            Binary::Q15MulrSat => ins.sqmul_round_sat(x, y),
            Binary::Dot => {
                debug_assert_eq!(ty, I16X8);
                let lo = self.extmul(x, y, false);
                let hi = self.extmul(x, y, true);
                self.b.ins().iadd_pairwise(lo, hi)
            }
            Binary::DotI8 => self.dot_i8(x, y),
            Binary::FloatAdd => ins.fadd(x, y),
            Binary::FloatSub => ins.fsub(x, y),
            Binary::FloatMul => ins.fmul(x, y),
            Binary::FloatDiv => ins.fdiv(x, y),
            Binary::FloatMin => ins.fmin(x, y),
            Binary::FloatMax => ins.fmax(x, y),
            Binary::RelaxedMin => {
                let r = ins.fmin(x, y);
                self.canonical_nan(ty, r)
            }
            Binary::RelaxedMax => {
                let r = ins.fmax(x, y);
                self.canonical_nan(ty, r)
            }
            Binary::PMin => {
                // `y < x ? y : x`: a NaN operand or equal zeros give `x`.
                let m = ins.fcmp(FloatCC::LessThan, y, x);
                let m = self.bitcast_lanes(ty, m);
                self.b.ins().bitselect(m, y, x)
            }
            Binary::PMax => {
                let m = ins.fcmp(FloatCC::LessThan, x, y);
                let m = self.bitcast_lanes(ty, m);
                self.b.ins().bitselect(m, y, x)
            }
            Binary::Swizzle => ins.swizzle(x, y),
        }
    }

    /// `r` with every NaN lane replaced by the positive canonical NaN, as the
    /// deterministic profile prescribes for the relaxed operations (x86's
    /// min/max and default NaN are negative, aarch64's and riscv64's
    /// positive). Plain `min`/`max` and arithmetic keep the hardware's NaN,
    /// which wasm allows: the same-bits promise is relaxed SIMD's.
    fn canonical_nan(&mut self, ty: Type, r: Value) -> Value {
        let nan = if ty == F32X4 {
            0x7fc0_0000u128 * 0x0000_0001_0000_0001_0000_0001_0000_0001
        } else {
            0x7ff8_0000_0000_0000u128 * 0x1_0000_0000_0000_0001
        };
        let nan = self.v128_const(ty, nan);
        let is_nan = self.b.ins().fcmp(FloatCC::Unordered, r, r);
        let is_nan = self.bitcast_lanes(ty, is_nan);
        self.b.ins().bitselect(is_nan, nan, r)
    }

    /// The low or high half of `x`, each lane extended to twice its width.
    fn widen(&mut self, x: Value, signed: bool, high: bool) -> Value {
        let ins = self.b.ins();
        match (signed, high) {
            (true, false) => ins.swiden_low(x),
            (true, true) => ins.swiden_high(x),
            (false, false) => ins.uwiden_low(x),
            (false, true) => ins.uwiden_high(x),
        }
    }

    /// Signed products of the widened low or high halves.
    fn extmul(&mut self, x: Value, y: Value, high: bool) -> Value {
        let a = self.widen(x, true, high);
        let b = self.widen(y, true, high);
        self.b.ins().imul(a, b)
    }

    /// Sums of adjacent lanes, in lanes twice as wide.
    fn pairwise_add(&mut self, x: Value, signed: bool) -> Value {
        let lo = self.widen(x, signed, false);
        let hi = self.widen(x, signed, true);
        self.b.ins().iadd_pairwise(lo, hi)
    }

    /// i8x16 x i8x16 -> i16x8: `sat(a[2i]*b[2i] + a[2i+1]*b[2i+1])`, both
    /// operands signed. Each product fits in i16; only their sum saturates.
    fn dot_i8(&mut self, x: Value, y: Value) -> Value {
        let lo = self.extmul(x, y, false);
        let hi = self.extmul(x, y, true);
        // Even and odd i16 lanes of the 16 products, as byte shuffles.
        let lo8 = self.bitcast_lanes(I8X16, lo);
        let hi8 = self.bitcast_lanes(I8X16, hi);
        let pick = |odd: usize| -> [u8; 16] { std::array::from_fn(|byte| ((byte / 2) * 4 + odd * 2 + byte % 2) as u8) };
        let even = self.shuffle(lo8, hi8, pick(0));
        let odd = self.shuffle(lo8, hi8, pick(1));
        let even = self.bitcast_lanes(I16X8, even);
        let odd = self.bitcast_lanes(I16X8, odd);
        self.b.ins().sadd_sat(even, odd)
    }
}
