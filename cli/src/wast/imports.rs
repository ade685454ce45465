//! Which modules a binary module imports from, read straight from its
//! import section. Needed for modules the compiler refuses: instantiating
//! them would have changed the instances they import from (segments, start
//! functions), so those instances are no longer what the script expects.

/// The module names of the imports, in order; `None` when the bytes cannot
/// be read (the caller must then assume the worst).
pub fn import_modules(wasm: &[u8]) -> Option<Vec<String>> {
    let mut r = Reader { bytes: wasm, pos: 0 };
    if r.take(4)? != b"\0asm" || r.take(4)? != [1, 0, 0, 0] {
        return None;
    }
    while r.pos < r.bytes.len() {
        let id = r.byte()?;
        let size = r.leb()? as usize;
        let body = r.take(size)?;
        if id == 2 {
            return imports_in(body);
        }
    }
    Some(Vec::new())
}

fn imports_in(section: &[u8]) -> Option<Vec<String>> {
    let mut r = Reader { bytes: section, pos: 0 };
    let count = r.leb()?;
    let mut out = Vec::new();
    for _ in 0..count {
        let module = r.name()?;
        let _field = r.name()?;
        match r.byte()? {
            0x00 => {
                r.leb()?;
            }
            0x01 => {
                r.ref_type()?;
                r.limits()?;
            }
            0x02 => r.limits()?,
            0x03 => {
                r.val_type()?;
                r.byte()?;
            }
            0x04 => {
                r.byte()?;
                r.leb()?;
            }
            _ => return None,
        }
        out.push(module);
    }
    Some(out)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    /// An unsigned or signed LEB128 number (the bits of a signed one are
    /// not needed, only its length).
    fn leb(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift < 64 {
                v |= ((b & 0x7f) as u64) << shift;
            }
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    fn name(&mut self) -> Option<String> {
        let n = self.leb()? as usize;
        Some(String::from_utf8_lossy(self.take(n)?).into_owned())
    }
    fn ref_type(&mut self) -> Option<()> {
        match self.byte()? {
            0x63 | 0x64 => {
                if self.bytes.get(self.pos) == Some(&0x62) {
                    self.pos += 1;
                }
                self.leb().map(|_| ())
            }
            _ => Some(()),
        }
    }
    fn val_type(&mut self) -> Option<()> {
        self.ref_type()
    }
    fn limits(&mut self) -> Option<()> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 != 0 {
            self.leb()?;
        }
        if flags & 8 != 0 {
            self.leb()?;
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_import_modules() {
        let wasm = wat::parse_str(
            r#"(module
                (import "a" "f" (func (param i32)))
                (import "b" "t" (table 1 2 funcref))
                (import "c" "m" (memory 1))
                (import "d" "g" (global (mut i64))))"#,
        )
        .unwrap();
        assert_eq!(import_modules(&wasm).unwrap(), ["a", "b", "c", "d"]);
        assert_eq!(import_modules(b"\0asm\x01\0\0\0").unwrap(), Vec::<String>::new());
        assert_eq!(import_modules(b"junk"), None);
    }
}
