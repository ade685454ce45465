//! GC operators: structs, arrays, i31, casts, conversions. Layouts and the
//! reference encoding are `wasmc_abi::gc`'s; allocation bumps the store's
//! nursery inline and calls the runtime when it is full; stores of
//! references into objects go through an inline write barrier.

use super::{clif_type, readonly, trusted, FuncTranslator};
use crate::error::Result;
use crate::module::{Composite, FieldType, StorageType};
use cranelift_codegen::ir::{condcodes::IntCC, types, BlockArg, InstBuilder, MemFlagsData, Value};
use wasmc_abi::descriptor::{STORAGE_I16, STORAGE_I8, TYPE_ARRAY, TYPE_STRUCT};
use wasmc_abi::gc::{storage_size, struct_layout, VMRtt, ARRAY_OFF_ELEMS, ARRAY_OFF_LEN, HEADER_SIZE};
use wasmc_abi::vmctx::{VMLimits, OFF_LIMITS, OFF_TYPE_IDS};
use wasmc_abi::{Builtin, Trap, VMFuncRef};
use wasmparser::{AbstractHeapType, HeapType, Operator, RefType, ValType};

/// Flags for accesses to GC object fields (never trapping: null and
/// bounds are checked before).
fn field_flags() -> MemFlagsData {
    MemFlagsData::trusted().with_endianness(cranelift_codegen::ir::Endianness::Little)
}

pub(crate) fn storage_code(s: StorageType) -> u8 {
    match s {
        StorageType::I8 => STORAGE_I8,
        StorageType::I16 => STORAGE_I16,
        StorageType::Val(ValType::I32) => 0x7f,
        StorageType::Val(ValType::I64) => 0x7e,
        StorageType::Val(ValType::F32) => 0x7d,
        StorageType::Val(ValType::F64) => 0x7c,
        StorageType::Val(ValType::V128) => 0x7b,
        StorageType::Val(ValType::Ref(_)) => 0x63,
    }
}

impl FuncTranslator<'_, '_> {
    /// Whether values of `t` may reference GC objects (and so must be in
    /// stack maps). Function references never do; externref may (through
    /// `extern.convert_any`).
    pub(crate) fn is_gc_ref(&self, t: ValType) -> bool {
        let ValType::Ref(r) = t else { return false };
        match r.heap_type() {
            HeapType::Abstract { ty, .. } => !matches!(
                ty,
                AbstractHeapType::Func | AbstractHeapType::NoFunc | AbstractHeapType::NoExtern | AbstractHeapType::None
            ),
            HeapType::Concrete(i) | HeapType::Exact(i) => {
                let idx = i.as_module_index().unwrap_or(0) as usize;
                !matches!(self.env.info.types.get(idx).map(|t| &t.composite), Some(Composite::Func(_)) | None)
            }
        }
    }

    /// Records that `v` holds a GC reference, so it is kept in a stack slot
    /// (and updated by a moving collection) across every call.
    pub(crate) fn gc_value(&mut self, v: Value) -> Value {
        self.b.declare_value_needs_stack_map(v);
        v
    }

    pub(crate) fn push_typed(&mut self, v: Value, t: ValType) {
        if self.is_gc_ref(t) {
            self.gc_value(v);
        }
        self.push(v);
    }

    fn rtt(&mut self, type_index: u32) -> Value {
        let ids = self.load_vmctx(types::I64, OFF_TYPE_IDS, readonly());
        self.b.ins().load(types::I64, readonly(), ids, (type_index * 8) as i32)
    }

    fn limits(&mut self) -> Value {
        self.load_vmctx(types::I64, OFF_LIMITS, readonly())
    }

    /// Allocates `size` bytes (an i64) of runtime type `rtt`: inline bump
    /// in the nursery, else the runtime's slow path. Returns the object,
    /// zeroed, with its header set.
    pub(super) fn alloc(&mut self, rtt: Value, size: Value) -> Value {
        let limits = self.limits();
        let next = self.b.ins().load(types::I64, trusted(), limits, VMLimits::OFF_GC_NEXT as i32);
        let limit = self.b.ins().load(types::I64, trusted(), limits, VMLimits::OFF_GC_LIMIT as i32);
        let new_next = self.b.ins().iadd(next, size);
        let fits = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, new_next, limit);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, types::I64);
        self.b.ins().brif(fits, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        self.b.ins().store(trusted(), new_next, limits, VMLimits::OFF_GC_NEXT as i32);
        self.b.ins().store(trusted(), rtt, next, 0);
        self.b.ins().jump(done, &[BlockArg::Value(next)]);
        self.b.switch_to_block(slow);
        let p = self.call_builtin(Builtin::GcAlloc, &[rtt, size]).expect("returns the object");
        self.b.ins().jump(done, &[BlockArg::Value(p)]);
        self.b.switch_to_block(done);
        let obj = self.b.block_params(done)[0];
        self.gc_value(obj)
    }

    /// The write barrier for storing reference `val` into object `obj`:
    /// an old object that now points into the nursery is remembered.
    fn barrier(&mut self, obj: Value, val: Value) {
        let limits = self.limits();
        let start = self.b.ins().load(types::I64, trusted(), limits, VMLimits::OFF_NURSERY_START as i32);
        let end = self.b.ins().load(types::I64, trusted(), limits, VMLimits::OFF_NURSERY_END as i32);
        let size = self.b.ins().isub(end, start);
        let dv = self.b.ins().isub(val, start);
        let young_val = self.b.ins().icmp(IntCC::UnsignedLessThan, dv, size);
        let dobj = self.b.ins().isub(obj, start);
        let old_obj = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, dobj, size);
        let need = self.b.ins().band(young_val, old_obj);
        let slow = self.b.create_block();
        let cont = self.b.create_block();
        self.b.ins().brif(need, slow, &[], cont, &[]);
        self.b.switch_to_block(slow);
        self.call_builtin(Builtin::GcRemember, &[obj]);
        self.b.ins().jump(cont, &[]);
        self.b.switch_to_block(cont);
    }

    fn struct_fields(&self, type_index: u32) -> (Vec<FieldType>, Vec<u32>, u32) {
        let Composite::Struct(fields) = &self.env.info.types[type_index as usize].composite else {
            return (vec![], vec![], HEADER_SIZE);
        };
        let sizes: Vec<u32> = fields.iter().map(|f| storage_size(storage_code(f.storage))).collect();
        let mut offs = vec![0; sizes.len()];
        let size = struct_layout(&sizes, &mut offs);
        (fields.clone(), offs, size)
    }

    fn array_elem(&self, type_index: u32) -> FieldType {
        match &self.env.info.types[type_index as usize].composite {
            Composite::Array(f) => *f,
            _ => FieldType { storage: StorageType::Val(ValType::I32), mutable: false },
        }
    }

    /// Initialises a field of an object just allocated: it is in the
    /// nursery (objects of up to a quarter of the nursery always are), so no
    /// write barrier is needed.
    pub(super) fn init_field(&mut self, s: StorageType, addr: Value, offset: i32, v: Value) {
        let f = field_flags();
        match s {
            StorageType::I8 => self.b.ins().istore8(f, v, addr, offset),
            StorageType::I16 => self.b.ins().istore16(f, v, addr, offset),
            StorageType::Val(_) => self.b.ins().store(f, v, addr, offset),
        };
    }

    fn store_field(&mut self, s: StorageType, obj: Value, addr: Value, offset: i32, v: Value) {
        let f = field_flags();
        match s {
            StorageType::I8 => self.b.ins().istore8(f, v, addr, offset),
            StorageType::I16 => self.b.ins().istore16(f, v, addr, offset),
            StorageType::Val(_) => self.b.ins().store(f, v, addr, offset),
        };
        if let StorageType::Val(t) = s {
            if self.is_gc_ref(t) {
                self.barrier(obj, v);
            }
        }
    }

    /// Loads a field; packed ones are extended (`signed` chooses how).
    pub(super) fn load_field(&mut self, s: StorageType, addr: Value, offset: i32, signed: bool) -> Value {
        let f = field_flags();
        let v = match (s, signed) {
            (StorageType::I8, false) => self.b.ins().uload8(types::I32, f, addr, offset),
            (StorageType::I8, true) => self.b.ins().sload8(types::I32, f, addr, offset),
            (StorageType::I16, false) => self.b.ins().uload16(types::I32, f, addr, offset),
            (StorageType::I16, true) => self.b.ins().sload16(types::I32, f, addr, offset),
            (StorageType::Val(t), _) => self.b.ins().load(clif_type(t), f, addr, offset),
        };
        if let StorageType::Val(t) = s {
            if self.is_gc_ref(t) {
                self.gc_value(v);
            }
        }
        v
    }

    /// Address of element `index` (i32) of `array`, trapping when out of bounds.
    fn array_elem_addr(&mut self, array: Value, index: Value, elem: u32) -> Value {
        let len = self.b.ins().load(types::I32, field_flags(), array, ARRAY_OFF_LEN as i32);
        let oob = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, index, len);
        self.trap_if_nonzero(oob, Trap::ArrayOutOfBounds);
        let i = self.i64_of_u32(index);
        let off = self.b.ins().imul_imm_u(i, elem as i64);
        let p = self.b.ins().iadd(array, off);
        self.b.ins().iadd_imm_u(p, ARRAY_OFF_ELEMS as i64)
    }

    /// Traps unless `start + n <= len(array)` (i32 operands, no overflow).
    fn check_array_range(&mut self, array: Value, start: Value, n: Value) {
        let len = self.b.ins().load(types::I32, field_flags(), array, ARRAY_OFF_LEN as i32);
        let (s, n, len) = (self.i64_of_u32(start), self.i64_of_u32(n), self.i64_of_u32(len));
        let end = self.b.ins().iadd(s, n);
        let oob = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
        self.trap_if_nonzero(oob, Trap::ArrayOutOfBounds);
    }

    /// Stores `v` into elements `[start, start + n)` of `array`.
    fn fill_elems(&mut self, array: Value, elem: FieldType, start: Value, n: Value, v: Value) {
        let z = storage_size(storage_code(elem.storage));
        let header = self.b.create_block();
        let body = self.b.create_block();
        let exit = self.b.create_block();
        self.b.append_block_param(header, types::I32);
        self.b.ins().jump(header, &[BlockArg::Value(start)]);
        self.b.switch_to_block(header);
        let i = self.b.block_params(header)[0];
        let end = self.b.ins().iadd(start, n);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, i, end);
        self.b.ins().brif(more, body, &[], exit, &[]);
        self.b.switch_to_block(body);
        let i64v = self.i64_of_u32(i);
        let off = self.b.ins().imul_imm_u(i64v, z as i64);
        let p = self.b.ins().iadd(array, off);
        let f = field_flags();
        match elem.storage {
            StorageType::I8 => self.b.ins().istore8(f, v, p, ARRAY_OFF_ELEMS as i32),
            StorageType::I16 => self.b.ins().istore16(f, v, p, ARRAY_OFF_ELEMS as i32),
            StorageType::Val(_) => self.b.ins().store(f, v, p, ARRAY_OFF_ELEMS as i32),
        };
        let next = self.b.ins().iadd_imm_u(i, 1);
        self.b.ins().jump(header, &[BlockArg::Value(next)]);
        self.b.switch_to_block(exit);
        if let StorageType::Val(t) = elem.storage {
            if self.is_gc_ref(t) {
                self.barrier(array, v);
            }
        }
    }

    /// Allocates an array of `len` (i32) elements of type `type_index`.
    fn new_array(&mut self, type_index: u32, len: Value) -> Value {
        let z = storage_size(storage_code(self.array_elem(type_index).storage));
        let l = self.i64_of_u32(len);
        let bytes = self.b.ins().imul_imm_u(l, z as i64);
        let bytes = self.b.ins().iadd_imm_u(bytes, ARRAY_OFF_ELEMS as i64 + 7);
        let size = self.b.ins().band_imm_s(bytes, -8);
        let rtt = self.rtt(type_index);
        let a = self.alloc(rtt, size);
        self.b.ins().store(field_flags(), len, a, ARRAY_OFF_LEN as i32);
        a
    }

    /// 1 (i32) if non-null reference `r` is an instance of heap type `ht`.
    fn test_non_null(&mut self, r: Value, ht: HeapType) -> Value {
        let ins = |t: &mut Self, v: Value| t.bool_to_i32(v);
        match ht {
            HeapType::Abstract { ty, .. } => match ty {
                AbstractHeapType::Any | AbstractHeapType::Func | AbstractHeapType::Extern => self.i32_const(1),
                AbstractHeapType::Eq => {
                    let low = self.b.ins().band_imm_s(r, 3);
                    let c = self.b.ins().icmp_imm_u(IntCC::NotEqual, low, wasmc_abi::gc::HOST_TAG as i64);
                    ins(self, c)
                }
                AbstractHeapType::I31 => {
                    let low = self.b.ins().band_imm_s(r, 1);
                    self.b.ins().ireduce(types::I32, low)
                }
                AbstractHeapType::Struct | AbstractHeapType::Array => {
                    let kind = if matches!(ty, AbstractHeapType::Struct) { TYPE_STRUCT } else { TYPE_ARRAY };
                    self.object_test(r, |t, rtt| {
                        let k = t.b.ins().load(types::I32, readonly(), rtt, VMRtt::OFF_KIND as i32);
                        let c = t.b.ins().icmp_imm_u(IntCC::Equal, k, kind as i64);
                        t.bool_to_i32(c)
                    })
                }
                _ => self.i32_const(0),
            },
            HeapType::Concrete(i) | HeapType::Exact(i) => {
                let idx = i.as_module_index().unwrap_or(0);
                let want = self.rtt(idx);
                let depth = self.env.info.type_depth(idx);
                if let Composite::Func(_) = self.env.info.types[idx as usize].composite {
                    let actual = self.b.ins().load(types::I64, trusted(), r, VMFuncRef::OFF_TYPE_ID as i32);
                    self.is_subtype(actual, want, depth)
                } else {
                    self.object_test(r, |t, rtt| t.is_subtype(rtt, want, depth))
                }
            }
        }
    }

    /// For a non-null anyref `r`: 0 unless it is a heap object, else
    /// `f(its runtime type)`.
    fn object_test(&mut self, r: Value, f: impl FnOnce(&mut Self, Value) -> Value) -> Value {
        let obj = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, types::I32);
        let low = self.b.ins().band_imm_s(r, 3);
        let zero = self.i32_const(0);
        self.b.ins().brif(low, done, &[BlockArg::Value(zero)], obj, &[]);
        self.b.switch_to_block(obj);
        let header = self.b.ins().load(types::I64, trusted(), r, 0);
        let rtt = self.b.ins().band_imm_s(header, -4);
        let v = f(self, rtt);
        self.b.ins().jump(done, &[BlockArg::Value(v)]);
        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }

    /// 1 (i32) if `r` is an instance of reference type `rt`.
    pub(crate) fn ref_test(&mut self, r: Value, rt: RefType) -> Value {
        let nonnull = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, types::I32);
        let if_null = self.i32_const(rt.is_nullable() as u32);
        self.b.ins().brif(r, nonnull, &[], done, &[BlockArg::Value(if_null)]);
        self.b.switch_to_block(nonnull);
        let v = self.test_non_null(r, rt.heap_type());
        self.b.ins().jump(done, &[BlockArg::Value(v)]);
        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }

    pub(super) fn gc(&mut self, op: &Operator<'_>) -> Result<bool> {
        use Operator as O;
        match *op {
            O::StructNew { struct_type_index: t } => {
                let (fields, offs, size) = self.struct_fields(t);
                let vals = self.popn(fields.len());
                let rtt = self.rtt(t);
                let size = self.b.ins().iconst(types::I64, size as i64);
                let obj = self.alloc(rtt, size);
                for ((f, off), v) in fields.iter().zip(offs).zip(vals) {
                    self.init_field(f.storage, obj, off as i32, v);
                }
                self.push(obj);
            }
            O::StructNewDefault { struct_type_index: t } => {
                let (_, _, size) = self.struct_fields(t);
                let rtt = self.rtt(t);
                let size = self.b.ins().iconst(types::I64, size as i64);
                let obj = self.alloc(rtt, size);
                self.push(obj);
            }
            O::StructGet { struct_type_index: t, field_index: f }
            | O::StructGetS { struct_type_index: t, field_index: f }
            | O::StructGetU { struct_type_index: t, field_index: f } => {
                let signed = matches!(op, O::StructGetS { .. });
                let (fields, offs, _) = self.struct_fields(t);
                let obj = self.pop();
                self.trap_if_zero(obj, Trap::NullStructReference);
                let v = self.load_field(fields[f as usize].storage, obj, offs[f as usize] as i32, signed);
                self.push(v);
            }
            O::StructSet { struct_type_index: t, field_index: f } => {
                let (fields, offs, _) = self.struct_fields(t);
                let v = self.pop();
                let obj = self.pop();
                self.trap_if_zero(obj, Trap::NullStructReference);
                self.store_field(fields[f as usize].storage, obj, obj, offs[f as usize] as i32, v);
            }
            O::ArrayNew { array_type_index: t } => {
                let len = self.pop();
                let init = self.pop();
                let a = self.new_array(t, len);
                let zero = self.i32_const(0);
                self.fill_elems(a, self.array_elem(t), zero, len, init);
                self.push(a);
            }
            O::ArrayNewDefault { array_type_index: t } => {
                let len = self.pop();
                let a = self.new_array(t, len);
                self.push(a);
            }
            O::ArrayNewFixed { array_type_index: t, array_size: n } => {
                let vals = self.popn(n as usize);
                let len = self.i32_const(n);
                let a = self.new_array(t, len);
                let elem = self.array_elem(t);
                let z = storage_size(storage_code(elem.storage));
                for (i, v) in vals.into_iter().enumerate() {
                    self.init_field(elem.storage, a, (ARRAY_OFF_ELEMS + i as u32 * z) as i32, v);
                }
                self.push(a);
            }
            O::ArrayNewData { array_type_index: t, array_data_index: d } => {
                let len = self.pop();
                let off = self.pop();
                let rtt = self.rtt(t);
                let seg = self.i32_const(d);
                let a = self.call_builtin(Builtin::ArrayNewData, &[rtt, seg, off, len]).expect("result");
                self.trap_if_zero(a, Trap::MemoryOutOfBounds);
                let a = self.gc_value(a);
                self.push(a);
            }
            O::ArrayNewElem { array_type_index: t, array_elem_index: e } => {
                let len = self.pop();
                let off = self.pop();
                let rtt = self.rtt(t);
                let seg = self.i32_const(e);
                let a = self.call_builtin(Builtin::ArrayNewElem, &[rtt, seg, off, len]).expect("result");
                self.trap_if_zero(a, Trap::TableOutOfBounds);
                let a = self.gc_value(a);
                self.push(a);
            }
            O::ArrayGet { array_type_index: t }
            | O::ArrayGetS { array_type_index: t }
            | O::ArrayGetU { array_type_index: t } => {
                let signed = matches!(op, O::ArrayGetS { .. });
                let elem = self.array_elem(t);
                let i = self.pop();
                let a = self.pop();
                self.trap_if_zero(a, Trap::NullArrayReference);
                let p = self.array_elem_addr(a, i, storage_size(storage_code(elem.storage)));
                let v = self.load_field(elem.storage, p, 0, signed);
                self.push(v);
            }
            O::ArraySet { array_type_index: t } => {
                let elem = self.array_elem(t);
                let v = self.pop();
                let i = self.pop();
                let a = self.pop();
                self.trap_if_zero(a, Trap::NullArrayReference);
                let p = self.array_elem_addr(a, i, storage_size(storage_code(elem.storage)));
                self.store_field(elem.storage, a, p, 0, v);
            }
            O::ArrayLen => {
                let a = self.pop();
                self.trap_if_zero(a, Trap::NullArrayReference);
                let len = self.b.ins().load(types::I32, field_flags(), a, ARRAY_OFF_LEN as i32);
                self.push(len);
            }
            O::ArrayFill { array_type_index: t } => {
                let n = self.pop();
                let v = self.pop();
                let d = self.pop();
                let a = self.pop();
                self.trap_if_zero(a, Trap::NullArrayReference);
                self.check_array_range(a, d, n);
                self.fill_elems(a, self.array_elem(t), d, n, v);
            }
            O::ArrayCopy { .. } => {
                let n = self.pop();
                let s = self.pop();
                let src = self.pop();
                let d = self.pop();
                let dst = self.pop();
                self.trap_if_zero(dst, Trap::NullArrayReference);
                self.trap_if_zero(src, Trap::NullArrayReference);
                self.call_checked(Builtin::ArrayCopy, &[dst, d, src, s, n], Trap::ArrayOutOfBounds);
            }
            O::ArrayInitData { array_data_index: seg, .. } | O::ArrayInitElem { array_elem_index: seg, .. } => {
                let (b, seg_trap) = if matches!(op, O::ArrayInitData { .. }) {
                    (Builtin::ArrayInitData, Trap::MemoryOutOfBounds)
                } else {
                    (Builtin::ArrayInitElem, Trap::TableOutOfBounds)
                };
                let n = self.pop();
                let s = self.pop();
                let d = self.pop();
                let a = self.pop();
                self.trap_if_zero(a, Trap::NullArrayReference);
                let seg = self.i32_const(seg);
                let status = self.call_builtin(b, &[a, d, seg, s, n]).expect("status");
                self.trap_if_zero(status, Trap::ArrayOutOfBounds);
                let bad_seg = self.b.ins().icmp_imm_u(IntCC::Equal, status, 2);
                self.trap_if_nonzero(bad_seg, seg_trap);
            }
            O::RefI31 => {
                let x = self.pop();
                let x = self.b.ins().band_imm_s(x, 0x7fff_ffff);
                let x = self.i64_of_u32(x);
                let x = self.b.ins().ishl_imm_u(x, 1);
                let r = self.b.ins().bor_imm_s(x, wasmc_abi::gc::I31_TAG as i64);
                self.push(r);
            }
            O::I31GetS | O::I31GetU => {
                let r = self.pop();
                self.trap_if_zero(r, Trap::NullI31Reference);
                let v = self.b.ins().ushr_imm_u(r, 1);
                let v = self.b.ins().ireduce(types::I32, v);
                let v = if matches!(op, O::I31GetS) {
                    let v = self.b.ins().ishl_imm_u(v, 1);
                    self.b.ins().sshr_imm_u(v, 1)
                } else {
                    self.b.ins().band_imm_s(v, 0x7fff_ffff)
                };
                self.push(v);
            }
            O::RefEq => {
                let y = self.pop();
                let x = self.pop();
                let c = self.b.ins().icmp(IntCC::Equal, x, y);
                let v = self.bool_to_i32(c);
                self.push(v);
            }
            O::RefTestNonNull { hty } | O::RefTestNullable { hty } => {
                let nullable = matches!(op, O::RefTestNullable { .. });
                let r = self.pop();
                let rt = RefType::new(nullable, hty).expect("valid heap type");
                let v = self.ref_test(r, rt);
                self.push(v);
            }
            O::RefCastNonNull { hty } | O::RefCastNullable { hty } => {
                let nullable = matches!(op, O::RefCastNullable { .. });
                let r = self.peek(1)[0];
                let rt = RefType::new(nullable, hty).expect("valid heap type");
                let ok = self.ref_test(r, rt);
                self.trap_if_zero(ok, Trap::CastFailure);
            }
            O::AnyConvertExtern | O::ExternConvertAny => {}
            _ => return Ok(false),
        }
        Ok(true)
    }
}
