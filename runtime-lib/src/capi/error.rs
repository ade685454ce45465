//! `wasmc_error_t`: what every failing call returns, owned by the caller
//! until `wasmc_error_delete`. Its strings are borrowed from it.

use crate::trap::Error;
use std::ffi::{c_char, CString};

pub const ERROR_TRAP: u32 = 1;
pub const ERROR_EXIT: u32 = 2;
pub const ERROR_LINK: u32 = 3;
pub const ERROR_RESOURCE: u32 = 4;
pub const ERROR_ARGUMENT: u32 = 5;
pub const ERROR_NOT_FOUND: u32 = 6;
pub const ERROR_MODULE: u32 = 7;
pub const ERROR_EXCEPTION: u32 = 8;

pub struct wasmc_error_t {
    kind: u32,
    trap: u32,
    exit: i32,
    message: CString,
    report: CString,
    frames: Vec<CString>,
}

fn cstring(s: String) -> CString {
    CString::new(s.replace('\0', "\\0")).unwrap_or_default()
}

impl wasmc_error_t {
    /// A new error of `kind`, returned to C (owned by the caller).
    pub(crate) fn new(kind: u32, message: impl Into<String>) -> *mut wasmc_error_t {
        let message = message.into();
        Box::into_raw(Box::new(wasmc_error_t {
            kind,
            trap: 0,
            exit: 0,
            report: cstring(message.clone()),
            message: cstring(message),
            frames: Vec::new(),
        }))
    }

    /// A trap or exit of a wasm call.
    pub(crate) fn from_runtime(e: &Error) -> *mut wasmc_error_t {
        let (kind, trap, exit, frames) = match e {
            Error::Trap { trap, backtrace, .. } => {
                (ERROR_TRAP, *trap as u32, 0, backtrace.iter().map(|f| cstring(f.name.clone())).collect())
            }
            Error::Exit(code) => (ERROR_EXIT, 0, *code, Vec::new()),
            Error::Exception { backtrace, .. } => {
                (ERROR_EXCEPTION, 0, 0, backtrace.iter().map(|f| cstring(f.name.clone())).collect())
            }
        };
        Box::into_raw(Box::new(wasmc_error_t {
            kind,
            trap,
            exit,
            message: cstring(e.message()),
            report: cstring(e.to_string()),
            frames,
        }))
    }
}

/// `Err` carries an owned error for C.
pub(crate) type CResult<T> = Result<T, *mut wasmc_error_t>;

pub(crate) fn argument(msg: impl Into<String>) -> *mut wasmc_error_t {
    wasmc_error_t::new(ERROR_ARGUMENT, msg)
}

/// Turns a result into what C gets: NULL or an owned error.
pub(crate) fn status(r: CResult<()>) -> *mut wasmc_error_t {
    match r {
        Ok(()) => std::ptr::null_mut(),
        Err(e) => e,
    }
}

/// # Safety
/// `e` is NULL or a live error: one the API returned (a `Box::into_raw` of
/// `wasmc_error_t::new`/`from_runtime`) that `wasmc_error_delete` has not
/// freed, and will not free during `'a`.
unsafe fn get<'a>(e: *const wasmc_error_t) -> Option<&'a wasmc_error_t> {
    // SAFETY: a live error is a valid, aligned `wasmc_error_t` that nothing
    // mutates (the API never changes an error after returning it), so a
    // shared borrow for `'a` is sound by this function's contract.
    unsafe { e.as_ref() }
}

/// # Safety
/// `e` is NULL or a live error (returned by the API, not yet deleted); see
/// wasmc.h for the lifetime of returned strings.
#[no_mangle]
pub unsafe extern "C" fn wasmc_error_kind(e: *const wasmc_error_t) -> u32 {
    // SAFETY: `e` is NULL or a live error (contract above).
    unsafe { get(e) }.map_or(0, |e| e.kind)
}

/// # Safety
/// `e` is NULL or a live error (returned by the API, not yet deleted); see
/// wasmc.h for the lifetime of returned strings.
#[no_mangle]
pub unsafe extern "C" fn wasmc_error_trap(e: *const wasmc_error_t) -> u32 {
    // SAFETY: `e` is NULL or a live error (contract above).
    unsafe { get(e) }.map_or(0, |e| e.trap)
}

/// # Safety
/// `e` is NULL or a live error (returned by the API, not yet deleted); see
/// wasmc.h for the lifetime of returned strings.
#[no_mangle]
pub unsafe extern "C" fn wasmc_error_exit_status(e: *const wasmc_error_t) -> i32 {
    // SAFETY: `e` is NULL or a live error (contract above).
    unsafe { get(e) }.map_or(0, |e| e.exit)
}

/// # Safety
/// `e` is NULL or a live error (returned by the API, not yet deleted); see
/// wasmc.h for the lifetime of returned strings.
#[no_mangle]
pub unsafe extern "C" fn wasmc_error_message(e: *const wasmc_error_t) -> *const c_char {
    // SAFETY: `e` is NULL or a live error (contract above).
    unsafe { get(e) }.map_or(c"".as_ptr(), |e| e.message.as_ptr())
}

/// # Safety
/// `e` is NULL or a live error (returned by the API, not yet deleted); see
/// wasmc.h for the lifetime of returned strings.
#[no_mangle]
pub unsafe extern "C" fn wasmc_error_report(e: *const wasmc_error_t) -> *const c_char {
    // SAFETY: `e` is NULL or a live error (contract above).
    unsafe { get(e) }.map_or(c"".as_ptr(), |e| e.report.as_ptr())
}

/// # Safety
/// `e` is NULL or a live error (returned by the API, not yet deleted); see
/// wasmc.h for the lifetime of returned strings.
#[no_mangle]
pub unsafe extern "C" fn wasmc_error_frame_count(e: *const wasmc_error_t) -> usize {
    // SAFETY: `e` is NULL or a live error (contract above).
    unsafe { get(e) }.map_or(0, |e| e.frames.len())
}

/// # Safety
/// `e` is NULL or a live error (returned by the API, not yet deleted); see
/// wasmc.h for the lifetime of returned strings.
#[no_mangle]
pub unsafe extern "C" fn wasmc_error_frame_name(e: *const wasmc_error_t, i: usize) -> *const c_char {
    // SAFETY: `e` is NULL or a live error (contract above).
    unsafe { get(e) }.and_then(|e| e.frames.get(i)).map_or(std::ptr::null(), |f| f.as_ptr())
}

/// # Safety
/// `e` is NULL or an error returned by the API and not yet deleted; no
/// string borrowed from it is used afterwards (wasmc.h, OWNERSHIP 1 and 3).
#[no_mangle]
pub unsafe extern "C" fn wasmc_error_delete(e: *mut wasmc_error_t) {
    if !e.is_null() {
        // SAFETY: non-null, so `e` is a `Box::into_raw` of this module that
        // the caller owns and gives back exactly once (contract above).
        drop(unsafe { Box::from_raw(e) });
    }
}
