//! Exceptions: tags, exception objects as the host sees them, and the
//! throw that finds a handler in the wasm frames (`throw`). The design is
//! in `DESIGN.md` beside this file; the layouts are `wasmc_abi::exn`'s.

mod throw;

pub(crate) use throw::throw;

use crate::host::HostTrap;
use crate::instance::Store;
use crate::val::{Tag, TagData, Val};
use wasmc_abi::descriptor::*;
use wasmc_abi::exn::{exception_layout, VMTag, EXN_OFF_TAG};
use wasmc_abi::gc::storage_size;

/// The name of the tag whose identity is `tag`.
///
/// # Safety
/// `tag` is the `*const VMTag` of a live tag (from an exception object).
pub(crate) unsafe fn tag_name(tag: usize) -> &'static str {
    // SAFETY: every `VMTag` is the first field of a `TagData`
    // (instantiation makes them all), live by the contract.
    unsafe { (*(tag as *const TagData)).name }
}

/// The parameter types of the tag whose identity is `tag`, their offsets
/// in an exception object and the object's size.
///
/// # Safety
/// As for [`tag_name`].
pub(crate) unsafe fn payload_layout(tag: usize) -> (Vec<u8>, Vec<u32>, u32) {
    // SAFETY: a live tag (contract).
    let type_id = unsafe { (*(tag as *const VMTag)).type_id };
    let params = crate::types::func_type(type_id).map(|t| t.params).unwrap_or_default();
    let sizes: Vec<u32> = params.iter().map(|t| storage_size(*t)).collect();
    let mut offsets = vec![0; sizes.len()];
    let size = exception_layout(&sizes, &mut offsets);
    (params, offsets, size)
}

/// The tag identity and payload of exception object `exn`.
///
/// # Safety
/// `exn` is a live exception object of a GC heap (non-null), not moved by
/// a collection while the result is made (no allocation happens here).
pub(crate) unsafe fn read(exn: u64) -> (usize, Vec<Val>) {
    // SAFETY: every exception object keeps its tag at `EXN_OFF_TAG`.
    let tag = unsafe { *((exn + EXN_OFF_TAG as u64) as *const u64) } as usize;
    // SAFETY: the tag of a live exception is live (its instance roots it).
    let (params, offsets, _) = unsafe { payload_layout(tag) };
    let vals = params
        .iter()
        .zip(offsets)
        .map(|(ty, off)| {
            let at = exn as usize + off as usize;
            // SAFETY: `at` is the field of this parameter inside the object
            // (the layout the compiler used), naturally aligned.
            unsafe {
                match *ty {
                    TY_I32 => Val::I32(*(at as *const i32)),
                    TY_F32 => Val::F32(*(at as *const u32)),
                    TY_I64 => Val::I64(*(at as *const i64)),
                    TY_F64 => Val::F64(*(at as *const u64)),
                    TY_V128 => Val::V128((at as *const u128).read_unaligned()),
                    TY_FUNCREF => Val::FuncRef(*(at as *const u64)),
                    TY_EXTERNREF => Val::ExternRef(*(at as *const u64)),
                    _ => Val::AnyRef(*(at as *const u64)),
                }
            }
        })
        .collect();
    (tag, vals)
}

/// Writes payload `vals` (raw values of the tag's parameter types) into
/// new exception object `exn` of tag `tag`.
///
/// # Safety
/// `exn` is a fresh object of `tag`'s exception size.
pub(crate) unsafe fn write(exn: u64, tag: usize, vals: &[wasmc_abi::ValRaw]) {
    // SAFETY: the tag slot of the object (contract).
    unsafe { *((exn + EXN_OFF_TAG as u64) as *mut u64) = tag as u64 };
    // SAFETY: the caller's tag is live.
    let (params, offsets, _) = unsafe { payload_layout(tag) };
    let vals = params.iter().zip(vals).map(|(ty, raw)| Val::from_raw(*ty, *raw));
    for (v, off) in vals.zip(offsets) {
        let at = exn as usize + off as usize;
        // SAFETY: the field of this parameter inside the fresh object.
        unsafe {
            match v {
                Val::I32(x) => *(at as *mut i32) = x,
                Val::F32(x) => *(at as *mut u32) = x,
                Val::I64(x) => *(at as *mut i64) = x,
                Val::F64(x) => *(at as *mut u64) = x,
                Val::V128(x) => (at as *mut u128).write_unaligned(x),
                Val::FuncRef(r) | Val::ExternRef(r) | Val::AnyRef(r) => *(at as *mut u64) = r,
            }
        }
    }
}

impl Tag {
    /// A host function's failure that throws a new exception of this tag
    /// with `payload` from its call site (see [`HostTrap::Throw`]); `None`
    /// if the payload does not have the tag's parameter types.
    pub fn throw(&self, payload: &[Val]) -> Option<HostTrap> {
        let params = self.ty().params;
        let ok = params.len() == payload.len() && params.iter().zip(payload).all(|(t, v)| v.ty() == *t);
        ok.then(|| HostTrap::Throw { tag: self.identity(), payload: payload.iter().map(Val::to_raw).collect() })
    }
}

impl Store {
    /// The tag identity and payload of the exception rooted under
    /// `handle` (an [`crate::Exception`]'s root); `None` if the handle is
    /// not live. References in the payload are valid until the next call
    /// into wasm (root them to keep them).
    pub fn exception_payload(&self, handle: u64) -> Option<(usize, Vec<Val>)> {
        let exn = self.rooted(handle).filter(|e| *e != 0)?;
        // SAFETY: exception roots are only made by the throw, of exception
        // objects of this store's heap; nothing allocates while reading.
        Some(unsafe { read(exn) })
    }
}
