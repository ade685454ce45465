//! Values crossing between the host and wasm, and the handles an instance
//! exports: functions, globals, and (see memory.rs, table.rs) memories and
//! tables.

use crate::host::{host_array_call, HostFnBody, HostFuncCtx};
use crate::trap::{catch_traps, Error};
use crate::types::FuncType;
use std::any::Any;
use std::sync::Arc;
use wasmc_abi::descriptor::*;
use wasmc_abi::{VMFuncRef, VMHostCtx, ValRaw};

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

/// What a non-null anyref is: `"i31"`, `"host"`, `"struct"` or `"array"`.
pub fn ref_kind(r: u64) -> Option<&'static str> {
    if r == 0 {
        return None;
    }
    if r & 1 == 1 {
        return Some("i31");
    }
    if host_value(r).is_some() {
        return Some("host");
    }
    let rtt = unsafe { *(r as *const u64) } & !3;
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
#[derive(Clone)]
pub struct Func {
    pub(crate) ptr: *const VMFuncRef,
    pub(crate) ty: FuncType,
    /// For host functions, the body every importer shares.
    pub(crate) host: Option<Arc<HostFnBody>>,
    pub(crate) _owner: Arc<dyn Any + Send + Sync>,
}

unsafe impl Send for Func {}
unsafe impl Sync for Func {}

struct HostOwner {
    _ctx: Box<HostFuncCtx>,
    _funcref: Box<VMFuncRef>,
}

// The context is immutable once created; `caller_vmctx` stays null here.
unsafe impl Send for HostOwner {}
unsafe impl Sync for HostOwner {}

impl Func {
    /// A host function of type `ty`.
    pub fn host(ty: FuncType, body: Arc<HostFnBody>) -> Func {
        let ctx = Box::new(HostFuncCtx {
            header: VMHostCtx { array_call: host_array_call as *const () as u64, reserved: [0; 3] },
            slots: ty.params.len().max(ty.results.len()),
            caller_vmctx: std::cell::Cell::new(std::ptr::null_mut()),
            body: body.clone(),
        });
        let funcref = Box::new(VMFuncRef {
            wasm_call: 0,
            array_call: host_array_call as *const () as u64,
            type_id: ty.id(),
            vmctx: &*ctx as *const HostFuncCtx as u64,
        });
        let ptr = &*funcref as *const VMFuncRef;
        Func { ptr, ty, host: Some(body), _owner: Arc::new(HostOwner { _ctx: ctx, _funcref: funcref }) }
    }

    pub fn ty(&self) -> &FuncType {
        &self.ty
    }

    /// The raw funcref value of this function.
    pub fn as_raw(&self) -> u64 {
        self.ptr as u64
    }

    /// Calls the function with type-checked arguments.
    pub fn call(&self, args: &[Val]) -> Result<Vec<Val>, CallError> {
        if args.len() != self.ty.params.len() || args.iter().zip(&self.ty.params).any(|(a, t)| a.ty() != *t) {
            return Err(CallError::BadArguments);
        }
        let n = self.ty.params.len().max(self.ty.results.len()).max(1);
        let mut slots = vec![ValRaw::default(); n];
        for (slot, a) in slots.iter_mut().zip(args) {
            *slot = a.to_raw();
        }
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

/// Calls a funcref's array entry inside a trap boundary.
///
/// # Safety
/// `f` must be a live funcref and `slots` large enough for its parameters
/// and results.
pub unsafe fn call_raw(f: *const VMFuncRef, slots: &mut [ValRaw]) -> Result<(), Error> {
    let f = unsafe { &*f };
    let entry: unsafe extern "C" fn(u64, *mut ValRaw) -> u32 = unsafe { std::mem::transmute(f.array_call as usize) };
    let limits = crate::instance::limits_of(f.vmctx);
    let _guard = crate::instance::StackLimitGuard::enter(limits);
    let mut status = 0;
    let vmctx = f.vmctx;
    let ptr = slots.as_mut_ptr();
    let mut call = || status = unsafe { entry(vmctx, ptr) };
    // SAFETY: the closure captures only `Copy` values and `&mut status`
    // (a `u32`) and owns nothing with a destructor; `_guard` lives in this
    // frame, outside the closure, so a trap does not skip its drop.
    unsafe { catch_traps(&mut call) }?;
    if status != 0 {
        // A host function called directly from the host failed.
        let mut raise = || unsafe { crate::builtins::raise_status(status) };
        // SAFETY: the closure captures only `status` (a `u32`) and holds
        // nothing with a destructor, no lock and no borrow.
        return unsafe { catch_traps(&mut raise) };
    }
    Ok(())
}

/// A global variable: a 16-byte slot owned by an instance or by the host.
#[derive(Clone)]
pub struct Global {
    pub(crate) ptr: *mut ValRaw,
    pub(crate) ty: u8,
    /// The full value type (see `types`), for import matching.
    pub(crate) encoding: Arc<[u8]>,
    pub(crate) mutable: bool,
    pub(crate) _owner: Arc<dyn Any + Send + Sync>,
}

unsafe impl Send for Global {}
unsafe impl Sync for Global {}

struct GlobalBox(#[allow(dead_code)] Box<std::cell::UnsafeCell<ValRaw>>);
unsafe impl Send for GlobalBox {}
unsafe impl Sync for GlobalBox {}

impl Global {
    pub fn new(val: Val, mutable: bool) -> Global {
        let b = Box::new(std::cell::UnsafeCell::new(val.to_raw()));
        let ptr = b.get();
        Global {
            ptr,
            ty: val.ty(),
            encoding: crate::types::encode_simple(val.ty()).into(),
            mutable,
            _owner: Arc::new(GlobalBox(b)),
        }
    }
    pub fn get(&self) -> Val {
        Val::from_raw(self.ty, unsafe { *self.ptr })
    }
    pub fn set(&self, v: Val) {
        unsafe { *self.ptr = v.to_raw() }
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
}
