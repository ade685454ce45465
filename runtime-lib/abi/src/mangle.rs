//! Symbol names for C: how a wasm import or export name becomes a C
//! identifier, reversibly.
//!
//! [`mangle`]: ASCII letters and digits stand for themselves; every other
//! byte, including `_`, becomes `_` followed by two uppercase hex digits.
//! So a mangled name never contains `__`, and `__` can join a module and a
//! field name unambiguously; `wasi:io/poll` is `wasi_3Aio_2Fpoll`. A
//! leading digit is escaped too, so every mangled name is a valid C
//! identifier.
//!
//! [`c_name`]: what C code sees. A name that already reads as a C
//! identifier stays as it is (`log_it`, `getValue`); only other names are
//! mangled. "Reads as an identifier" ([`is_plain`]): ASCII letters, digits
//! and `_`, starting with a letter, not ending with `_`, without `__`, and
//! not itself a mangled name of something else (`a_2F` is mangled, as
//! `a_5F2F`). The two forms never meet, so [`from_c_name`] undoes it.
//!
//! An import `bench.start` binds to the C symbol `bench__start`;
//! `env.log_it` to `env__log_it`; `wasi:io/poll.x` to `wasi_3Aio_2Fpoll__x`.

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

/// Whether `name` is used as it is by [`c_name`].
pub fn is_plain(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphabetic()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && b[b.len() - 1] != b'_'
        && !name.contains("__")
        && (!name.contains('_') || demangle(name).is_none())
}

/// `name` as part of a C identifier: itself if [`is_plain`], else mangled.
pub fn c_name(name: &str) -> String {
    if is_plain(name) {
        name.into()
    } else {
        mangle(name)
    }
}

/// Inverse of [`c_name`].
pub fn from_c_name(s: &str) -> Option<String> {
    if is_plain(s) && (!s.contains('_') || demangle(s).is_none()) {
        return Some(s.into());
    }
    demangle(s).filter(|n| !is_plain(n))
}

/// The C symbol a statically linked import resolves to:
/// `[prefix_]<c_name(module)>__<c_name(name)>`.
pub fn import_symbol(prefix: &str, module: &str, name: &str) -> String {
    let mut s = String::new();
    if !prefix.is_empty() {
        s.push_str(prefix);
        s.push('_');
    }
    s.push_str(&c_name(module));
    s.push_str("__");
    s.push_str(&c_name(name));
    s
}

/// Splits an import symbol back into (module, name).
pub fn parse_import_symbol(prefix: &str, symbol: &str) -> Option<(String, String)> {
    let rest = if prefix.is_empty() { symbol } else { symbol.strip_prefix(prefix)?.strip_prefix('_')? };
    // Neither part contains `__` and the module's part never ends with `_`.
    let (m, n) = rest.split_once("__")?;
    Some((from_c_name(m)?, from_c_name(n)?))
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
        assert_eq!(import_symbol("app", "env", "a_b"), "app_env__a_b");
        assert_eq!(import_symbol("app", "env", "a_5F"), "app_env__a_5F5F");
        assert_eq!(import_symbol("", "wasi:io/poll", "_x"), "wasi_3Aio_2Fpoll___5Fx");
        assert_eq!(parse_import_symbol("app", "app_env__a_b"), Some(("env".into(), "a_b".into())));
    }

    #[test]
    fn c_names_are_identifiers_and_round_trip() {
        let names = [
            "start",
            "log_it",
            "getValue",
            "a_b_c",
            "a_5F",
            "a_2F",
            "x_",
            "_x",
            "a__b",
            "9lives",
            "wasi:io/poll",
            "",
            "ünï",
            "A_FF",
            "a_ff",
            "instance_new",
            "a-b",
            "__",
            "_",
        ];
        for (i, a) in names.iter().enumerate() {
            let c = c_name(a);
            assert!(c.is_empty() || (c.as_bytes()[0].is_ascii_alphabetic() || c.starts_with('_')), "{c}");
            assert!(c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "{c}");
            assert!(!c.contains("__") && !c.ends_with('_'), "{a} -> {c}");
            assert_eq!(from_c_name(&c).as_deref(), Some(*a), "{a} -> {c}");
            for b in &names[i + 1..] {
                assert_ne!(c, c_name(b), "{a} and {b}");
            }
            for b in names {
                let sym = import_symbol("p", a, b);
                assert_eq!(parse_import_symbol("p", &sym), Some((String::from(*a), String::from(b))), "{sym}");
            }
        }
        assert_eq!(c_name("log_it"), "log_it");
        assert_eq!(c_name("a_2F"), "a_5F2F");
        assert_eq!(c_name("9lives"), "_39lives");
    }
}
