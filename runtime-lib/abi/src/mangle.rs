//! Symbol names for C: how a wasm import or export name becomes a C
//! identifier, reversibly.
//!
//! ASCII letters and digits stand for themselves; every other byte,
//! including `_`, becomes `_` followed by two uppercase hex digits. So a
//! mangled name never contains `__`, and `__` can join a module and a field
//! name unambiguously: the import `bench.start` is `bench__start`, and
//! `wasi:io/poll` is `wasi_3Aio_2Fpoll`. A leading digit is escaped too, so
//! every mangled name is a valid C identifier.

extern crate alloc;
use alloc::string::String;
use core::fmt::Write;

pub fn mangle_into(name: &str, out: &mut String) {
    for (i, b) in name.bytes().enumerate() {
        if b.is_ascii_alphabetic() || (b.is_ascii_digit() && i > 0) {
            out.push(b as char);
        } else {
            let _ = write!(out, "_{b:02X}");
        }
    }
}

pub fn mangle(name: &str) -> String {
    let mut s = String::new();
    mangle_into(name, &mut s);
    s
}

/// Inverse of [`mangle`]; `None` if `s` is not a mangled name.
pub fn demangle(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = alloc::vec::Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'_' {
            let hex = core::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The C symbol a statically linked import resolves to:
/// `[prefix_]<module>__<name>`.
pub fn import_symbol(prefix: &str, module: &str, name: &str) -> String {
    let mut s = String::new();
    if !prefix.is_empty() {
        s.push_str(prefix);
        s.push('_');
    }
    mangle_into(module, &mut s);
    s.push_str("__");
    mangle_into(name, &mut s);
    s
}

/// Splits an import symbol back into (module, name).
pub fn parse_import_symbol(prefix: &str, symbol: &str) -> Option<(String, String)> {
    let rest = if prefix.is_empty() { symbol } else { symbol.strip_prefix(prefix)?.strip_prefix('_')? };
    let (m, n) = rest.split_once("__")?;
    Some((demangle(m)?, demangle(n)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for name in ["start", "bench", "wasi:io/poll", "a_b", "__x", "9lives", "ünï", "", "a__b"] {
            let m = mangle(name);
            assert!(!m.contains("__"), "{m}");
            assert!(!m.starts_with(|c: char| c.is_ascii_digit()));
            assert_eq!(demangle(&m).as_deref(), Some(name));
        }
        assert_eq!(import_symbol("", "bench", "start"), "bench__start");
        assert_eq!(import_symbol("app", "env", "a_b"), "app_env__a_5Fb");
        assert_eq!(parse_import_symbol("app", "app_env__a_5Fb"), Some(("env".into(), "a_b".into())));
    }
}
