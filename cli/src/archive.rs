//! Writing static libraries (GNU `ar` format with a symbol index) without
//! depending on the host's `ar`, so a library for any target can be made
//! on any host, byte for byte the same on every run (no dates, no owners).
//!
//! Members keep their order and names; duplicate names are fine (the Rust
//! runtime's archive has members that share names, which `ar x` would
//! silently overwrite).

use anyhow::{bail, Context, Result};
use object::read::archive::ArchiveFile;
use object::{Object, ObjectSymbol};

/// One member: its name and bytes.
pub struct Member {
    pub name: String,
    pub data: Vec<u8>,
}

/// The members of an existing archive (its symbol index and name table
/// are rebuilt by [`write`]).
pub fn read_members(bytes: &[u8]) -> Result<Vec<Member>> {
    let archive = ArchiveFile::parse(bytes).context("reading a static library")?;
    let mut out = Vec::new();
    for m in archive.members() {
        let m = m.context("reading a static library member")?;
        let name = String::from_utf8_lossy(m.name()).into_owned();
        let data = m.data(bytes).context("reading a static library member")?.to_vec();
        out.push(Member { name, data });
    }
    Ok(out)
}

/// Global symbols an object file defines (what the index lists).
fn defined_symbols(data: &[u8]) -> Vec<String> {
    let Ok(file) = object::File::parse(data) else { return Vec::new() };
    file.symbols()
        .filter(|s| s.is_global() && s.is_definition())
        .filter_map(|s| s.name().ok().map(str::to_string))
        .filter(|n| !n.is_empty())
        .collect()
}

fn header(out: &mut Vec<u8>, name: &str, size: usize) {
    let h = format!("{name:<16}{:<12}{:<6}{:<6}{:<8}{size:<10}`\n", 0, 0, 0, 644);
    debug_assert_eq!(h.len(), 60);
    out.extend_from_slice(h.as_bytes());
}

fn pad(out: &mut Vec<u8>) {
    if out.len() % 2 == 1 {
        out.push(b'\n');
    }
}

/// An archive of `members` with a GNU symbol index.
pub fn write(members: &[Member]) -> Result<Vec<u8>> {
    // Long names ("//"): every name, so any name (even a duplicate or one
    // with a '/') round-trips.
    let mut names = Vec::new();
    let mut name_fields = Vec::new();
    for m in members {
        if m.name.contains('\n') {
            bail!("archive member name {:?} contains a newline", m.name);
        }
        name_fields.push(format!("/{}", names.len()));
        names.extend_from_slice(m.name.as_bytes());
        names.extend_from_slice(b"/\n");
    }
    let symbols: Vec<Vec<String>> = members.iter().map(|m| defined_symbols(&m.data)).collect();
    let count: usize = symbols.iter().map(Vec::len).sum();
    let strings: usize = symbols.iter().flatten().map(|s| s.len() + 1).sum();
    let symtab_size = 4 + 4 * count + strings;
    // Member offsets follow the magic, the index and the name table.
    let mut at = 8 + 60 + symtab_size + symtab_size % 2 + 60 + names.len() + names.len() % 2;
    let mut offsets = Vec::new();
    for m in members {
        offsets.push(at);
        at += 60 + m.data.len() + m.data.len() % 2;
    }
    if at > u32::MAX as usize {
        bail!("static library larger than 4 GiB");
    }
    let mut out = Vec::with_capacity(at);
    out.extend_from_slice(b"!<arch>\n");
    header(&mut out, "/", symtab_size);
    out.extend_from_slice(&(count as u32).to_be_bytes());
    for (syms, off) in symbols.iter().zip(&offsets) {
        for _ in syms {
            out.extend_from_slice(&(*off as u32).to_be_bytes());
        }
    }
    for s in symbols.iter().flatten() {
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }
    pad(&mut out);
    header(&mut out, "//", names.len());
    out.extend_from_slice(&names);
    pad(&mut out);
    for (m, field) in members.iter().zip(&name_fields) {
        header(&mut out, field, m.data.len());
        out.extend_from_slice(&m.data);
        pad(&mut out);
    }
    debug_assert_eq!(out.len(), at);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_round_trip_with_duplicate_names() {
        let members = vec![
            Member { name: "a.o".into(), data: b"one".to_vec() },
            Member { name: "a.o".into(), data: b"two!".to_vec() },
            Member { name: "a-very-long-member-name-indeed.o".into(), data: vec![] },
        ];
        let bytes = write(&members).unwrap();
        let back = read_members(&bytes).unwrap();
        assert_eq!(back.len(), 3);
        for (a, b) in members.iter().zip(&back) {
            assert_eq!((&a.name, &a.data), (&b.name, &b.data));
        }
        assert_eq!(write(&members).unwrap(), bytes, "deterministic");
    }
}
