//! 128-bit SIMD (and relaxed SIMD in its deterministic form).
//!
//! A `v128` on the operand stack, in locals and across blocks and calls is
//! always CLIF `i8x16`; each operator bitcasts its operands to the lane type
//! it works on and its result back (free: vector bitcasts are no-ops in
//! registers). `table.rs` maps operators to operations, `lower.rs` lowers
//! them, `memory.rs` handles the loads and stores.

mod lower;
mod memory;
mod table;

use super::FuncTranslator;
use crate::error::Result;
use cranelift_codegen::ir::{types::I8X16, ConstantData, Endianness, InstBuilder, MemFlagsData, Type, Value};
use wasmparser::Operator;

/// Flags of a vector bitcast: lane order is little-endian, as in wasm.
fn lanes_flags() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

impl FuncTranslator<'_, '_> {
    /// Handles SIMD operators; returns false for anything else.
    pub(super) fn simd(&mut self, op: &Operator<'_>) -> Result<bool> {
        if self.simd_memory(op) {
            return Ok(true);
        }
        match *op {
            Operator::V128Const { value } => {
                let v = self.v128_const(I8X16, u128::from_le_bytes(*value.bytes()));
                self.push(v);
            }
            Operator::I8x16Shuffle { lanes } => {
                let y = self.pop_lanes(I8X16);
                let x = self.pop_lanes(I8X16);
                let r = self.shuffle(x, y, lanes);
                self.push(r);
            }
            ref other => match table::describe(other) {
                Some(s) => self.lower_simd(s),
                None => return Ok(false),
            },
        }
        Ok(true)
    }

    /// `v` seen as a vector of type `ty`.
    pub(crate) fn bitcast_lanes(&mut self, ty: Type, v: Value) -> Value {
        if self.b.func.dfg.value_type(v) == ty {
            return v;
        }
        self.b.ins().bitcast(ty, lanes_flags(), v)
    }

    /// Pops a v128 as a vector of type `ty`.
    fn pop_lanes(&mut self, ty: Type) -> Value {
        let v = self.pop();
        self.bitcast_lanes(ty, v)
    }

    /// Pushes a vector of any lane type as a v128 (`i8x16`).
    fn push_v128(&mut self, v: Value) {
        let v = self.bitcast_lanes(I8X16, v);
        self.push(v);
    }

    /// A vector constant of type `ty` with the little-endian bits `bits`.
    pub(crate) fn v128_const(&mut self, ty: Type, bits: u128) -> Value {
        let c = self.b.func.dfg.constants.insert(ConstantData::from(&bits.to_le_bytes()[..]));
        self.b.ins().vconst(ty, c)
    }

    /// Bytes of `x` (indices 0-15) and `y` (16-31) picked by `lanes`.
    fn shuffle(&mut self, x: Value, y: Value, lanes: [u8; 16]) -> Value {
        let mask = self.b.func.dfg.immediates.push(ConstantData::from(&lanes[..]));
        self.b.ins().shuffle(x, y, mask)
    }
}
