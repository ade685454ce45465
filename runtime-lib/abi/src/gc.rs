//! Runtime types and the layout of GC objects and references.
//!
//! References are 64-bit words:
//! * `0` is null;
//! * low bit `1`: an `i31ref`, the value in the upper 63 bits (`v << 1 | 1`);
//! * low bits `10`: a host value carried as `externref` (`v << 2 | 2`);
//! * otherwise (8-byte aligned): a pointer to a GC object or, for function
//!   references, to a `VMFuncRef`.
//!
//! Raw 64-bit pointers rather than 32-bit compressed ones: no base register
//! to keep live, no decode on every access, and objects can live anywhere;
//! the price is 8 bytes per reference field.
//!
//! A GC object starts with an 8-byte header holding its `*const VMRtt`
//! (during a collection, a forwarded object's header is `new_address | 1`).
//! A struct's fields follow at offsets computed by [`struct_layout`]; an
//! array has its u32 length at offset 8 and elements from offset 16.

/// A canonical runtime type, shared by every module that declares the same
/// type. `display` (inline, `depth + 1` entries) lists the supertype chain
/// from the root to the type itself, so `t <: s` is one comparison:
/// `t.depth >= s.depth && t.display[s.depth] == s`.
#[repr(C)]
#[derive(Debug)]
pub struct VMRtt {
    /// `TYPE_FUNC`, `TYPE_STRUCT` or `TYPE_ARRAY`.
    pub kind: u32,
    pub depth: u32,
    pub is_final: u32,
    /// Struct: object size in bytes. Array: element size in bytes.
    pub size: u32,
    /// Array: 1 if the elements are GC references.
    pub elem_is_ref: u32,
    pub n_ref_offsets: u32,
    /// Struct: `*const u32`, offsets of the fields holding GC references.
    pub ref_offsets: u64,
    pub display: [u64; 0],
}

impl VMRtt {
    pub const OFF_KIND: u32 = 0;
    pub const OFF_DEPTH: u32 = 4;
    pub const OFF_DISPLAY: u32 = 32;
}

pub const HEADER_SIZE: u32 = 8;
pub const ARRAY_OFF_LEN: u32 = 8;
pub const ARRAY_OFF_ELEMS: u32 = 16;
pub const FORWARDED: u64 = 1;

pub const I31_TAG: u64 = 1;
pub const HOST_TAG: u64 = 2;

/// Byte size of a field or element of a storage type: packed i8/i16, or a
/// value type's code (references are 8 bytes, v128 16).
pub fn storage_size(code: u8) -> u32 {
    match code {
        crate::descriptor::STORAGE_I8 => 1,
        crate::descriptor::STORAGE_I16 => 2,
        crate::descriptor::TY_I32 | crate::descriptor::TY_F32 => 4,
        crate::descriptor::TY_V128 => 16,
        _ => 8,
    }
}

/// Field offsets and total size of a struct whose fields have the given
/// sizes: each field naturally aligned (at most 8), after the header.
pub fn struct_layout(sizes: &[u32], offsets: &mut [u32]) -> u32 {
    let mut at = HEADER_SIZE;
    for (s, o) in sizes.iter().zip(offsets.iter_mut()) {
        let align = (*s).min(8);
        at = at.div_ceil(align) * align;
        *o = at;
        at += s;
    }
    at.div_ceil(8) * 8
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn rtt_layout() {
        assert_eq!(offset_of!(VMRtt, kind) as u32, VMRtt::OFF_KIND);
        assert_eq!(offset_of!(VMRtt, depth) as u32, VMRtt::OFF_DEPTH);
        assert_eq!(offset_of!(VMRtt, display) as u32, VMRtt::OFF_DISPLAY);
        assert_eq!(size_of::<VMRtt>() as u32, VMRtt::OFF_DISPLAY);
    }

    #[test]
    fn struct_fields_are_aligned() {
        let mut off = [0; 4];
        let size = struct_layout(&[1, 8, 2, 4], &mut off);
        assert_eq!(off, [8, 16, 24, 28]);
        assert_eq!(size, 32);
        assert_eq!(struct_layout(&[], &mut []), 8);
    }
}
