//! The C header of a static library (`wasmc build --lib`): the module's
//! instance type, typed functions for its exports (inline wrappers around
//! the runtime's `wasmc_call_raw` / `wasmc_call_index`, see
//! `runtime-lib/include/wasmc.h`), accessors for exported memories, globals
//! and tables, and the declarations of the C functions its imports are
//! bound to (`Options::static_imports`). A v128 is `wasmc_v128_t`, by
//! value in both (`c_abi.rs` says how the trampolines pass it).
//!
//! Names: export `E` is `<prefix>_<c_name(E)>`, import `M.N` is
//! `<prefix>_<c_name(M)>__<c_name(N)>` (`wasmc_abi::mangle`): names that
//! read as C identifiers stay as they are, others are mangled. Neither form
//! contains `__`, so exports and imports cannot clash; an export whose name
//! is one of the fixed names (`instance_...`, `wasmc_module`) is mangled.

use super::{descriptor_symbol, WASI_MODULE};
use crate::error::Result;
use crate::module::{Composite, FuncType, ModuleInfo};
use std::fmt::Write;
use wasmc_abi::mangle::{c_name, import_symbol, mangle};
use wasmparser::{AbstractHeapType as A, ExternalKind, HeapType, ValType};

/// How a value is represented in C.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Repr {
    I32,
    I64,
    F32,
    F64,
    /// `wasmc_v128_t`, by value everywhere (in calls and in imports).
    V128,
    Func,
    /// externref or anyref: `wasmc_ref_t` in calls, `wasmc_rawref_t` in imports.
    Extern,
    Any,
}

fn repr(info: &ModuleInfo<'_>, t: ValType) -> Repr {
    match t {
        ValType::I32 => Repr::I32,
        ValType::I64 => Repr::I64,
        ValType::F32 => Repr::F32,
        ValType::F64 => Repr::F64,
        ValType::V128 => Repr::V128,
        ValType::Ref(r) => match r.heap_type() {
            HeapType::Abstract { ty: A::Func | A::NoFunc, .. } => Repr::Func,
            HeapType::Abstract { ty: A::Extern | A::NoExtern, .. } => Repr::Extern,
            HeapType::Concrete(i) | HeapType::Exact(i) => {
                match info.types.get(i.as_module_index().unwrap_or(0) as usize).map(|t| &t.composite) {
                    Some(Composite::Func(_)) => Repr::Func,
                    _ => Repr::Any,
                }
            }
            HeapType::Abstract { .. } => Repr::Any,
        },
    }
}

impl Repr {
    /// The C type of a value in a typed call.
    fn c_type(self) -> &'static str {
        match self {
            Repr::I32 => "int32_t",
            Repr::I64 => "int64_t",
            Repr::F32 => "float",
            Repr::F64 => "double",
            Repr::V128 => "wasmc_v128_t",
            Repr::Func => "const wasmc_func_t *",
            Repr::Extern | Repr::Any => "wasmc_ref_t",
        }
    }
    /// The C type of a value a host function receives or returns.
    fn import_type(self) -> &'static str {
        match self {
            Repr::Extern | Repr::Any => "wasmc_rawref_t",
            r => r.c_type(),
        }
    }
    fn kind(self) -> &'static str {
        match self {
            Repr::I32 => "WASMC_I32",
            Repr::I64 => "WASMC_I64",
            Repr::F32 => "WASMC_F32",
            Repr::F64 => "WASMC_F64",
            Repr::V128 => "WASMC_V128",
            Repr::Func => "WASMC_FUNCREF",
            Repr::Extern => "WASMC_EXTERNREF",
            Repr::Any => "WASMC_ANYREF",
        }
    }
    /// The `wasmc_raw_t` / `wasmc_val_t` union member.
    fn member(self) -> &'static str {
        match self {
            Repr::I32 => "i32",
            Repr::I64 => "i64",
            Repr::F32 => "f32",
            Repr::F64 => "f64",
            Repr::V128 => "v128",
            Repr::Func => "func",
            Repr::Extern | Repr::Any => "ref",
        }
    }
    /// Passed in a `wasmc_raw_t` slot by `wasmc_call_raw`.
    fn is_number(self) -> bool {
        matches!(self, Repr::I32 | Repr::I64 | Repr::F32 | Repr::F64 | Repr::V128)
    }
}

/// `T name` with the pointer star attached to the name.
fn decl(ty: &str, name: &str) -> String {
    if ty.ends_with('*') {
        format!("{ty}{name}")
    } else {
        format!("{ty} {name}")
    }
}

fn wat_type(ty: &FuncType) -> String {
    let mut s = String::from("(func");
    if !ty.params.is_empty() {
        s.push_str(" (param");
        ty.params.iter().for_each(|p| {
            let _ = write!(s, " {p}");
        });
        s.push(')');
    }
    if !ty.results.is_empty() {
        s.push_str(" (result");
        ty.results.iter().for_each(|r| {
            let _ = write!(s, " {r}");
        });
        s.push(')');
    }
    s.push(')');
    s
}

/// The C name of export `name` (after the prefix and `_`).
fn export_name(name: &str) -> String {
    if name.starts_with("instance_") || name == "wasmc_module" {
        mangle(name)
    } else {
        c_name(name)
    }
}

/// Escapes a wasm name for a C comment.
fn comment_name(name: &str) -> String {
    name.escape_default().to_string().replace("*/", "*\\/")
}

/// The header for a module compiled with `symbol_prefix = prefix` and
/// static imports. `library` names the library in the header's comment.
pub fn generate(info: &ModuleInfo<'_>, prefix: &str, library: &str) -> Result<String> {
    let p = prefix;
    let guard = format!("{}_WASMC_H", p.to_ascii_uppercase());
    let desc = descriptor_symbol(p);
    let mut h = String::new();
    let _ = write!(
        h,
        r#"/*
 * {p}.h: C interface of a WebAssembly module, generated by wasmc {version}.
 * Link with {library}. The API, its ownership rule and its threading rules
 * are in wasmc.h.
 *
 * Names: export E is {p}_<E>, import M.N is the C function {p}_<M>__<N>.
 * <X> is X itself when X reads as a C identifier (letters, digits and `_`,
 * starting with a letter, not ending with `_`, no `__`, no `_` followed by
 * two uppercase hex digits). Any other name is mangled: ASCII letters and
 * digits stay, every other byte (`_` included, and a leading digit) is `_`
 * and two uppercase hex digits: export "get_value" is {p}_get_value, "9x"
 * is {p}__39x, "a.b" is {p}_a_2Eb; exports named instance_* or
 * wasmc_module are always mangled. The comment above each item gives the
 * original name.
 */
#ifndef {guard}
#define {guard}

#include "wasmc.h"

#ifdef __cplusplus
extern "C" {{
#endif

/* The module descriptor, defined in the library. */
extern const wasmc_module_desc_t {desc};

/* An instance of this module: a wasmc_instance_t (see {p}_instance_base). */
typedef struct {p}_instance {p}_instance_t;

static inline wasmc_instance_t *{p}_instance_base({p}_instance_t *instance) {{
    return (wasmc_instance_t *)instance;
}}

/* Instantiates the module (see wasmc_instance_new); `*out` is yours. */
static inline wasmc_error_t *{p}_instance_new(wasmc_store_t *store, const wasmc_instance_config_t *config,
                                              {p}_instance_t **out) {{
    const wasmc_module_t *module;
    wasmc_error_t *error = wasmc_module_load(&{desc}, &module);
    if (error != NULL) {{
        if (out != NULL) *out = NULL;
        return error;
    }}
    return wasmc_instance_new(store, module, config, (wasmc_instance_t **)out);
}}

static inline void {p}_instance_delete({p}_instance_t *instance) {{
    wasmc_instance_delete((wasmc_instance_t *)instance);
}}
"#,
        version = env!("CARGO_PKG_VERSION"),
    );

    if !info.exports.is_empty() {
        h.push_str("\n/* Exports. */\n");
    }
    for (name, kind, index) in &info.exports {
        let c = format!("{p}_{}", export_name(name));
        let shown = comment_name(name);
        match kind {
            ExternalKind::Func | ExternalKind::FuncExact => export_func(&mut h, info, p, &desc, &c, &shown, *index)?,
            ExternalKind::Memory | ExternalKind::Global | ExternalKind::Table => {
                let (ty, what) = match kind {
                    ExternalKind::Memory => ("wasmc_memory_t", "memory".to_string()),
                    ExternalKind::Global => {
                        let g = &info.globals[*index as usize];
                        ("wasmc_global_t", format!("global ({}{})", if g.mutable { "mut " } else { "" }, g.ty))
                    }
                    _ => ("wasmc_table_t", format!("table of {}", info.tables[*index as usize].elem)),
                };
                let _ = write!(
                    h,
                    "\n/* export \"{shown}\": {what} */\n\
                     static inline {ty} {c}({p}_instance_t *instance) {{\n    \
                         {ty} x;\n    \
                         x.instance = (wasmc_instance_t *)instance;\n    \
                         x.index = {index};\n    \
                         return x;\n\
                     }}\n"
                );
            }
            ExternalKind::Tag => {}
        }
    }

    let mut wasi = Vec::new();
    let mut first = true;
    for imp in &info.imports {
        if imp.kind != ExternalKind::Func {
            continue;
        }
        if imp.module == WASI_MODULE {
            wasi.push(imp.name);
            continue;
        }
        if first {
            h.push_str(
                "\n/* Imports: define these C functions (see wasmc.h, \"HOST FUNCTIONS\"). `caller` is the\n \
                 * calling instance; reference arguments are valid until the function returns. */\n",
            );
            first = false;
        }
        let ty = info.func_type(imp.index);
        let mut params = vec!["wasmc_caller_t *caller".to_string()];
        for (i, t) in ty.params.iter().enumerate() {
            params.push(decl(repr(info, *t).import_type(), &format!("a{i}")));
        }
        let ret = match ty.results.len() {
            1 => repr(info, ty.results[0]).import_type().to_string(),
            _ => {
                for (i, t) in ty.results.iter().enumerate() {
                    params.push(decl(&format!("{} *", repr(info, *t).import_type()), &format!("r{i}")));
                }
                "void".to_string()
            }
        };
        let sym = import_symbol(p, imp.module, imp.name);
        let _ = write!(
            h,
            "\n/* import \"{}\" \"{}\": {} */\n{};\n",
            comment_name(imp.module),
            comment_name(imp.name),
            wat_type(ty),
            decl(&ret, &format!("{sym}({})", params.join(", ")))
        );
    }
    if !wasi.is_empty() {
        let _ = write!(
            h,
            "\n/* WASI preview1 imports, provided by the runtime: instantiate with\n \
             * wasmc_instance_config_t.wasi set. ({}) */\n",
            wasi.join(", ")
        );
    }
    let _ = write!(h, "\n#ifdef __cplusplus\n}}\n#endif\n\n#endif /* {guard} */\n");
    Ok(h)
}

fn export_func(
    h: &mut String,
    info: &ModuleInfo<'_>,
    p: &str,
    desc: &str,
    c: &str,
    shown: &str,
    index: u32,
) -> Result<()> {
    let ty = info.func_type(index);
    let params: Vec<_> = ty.params.iter().map(|t| repr(info, *t)).collect();
    let results: Vec<_> = ty.results.iter().map(|t| repr(info, *t)).collect();
    let mut args = vec![format!("{p}_instance_t *instance")];
    args.extend(params.iter().enumerate().map(|(i, r)| decl(r.c_type(), &format!("a{i}"))));
    args.extend(results.iter().enumerate().map(|(i, r)| decl(&format!("{} *", r.c_type()), &format!("r{i}"))));
    let _ = write!(
        h,
        "\n/* export \"{shown}\": {} */\nstatic inline wasmc_error_t *{c}({}) {{\n",
        wat_type(ty),
        args.join(", ")
    );
    let inst = "(wasmc_instance_t *)instance";
    if params.iter().chain(&results).all(|r| r.is_number()) {
        let n = params.len().max(results.len()).max(1);
        let _ = writeln!(h, "    wasmc_raw_t s[{n}] = {{{{0}}}};");
        for (i, r) in params.iter().enumerate() {
            let _ = writeln!(h, "    s[{i}].{} = a{i};", r.member());
        }
        let _ = writeln!(h, "    wasmc_error_t *error = wasmc_call_raw({inst}, &{desc}, {index}, s, {n});");
        if !results.is_empty() {
            h.push_str("    if (error == NULL) {\n");
            for (i, r) in results.iter().enumerate() {
                let _ = writeln!(h, "        if (r{i} != NULL) *r{i} = s[{i}].{};", r.member());
            }
            h.push_str("    }\n");
        }
    } else {
        let (na, nr) = (params.len(), results.len());
        if na > 0 {
            let _ = writeln!(h, "    wasmc_val_t args[{na}];");
        }
        if nr > 0 {
            let _ = writeln!(h, "    wasmc_val_t res[{nr}];");
        }
        for (i, r) in params.iter().enumerate() {
            let _ = writeln!(h, "    args[{i}].kind = {};\n    args[{i}].of.{} = a{i};", r.kind(), r.member());
        }
        let (a, rs) = (if na > 0 { "args" } else { "NULL" }, if nr > 0 { "res" } else { "NULL" });
        let _ = writeln!(
            h,
            "    wasmc_error_t *error = wasmc_call_index({inst}, &{desc}, {index}, {a}, {na}, {rs}, {nr});"
        );
        if nr > 0 {
            h.push_str("    if (error == NULL) {\n");
            for (i, r) in results.iter().enumerate() {
                let _ = writeln!(h, "        if (r{i} != NULL) *r{i} = res[{i}].of.{};", r.member());
                if matches!(r, Repr::Extern | Repr::Any) {
                    // A root nobody asked for is released, not leaked.
                    let _ = writeln!(h, "        else wasmc_val_release(wasmc_instance_store({inst}), &res[{i}]);");
                }
            }
            h.push_str("    }\n");
        }
    }
    h.push_str("    return error;\n}\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Golden test: the whole header of a small module. `WASMC_BLESS=1`
    /// rewrites the expectation in `tests/header/*.h`.
    #[test]
    fn header_of_a_small_module_is_stable() {
        let wasm = wat::parse_str(
            r#"(module
                 (import "env" "log" (func (param i32)))
                 (import "env" "pair" (func (param i64) (result i32 f64)))
                 (import "host.v2" "get_ref" (func (param externref) (result externref)))
                 (import "env" "blend" (func (param v128 i32) (result v128)))
                 (import "env" "split" (func (param v128) (result v128 i64)))
                 (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
                 (memory (export "memory") 1)
                 (global (export "counter") (mut i32) (i32.const 0))
                 (table (export "tbl") 2 funcref)
                 (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
                 (func (export "get_value") (result i64 f32) (i64.const 1) (f32.const 2))
                 (func (export "9lives") (param externref funcref) (result externref) (local.get 0))
                 (global (export "bias") (mut v128) (v128.const i32x4 1 2 3 4))
                 (func (export "add4") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
                 (func (export "tag") (param v128 externref) (result externref v128) (local.get 1) (local.get 0)))"#,
        )
        .unwrap();
        let info = crate::module::parse(&wasm).unwrap();
        let got = generate(&info, "app", "libapp.a").unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/header/app.h");
        if std::env::var_os("WASMC_BLESS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &got).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(got == want, "generated header differs from {} (WASMC_BLESS=1 rewrites it):\n{got}", path.display());
    }
}
