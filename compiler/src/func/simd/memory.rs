//! SIMD loads and stores: whole vectors, extending loads, splats, zero-
//! extended scalars and single lanes. Addresses, bounds (the guard region)
//! and trap codes are the scalar accesses' (`func/memory.rs`).

use crate::func::memory::heap_flags;
use crate::func::FuncTranslator;
use cranelift_codegen::ir::types::{I16X8, I32, I32X4, I64, I64X2, I8X16};
use cranelift_codegen::ir::{InstBuilder, Type};
use wasmparser::{MemArg, Operator};

/// Vector types of the lanes of `load*_lane`/`store*_lane`/`load*_splat`
/// by lane width in bytes.
fn lanes_of_width(bytes: u32) -> Type {
    match bytes {
        1 => I8X16,
        2 => I16X8,
        4 => I32X4,
        _ => I64X2,
    }
}

impl FuncTranslator<'_, '_> {
    /// Handles SIMD memory operators; returns false for anything else.
    pub(super) fn simd_memory(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match *op {
            O::V128Load { ref memarg } => {
                let (p, off) = self.address(memarg);
                let v = self.b.ins().load(I8X16, heap_flags(), p, off);
                self.push(v);
            }
            O::V128Store { ref memarg } => {
                let v = self.pop();
                let (p, off) = self.address(memarg);
                self.b.ins().store(heap_flags(), v, p, off);
            }
            O::V128Load8x8S { ref memarg } => self.extending_load(memarg, |i, p, off| i.sload8x8(heap_flags(), p, off)),
            O::V128Load8x8U { ref memarg } => self.extending_load(memarg, |i, p, off| i.uload8x8(heap_flags(), p, off)),
            O::V128Load16x4S { ref memarg } => {
                self.extending_load(memarg, |i, p, off| i.sload16x4(heap_flags(), p, off))
            }
            O::V128Load16x4U { ref memarg } => {
                self.extending_load(memarg, |i, p, off| i.uload16x4(heap_flags(), p, off))
            }
            O::V128Load32x2S { ref memarg } => {
                self.extending_load(memarg, |i, p, off| i.sload32x2(heap_flags(), p, off))
            }
            O::V128Load32x2U { ref memarg } => {
                self.extending_load(memarg, |i, p, off| i.uload32x2(heap_flags(), p, off))
            }
            O::V128Load8Splat { ref memarg } => self.load_splat(memarg, I8X16),
            O::V128Load16Splat { ref memarg } => self.load_splat(memarg, I16X8),
            O::V128Load32Splat { ref memarg } => self.load_splat(memarg, I32X4),
            O::V128Load64Splat { ref memarg } => self.load_splat(memarg, I64X2),
            O::V128Load32Zero { ref memarg } => self.load_zero(memarg, I32),
            O::V128Load64Zero { ref memarg } => self.load_zero(memarg, I64),
            O::V128Load8Lane { ref memarg, lane } => self.load_lane(memarg, 1, lane),
            O::V128Load16Lane { ref memarg, lane } => self.load_lane(memarg, 2, lane),
            O::V128Load32Lane { ref memarg, lane } => self.load_lane(memarg, 4, lane),
            O::V128Load64Lane { ref memarg, lane } => self.load_lane(memarg, 8, lane),
            O::V128Store8Lane { ref memarg, lane } => self.store_lane(memarg, 1, lane),
            O::V128Store16Lane { ref memarg, lane } => self.store_lane(memarg, 2, lane),
            O::V128Store32Lane { ref memarg, lane } => self.store_lane(memarg, 4, lane),
            O::V128Store64Lane { ref memarg, lane } => self.store_lane(memarg, 8, lane),
            _ => return false,
        }
        true
    }

    fn extending_load(
        &mut self,
        m: &MemArg,
        load: impl FnOnce(
            cranelift_frontend::FuncInstBuilder<'_, '_>,
            cranelift_codegen::ir::Value,
            i32,
        ) -> cranelift_codegen::ir::Value,
    ) {
        let (p, off) = self.address(m);
        let v = load(self.b.ins(), p, off);
        self.push_v128(v);
    }

    fn load_splat(&mut self, m: &MemArg, ty: Type) {
        let (p, off) = self.address(m);
        let x = self.b.ins().load(ty.lane_type(), heap_flags(), p, off);
        let v = self.b.ins().splat(ty, x);
        self.push_v128(v);
    }

    /// A scalar load into lane 0, the other lanes zero.
    fn load_zero(&mut self, m: &MemArg, scalar: Type) {
        let (p, off) = self.address(m);
        let x = self.b.ins().load(scalar, heap_flags(), p, off);
        let ty = if scalar == I32 { I32X4 } else { I64X2 };
        let v = self.b.ins().scalar_to_vector(ty, x);
        self.push_v128(v);
    }

    fn load_lane(&mut self, m: &MemArg, width: u32, lane: u8) {
        let ty = lanes_of_width(width);
        let v = self.pop_lanes(ty);
        let (p, off) = self.address(m);
        let x = self.b.ins().load(ty.lane_type(), heap_flags(), p, off);
        let r = self.b.ins().insertlane(v, x, lane);
        self.push_v128(r);
    }

    fn store_lane(&mut self, m: &MemArg, width: u32, lane: u8) {
        let ty = lanes_of_width(width);
        let v = self.pop_lanes(ty);
        let (p, off) = self.address(m);
        let x = self.b.ins().extractlane(v, lane);
        self.b.ins().store(heap_flags(), x, p, off);
    }
}
