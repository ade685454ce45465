//! Exceptions: tags, exception objects and the handler tables the
//! compiler emits (see `runtime-lib/src/exn/DESIGN.md` for the design).
//!
//! A tag's identity is the address of its [`VMTag`]: one per defined tag
//! per instance; an importing instance's vmctx slot holds the exporter's.
//!
//! An exception is a GC object (an `exnref` is a reference to it), laid
//! out as a struct whose first field is the `*const VMTag` it was thrown
//! with and whose other fields are the tag's parameters:
//!
//! ```text
//! 0   header: *const VMRtt (the tag's exception type, see VMTag::exn_rtt)
//! 8   *const VMTag
//! 16  payload fields, each naturally aligned (struct_layout)
//! ```

use crate::gc::struct_layout;

/// What the runtime keeps per tag; its address is the tag's identity.
#[repr(C)]
#[derive(Debug)]
pub struct VMTag {
    /// `*const VMRtt` of this tag's exception objects: a struct type with a
    /// leading 8-byte word and the tag's parameters as fields (references
    /// traced by the collector like struct fields).
    pub exn_rtt: u64,
    /// `*const VMRtt` of the tag's function type, for import matching.
    pub type_id: u64,
}

impl VMTag {
    pub const OFF_EXN_RTT: u32 = 0;
    pub const OFF_TYPE_ID: u32 = 8;
}

/// Offset in an exception object of its `*const VMTag`.
pub const EXN_OFF_TAG: u32 = 8;

/// Payload field offsets and total size of an exception object whose
/// payload fields have the given sizes: the struct layout of
/// `[8 (the tag), sizes...]`. `offsets` receives the payload offsets only.
pub fn exception_layout(sizes: &[u32], offsets: &mut [u32]) -> u32 {
    // `struct_layout`'s rule, written without a temporary list (no_std).
    let mut at = crate::gc::HEADER_SIZE;
    for (i, s) in core::iter::once(8).chain(sizes.iter().copied()).enumerate() {
        let align = s.min(8);
        at = at.div_ceil(align) * align;
        if i > 0 {
            offsets[i - 1] = at;
        }
        at += s;
    }
    at.div_ceil(8) * 8
}

/// Check that [`exception_layout`] is [`struct_layout`] of the full field
/// list (used by the tests; kept next to it so the two cannot drift).
pub fn exception_layout_matches_struct(sizes: &[u32]) -> bool {
    let mut full = [0u32; 16];
    let mut full_off = [0u32; 16];
    let mut off = [0u32; 15];
    if sizes.len() > 15 {
        return false;
    }
    full[0] = 8;
    full[1..=sizes.len()].copy_from_slice(sizes);
    let a = struct_layout(&full[..=sizes.len()], &mut full_off[..=sizes.len()]);
    let b = exception_layout(sizes, &mut off[..sizes.len()]);
    a == b && full_off[0] == EXN_OFF_TAG && full_off[1..=sizes.len()] == off[..sizes.len()]
}

/// A call site inside a handler's scope, in [`crate::descriptor::FuncDesc`]'s
/// `handler_sites` (sorted by `ret_offset`): `handlers[first..first + count]`
/// are tried in order. `frame_size` is FP minus SP at the call (the SP the
/// handler resumes with); the caller's vmctx is saved at SP + `vmctx_offset`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandlerSite {
    pub ret_offset: u32,
    pub frame_size: u32,
    pub vmctx_offset: u32,
    pub first: u32,
    pub count: u32,
}

/// One handler: catches exceptions of the tag whose `*const VMTag` sits at
/// vmctx offset `tag_slot` ([`CATCH_ALL`]: every exception), resuming at
/// `target` bytes into the function with the exception object in the
/// first payload register of the wasm convention.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handler {
    pub tag_slot: u32,
    pub target: u32,
}

/// [`Handler::tag_slot`] of a `catch_all`.
pub const CATCH_ALL: u32 = u32::MAX;

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn layouts() {
        assert_eq!(offset_of!(VMTag, exn_rtt) as u32, VMTag::OFF_EXN_RTT);
        assert_eq!(offset_of!(VMTag, type_id) as u32, VMTag::OFF_TYPE_ID);
        assert_eq!(size_of::<HandlerSite>(), 20);
        assert_eq!(size_of::<Handler>(), 8);
    }

    #[test]
    fn exception_layout_is_the_struct_layout_with_the_tag_first() {
        for sizes in [&[][..], &[4], &[8, 4, 1], &[1, 16, 2, 8], &[16, 16]] {
            assert!(exception_layout_matches_struct(sizes), "{sizes:?}");
        }
        let mut off = [0; 3];
        assert_eq!(exception_layout(&[4, 8, 16], &mut off), 48);
        assert_eq!(off, [16, 24, 32]);
    }
}
