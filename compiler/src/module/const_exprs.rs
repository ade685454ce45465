//! Constant expressions as the module stores them: most borrow the input
//! bytes; the `ref.func` items of function-index element segments have no
//! bytes in the input and carry their own encoding.

use wasmparser::{BinaryReader, ConstExpr, ValType};

/// A constant expression together with the type it produces.
#[derive(Debug, Clone)]
pub struct ConstExprInfo<'a> {
    source: ExprSource<'a>,
    pub ty: ValType,
}

/// Where a constant expression's bytes live.
#[derive(Debug, Clone)]
enum ExprSource<'a> {
    /// In the module's own bytes.
    Input(ConstExpr<'a>),
    /// Encoded here, inline, so an element item costs no allocation.
    RefFunc(EncodedRefFunc),
}

impl<'a> ConstExprInfo<'a> {
    pub(super) fn input(expr: ConstExpr<'a>, ty: ValType) -> Self {
        ConstExprInfo { source: ExprSource::Input(expr), ty }
    }

    /// `ref.func f`, for an element segment that lists function indices:
    /// encoded so every segment is handled uniformly downstream.
    pub(super) fn ref_func(f: u32) -> Self {
        ConstExprInfo { source: ExprSource::RefFunc(EncodedRefFunc::new(f)), ty: ValType::FUNCREF }
    }

    pub fn expr(&self) -> ConstExpr<'_> {
        match &self.source {
            ExprSource::Input(e) => e.clone(),
            ExprSource::RefFunc(r) => ConstExpr::new(BinaryReader::new(r.bytes(), 0)),
        }
    }
}

/// The bytes of `ref.func f; end`.
#[derive(Debug, Clone, Copy)]
struct EncodedRefFunc {
    /// Opcode, at most 5 bytes of LEB128 index, `end`.
    buf: [u8; 7],
    len: u8,
}

impl EncodedRefFunc {
    fn new(f: u32) -> EncodedRefFunc {
        let mut r = EncodedRefFunc { buf: [0; 7], len: 0 };
        r.push(0xd2);
        let mut v = f;
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                r.push(byte);
                break;
            }
            r.push(byte | 0x80);
        }
        r.push(0x0b);
        r
    }

    fn push(&mut self, byte: u8) {
        self.buf[self.len as usize] = byte;
        self.len += 1;
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmparser::Operator;

    fn ref_func_index(c: &ConstExprInfo<'_>) -> u32 {
        let mut r = c.expr().get_operators_reader();
        let Operator::RefFunc { function_index } = r.read().unwrap() else { panic!("not ref.func") };
        assert!(matches!(r.read().unwrap(), Operator::End));
        assert!(r.eof());
        function_index
    }

    #[test]
    fn ref_func_encodes_every_index_width() {
        for f in [0, 1, 127, 128, 16_383, 16_384, 1 << 21, 1 << 28, u32::MAX] {
            assert_eq!(ref_func_index(&ConstExprInfo::ref_func(f)), f);
        }
    }

    #[test]
    fn function_index_elements_read_as_ref_func() {
        let wasm = wat::parse_str(
            r#"(module
                 (table 3 funcref)
                 (func $a) (func $b)
                 (elem (i32.const 0) func $b $a $b))"#,
        )
        .unwrap();
        let m = super::super::parse(&wasm).unwrap();
        let items: Vec<u32> = m.elems[0].items.iter().map(|&k| ref_func_index(&m.const_exprs[k])).collect();
        assert_eq!(items, [1, 0, 1]);
        assert!(m.elems[0].items.iter().all(|&k| m.const_exprs[k].ty == ValType::FUNCREF));
    }
}
