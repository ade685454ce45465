//! v128 values as people write them (`wasmc run --invoke` arguments) and
//! read them (its results, `wasmc wast` failures), in the text format's
//! lane notations.
//!
//! Accepted: `SHAPE L0 L1 ...`, the `v128.const` spelling of the text
//! format (one shell argument: quote it), also written `SHAPE:L0,L1,...`;
//! SHAPE is i8x16, i16x8, i32x4, i64x2, f32x4 or f64x2, lane 0 first.
//! Integer lanes are decimal or `0x` hex, signed or unsigned; float lanes
//! are decimal, `inf`, `nan` or `nan:0xPAYLOAD`, optionally signed. And
//! `0x` followed by exactly 32 hex digits: the 128-bit number whose
//! little-endian bytes are the vector (the last two digits are byte 0).
//!
//! Printed: `i32x4 0x00000001 0x00000002 0x00000003 0x00000004` (hex
//! lanes: every bit shows, and the text parses back).

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    I8x16,
    I16x8,
    I32x4,
    I64x2,
    F32x4,
    F64x2,
}

impl Shape {
    pub const ALL: [Shape; 6] = [Shape::I8x16, Shape::I16x8, Shape::I32x4, Shape::I64x2, Shape::F32x4, Shape::F64x2];

    pub fn name(self) -> &'static str {
        match self {
            Shape::I8x16 => "i8x16",
            Shape::I16x8 => "i16x8",
            Shape::I32x4 => "i32x4",
            Shape::I64x2 => "i64x2",
            Shape::F32x4 => "f32x4",
            Shape::F64x2 => "f64x2",
        }
    }

    /// Bytes per lane.
    pub fn lane_bytes(self) -> usize {
        match self {
            Shape::I8x16 => 1,
            Shape::I16x8 => 2,
            Shape::I32x4 | Shape::F32x4 => 4,
            Shape::I64x2 | Shape::F64x2 => 8,
        }
    }

    pub fn lanes(self) -> usize {
        16 / self.lane_bytes()
    }

    fn is_float(self) -> bool {
        matches!(self, Shape::F32x4 | Shape::F64x2)
    }
}

/// The bits of lane `i` of `bits` in `shape`.
pub fn lane(bits: u128, shape: Shape, i: usize) -> u64 {
    let n = shape.lane_bytes() * 8;
    ((bits >> (i * n)) & ((1u128 << n) - 1)) as u64
}

/// `i32x4 0x00000001 ...`: `bits` in `shape`, hex integer lanes, float
/// lanes as numbers (see [`format_float`]).
pub fn format(bits: u128, shape: Shape) -> String {
    let mut s = shape.name().to_string();
    for i in 0..shape.lanes() {
        let l = lane(bits, shape, i);
        s.push(' ');
        if shape.is_float() {
            s.push_str(&format_float(l, shape));
        } else {
            s.push_str(&format!("{l:#0w$x}", w = 2 + 2 * shape.lane_bytes()));
        }
    }
    s
}

/// A float lane: `1.5`, `-inf`, `nan:0x400000` (the payload, as the text
/// format writes it), `-0.0`.
pub fn format_float(bits: u64, shape: Shape) -> String {
    let (sign, payload, value) = match shape {
        Shape::F32x4 => {
            let f = f32::from_bits(bits as u32);
            (f.is_sign_negative(), bits & 0x7f_ffff, (!f.is_nan()).then(|| format!("{f:?}")))
        }
        _ => {
            let f = f64::from_bits(bits);
            (f.is_sign_negative(), bits & 0xf_ffff_ffff_ffff, (!f.is_nan()).then(|| format!("{f:?}")))
        }
    };
    match value {
        Some(v) => v,
        None => format!("{}nan:{payload:#x}", if sign { "-" } else { "" }),
    }
}

/// Reads a v128 in one of the notations of the module docs.
pub fn parse(s: &str) -> Result<u128, String> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        let digits: String = hex.chars().filter(|c| *c != '_').collect();
        if digits.len() != 32 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!("`{s}`: a hex v128 is 0x and 32 hex digits"));
        }
        return u128::from_str_radix(&digits, 16).map_err(|e| e.to_string());
    }
    let split = s.find(|c: char| c == ':' || c.is_whitespace()).unwrap_or(s.len());
    let (name, rest) = s.split_at(split);
    let shape = Shape::ALL.into_iter().find(|sh| sh.name() == name).ok_or_else(|| {
        format!("`{s}`: a v128 is `i32x4 1 2 3 4` (or i32x4:1,2,3,4; shapes i8x16 i16x8 i32x4 i64x2 f32x4 f64x2) or 0x and 32 hex digits")
    })?;
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    let lanes: Vec<&str> = rest.split(|c: char| c == ',' || c.is_whitespace()).filter(|l| !l.is_empty()).collect();
    if lanes.len() != shape.lanes() {
        return Err(format!("`{s}`: {} takes {} lanes, {} given", shape.name(), shape.lanes(), lanes.len()));
    }
    let mut bits = 0u128;
    for (i, l) in lanes.iter().enumerate() {
        let v = if shape.is_float() { parse_float(l, shape) } else { parse_int(l, shape) }
            .ok_or_else(|| format!("`{s}`: lane {i} `{l}` is not a {} lane", shape.name()))?;
        bits |= (v as u128) << (i * shape.lane_bytes() * 8);
    }
    Ok(bits)
}

/// An integer lane, signed or unsigned, decimal or hex: its bits.
fn parse_int(l: &str, shape: Shape) -> Option<u64> {
    let l: String = l.chars().filter(|c| *c != '_').collect();
    let (neg, digits) = match l.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, l.strip_prefix('+').unwrap_or(&l)),
    };
    let magnitude = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(h) => u128::from_str_radix(h, 16).ok()?,
        None if digits.starts_with(|c: char| c.is_ascii_digit()) => digits.parse::<u128>().ok()?,
        None => return None,
    };
    let n = shape.lane_bytes() * 8;
    let v = if neg {
        if magnitude > 1u128 << (n - 1) {
            return None;
        }
        (magnitude as i128).wrapping_neg() as u128
    } else {
        if magnitude >> n != 0 {
            return None;
        }
        magnitude
    };
    Some((v & ((1u128 << n) - 1)) as u64)
}

/// A float lane: its bits.
fn parse_float(l: &str, shape: Shape) -> Option<u64> {
    let (neg, body) = match l.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, l.strip_prefix('+').unwrap_or(l)),
    };
    let (sign_bit, exp, max_payload) = match shape {
        Shape::F32x4 => (1u64 << 31, 0x7f80_0000u64, 0x7f_ffffu64),
        _ => (1u64 << 63, 0x7ff0_0000_0000_0000, 0xf_ffff_ffff_ffff),
    };
    let sign = if neg { sign_bit } else { 0 };
    if let Some(p) = body.strip_prefix("nan:0x") {
        let payload = u64::from_str_radix(&p.replace('_', ""), 16).ok()?;
        return (payload != 0 && payload <= max_payload).then_some(sign | exp | payload);
    }
    if body == "nan" {
        // The quiet bit alone: the canonical NaN.
        return Some(sign | exp | ((max_payload >> 1) + 1));
    }
    let body = body.replace('_', "");
    // Rust's parser takes `inf`, `infinity` and decimals; the sign is ours.
    match shape {
        Shape::F32x4 => body.parse::<f32>().ok().filter(|f| !f.is_nan()).map(|f| f.to_bits() as u64 | sign),
        _ => body.parse::<f64>().ok().filter(|f| !f.is_nan()).map(|f| f.to_bits() | sign),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notation_gives_the_same_bits() {
        let want = 0x00000004_00000003_00000002_00000001u128;
        for s in [
            "i32x4 1 2 3 4",
            "i32x4:1,2,3,4",
            " i32x4  1, 2, 3, 4 ",
            "i64x2 0x0000000200000001 0x400000003",
            "i16x8 1 0 2 0 3 0 4 0",
            "i8x16 1 0 0 0 2 0 0 0 3 0 0 0 4 0 0 0",
            "0x00000004000000030000000200000001",
            "0x00000004_00000003_00000002_00000001",
        ] {
            assert_eq!(parse(s), Ok(want), "{s}");
        }
        assert_eq!(parse("i8x16 -1 255 -128 0x7f 0 0 0 0 0 0 0 0 0 0 0 0"), Ok(0x7f_80_ff_ff));
        assert_eq!(parse("f32x4 1 -0 inf nan"), Ok(0x7fc00000_7f800000_80000000_3f800000));
        assert_eq!(parse("f64x2 -nan:0x1 1.5"), Ok(0x3ff8000000000000_fff0000000000001));
    }

    #[test]
    fn bad_values_are_refused() {
        for s in [
            "i32x4 1 2 3",
            "i32x4 1 2 3 4 5",
            "i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
            "i8x16 -129 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
            "i32x4 a 2 3 4",
            "f32x4 nan:0x800000 0 0 0",
            "u32x4 1 2 3 4",
            "0x1234",
            "",
        ] {
            assert!(parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn printed_values_parse_back() {
        let bits = 0x7fc00000_ff800000_80000000_3fc00000u128;
        assert_eq!(format(bits, Shape::I32x4), "i32x4 0x3fc00000 0x80000000 0xff800000 0x7fc00000");
        assert_eq!(format(bits, Shape::F32x4), "f32x4 1.5 -0.0 -inf nan:0x400000");
        for shape in Shape::ALL {
            assert_eq!(parse(&format(bits, shape)), Ok(bits), "{shape:?}");
        }
    }
}
