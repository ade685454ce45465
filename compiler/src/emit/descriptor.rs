//! Serialises the module descriptor (`wasmc_abi::descriptor`) into one data
//! object. Field positions come from `offset_of!` on the ABI structs, so the
//! layout is written down only once; pointers inside the object are
//! relocations against the object itself or against functions.

use super::const_expr::ConstKind;
use super::{err, Symbols};
use crate::error::Result;
use crate::module::ModuleInfo;
use cranelift_module::{DataDescription, DataId, FuncId, Module};
use cranelift_object::ObjectModule;
use std::mem::offset_of;
use wasmc_abi::descriptor::*;
use wasmc_abi::{Trap, ABI_VERSION};
use wasmparser::{ExternalKind, RefType, ValType};

/// A growing byte image with pending relocations.
struct Image {
    bytes: Vec<u8>,
    /// (at, target offset in this image)
    self_ptrs: Vec<(u32, u32)>,
    /// (at, function)
    func_ptrs: Vec<(u32, FuncId)>,
}

impl Image {
    fn alloc(&mut self, size: u32, align: u32) -> u32 {
        while !(self.bytes.len() as u32).is_multiple_of(align) {
            self.bytes.push(0);
        }
        let at = self.bytes.len() as u32;
        self.bytes.resize((at + size) as usize, 0);
        at
    }
    fn u32(&mut self, at: usize, v: u32) {
        self.bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, at: usize, v: u64) {
        self.bytes[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }
    fn func(&mut self, at: usize, f: FuncId) {
        self.func_ptrs.push((at as u32, f));
    }
    /// Writes a `Slice` at `at` pointing to `len` items at image offset `target`.
    fn slice(&mut self, at: usize, target: u32, len: usize) {
        if len > 0 {
            self.self_ptrs.push((at as u32 + offset_of!(Slice, ptr) as u32, target));
        }
        self.u64(at + offset_of!(Slice, len), len as u64);
    }
    /// Appends bytes and writes a `Slice` to them at `at`.
    fn bytes_slice(&mut self, at: usize, data: &[u8]) {
        self.bytes_slice_at(at, data, 1, 0);
    }
    /// [`Image::bytes_slice`], with the bytes at an image offset congruent
    /// to `residue` modulo `modulus`.
    fn bytes_slice_at(&mut self, at: usize, data: &[u8], modulus: u32, residue: u32) {
        while self.bytes.len() as u32 % modulus != residue {
            self.bytes.push(0);
        }
        let target = self.alloc(data.len() as u32, 1);
        self.bytes[target as usize..target as usize + data.len()].copy_from_slice(data);
        self.slice(at, target, data.len());
    }
    /// Allocates an array of `n` structs of `size` bytes and points `at` to it.
    fn array(&mut self, at: usize, n: usize, size: u32) -> usize {
        let target = self.alloc(size * n as u32, 16);
        self.slice(at, target, n);
        target as usize
    }
}

fn type_code(info: &ModuleInfo<'_>, t: ValType) -> u8 {
    match t {
        ValType::I32 => TY_I32,
        ValType::I64 => TY_I64,
        ValType::F32 => TY_F32,
        ValType::F64 => TY_F64,
        ValType::V128 => TY_V128,
        ValType::Ref(r) => ref_code(info, r),
    }
}

/// How a reference is represented: function references (abstract or
/// typed) are `VMFuncRef` pointers; extern references and everything in
/// the `any` hierarchy are tagged words that may point into the GC heap
/// (the runtime scans globals and tables of those representations).
fn ref_code(info: &ModuleInfo<'_>, r: RefType) -> u8 {
    use wasmparser::{AbstractHeapType as A, HeapType};
    match r.heap_type() {
        HeapType::Abstract { ty: A::Extern | A::NoExtern, .. } => TY_EXTERNREF,
        HeapType::Abstract { ty: A::Func | A::NoFunc, .. } => TY_FUNCREF,
        HeapType::Concrete(i) | HeapType::Exact(i) => {
            match info.types.get(i.as_module_index().unwrap_or(0) as usize).map(|t| &t.composite) {
                Some(crate::module::Composite::Func(_)) => TY_FUNCREF,
                _ => TY_ANYREF,
            }
        }
        HeapType::Abstract { .. } => TY_ANYREF,
    }
}

fn kind_code(k: ExternalKind) -> u32 {
    match k {
        ExternalKind::Func | ExternalKind::FuncExact => KIND_FUNC,
        ExternalKind::Table => KIND_TABLE,
        ExternalKind::Memory => KIND_MEMORY,
        ExternalKind::Global => KIND_GLOBAL,
        ExternalKind::Tag => KIND_TAG,
    }
}

/// A function's `handler_sites` and `handlers` arrays (`wasmc_abi::exn`).
fn write_handler_sites(img: &mut Image, func_at: usize, sites: &[super::compile::HandlerSite]) {
    use wasmc_abi::exn::{Handler, HandlerSite};
    let all: Vec<(u32, u32)> = sites.iter().flat_map(|s| s.handlers.iter().copied()).collect();
    let hb = img.array(func_at + offset_of!(FuncDesc, handlers), all.len(), Layout::HANDLER);
    for (j, (tag_slot, target)) in all.iter().enumerate() {
        let h = hb + j * Layout::HANDLER as usize;
        img.u32(h + offset_of!(Handler, tag_slot), *tag_slot);
        img.u32(h + offset_of!(Handler, target), *target);
    }
    let sb = img.array(func_at + offset_of!(FuncDesc, handler_sites), sites.len(), Layout::HANDLER_SITE);
    let mut first = 0;
    for (j, site) in sites.iter().enumerate() {
        let p = sb + j * Layout::HANDLER_SITE as usize;
        img.u32(p + offset_of!(HandlerSite, ret_offset), site.ret_offset);
        img.u32(p + offset_of!(HandlerSite, frame_size), site.frame_size);
        img.u32(p + offset_of!(HandlerSite, vmctx_offset), site.vmctx_offset);
        img.u32(p + offset_of!(HandlerSite, first), first);
        img.u32(p + offset_of!(HandlerSite, count), site.handlers.len() as u32);
        first += site.handlers.len() as u32;
    }
}

fn write_expr(img: &mut Image, at: usize, expr: Option<usize>, consts: &[ConstKind], syms: &Symbols) {
    let (kind, index, bits) = match expr.map(|k| (k, consts[k])) {
        None | Some((_, ConstKind::RefNull)) => (EXPR_REF_NULL, 0, [0, 0]),
        Some((_, ConstKind::Value(b))) => (EXPR_VALUE, 0, b),
        Some((_, ConstKind::RefFunc(f))) => (EXPR_REF_FUNC, f, [0, 0]),
        Some((_, ConstKind::GlobalGet(g))) => (EXPR_GLOBAL_GET, g, [0, 0]),
        Some((k, ConstKind::Compiled)) => {
            let (_, entry) = syms.const_fns[k].expect("compiled constant expression");
            img.func(at + offset_of!(ConstExpr, array_call), entry);
            (EXPR_COMPILED, 0, [0, 0])
        }
    };
    img.u32(at + offset_of!(ConstExpr, kind), kind);
    img.u32(at + offset_of!(ConstExpr, index), index);
    img.u64(at + offset_of!(ConstExpr, bits), bits[0]);
    img.u64(at + offset_of!(ConstExpr, bits) + 8, bits[1]);
}

/// Per wasm function: code size, trap sites, GC safepoints.
pub(crate) struct Code<'a> {
    pub len: &'a [u64],
    pub traps: &'a [Vec<(u32, Trap)>],
    pub safepoints: &'a [Vec<(u32, u32, Vec<u32>)>],
    pub handler_sites: &'a [Vec<super::compile::HandlerSite>],
}

pub(crate) fn define(
    obj: &mut ObjectModule,
    id: DataId,
    info: &ModuleInfo<'_>,
    syms: &Symbols,
    consts: &[ConstKind],
    code: &Code<'_>,
) -> Result<()> {
    let (code_len, traps) = (code.len, code.traps);
    let mut img = Image { bytes: Vec::new(), self_ptrs: Vec::new(), func_ptrs: Vec::new() };
    let root = img.alloc(Layout::MODULE, 16) as usize;
    img.u32(root + offset_of!(ModuleDesc, abi_version), ABI_VERSION);
    img.u32(root + offset_of!(ModuleDesc, start), info.start.unwrap_or(NONE));
    img.bytes_slice(root + offset_of!(ModuleDesc, name), info.name.as_deref().unwrap_or("").as_bytes());
    img.u32(root + offset_of!(ModuleDesc, num_imported_funcs), info.num_imported_funcs);
    img.u32(root + offset_of!(ModuleDesc, num_imported_tables), info.num_imported_tables);
    img.u32(root + offset_of!(ModuleDesc, num_imported_memories), info.num_imported_memories);
    img.u32(root + offset_of!(ModuleDesc, num_imported_globals), info.num_imported_globals);

    let base = img.array(root + offset_of!(ModuleDesc, types), info.types.len(), Layout::TYPE);
    for (i, (enc, def)) in info.type_encodings.iter().zip(&info.types).enumerate() {
        let at = base + i * Layout::TYPE as usize;
        img.bytes_slice(at + offset_of!(TypeDesc, encoding), enc);
        img.u32(at + offset_of!(TypeDesc, group_start), def.group_start);
        img.u32(at + offset_of!(TypeDesc, group_len), def.group_len);
        img.u32(at + offset_of!(TypeDesc, supertype), def.supertype.unwrap_or(NONE));
        img.u32(at + offset_of!(TypeDesc, is_final), def.is_final as u32);
    }

    let base = img.array(root + offset_of!(ModuleDesc, imports), info.imports.len(), Layout::IMPORT);
    for (i, imp) in info.imports.iter().enumerate() {
        let at = base + i * Layout::IMPORT as usize;
        img.bytes_slice(at + offset_of!(ImportDesc, module), imp.module.as_bytes());
        img.bytes_slice(at + offset_of!(ImportDesc, name), imp.name.as_bytes());
        img.u32(at + offset_of!(ImportDesc, kind), kind_code(imp.kind));
        img.u32(at + offset_of!(ImportDesc, index), imp.index);
    }

    let base = img.array(root + offset_of!(ModuleDesc, funcs), info.funcs.len(), Layout::FUNC);
    for (i, &ty) in info.funcs.iter().enumerate() {
        let at = base + i * Layout::FUNC as usize;
        img.func(at + offset_of!(FuncDesc, wasm_call), syms.wasm[i]);
        if let Some(a) = syms.array[i] {
            img.func(at + offset_of!(FuncDesc, array_call), a);
        }
        img.u32(at + offset_of!(FuncDesc, type_index), ty);
        let imported = match (info.is_imported_func(i as u32), syms.static_c[i].is_some()) {
            (false, _) => 0,
            (true, false) => IMPORT_DYNAMIC,
            (true, true) => IMPORT_STATIC,
        };
        img.u32(at + offset_of!(FuncDesc, imported), imported);
        img.u64(at + offset_of!(FuncDesc, code_len), code_len[i]);
        img.bytes_slice(at + offset_of!(FuncDesc, name), info.func_name(i as u32).as_bytes());
        let mut sites = traps[i].clone();
        sites.sort_by_key(|s| s.0);
        sites.dedup_by_key(|s| s.0);
        let tb = img.array(at + offset_of!(FuncDesc, traps), sites.len(), Layout::TRAP);
        for (j, (off, trap)) in sites.iter().enumerate() {
            let t = tb + j * Layout::TRAP as usize;
            img.u32(t + offset_of!(TrapSite, offset), *off);
            img.u32(t + offset_of!(TrapSite, code), *trap as u32);
        }
        let mut sps: Vec<&(u32, u32, Vec<u32>)> = code.safepoints[i].iter().filter(|s| !s.2.is_empty()).collect();
        sps.sort_by_key(|s| s.0);
        let all_slots: Vec<u32> = sps.iter().flat_map(|s| s.2.iter().copied()).collect();
        let sb = img.array(at + offset_of!(FuncDesc, stack_slots), all_slots.len(), 4);
        for (j, s) in all_slots.iter().enumerate() {
            img.u32(sb + j * 4, *s);
        }
        let pb = img.array(at + offset_of!(FuncDesc, safepoints), sps.len(), Layout::SAFEPOINT);
        let mut first = 0;
        for (j, (ret, frame_size, slots)) in sps.iter().map(|s| (s.0, s.1, &s.2)).enumerate() {
            let p = pb + j * Layout::SAFEPOINT as usize;
            img.u32(p + offset_of!(Safepoint, ret_offset), ret);
            img.u32(p + offset_of!(Safepoint, frame_size), frame_size);
            img.u32(p + offset_of!(Safepoint, first), first);
            img.u32(p + offset_of!(Safepoint, count), slots.len() as u32);
            first += slots.len() as u32;
        }
        write_handler_sites(&mut img, at, &code.handler_sites[i]);
    }

    let base = img.array(root + offset_of!(ModuleDesc, tags), info.tags.len(), Layout::TAG);
    img.u32(root + offset_of!(ModuleDesc, num_imported_tags), info.num_imported_tags);
    for (i, t) in info.tags.iter().enumerate() {
        let at = base + i * Layout::TAG as usize;
        img.u32(at + offset_of!(TagDesc, type_index), *t);
        img.bytes_slice(at + offset_of!(TagDesc, name), info.tag_name(i as u32).as_bytes());
    }

    let base = img.array(root + offset_of!(ModuleDesc, tables), info.tables.len(), Layout::TABLE);
    for (i, t) in info.tables.iter().enumerate() {
        let at = base + i * Layout::TABLE as usize;
        img.u32(at + offset_of!(TableDesc, elem_type), ref_code(info, t.elem) as u32);
        img.bytes_slice(at + offset_of!(TableDesc, elem_encoding), &info.encode_val(ValType::Ref(t.elem)));
        img.u64(at + offset_of!(TableDesc, min), t.min);
        img.u64(at + offset_of!(TableDesc, max), t.max.unwrap_or(NO_MAX));
        write_expr(&mut img, at + offset_of!(TableDesc, init), t.init, consts, syms);
    }

    let base = img.array(root + offset_of!(ModuleDesc, memories), info.memories.len(), Layout::MEMORY);
    for (i, m) in info.memories.iter().enumerate() {
        let at = base + i * Layout::MEMORY as usize;
        img.u64(at + offset_of!(MemoryDesc, min_pages), m.min);
        img.u64(at + offset_of!(MemoryDesc, max_pages), m.max.unwrap_or(NO_MAX));
        let flags = if m.shared { MEMORY_FLAG_SHARED } else { 0 } | if m.memory64 { MEMORY_FLAG_64 } else { 0 };
        img.u32(at + offset_of!(MemoryDesc, flags), flags);
        img.u32(at + offset_of!(MemoryDesc, page_size_log2), 16);
    }

    let base = img.array(root + offset_of!(ModuleDesc, globals), info.globals.len(), Layout::GLOBAL);
    for (i, g) in info.globals.iter().enumerate() {
        let at = base + i * Layout::GLOBAL as usize;
        img.u32(at + offset_of!(GlobalDesc, ty), type_code(info, g.ty) as u32);
        img.u32(at + offset_of!(GlobalDesc, mutable), g.mutable as u32);
        img.bytes_slice(at + offset_of!(GlobalDesc, encoding), &info.encode_val(g.ty));
        write_expr(&mut img, at + offset_of!(GlobalDesc, init), g.init, consts, syms);
    }

    let base = img.array(root + offset_of!(ModuleDesc, exports), info.exports.len(), Layout::EXPORT);
    for (i, (name, kind, index)) in info.exports.iter().enumerate() {
        let at = base + i * Layout::EXPORT as usize;
        img.bytes_slice(at + offset_of!(ExportDesc, name), name.as_bytes());
        img.u32(at + offset_of!(ExportDesc, kind), kind_code(*kind));
        img.u32(at + offset_of!(ExportDesc, index), *index);
    }

    let mut mappable = false;
    let base = img.array(root + offset_of!(ModuleDesc, data), info.data.len(), Layout::DATA);
    for (i, d) in info.data.iter().enumerate() {
        let at = base + i * Layout::DATA as usize;
        let (mode, mem, offset) = match d.active {
            Some((m, e)) => (SEG_ACTIVE, m, Some(e)),
            None => (SEG_PASSIVE, 0, None),
        };
        img.u32(at + offset_of!(DataDesc, mode), mode);
        img.u32(at + offset_of!(DataDesc, memory), mem);
        write_expr(&mut img, at + offset_of!(DataDesc, offset), offset, consts, syms);
        match offset.map(|k| consts[k]) {
            Some(ConstKind::Value([guest, _])) if d.bytes.len() as u64 >= DATA_MAP_MIN_BYTES => {
                // Mappable from the file: see `DATA_MAP_ALIGN`.
                mappable = true;
                let residue = (guest % DATA_MAP_ALIGN) as u32;
                img.bytes_slice_at(at + offset_of!(DataDesc, bytes), d.bytes, DATA_MAP_ALIGN as u32, residue);
            }
            _ => img.bytes_slice(at + offset_of!(DataDesc, bytes), d.bytes),
        }
    }

    let base = img.array(root + offset_of!(ModuleDesc, elems), info.elems.len(), Layout::ELEM);
    for (i, e) in info.elems.iter().enumerate() {
        let at = base + i * Layout::ELEM as usize;
        let (mode, table, offset) = match e.mode {
            crate::module::ElemMode::Active { table, offset } => (SEG_ACTIVE, table, Some(offset)),
            crate::module::ElemMode::Passive => (SEG_PASSIVE, 0, None),
            crate::module::ElemMode::Declared => (SEG_DECLARED, 0, None),
        };
        img.u32(at + offset_of!(ElemDesc, mode), mode);
        img.u32(at + offset_of!(ElemDesc, table), table);
        write_expr(&mut img, at + offset_of!(ElemDesc, offset), offset, consts, syms);
        let ib = img.array(at + offset_of!(ElemDesc, items), e.items.len(), Layout::EXPR);
        for (j, item) in e.items.iter().enumerate() {
            write_expr(&mut img, ib + j * Layout::EXPR as usize, Some(*item), consts, syms);
        }
    }

    let mut data = DataDescription::new();
    data.set_align(if mappable { DATA_MAP_ALIGN } else { 16 });
    let self_gv = obj.declare_data_in_data(id, &mut data);
    for (at, target) in &img.self_ptrs {
        data.write_data_addr(*at, self_gv, *target as i64);
    }
    for (at, f) in &img.func_ptrs {
        let fref = obj.declare_func_in_data(*f, &mut data);
        data.write_function_addr(*at, fref);
    }
    data.define(img.bytes.into_boxed_slice());
    obj.define_data(id, &data).map_err(err)
}
