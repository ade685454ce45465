//! Values crossing between the host and wasm, and the handles an instance
//! exports: functions, globals, and (see memory.rs, table.rs) memories and
//! tables.

use crate::call::call_raw;
use crate::host::{host_array_call, HostFnBody, HostFuncCtx};
use crate::trap::Error;
use crate::types::FuncType;
use std::any::Any;
use std::rc::Rc;
use std::sync::Arc;
use wasmc_abi::descriptor::*;
use wasmc_abi::exn::VMTag;
use wasmc_abi::{VMFuncRef, VMHostCtx, ValRaw};

/// A tag as the runtime keeps it: the ABI part first, so the address of
/// the `VMTag` generated code compares is the address of this.
#[repr(C)]
pub(crate) struct TagData {
    pub(crate) vm: VMTag,
    /// What an uncaught exception of this tag reports.
    pub(crate) name: &'static str,
}

/// A tag an instance defines or imports: the identity exceptions are
/// matched by. Holds its defining instance alive.
#[derive(Clone)]
pub struct Tag {
    pub(crate) ptr: *const TagData,
    pub(crate) _owner: Rc<dyn Any>,
}

impl Tag {
    /// The name uncaught exceptions of this tag report.
    pub fn name(&self) -> &'static str {
        // SAFETY: `ptr` is a `TagData` of the instance `_owner` keeps alive.
        unsafe { (*self.ptr).name }
    }

    /// The tag's type (its parameters; no results).
    pub fn ty(&self) -> FuncType {
        // SAFETY: as in `name`.
        let type_id = unsafe { (*self.ptr).vm.type_id };
        crate::types::func_type(type_id).unwrap_or_else(|| FuncType::new(&[], &[]))
    }

    /// The address generated code compares: the tag's identity.
    pub fn identity(&self) -> usize {
        self.ptr as usize
    }
}

/// A wasm value. References are raw words (see `wasmc_abi::gc`): a funcref
/// is the address of a `VMFuncRef`, an externref or anyref a tagged word
/// (a GC object, an i31, or a host value made by [`host_ref`]); 0 is null.
/// A GC reference held by the host across calls must be rooted
/// ([`crate::Store::root`]): collections move objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Val {
    I32(i32),
    I64(i64),
    /// Bits of an f32.
    F32(u32),
    /// Bits of an f64.
    F64(u64),
    V128(u128),
    FuncRef(u64),
    ExternRef(u64),
    AnyRef(u64),
}

/// The reference word carrying host value `v` (< 2^62) as an externref or
/// anyref.
pub fn host_ref(v: u64) -> u64 {
    (v << 2) | wasmc_abi::gc::HOST_TAG
}

/// The host value a reference word carries, if it carries one.
pub fn host_value(r: u64) -> Option<u64> {
    (r & 3 == wasmc_abi::gc::HOST_TAG).then_some(r >> 2)
}

pub use crate::types::ref_word_fits;

/// What a non-null anyref is: `"i31"`, `"host"`, `"struct"` or `"array"`.
///
/// # Safety
/// `r` is null, an i31, a host value, or a live object of a GC heap.
pub unsafe fn ref_kind(r: u64) -> Option<&'static str> {
    if r == 0 {
        return None;
    }
    if r & 1 == 1 {
        return Some("i31");
    }
    if host_value(r).is_some() {
        return Some("host");
    }
    // SAFETY: `r` is a live GC object (contract): its first word is its
    // header, the runtime type's address with two flag bits.
    let rtt = unsafe { *(r as *const u64) } & !3;
    // SAFETY: headers hold live runtime types, which are never freed.
    match unsafe { (*(rtt as *const wasmc_abi::gc::VMRtt)).kind } as u8 {
        wasmc_abi::descriptor::TYPE_STRUCT => Some("struct"),
        wasmc_abi::descriptor::TYPE_ARRAY => Some("array"),
        _ => None,
    }
}

impl Val {
    pub fn ty(&self) -> u8 {
        match self {
            Val::I32(_) => TY_I32,
            Val::I64(_) => TY_I64,
            Val::F32(_) => TY_F32,
            Val::F64(_) => TY_F64,
            Val::V128(_) => TY_V128,
            Val::FuncRef(_) => TY_FUNCREF,
            Val::ExternRef(_) => TY_EXTERNREF,
            Val::AnyRef(_) => TY_ANYREF,
        }
    }
    pub fn to_raw(&self) -> ValRaw {
        match *self {
            Val::I32(v) => ValRaw::from_u64(v as u32 as u64),
            Val::I64(v) => ValRaw::from_u64(v as u64),
            Val::F32(v) => ValRaw::from_u64(v as u64),
            Val::F64(v) => ValRaw::from_u64(v),
            Val::V128(v) => ValRaw::from_u128(v),
            Val::FuncRef(v) | Val::ExternRef(v) | Val::AnyRef(v) => ValRaw::from_u64(v),
        }
    }
    pub fn from_raw(ty: u8, raw: ValRaw) -> Val {
        match ty {
            TY_I32 => Val::I32(raw.u32() as i32),
            TY_I64 => Val::I64(raw.u64() as i64),
            TY_F32 => Val::F32(raw.u32()),
            TY_F64 => Val::F64(raw.u64()),
            TY_V128 => Val::V128(raw.u128()),
            TY_FUNCREF => Val::FuncRef(raw.u64()),
            TY_ANYREF => Val::AnyRef(raw.u64()),
            _ => Val::ExternRef(raw.u64()),
        }
    }
    /// The default (zero/null) value of a type.
    pub fn default_for(ty: u8) -> Val {
        Val::from_raw(ty, ValRaw::default())
    }
}

/// A function that can be called from the host or imported by a module.
/// Not `Send`: it may belong to an instance, whose store is used by one
/// thread.
#[derive(Clone)]
pub struct Func {
    pub(crate) ptr: *const VMFuncRef,
    pub(crate) ty: FuncType,
    /// For host functions, the body every importer shares.
    pub(crate) host: Option<Arc<HostFnBody>>,
    /// Keeps `ptr` alive: the instance owning it, or the host function's
    /// own context.
    pub(crate) _owner: Rc<dyn Any>,
}

struct HostOwner {
    _ctx: Box<HostFuncCtx>,
    _funcref: Box<VMFuncRef>,
}

impl Func {
    /// A host function of type `ty`.
    pub fn host(ty: FuncType, body: Arc<HostFnBody>) -> Func {
        let ctx = Box::new(HostFuncCtx {
            header: VMHostCtx {
                array_call: host_array_call as *const () as u64,
                no_limits: 0,
                // No trampoline runs this context (`wasm_call`
                // is 0): imports get one of their own.
                builtins: 0,
                no_instance: 0,
            },
            slots: ty.params.len().max(ty.results.len()),
            caller_vmctx: std::ptr::null_mut(),
            body: body.clone(),
        });
        let funcref = Box::new(VMFuncRef {
            wasm_call: 0,
            array_call: host_array_call as *const () as u64,
            type_id: ty.id(),
            vmctx: &*ctx as *const HostFuncCtx as u64,
        });
        let ptr = &*funcref as *const VMFuncRef;
        Func { ptr, ty, host: Some(body), _owner: Rc::new(HostOwner { _ctx: ctx, _funcref: funcref }) }
    }

    pub fn ty(&self) -> &FuncType {
        &self.ty
    }

    /// The raw funcref value of this function.
    pub fn as_raw(&self) -> u64 {
        self.ptr as u64
    }

    /// Calls the function with type-checked arguments. Reference arguments
    /// must pass [`ref_word_fits`] for their parameter type (null, i31,
    /// host values); others need [`Func::call_unchecked`].
    pub fn call(&self, args: &[Val]) -> Result<Vec<Val>, CallError> {
        self.check_types(args)?;
        if args.iter().any(|a| matches!(a, Val::FuncRef(_) | Val::ExternRef(_) | Val::AnyRef(_))) {
            // SAFETY: `ptr` is live (`_owner`), its type id a runtime type.
            let type_id = unsafe { (*self.ptr).type_id };
            let params = crate::types::param_encodings(type_id).ok_or(CallError::BadArguments)?;
            let fits = args.iter().zip(&params).all(|(a, enc)| match a {
                Val::FuncRef(w) | Val::ExternRef(w) | Val::AnyRef(w) => ref_word_fits(enc, *w),
                _ => true,
            });
            if !fits {
                return Err(CallError::BadArguments);
            }
        }
        // SAFETY: every argument has its parameter's type, and every
        // reference was checked to be a valid value of it.
        unsafe { self.call_unchecked(args) }
    }

    fn check_types(&self, args: &[Val]) -> Result<(), CallError> {
        if args.len() != self.ty.params.len() || args.iter().zip(&self.ty.params).any(|(a, t)| a.ty() != *t) {
            return Err(CallError::BadArguments);
        }
        Ok(())
    }

    /// Calls the function; argument types are checked, reference words
    /// are not.
    ///
    /// # Safety
    /// Every reference argument is a valid value of its parameter's type:
    /// a live funcref of a matching type, a GC reference of this store, etc.
    pub unsafe fn call_unchecked(&self, args: &[Val]) -> Result<Vec<Val>, CallError> {
        self.check_types(args)?;
        let n = self.ty.params.len().max(self.ty.results.len()).max(1);
        let mut slots = vec![ValRaw::default(); n];
        for (slot, a) in slots.iter_mut().zip(args) {
            *slot = a.to_raw();
        }
        // SAFETY: `ptr` is live (held by `_owner`) with a non-zero array
        // entry (instances fill in every exported function's, host
        // functions have theirs); `slots` holds max(params, results)
        // slots; reference arguments are valid (contract).
        unsafe { call_raw(self.ptr, &mut slots) }.map_err(CallError::Trap)?;
        Ok(self.ty.results.iter().zip(&slots).map(|(t, raw)| Val::from_raw(*t, *raw)).collect())
    }
}

#[derive(Debug)]
pub enum CallError {
    BadArguments,
    Trap(Error),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::BadArguments => write!(f, "wrong number or types of arguments"),
            CallError::Trap(e) => write!(f, "{e}"),
        }
    }
}

/// A global variable: a 16-byte slot owned by an instance or by the host.
#[derive(Clone)]
pub struct Global {
    pub(crate) ptr: *mut ValRaw,
    pub(crate) ty: u8,
    /// The full value type (see `types`), for import matching.
    pub(crate) encoding: Rc<[u8]>,
    pub(crate) mutable: bool,
    /// Keeps `ptr` alive: the owning instance, or the host's own box.
    pub(crate) _owner: Rc<dyn Any>,
}

impl Global {
    /// A host global holding `val`; references must pass [`ref_word_fits`]
    /// for the type's nullable abstract reference type.
    pub fn new(val: Val, mutable: bool) -> Result<Global, String> {
        let encoding = crate::types::encode_simple(val.ty());
        if let Val::FuncRef(w) | Val::ExternRef(w) | Val::AnyRef(w) = val {
            if !ref_word_fits(&encoding, w) {
                return Err("a global's reference must be null, i31 or a host value".into());
            }
        }
        // SAFETY: checked just above.
        Ok(unsafe { Self::new_unchecked(val, mutable) })
    }

    /// A host global holding `val`, reference words unchecked.
    ///
    /// # Safety
    /// A reference `val` is a valid value of its nullable abstract type for
    /// every store that will import the global (a funcref that outlives it,
    /// a GC reference kept alive by that store).
    pub unsafe fn new_unchecked(val: Val, mutable: bool) -> Global {
        let b: Box<std::cell::UnsafeCell<ValRaw>> = Box::new(std::cell::UnsafeCell::new(val.to_raw()));
        let ptr = b.get();
        let encoding = crate::types::encode_simple(val.ty()).into();
        Global { ptr, ty: val.ty(), encoding, mutable, _owner: Rc::new(b) }
    }

    pub fn get(&self) -> Val {
        // SAFETY: `ptr` is live (held by `_owner`) and only written by the
        // thread using its store, which is this one.
        Val::from_raw(self.ty, unsafe { *self.ptr })
    }

    /// Sets a mutable global to a value of its type; references as for
    /// [`Global::new`].
    pub fn set(&self, v: Val) -> Result<(), String> {
        if let Val::FuncRef(w) | Val::ExternRef(w) | Val::AnyRef(w) = v {
            if !ref_word_fits(&self.encoding, w) {
                return Err("the reference is not a valid value of the global's type without `set_unchecked`".into());
            }
        }
        // SAFETY: checked just above.
        unsafe { self.set_unchecked(v) }
    }

    /// Sets a mutable global to a value of its type, reference words
    /// unchecked.
    ///
    /// # Safety
    /// A reference `v` is a valid value of the global's full type.
    pub unsafe fn set_unchecked(&self, v: Val) -> Result<(), String> {
        if !self.mutable {
            return Err("the global is immutable".into());
        }
        if v.ty() != self.ty {
            return Err("the value's type differs from the global's".into());
        }
        // SAFETY: `ptr` is live (held by `_owner`); one thread uses it.
        unsafe { *self.ptr = v.to_raw() };
        Ok(())
    }
    pub fn ty(&self) -> u8 {
        self.ty
    }
    pub fn is_mutable(&self) -> bool {
        self.mutable
    }
}

/// Anything a module can import or an instance can export.
#[derive(Clone)]
pub enum Extern {
    Func(Func),
    Memory(crate::Memory),
    Table(crate::Table),
    Global(Global),
    Tag(Tag),
}
