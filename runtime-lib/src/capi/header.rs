//! The part of `include/wasmc.h` that restates `wasmc-abi`: ABI version,
//! value kinds, export kinds, trap kinds and messages. Generated here; a
//! test fails when the checked-in header differs (`WASMC_BLESS=1` rewrites
//! it), so the two cannot drift apart.

use std::fmt::Write;
use wasmc_abi::descriptor::*;
use wasmc_abi::Trap;

pub const BEGIN: &str = "/* BEGIN GENERATED";
pub const END: &str = "/* END GENERATED */";

/// `StackOverflow` -> `STACK_OVERFLOW`.
fn screaming(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The generated block, from its BEGIN line to its END line inclusive.
pub fn generated() -> String {
    let mut s = String::new();
    s.push_str(BEGIN);
    s.push_str(
        " (from wasmc-abi by runtime-lib/src/capi/header.rs; `WASMC_BLESS=1 cargo test -p wasmc-rt` rewrites it) */\n",
    );
    s.push_str("/* The runtime ABI this header belongs to (module descriptors carry it too). */\n");
    let _ = writeln!(s, "#define WASMC_ABI_VERSION {}", wasmc_abi::ABI_VERSION);
    s.push_str("\n/* Value kinds (wasmc_val_t.kind): the type's code in the wasm binary format. */\n");
    for (name, code) in [
        ("I32", TY_I32),
        ("I64", TY_I64),
        ("F32", TY_F32),
        ("F64", TY_F64),
        ("V128", TY_V128),
        ("FUNCREF", TY_FUNCREF),
        ("EXTERNREF", TY_EXTERNREF),
        ("ANYREF", TY_ANYREF),
    ] {
        let _ = writeln!(s, "#define WASMC_{name} {code:#04x}");
    }
    s.push_str("\n/* Export kinds. */\n");
    for (name, code) in [("FUNC", KIND_FUNC), ("TABLE", KIND_TABLE), ("MEMORY", KIND_MEMORY), ("GLOBAL", KIND_GLOBAL)] {
        let _ = writeln!(s, "#define WASMC_EXTERN_{name} {code}");
    }
    s.push_str("\n/* Trap kinds (wasmc_error_trap), with their messages. */\n");
    for t in Trap::ALL {
        let _ = writeln!(s, "#define WASMC_TRAP_{} {} /* {} */", screaming(&format!("{t:?}")), t as u8, t.message());
    }
    s.push_str(END);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "reads include/wasmc.h: Miri isolates the file system")]
    fn checked_in_header_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("include/wasmc.h");
        let text = std::fs::read_to_string(&path).unwrap();
        let start = text.find(BEGIN).expect("BEGIN GENERATED marker");
        let end = text.find(END).expect("END GENERATED marker") + END.len();
        let want = generated();
        if text[start..end] != want {
            if std::env::var_os("WASMC_BLESS").is_some() {
                std::fs::write(&path, format!("{}{want}{}", &text[..start], &text[end..])).unwrap();
                return;
            }
            panic!(
                "{} is stale: its generated part differs from wasmc-abi; \
                 run `WASMC_BLESS=1 cargo test -p wasmc-rt checked_in_header` and commit the result",
                path.display()
            );
        }
    }
}
