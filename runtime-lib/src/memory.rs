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
        let def = self.def.get_mut();
        release(def.base as usize, def.length as usize);
    }
}

/// Reservations of dropped memories, kept for the next memories. Natively,
/// reserving and releasing address space is cheap either way. Under
/// qemu-user 7 (Debian 12's), every range ever reserved costs the emulator
/// about 48 MiB of page bookkeeping and 35 ms, even after it is released, so
/// a process that creates thousands of memories (the spec harness under
/// qemu-aarch64) would exhaust the machine. Reuse bounds that cost by the
/// number of memories alive at once.
static SPARE: Mutex<Vec<usize>> = Mutex::new(Vec::new());
const MAX_SPARE: usize = 64;

/// A reservation whose pages are all inaccessible and zero.
fn reserve() -> Option<usize> {
    if let Some(base) = SPARE.lock().unwrap_or_else(|e| e.into_inner()).pop() {
        return Some(base);
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
    (base != libc::MAP_FAILED).then_some(base as usize)
}

/// Takes back a reservation whose first `used` bytes were accessible (the
/// rest never was): they are replaced by fresh inaccessible zero pages, at
/// a cost proportional to `used`, and the reservation is kept for reuse.
fn release(base: usize, used: usize) {
    let fresh = used == 0
        || unsafe {
            libc::mmap(
                base as *mut libc::c_void,
                used,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_FIXED,
                -1,
                0,
            )
        } == base as *mut libc::c_void;
    let mut spare = SPARE.lock().unwrap_or_else(|e| e.into_inner());
    if fresh && spare.len() < MAX_SPARE {
        spare.push(base);
        return;
    }
    drop(spare);
    unsafe { libc::munmap(base as *mut libc::c_void, RESERVATION) };
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
        let Some(base) = reserve() else {
            return Err("cannot reserve address space for a linear memory".into());
        };
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
                // Keep every page past the length inaccessible (and so zero:
                // see `release`), whatever part of the change took effect.
                unsafe { libc::mprotect(start as *mut libc::c_void, (delta * WASM_PAGE) as usize, libc::PROT_NONE) };
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

    #[test]
    fn reused_reservations_start_zero() {
        // Memories dropped and created again, some larger than before: each
        // new one sees only zeros, whatever reservation it gets.
        for round in 0..4u64 {
            let mems: Vec<Memory> = (0..3).map(|i| Memory::new(1 + (round + i) % 3, None).unwrap()).collect();
            for m in &mems {
                let bytes = unsafe { m.as_mut_slice() };
                assert!(bytes.iter().all(|b| *b == 0), "round {round}: a new memory is not zero");
                bytes.fill(0xa5);
                let before = m.pages();
                assert_eq!(m.grow(1), Some(before));
                assert!(unsafe { m.as_mut_slice() }.ends_with(&[0; 65536]));
            }
        }
    }
}

/// The bulk operations of `memory.*` instructions and data segments, each
/// bounds-checked against the current length.
impl Memory {
    fn in_bounds(&self, start: u64, len: u64) -> bool {
        start.checked_add(len).is_some_and(|end| end <= self.byte_len())
    }

    /// `memory.fill`: false if out of bounds.
    pub(crate) fn fill(&self, dst: u64, val: u8, len: u64) -> bool {
        if !self.in_bounds(dst, len) {
            return false;
        }
        // SAFETY: `[dst, dst + len)` lies within the accessible bytes
        // (checked above), which only this thread's wasm and host code
        // touch, none of it while this runs.
        unsafe { std::ptr::write_bytes(self.base().add(dst as usize), val, len as usize) };
        true
    }

    /// `memory.copy` from `src` (may be this memory): false if out of bounds.
    pub(crate) fn copy_from(&self, dst: u64, src: &Memory, src_at: u64, len: u64) -> bool {
        if !self.in_bounds(dst, len) || !src.in_bounds(src_at, len) {
            return false;
        }
        // SAFETY: both ranges lie within accessible bytes (checked above);
        // `copy` allows them to overlap.
        unsafe { std::ptr::copy(src.base().add(src_at as usize), self.base().add(dst as usize), len as usize) };
        true
    }

    /// Writes `bytes` at `dst` (`memory.init`, active data segments): false
    /// if out of bounds.
    pub(crate) fn init_from(&self, dst: u64, bytes: &[u8]) -> bool {
        if !self.in_bounds(dst, bytes.len() as u64) {
            return false;
        }
        // SAFETY: the destination lies within accessible bytes (checked
        // above); `bytes` is host memory (a data segment), never the
        // guest's, so the ranges do not overlap.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.base().add(dst as usize), bytes.len()) };
        true
    }
}
