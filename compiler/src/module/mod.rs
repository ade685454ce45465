//! Walks wasmparser's payloads into a [`ModuleInfo`]: everything about a
//! module the later stages need, with function bodies borrowed from the
//! input bytes.

mod const_exprs;
pub mod features;
pub mod types;

pub use const_exprs::ConstExprInfo;

pub use features::{check_ref_type, check_val_type};

use crate::error::{feature, CompileError, Result};
use wasmparser::{
    ConstExpr, DataKind, ElementItems, ElementKind, ExternalKind, FunctionBody, Name, Parser, Payload, RefType,
    TableInit, TypeRef, ValType,
};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FuncType {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

/// How a struct field or array element is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageType {
    I8,
    I16,
    Val(ValType),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldType {
    pub storage: StorageType,
    pub mutable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Composite {
    Func(FuncType),
    Struct(Vec<FieldType>),
    Array(FieldType),
}

/// A defined type: its structure, its place in the subtype hierarchy and
/// its recursion group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDef {
    pub composite: Composite,
    pub is_final: bool,
    pub supertype: Option<u32>,
    /// Index of the first type of its recursion group, and the group's size.
    pub group_start: u32,
    pub group_len: u32,
}

static NO_FUNC: FuncType = FuncType { params: Vec::new(), results: Vec::new() };

impl TypeDef {
    /// The function type (validated code only asks this of function types).
    pub fn func(&self) -> &FuncType {
        match &self.composite {
            Composite::Func(f) => f,
            _ => &NO_FUNC,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Import<'a> {
    pub module: &'a str,
    pub name: &'a str,
    pub kind: ExternalKind,
    /// Index in the kind's own index space.
    pub index: u32,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub elem: RefType,
    pub min: u64,
    pub max: Option<u64>,
    pub init: Option<ConstExprRef>,
}

#[derive(Debug, Clone)]
pub struct Memory {
    pub min: u64,
    pub max: Option<u64>,
    pub memory64: bool,
    pub shared: bool,
}

#[derive(Debug, Clone)]
pub struct Global {
    pub ty: ValType,
    pub mutable: bool,
    /// `None` for imports.
    pub init: Option<ConstExprRef>,
}

#[derive(Debug, Clone)]
pub enum ElemMode {
    Active { table: u32, offset: ConstExprRef },
    Passive,
    Declared,
}

/// Index into [`ModuleInfo::const_exprs`].
pub type ConstExprRef = usize;

#[derive(Debug, Clone)]
pub struct Elem {
    pub mode: ElemMode,
    pub ty: RefType,
    pub items: Vec<ConstExprRef>,
}

#[derive(Debug, Clone)]
pub struct Data<'a> {
    /// `Some((memory, offset))` for active segments.
    pub active: Option<(u32, ConstExprRef)>,
    pub bytes: &'a [u8],
}

#[derive(Default)]
pub struct ModuleInfo<'a> {
    pub name: Option<String>,
    pub types: Vec<TypeDef>,
    /// Module-relative encoding of each type's structure (see `types`).
    pub type_encodings: Vec<Vec<u8>>,
    pub imports: Vec<Import<'a>>,
    /// Type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<Table>,
    pub num_imported_tables: u32,
    pub memories: Vec<Memory>,
    pub num_imported_memories: u32,
    pub globals: Vec<Global>,
    pub num_imported_globals: u32,
    /// Type index (a function type without results) of every tag,
    /// imported ones first.
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    pub exports: Vec<(&'a str, ExternalKind, u32)>,
    pub start: Option<u32>,
    pub elems: Vec<Elem>,
    pub data: Vec<Data<'a>>,
    pub bodies: Vec<FunctionBody<'a>>,
    /// Every constant expression in the module, referenced by index.
    pub const_exprs: Vec<ConstExprInfo<'a>>,
    pub func_names: std::collections::HashMap<u32, String>,
    /// Tag names from the name section.
    pub tag_names: std::collections::HashMap<u32, String>,
}

impl<'a> ModuleInfo<'a> {
    /// The module-relative encoding of a value type of this module.
    pub fn encode_val(&self, t: ValType) -> Vec<u8> {
        let mut out = Vec::new();
        types::encode_val(t, &mut out);
        out
    }

    /// Depth of a type in its subtype hierarchy (0 without a supertype).
    pub fn type_depth(&self, t: u32) -> u32 {
        let mut d = 0;
        let mut cur = self.types[t as usize].supertype;
        while let Some(s) = cur {
            d += 1;
            cur = self.types[s as usize].supertype;
        }
        d
    }

    pub fn func_type(&self, func: u32) -> &FuncType {
        self.types[self.funcs[func as usize] as usize].func()
    }
    pub fn is_imported_func(&self, func: u32) -> bool {
        func < self.num_imported_funcs
    }
    pub fn num_defined_funcs(&self) -> u32 {
        self.funcs.len() as u32 - self.num_imported_funcs
    }
    /// The name for backtraces: the name section's, else an export name,
    /// else `wasm-function[N]`.
    pub fn func_name(&self, func: u32) -> String {
        if let Some(n) = self.func_names.get(&func) {
            return n.clone();
        }
        let export = self.exports.iter().find(|(_, k, i)| *k == ExternalKind::Func && *i == func);
        match export {
            Some((name, _, _)) => name.to_string(),
            None => format!("wasm-function[{func}]"),
        }
    }

    /// The name uncaught exceptions of a tag report: an export name, else
    /// the import's `module.name`, else the name section's, else `tag[N]`.
    pub fn tag_name(&self, tag: u32) -> String {
        if let Some((name, _, _)) = self.exports.iter().find(|(_, k, i)| *k == ExternalKind::Tag && *i == tag) {
            return name.to_string();
        }
        if let Some(i) = self.imports.iter().find(|i| i.kind == ExternalKind::Tag && i.index == tag) {
            return format!("{}.{}", i.module, i.name);
        }
        match self.tag_names.get(&tag) {
            Some(n) => n.clone(),
            None => format!("tag[{tag}]"),
        }
    }

    fn add_const_expr(&mut self, expr: ConstExpr<'a>, ty: ValType) -> ConstExprRef {
        self.push_const_expr(ConstExprInfo::input(expr, ty))
    }

    fn add_ref_func_expr(&mut self, f: u32) -> ConstExprRef {
        self.push_const_expr(ConstExprInfo::ref_func(f))
    }

    fn push_const_expr(&mut self, info: ConstExprInfo<'a>) -> ConstExprRef {
        self.const_exprs.push(info);
        self.const_exprs.len() - 1
    }
}

/// Refuses a module that uses SIMD (a `v128` type or instruction) with an
/// `unsupported: simd (<why>)` error at the first offset that needs it.
pub fn refuse_simd(wasm: &[u8], why: &str) -> Result<()> {
    use wasmparser::WasmFeatures as F;
    let features = (F::WASM3 | F::LEGACY_EXCEPTIONS) - F::SIMD - F::RELAXED_SIMD;
    match wasmparser::Validator::new_with_features(features).validate_all(wasm) {
        Ok(_) => Ok(()),
        // The module is valid with SIMD, so whatever fails here is SIMD.
        Err(e) => Err(CompileError::unsupported(feature::SIMD, why, e.offset())),
    }
}

/// Validates `wasm` and collects its [`ModuleInfo`]. Features outside what
/// wasmc lowers give an `unsupported:` error at the first offending offset.
pub fn parse(wasm: &[u8]) -> Result<ModuleInfo<'_>> {
    // WebAssembly 3.0 plus the legacy exception instructions (`try`,
    // `catch`, `delegate`, `rethrow`) that LLVM and Emscripten still emit.
    let features = wasmparser::WasmFeatures::WASM3 | wasmparser::WasmFeatures::LEGACY_EXCEPTIONS;
    wasmparser::Validator::new_with_features(features).validate_all(wasm)?;
    let mut m = ModuleInfo::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(r) => {
                for rec in r.into_iter_with_offsets() {
                    let (_, rec) = rec?;
                    let group_start = m.types.len() as u32;
                    let subs: Vec<_> = rec.into_types_and_offsets().collect();
                    let group_len = subs.len() as u32;
                    for (offset, sub) in subs {
                        m.types.push(types::type_def(&sub, group_start, group_len, offset)?);
                    }
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports_with_offsets() {
                    let (offset, imp) = imp?;
                    let (kind, index) = match imp.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            m.funcs.push(t);
                            m.num_imported_funcs += 1;
                            (ExternalKind::Func, m.funcs.len() as u32 - 1)
                        }
                        TypeRef::Table(t) => {
                            check_ref_type(t.element_type, offset)?;
                            if t.table64 {
                                return Err(CompileError::unsupported(feature::MEMORY64, "64-bit table", offset));
                            }
                            m.tables.push(Table { elem: t.element_type, min: t.initial, max: t.maximum, init: None });
                            m.num_imported_tables += 1;
                            (ExternalKind::Table, m.tables.len() as u32 - 1)
                        }
                        TypeRef::Memory(t) => {
                            m.memories.push(memory(t, offset)?);
                            m.num_imported_memories += 1;
                            (ExternalKind::Memory, m.memories.len() as u32 - 1)
                        }
                        TypeRef::Global(g) => {
                            check_val_type(g.content_type, offset)?;
                            m.globals.push(Global { ty: g.content_type, mutable: g.mutable, init: None });
                            m.num_imported_globals += 1;
                            (ExternalKind::Global, m.globals.len() as u32 - 1)
                        }
                        TypeRef::Tag(t) => {
                            m.tags.push(t.func_type_idx);
                            m.num_imported_tags += 1;
                            (ExternalKind::Tag, m.tags.len() as u32 - 1)
                        }
                    };
                    m.imports.push(Import { module: imp.module, name: imp.name, kind, index });
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    m.funcs.push(t?);
                }
            }
            Payload::TableSection(r) => {
                for t in r.into_iter_with_offsets() {
                    let (offset, t) = t?;
                    check_ref_type(t.ty.element_type, offset)?;
                    if t.ty.table64 {
                        return Err(CompileError::unsupported(feature::MEMORY64, "64-bit table", offset));
                    }
                    let init = match t.init {
                        TableInit::RefNull => None,
                        TableInit::Expr(e) => Some(m.add_const_expr(e, ValType::Ref(t.ty.element_type))),
                    };
                    m.tables.push(Table { elem: t.ty.element_type, min: t.ty.initial, max: t.ty.maximum, init });
                }
            }
            Payload::MemorySection(r) => {
                for t in r.into_iter_with_offsets() {
                    let (offset, t) = t?;
                    m.memories.push(memory(t, offset)?);
                }
            }
            Payload::TagSection(r) => {
                for t in r {
                    m.tags.push(t?.func_type_idx);
                }
            }
            Payload::GlobalSection(r) => {
                for g in r.into_iter_with_offsets() {
                    let (offset, g) = g?;
                    check_val_type(g.ty.content_type, offset)?;
                    let init = Some(m.add_const_expr(g.init_expr, g.ty.content_type));
                    m.globals.push(Global { ty: g.ty.content_type, mutable: g.ty.mutable, init });
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e?;
                    m.exports.push((e.name, e.kind, e.index));
                }
            }
            Payload::StartSection { func, .. } => m.start = Some(func),
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e?;
                    let ty = match &e.items {
                        ElementItems::Functions(_) => RefType::FUNCREF,
                        ElementItems::Expressions(t, _) => *t,
                    };
                    check_ref_type(ty, e.range.start)?;
                    let mode = match e.kind {
                        ElementKind::Passive => ElemMode::Passive,
                        ElementKind::Declared => ElemMode::Declared,
                        ElementKind::Active { table_index, offset_expr } => {
                            let offset = m.add_const_expr(offset_expr, ValType::I32);
                            ElemMode::Active { table: table_index.unwrap_or(0), offset }
                        }
                    };
                    let mut items = Vec::new();
                    match e.items {
                        ElementItems::Functions(r) => {
                            for f in r {
                                items.push(m.add_ref_func_expr(f?));
                            }
                        }
                        ElementItems::Expressions(t, r) => {
                            for e in r {
                                items.push(m.add_const_expr(e?, ValType::Ref(t)));
                            }
                        }
                    }
                    m.elems.push(Elem { mode, ty, items });
                }
            }
            Payload::DataSection(r) => {
                for d in r {
                    let d = d?;
                    let active = match d.kind {
                        DataKind::Passive => None,
                        DataKind::Active { memory_index, offset_expr } => {
                            Some((memory_index, m.add_const_expr(offset_expr, ValType::I32)))
                        }
                    };
                    m.data.push(Data { active, bytes: d.data });
                }
            }
            Payload::CodeSectionEntry(body) => m.bodies.push(body),
            Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(names) = c.as_known() {
                    // A malformed name section is ignored, as the spec allows.
                    for n in names.into_iter().flatten() {
                        match n {
                            Name::Module { name, .. } => m.name = Some(name.to_string()),
                            Name::Function(map) => {
                                for naming in map.into_iter().flatten() {
                                    m.func_names.insert(naming.index, naming.name.to_string());
                                }
                            }
                            Name::Tag(map) => {
                                for naming in map.into_iter().flatten() {
                                    m.tag_names.insert(naming.index, naming.name.to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    m.type_encodings = m.types.iter().map(types::encode_def).collect();
    if m.memories.len() > 1 {
        return Err(CompileError::unsupported(feature::MULTI_MEMORY, "second memory", 0));
    }
    Ok(m)
}

fn memory(t: wasmparser::MemoryType, offset: u64) -> Result<Memory> {
    if t.memory64 {
        return Err(CompileError::unsupported(feature::MEMORY64, "64-bit memory", offset));
    }
    if t.page_size_log2.is_some_and(|p| p != 16) {
        return Err(CompileError::unsupported("custom page sizes", "memory page size", offset));
    }
    Ok(Memory { min: t.initial, max: t.maximum, memory64: t.memory64, shared: t.shared })
}
