//! Linear memories. A 32-bit memory reserves its whole possible range plus
//! a guard region up front, so its base never moves and generated code
//! needs no bounds checks: any address past the accessible length faults and
//! becomes an out-of-bounds trap.

use std::sync::{Arc, Mutex};
use wasmc_abi::VMMemoryDef;

pub const WASM_PAGE: u64 = 65536;
/// 4 GiB of addressable memory plus 4 GiB of guard: an i32 address plus a
/// u32 offset plus the access size never reaches past the reservation.
const RESERVATION: usize = (8 << 30) + WASM_PAGE as usize;
const MAX_PAGES_32: u64 = 65536;

struct MemoryInner {
    def: Box<std::cell::UnsafeCell<VMMemoryDef>>,
    max_pages: u64,
    grow_lock: Mutex<()>,
}

// The definition is only mutated under `grow_lock`; generated code reads it.
unsafe impl Send for MemoryInner {}
unsafe impl Sync for MemoryInner {}

impl Drop for MemoryInner {
    fn drop(&mut self) {
        unsafe { libc::munmap(self.def.get_mut().base as *mut libc::c_void, RESERVATION) };
    }
}

/// A linear memory, shared between its defining instance and importers.
#[derive(Clone)]
pub struct Memory(Arc<MemoryInner>);

impl Memory {
    /// Reserves and commits `min_pages`. `max_pages` is `None` when unbounded.
    pub fn new(min_pages: u64, max_pages: Option<u64>) -> Result<Memory, String> {
        let max_pages = max_pages.unwrap_or(MAX_PAGES_32).min(MAX_PAGES_32);
        if min_pages > max_pages {
            return Err("memory minimum exceeds its maximum".into());
        }
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                RESERVATION,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err("cannot reserve address space for a linear memory".into());
        }
        let mem = Memory(Arc::new(MemoryInner {
            def: Box::new(std::cell::UnsafeCell::new(VMMemoryDef { base: base as u64, length: 0 })),
            max_pages,
            grow_lock: Mutex::new(()),
        }));
        if min_pages > 0 && mem.grow(min_pages).is_none() {
            return Err("cannot commit the initial pages of a linear memory".into());
        }
        Ok(mem)
    }

    pub fn def_ptr(&self) -> *mut VMMemoryDef {
        self.0.def.get()
    }
    pub fn base(&self) -> *mut u8 {
        unsafe { (*self.def_ptr()).base as *mut u8 }
    }
    pub fn byte_len(&self) -> u64 {
        unsafe { (*self.def_ptr()).length }
    }
    pub fn pages(&self) -> u64 {
        self.byte_len() / WASM_PAGE
    }
    pub fn max_pages(&self) -> u64 {
        self.0.max_pages
    }

    /// The accessible bytes.
    ///
    /// # Safety
    /// No other reference to the memory's contents may be live, and the
    /// memory must not grow while the slice is used.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn as_mut_slice(&self) -> &mut [u8] {
        unsafe { std::slice::from_raw_parts_mut(self.base(), self.byte_len() as usize) }
    }

    /// Grows by `delta` pages; returns the old size in pages.
    pub fn grow(&self, delta: u64) -> Option<u64> {
        let _g = self.0.grow_lock.lock().unwrap_or_else(|e| e.into_inner());
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.0.max_pages {
            return None;
        }
        if delta > 0 {
            let start = unsafe { self.base().add((old * WASM_PAGE) as usize) };
            let rc = unsafe {
                libc::mprotect(
                    start as *mut libc::c_void,
                    (delta * WASM_PAGE) as usize,
                    libc::PROT_READ | libc::PROT_WRITE,
                )
            };
            if rc != 0 {
                return None;
            }
            unsafe { (*self.def_ptr()).length = new * WASM_PAGE };
        }
        Some(old)
    }

    pub fn same(&self, other: &Memory) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn grow_respects_maximum_and_commits_pages() {
        let m = Memory::new(1, Some(3)).unwrap();
        assert_eq!(m.pages(), 1);
        unsafe { m.as_mut_slice()[65535] = 7 };
        assert_eq!(m.grow(2), Some(1));
        assert_eq!(m.grow(1), None);
        unsafe { m.as_mut_slice()[3 * 65536 - 1] = 9 };
        assert_eq!(m.pages(), 3);
    }
}
