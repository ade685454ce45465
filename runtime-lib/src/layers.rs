//! The runtime's layers, checked: every `crate::` path in a module must
//! name a module of a lower layer (or its own). Leaf data knows nothing of
//! instances; the collector learns its roots through `gc::RootSource`; the
//! instance owns its parts; builtins and instantiation sit on the
//! instance; WASI on host functions and instances; the C API and the entry
//! of executables on everything.

/// Modules from the bottom up; a module may use only those before it.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const LAYERS: &[&[&str]] = &[
    // Leaf data, and trap catching/raising with the pending host failure
    // (one per layer where one leaf uses another: waits the memories,
    // traps the code registry,
    // the allocator's failure report traps' backtraces, tables their types
    // and the allocator's fallible scope).
    &["file_pages"],
    &["code", "memory", "stack"],
    &["wait"],
    &["types"],
    &["trap"],
    &["oom"],
    &["table"],
    // The collector; host function contexts; calling into wasm; values.
    &["gc"],
    &["host"],
    &["call"],
    &["val"],
    // Instances and stores.
    &["instance"],
    // Exceptions: the throw, and payloads as the host sees them.
    &["exn"],
    // Entry points of generated code, then instantiation (which points
    // every vmctx at the builtins).
    &["builtins"],
    &["instantiate"],
    // WASI, then the embedding API and the executable entry.
    &["wasi"],
    &["capi"],
    &["exe"],
];

#[cfg(test)]
mod tests {
    use super::LAYERS;
    use std::collections::HashMap;
    use std::path::Path;

    /// Every `.rs` file below `dir`.
    fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        let mut dirs = vec![dir.to_path_buf()];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
        files
    }

    fn rank(module: &str) -> Option<usize> {
        LAYERS.iter().position(|layer| layer.contains(&module))
    }

    /// `name -> module` for the crate-root re-exports (`pub use m::{A, B}`).
    fn reexports(lib: &str) -> HashMap<String, String> {
        let mut out = HashMap::new();
        for line in lib.lines().filter_map(|l| l.strip_prefix("pub use ")) {
            let Some((module, names)) = line.trim_end_matches(';').split_once("::") else { continue };
            for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
                out.insert(name.trim().to_string(), module.to_string());
            }
        }
        out
    }

    /// The modules a file's code (comments left out) names as `crate::x`.
    fn uses(text: &str, reexports: &HashMap<String, String>) -> Vec<String> {
        let mut out = Vec::new();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            let mut rest = code;
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + "crate::".len()..];
                let group = rest.strip_prefix('{');
                let names = group.map_or(rest, |g| g.split('}').next().unwrap_or(""));
                for name in names.split(',') {
                    let name: String = name.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    match reexports.get(&name) {
                        Some(m) => out.push(m.clone()),
                        None => out.push(name),
                    }
                    if group.is_none() {
                        break;
                    }
                }
            }
        }
        out
    }

    #[test]
    #[cfg_attr(miri, ignore = "text processing of the sources, no unsafe code: minutes under Miri")]
    fn modules_use_only_lower_layers() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
        let reexports = reexports(&lib);
        let mut wrong = Vec::new();
        for f in rust_files(&src) {
            let rel = f.strip_prefix(&src).unwrap();
            let module = rel.iter().next().unwrap().to_string_lossy().trim_end_matches(".rs").to_string();
            if module == "lib" || module == "layers" {
                continue;
            }
            let own = rank(&module).unwrap_or_else(|| panic!("module `{module}` is in no layer of layers.rs"));
            let text = std::fs::read_to_string(&f).unwrap();
            for dep in uses(&text, &reexports) {
                if dep == module || dep.is_empty() {
                    continue;
                }
                match rank(&dep) {
                    Some(r) if r < own => {}
                    Some(_) => {
                        wrong.push(format!("{}: `{module}` uses `{dep}`, a layer above or beside it", rel.display()))
                    }
                    None if reexports.values().any(|m| m == &dep) => {}
                    None => wrong.push(format!("{}: `crate::{dep}` is no module of a layer", rel.display())),
                }
            }
        }
        assert!(wrong.is_empty(), "layering violations:\n{}", wrong.join("\n"));
    }

    #[test]
    fn the_checker_sees_violations() {
        let re = reexports("pub use instance::{Instance, Module};\npub use val::Val;");
        assert_eq!(uses("use crate::{Instance, val::Func};", &re), ["instance", "val"]);
        assert_eq!(uses("let x = crate::gc::ops::f(); // crate::exe", &re), ["gc"]);
        assert_eq!(uses("crate::Val::I32(1)", &re), ["val"]);
    }

    #[test]
    #[cfg_attr(miri, ignore = "text processing of the sources, no unsafe code")]
    fn no_file_is_too_long() {
        // One concern per file: past ~600 lines a file should be split.
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut long = Vec::new();
        for p in rust_files(&src) {
            let n = std::fs::read_to_string(&p).unwrap().lines().count();
            if n > 600 {
                long.push(format!("{}: {n} lines", p.display()));
            }
        }
        assert!(long.is_empty(), "files to split:\n{}", long.join("\n"));
    }
}
