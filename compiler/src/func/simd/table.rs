//! The table of SIMD operators: each wasm operator becomes a [`Simd`]
//! descriptor (its lane type and the operation), which `lower.rs` turns into
//! CLIF. Operators that differ only in lane type, signedness or half share
//! one operation, so each lowering is written once.
//!
//! Relaxed SIMD operators map to their deterministic-profile meaning (see
//! the spec's "Relaxed Operations"): the same result on every target.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F32X4, F64X2, I16X8, I32X4, I64X2, I8X16};
use cranelift_codegen::ir::Type;
use wasmparser::Operator;

/// One SIMD operator. The type is the lane interpretation of the (first)
/// operand; the result's is implied by the operation.
#[derive(Clone, Copy, Debug)]
pub(super) enum Simd {
    Splat(Type),
    /// Lane to scalar; narrow integer lanes are extended to i32
    /// (`Some(signed)`).
    ExtractLane(Type, u8, Option<bool>),
    ReplaceLane(Type, u8),
    Unary(Type, Unary),
    Binary(Type, Binary),
    Ternary(Type, Ternary),
    /// Shift by a scalar i32, taken modulo the lane width.
    Shift(Type, Shift),
    IntCmp(Type, IntCC),
    FloatCmp(Type, FloatCC),
    /// Reductions to an i32: any lane non-zero, all lanes non-zero, the
    /// lanes' sign bits.
    AnyTrue,
    AllTrue(Type),
    Bitmask(Type),
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Unary {
    Not,
    Abs,
    Neg,
    Popcnt,
    FloatAbs,
    FloatNeg,
    Sqrt,
    Ceil,
    Floor,
    Trunc,
    Nearest,
    /// Adjacent lanes added into lanes twice as wide.
    ExtAddPairwise {
        signed: bool,
    },
    /// Low or high half widened to lanes twice as wide.
    Extend {
        signed: bool,
        high: bool,
    },
    /// f32x4 -> i32x4, saturating, NaN to 0.
    TruncSat {
        signed: bool,
    },
    /// i32x4 -> f32x4.
    Convert {
        signed: bool,
    },
    /// f64x2 -> the low half of an i32x4, saturating; high half zero.
    TruncSatZero {
        signed: bool,
    },
    /// The low half of an i32x4 -> f64x2.
    ConvertLow {
        signed: bool,
    },
    /// f64x2 -> the low half of an f32x4; high half zero.
    Demote,
    /// The low half of an f32x4 -> f64x2.
    Promote,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Binary {
    And,
    AndNot,
    Or,
    Xor,
    Add,
    Sub,
    Mul,
    AddSat {
        signed: bool,
    },
    SubSat {
        signed: bool,
    },
    Min {
        signed: bool,
    },
    Max {
        signed: bool,
    },
    AvgrU,
    /// Two vectors narrowed into one with lanes half as wide, saturating.
    Narrow {
        signed: bool,
    },
    /// Products of the widened low or high halves.
    ExtMul {
        signed: bool,
        high: bool,
    },
    Q15MulrSat,
    /// i16x8 -> i32x4: sums of adjacent products.
    Dot,
    /// i8x16 -> i16x8: sums of adjacent signed products, saturating (the
    /// deterministic `relaxed_dot_i8x16_i7x16_s`).
    DotI8,
    FloatAdd,
    FloatSub,
    FloatMul,
    FloatDiv,
    FloatMin,
    FloatMax,
    /// `FloatMin`/`FloatMax` with NaN results made the positive canonical
    /// NaN (the deterministic `relaxed_min`/`relaxed_max`: x86 and the
    /// other targets would give NaNs of different signs).
    RelaxedMin,
    RelaxedMax,
    /// Pseudo-minimum `b < a ? b : a` and pseudo-maximum `a < b ? b : a`.
    PMin,
    PMax,
    /// Lanes of the first operand picked by the second; indices >= 16 give 0.
    Swizzle,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Ternary {
    /// Bits of the first operand where the third has ones, else the second's.
    Bitselect,
    /// `a * b + c` rounded twice, NaN results canonical (the deterministic
    /// `relaxed_madd`).
    MulAdd,
    /// `-(a * b) + c` rounded twice, NaN results canonical.
    NegMulAdd,
    /// `DotI8` of the first two, widened pairwise and added to the third
    /// (an i32x4).
    DotI8Add,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Shift {
    Left,
    RightSigned,
    RightUnsigned,
}

/// The descriptor of a SIMD operator that is not a memory access, a
/// constant or a shuffle (those carry immediates: see `mod.rs`).
pub(super) fn describe(op: &Operator<'_>) -> Option<Simd> {
    use self::Binary as B;
    use self::Unary as U;
    use FloatCC as F;
    use IntCC as I;
    use Operator as O;
    use Simd::*;
    let s = true;
    let u = false;
    Some(match *op {
        O::I8x16Splat => Splat(I8X16),
        O::I16x8Splat => Splat(I16X8),
        O::I32x4Splat => Splat(I32X4),
        O::I64x2Splat => Splat(I64X2),
        O::F32x4Splat => Splat(F32X4),
        O::F64x2Splat => Splat(F64X2),

        O::I8x16ExtractLaneS { lane } => ExtractLane(I8X16, lane, Some(s)),
        O::I8x16ExtractLaneU { lane } => ExtractLane(I8X16, lane, Some(u)),
        O::I16x8ExtractLaneS { lane } => ExtractLane(I16X8, lane, Some(s)),
        O::I16x8ExtractLaneU { lane } => ExtractLane(I16X8, lane, Some(u)),
        O::I32x4ExtractLane { lane } => ExtractLane(I32X4, lane, None),
        O::I64x2ExtractLane { lane } => ExtractLane(I64X2, lane, None),
        O::F32x4ExtractLane { lane } => ExtractLane(F32X4, lane, None),
        O::F64x2ExtractLane { lane } => ExtractLane(F64X2, lane, None),
        O::I8x16ReplaceLane { lane } => ReplaceLane(I8X16, lane),
        O::I16x8ReplaceLane { lane } => ReplaceLane(I16X8, lane),
        O::I32x4ReplaceLane { lane } => ReplaceLane(I32X4, lane),
        O::I64x2ReplaceLane { lane } => ReplaceLane(I64X2, lane),
        O::F32x4ReplaceLane { lane } => ReplaceLane(F32X4, lane),
        O::F64x2ReplaceLane { lane } => ReplaceLane(F64X2, lane),

        O::I8x16Swizzle | O::I8x16RelaxedSwizzle => Binary(I8X16, B::Swizzle),

        O::I8x16Eq => IntCmp(I8X16, I::Equal),
        O::I8x16Ne => IntCmp(I8X16, I::NotEqual),
        O::I8x16LtS => IntCmp(I8X16, I::SignedLessThan),
        O::I8x16LtU => IntCmp(I8X16, I::UnsignedLessThan),
        O::I8x16GtS => IntCmp(I8X16, I::SignedGreaterThan),
        O::I8x16GtU => IntCmp(I8X16, I::UnsignedGreaterThan),
        O::I8x16LeS => IntCmp(I8X16, I::SignedLessThanOrEqual),
        O::I8x16LeU => IntCmp(I8X16, I::UnsignedLessThanOrEqual),
        O::I8x16GeS => IntCmp(I8X16, I::SignedGreaterThanOrEqual),
        O::I8x16GeU => IntCmp(I8X16, I::UnsignedGreaterThanOrEqual),
        O::I16x8Eq => IntCmp(I16X8, I::Equal),
        O::I16x8Ne => IntCmp(I16X8, I::NotEqual),
        O::I16x8LtS => IntCmp(I16X8, I::SignedLessThan),
        O::I16x8LtU => IntCmp(I16X8, I::UnsignedLessThan),
        O::I16x8GtS => IntCmp(I16X8, I::SignedGreaterThan),
        O::I16x8GtU => IntCmp(I16X8, I::UnsignedGreaterThan),
        O::I16x8LeS => IntCmp(I16X8, I::SignedLessThanOrEqual),
        O::I16x8LeU => IntCmp(I16X8, I::UnsignedLessThanOrEqual),
        O::I16x8GeS => IntCmp(I16X8, I::SignedGreaterThanOrEqual),
        O::I16x8GeU => IntCmp(I16X8, I::UnsignedGreaterThanOrEqual),
        O::I32x4Eq => IntCmp(I32X4, I::Equal),
        O::I32x4Ne => IntCmp(I32X4, I::NotEqual),
        O::I32x4LtS => IntCmp(I32X4, I::SignedLessThan),
        O::I32x4LtU => IntCmp(I32X4, I::UnsignedLessThan),
        O::I32x4GtS => IntCmp(I32X4, I::SignedGreaterThan),
        O::I32x4GtU => IntCmp(I32X4, I::UnsignedGreaterThan),
        O::I32x4LeS => IntCmp(I32X4, I::SignedLessThanOrEqual),
        O::I32x4LeU => IntCmp(I32X4, I::UnsignedLessThanOrEqual),
        O::I32x4GeS => IntCmp(I32X4, I::SignedGreaterThanOrEqual),
        O::I32x4GeU => IntCmp(I32X4, I::UnsignedGreaterThanOrEqual),
        O::I64x2Eq => IntCmp(I64X2, I::Equal),
        O::I64x2Ne => IntCmp(I64X2, I::NotEqual),
        O::I64x2LtS => IntCmp(I64X2, I::SignedLessThan),
        O::I64x2GtS => IntCmp(I64X2, I::SignedGreaterThan),
        O::I64x2LeS => IntCmp(I64X2, I::SignedLessThanOrEqual),
        O::I64x2GeS => IntCmp(I64X2, I::SignedGreaterThanOrEqual),
        O::F32x4Eq => FloatCmp(F32X4, F::Equal),
        O::F32x4Ne => FloatCmp(F32X4, F::NotEqual),
        O::F32x4Lt => FloatCmp(F32X4, F::LessThan),
        O::F32x4Gt => FloatCmp(F32X4, F::GreaterThan),
        O::F32x4Le => FloatCmp(F32X4, F::LessThanOrEqual),
        O::F32x4Ge => FloatCmp(F32X4, F::GreaterThanOrEqual),
        O::F64x2Eq => FloatCmp(F64X2, F::Equal),
        O::F64x2Ne => FloatCmp(F64X2, F::NotEqual),
        O::F64x2Lt => FloatCmp(F64X2, F::LessThan),
        O::F64x2Gt => FloatCmp(F64X2, F::GreaterThan),
        O::F64x2Le => FloatCmp(F64X2, F::LessThanOrEqual),
        O::F64x2Ge => FloatCmp(F64X2, F::GreaterThanOrEqual),

        O::V128Not => Unary(I8X16, U::Not),
        O::V128And => Binary(I8X16, B::And),
        O::V128AndNot => Binary(I8X16, B::AndNot),
        O::V128Or => Binary(I8X16, B::Or),
        O::V128Xor => Binary(I8X16, B::Xor),
        O::V128Bitselect => Ternary(I8X16, self::Ternary::Bitselect),
        O::I8x16RelaxedLaneselect => Ternary(I8X16, self::Ternary::Bitselect),
        O::I16x8RelaxedLaneselect => Ternary(I16X8, self::Ternary::Bitselect),
        O::I32x4RelaxedLaneselect => Ternary(I32X4, self::Ternary::Bitselect),
        O::I64x2RelaxedLaneselect => Ternary(I64X2, self::Ternary::Bitselect),
        O::V128AnyTrue => AnyTrue,

        O::I8x16Abs => Unary(I8X16, U::Abs),
        O::I8x16Neg => Unary(I8X16, U::Neg),
        O::I8x16Popcnt => Unary(I8X16, U::Popcnt),
        O::I8x16AllTrue => AllTrue(I8X16),
        O::I8x16Bitmask => Bitmask(I8X16),
        O::I8x16NarrowI16x8S => Binary(I16X8, B::Narrow { signed: s }),
        O::I8x16NarrowI16x8U => Binary(I16X8, B::Narrow { signed: u }),
        O::I8x16Shl => Shift(I8X16, self::Shift::Left),
        O::I8x16ShrS => Shift(I8X16, self::Shift::RightSigned),
        O::I8x16ShrU => Shift(I8X16, self::Shift::RightUnsigned),
        O::I8x16Add => Binary(I8X16, B::Add),
        O::I8x16AddSatS => Binary(I8X16, B::AddSat { signed: s }),
        O::I8x16AddSatU => Binary(I8X16, B::AddSat { signed: u }),
        O::I8x16Sub => Binary(I8X16, B::Sub),
        O::I8x16SubSatS => Binary(I8X16, B::SubSat { signed: s }),
        O::I8x16SubSatU => Binary(I8X16, B::SubSat { signed: u }),
        O::I8x16MinS => Binary(I8X16, B::Min { signed: s }),
        O::I8x16MinU => Binary(I8X16, B::Min { signed: u }),
        O::I8x16MaxS => Binary(I8X16, B::Max { signed: s }),
        O::I8x16MaxU => Binary(I8X16, B::Max { signed: u }),
        O::I8x16AvgrU => Binary(I8X16, B::AvgrU),

        O::I16x8ExtAddPairwiseI8x16S => Unary(I8X16, U::ExtAddPairwise { signed: s }),
        O::I16x8ExtAddPairwiseI8x16U => Unary(I8X16, U::ExtAddPairwise { signed: u }),
        O::I16x8Abs => Unary(I16X8, U::Abs),
        O::I16x8Neg => Unary(I16X8, U::Neg),
        O::I16x8Q15MulrSatS | O::I16x8RelaxedQ15mulrS => Binary(I16X8, B::Q15MulrSat),
        O::I16x8AllTrue => AllTrue(I16X8),
        O::I16x8Bitmask => Bitmask(I16X8),
        O::I16x8NarrowI32x4S => Binary(I32X4, B::Narrow { signed: s }),
        O::I16x8NarrowI32x4U => Binary(I32X4, B::Narrow { signed: u }),
        O::I16x8ExtendLowI8x16S => Unary(I8X16, U::Extend { signed: s, high: false }),
        O::I16x8ExtendHighI8x16S => Unary(I8X16, U::Extend { signed: s, high: true }),
        O::I16x8ExtendLowI8x16U => Unary(I8X16, U::Extend { signed: u, high: false }),
        O::I16x8ExtendHighI8x16U => Unary(I8X16, U::Extend { signed: u, high: true }),
        O::I16x8Shl => Shift(I16X8, self::Shift::Left),
        O::I16x8ShrS => Shift(I16X8, self::Shift::RightSigned),
        O::I16x8ShrU => Shift(I16X8, self::Shift::RightUnsigned),
        O::I16x8Add => Binary(I16X8, B::Add),
        O::I16x8AddSatS => Binary(I16X8, B::AddSat { signed: s }),
        O::I16x8AddSatU => Binary(I16X8, B::AddSat { signed: u }),
        O::I16x8Sub => Binary(I16X8, B::Sub),
        O::I16x8SubSatS => Binary(I16X8, B::SubSat { signed: s }),
        O::I16x8SubSatU => Binary(I16X8, B::SubSat { signed: u }),
        O::I16x8Mul => Binary(I16X8, B::Mul),
        O::I16x8MinS => Binary(I16X8, B::Min { signed: s }),
        O::I16x8MinU => Binary(I16X8, B::Min { signed: u }),
        O::I16x8MaxS => Binary(I16X8, B::Max { signed: s }),
        O::I16x8MaxU => Binary(I16X8, B::Max { signed: u }),
        O::I16x8AvgrU => Binary(I16X8, B::AvgrU),
        O::I16x8ExtMulLowI8x16S => Binary(I8X16, B::ExtMul { signed: s, high: false }),
        O::I16x8ExtMulHighI8x16S => Binary(I8X16, B::ExtMul { signed: s, high: true }),
        O::I16x8ExtMulLowI8x16U => Binary(I8X16, B::ExtMul { signed: u, high: false }),
        O::I16x8ExtMulHighI8x16U => Binary(I8X16, B::ExtMul { signed: u, high: true }),
        O::I16x8RelaxedDotI8x16I7x16S => Binary(I8X16, B::DotI8),

        O::I32x4ExtAddPairwiseI16x8S => Unary(I16X8, U::ExtAddPairwise { signed: s }),
        O::I32x4ExtAddPairwiseI16x8U => Unary(I16X8, U::ExtAddPairwise { signed: u }),
        O::I32x4Abs => Unary(I32X4, U::Abs),
        O::I32x4Neg => Unary(I32X4, U::Neg),
        O::I32x4AllTrue => AllTrue(I32X4),
        O::I32x4Bitmask => Bitmask(I32X4),
        O::I32x4ExtendLowI16x8S => Unary(I16X8, U::Extend { signed: s, high: false }),
        O::I32x4ExtendHighI16x8S => Unary(I16X8, U::Extend { signed: s, high: true }),
        O::I32x4ExtendLowI16x8U => Unary(I16X8, U::Extend { signed: u, high: false }),
        O::I32x4ExtendHighI16x8U => Unary(I16X8, U::Extend { signed: u, high: true }),
        O::I32x4Shl => Shift(I32X4, self::Shift::Left),
        O::I32x4ShrS => Shift(I32X4, self::Shift::RightSigned),
        O::I32x4ShrU => Shift(I32X4, self::Shift::RightUnsigned),
        O::I32x4Add => Binary(I32X4, B::Add),
        O::I32x4Sub => Binary(I32X4, B::Sub),
        O::I32x4Mul => Binary(I32X4, B::Mul),
        O::I32x4MinS => Binary(I32X4, B::Min { signed: s }),
        O::I32x4MinU => Binary(I32X4, B::Min { signed: u }),
        O::I32x4MaxS => Binary(I32X4, B::Max { signed: s }),
        O::I32x4MaxU => Binary(I32X4, B::Max { signed: u }),
        O::I32x4DotI16x8S => Binary(I16X8, B::Dot),
        O::I32x4ExtMulLowI16x8S => Binary(I16X8, B::ExtMul { signed: s, high: false }),
        O::I32x4ExtMulHighI16x8S => Binary(I16X8, B::ExtMul { signed: s, high: true }),
        O::I32x4ExtMulLowI16x8U => Binary(I16X8, B::ExtMul { signed: u, high: false }),
        O::I32x4ExtMulHighI16x8U => Binary(I16X8, B::ExtMul { signed: u, high: true }),
        O::I32x4RelaxedDotI8x16I7x16AddS => Ternary(I8X16, self::Ternary::DotI8Add),

        O::I64x2Abs => Unary(I64X2, U::Abs),
        O::I64x2Neg => Unary(I64X2, U::Neg),
        O::I64x2AllTrue => AllTrue(I64X2),
        O::I64x2Bitmask => Bitmask(I64X2),
        O::I64x2ExtendLowI32x4S => Unary(I32X4, U::Extend { signed: s, high: false }),
        O::I64x2ExtendHighI32x4S => Unary(I32X4, U::Extend { signed: s, high: true }),
        O::I64x2ExtendLowI32x4U => Unary(I32X4, U::Extend { signed: u, high: false }),
        O::I64x2ExtendHighI32x4U => Unary(I32X4, U::Extend { signed: u, high: true }),
        O::I64x2Shl => Shift(I64X2, self::Shift::Left),
        O::I64x2ShrS => Shift(I64X2, self::Shift::RightSigned),
        O::I64x2ShrU => Shift(I64X2, self::Shift::RightUnsigned),
        O::I64x2Add => Binary(I64X2, B::Add),
        O::I64x2Sub => Binary(I64X2, B::Sub),
        O::I64x2Mul => Binary(I64X2, B::Mul),
        O::I64x2ExtMulLowI32x4S => Binary(I32X4, B::ExtMul { signed: s, high: false }),
        O::I64x2ExtMulHighI32x4S => Binary(I32X4, B::ExtMul { signed: s, high: true }),
        O::I64x2ExtMulLowI32x4U => Binary(I32X4, B::ExtMul { signed: u, high: false }),
        O::I64x2ExtMulHighI32x4U => Binary(I32X4, B::ExtMul { signed: u, high: true }),

        O::F32x4Ceil => Unary(F32X4, U::Ceil),
        O::F32x4Floor => Unary(F32X4, U::Floor),
        O::F32x4Trunc => Unary(F32X4, U::Trunc),
        O::F32x4Nearest => Unary(F32X4, U::Nearest),
        O::F32x4Abs => Unary(F32X4, U::FloatAbs),
        O::F32x4Neg => Unary(F32X4, U::FloatNeg),
        O::F32x4Sqrt => Unary(F32X4, U::Sqrt),
        O::F32x4Add => Binary(F32X4, B::FloatAdd),
        O::F32x4Sub => Binary(F32X4, B::FloatSub),
        O::F32x4Mul => Binary(F32X4, B::FloatMul),
        O::F32x4Div => Binary(F32X4, B::FloatDiv),
        O::F32x4Min => Binary(F32X4, B::FloatMin),
        O::F32x4Max => Binary(F32X4, B::FloatMax),
        O::F32x4RelaxedMin => Binary(F32X4, B::RelaxedMin),
        O::F32x4RelaxedMax => Binary(F32X4, B::RelaxedMax),
        O::F32x4PMin => Binary(F32X4, B::PMin),
        O::F32x4PMax => Binary(F32X4, B::PMax),
        O::F32x4RelaxedMadd => Ternary(F32X4, self::Ternary::MulAdd),
        O::F32x4RelaxedNmadd => Ternary(F32X4, self::Ternary::NegMulAdd),
        O::F64x2Ceil => Unary(F64X2, U::Ceil),
        O::F64x2Floor => Unary(F64X2, U::Floor),
        O::F64x2Trunc => Unary(F64X2, U::Trunc),
        O::F64x2Nearest => Unary(F64X2, U::Nearest),
        O::F64x2Abs => Unary(F64X2, U::FloatAbs),
        O::F64x2Neg => Unary(F64X2, U::FloatNeg),
        O::F64x2Sqrt => Unary(F64X2, U::Sqrt),
        O::F64x2Add => Binary(F64X2, B::FloatAdd),
        O::F64x2Sub => Binary(F64X2, B::FloatSub),
        O::F64x2Mul => Binary(F64X2, B::FloatMul),
        O::F64x2Div => Binary(F64X2, B::FloatDiv),
        O::F64x2Min => Binary(F64X2, B::FloatMin),
        O::F64x2Max => Binary(F64X2, B::FloatMax),
        O::F64x2RelaxedMin => Binary(F64X2, B::RelaxedMin),
        O::F64x2RelaxedMax => Binary(F64X2, B::RelaxedMax),
        O::F64x2PMin => Binary(F64X2, B::PMin),
        O::F64x2PMax => Binary(F64X2, B::PMax),
        O::F64x2RelaxedMadd => Ternary(F64X2, self::Ternary::MulAdd),
        O::F64x2RelaxedNmadd => Ternary(F64X2, self::Ternary::NegMulAdd),

        O::I32x4TruncSatF32x4S | O::I32x4RelaxedTruncF32x4S => Unary(F32X4, U::TruncSat { signed: s }),
        O::I32x4TruncSatF32x4U | O::I32x4RelaxedTruncF32x4U => Unary(F32X4, U::TruncSat { signed: u }),
        O::F32x4ConvertI32x4S => Unary(I32X4, U::Convert { signed: s }),
        O::F32x4ConvertI32x4U => Unary(I32X4, U::Convert { signed: u }),
        O::I32x4TruncSatF64x2SZero | O::I32x4RelaxedTruncF64x2SZero => Unary(F64X2, U::TruncSatZero { signed: s }),
        O::I32x4TruncSatF64x2UZero | O::I32x4RelaxedTruncF64x2UZero => Unary(F64X2, U::TruncSatZero { signed: u }),
        O::F64x2ConvertLowI32x4S => Unary(I32X4, U::ConvertLow { signed: s }),
        O::F64x2ConvertLowI32x4U => Unary(I32X4, U::ConvertLow { signed: u }),
        O::F32x4DemoteF64x2Zero => Unary(F64X2, U::Demote),
        O::F64x2PromoteLowF32x4 => Unary(F32X4, U::Promote),
        _ => return None,
    })
}
