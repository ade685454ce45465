//! Linear memories. A 32-bit memory reserves its whole possible range plus
//! a guard region up front, so its base never moves and generated code
//! needs no bounds checks: any address past the accessible length faults and
//! becomes an out-of-bounds trap.

use std::sync::atomic::{AtomicU64, Ordering};
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
    /// Declared `shared`: may be used by several threads at once (imported
    /// into one instance per thread), and `memory.atomic.wait` may sleep on it.
    shared: bool,
    grow_lock: Mutex<()>,
}

// `length` sits at offset 8 of a `repr(C)` struct of two `u64`s, so it is
// aligned for an `AtomicU64` whenever the struct is aligned to 8.
const _: () = assert!(std::mem::align_of::<VMMemoryDef>() >= std::mem::align_of::<AtomicU64>());

// SAFETY: `MemoryInner` is `!Send`/`!Sync` only because of the `UnsafeCell`
// around the definition. Its `base` is written once, in `Memory::new`, before
// the value is shared, and never again; its `length` is only accessed from
// Rust atomically (`Memory::length`), and only stored under `grow_lock`; the
// last access, in `drop`, has exclusive access. Generated code reads the
// definition through the raw `def_ptr` (aligned 64-bit loads). The reserved
// mapping itself is plain memory owned by the value and can be released
// from any thread. So sharing and sending it cannot cause a data race from
// safe code; access to the memory's *contents* is `unsafe` (`as_mut_slice`)
// and up to the caller.
unsafe impl Send for MemoryInner {}
// SAFETY: see `Send` above.
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
    // SAFETY: a fresh anonymous `PROT_NONE` mapping (null hint, no
    // `MAP_FIXED`) cannot alias any existing memory.
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
    // SAFETY: `base..base + used` is the accessible prefix of a reservation
    // that the dropped memory owned exclusively (`used` <= its 4 GiB limit <
    // `RESERVATION`); nothing refers into it any more, so replacing it with
    // `MAP_FIXED` fresh pages destroys no live data another owner sees.
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
    // SAFETY: `base` is a whole `RESERVATION` mapping owned by the dropped
    // memory and now by nobody (it is not pushed to `SPARE`).
    unsafe { libc::munmap(base as *mut libc::c_void, RESERVATION) };
}

/// A linear memory, shared between its defining instance and importers.
#[derive(Clone)]
pub struct Memory(Arc<MemoryInner>);

impl Memory {
    /// Reserves and commits `min_pages`. `max_pages` is `None` when unbounded.
    pub fn new(min_pages: u64, max_pages: Option<u64>) -> Result<Memory, String> {
        Memory::create(min_pages, max_pages, false)
    }

    /// A `shared` memory (which always declares its maximum).
    pub fn new_shared(min_pages: u64, max_pages: u64) -> Result<Memory, String> {
        Memory::create(min_pages, Some(max_pages), true)
    }

    fn create(min_pages: u64, max_pages: Option<u64>, shared: bool) -> Result<Memory, String> {
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
            shared,
            grow_lock: Mutex::new(()),
        }));
        if min_pages > 0 && mem.grow(min_pages).is_none() {
            return Err("cannot commit the initial pages of a linear memory".into());
        }
        Ok(mem)
    }

    /// The definition generated code reads. Rust code must not write
    /// through it, nor read `length` non-atomically: use [`Memory::grow`]
    /// and [`Memory::byte_len`].
    pub fn def_ptr(&self) -> *mut VMMemoryDef {
        self.0.def.get()
    }

    /// The definition's `length`, which may be read while another thread
    /// grows the memory (`Memory` is `Send + Sync`): only ever accessed
    /// atomically from Rust.
    fn length(&self) -> &AtomicU64 {
        // SAFETY: the pointer is to the `length` field of the boxed
        // definition, live as long as `self`, and aligned for `AtomicU64`
        // (the assertion next to `MemoryInner`). All Rust accesses to it
        // while the memory is shared go through this atomic (`drop`, the
        // only other one, has `&mut`), as `from_ptr` requires.
        unsafe { AtomicU64::from_ptr(&raw mut (*self.def_ptr()).length) }
    }

    pub fn base(&self) -> *mut u8 {
        // SAFETY: `def_ptr` is valid for `self`'s lifetime; `base` is only
        // written in `new`, before the value is shared, so this read cannot
        // race.
        unsafe { (*self.def_ptr()).base as *mut u8 }
    }
    pub fn byte_len(&self) -> u64 {
        self.length().load(Ordering::Acquire)
    }
    pub fn pages(&self) -> u64 {
        self.byte_len() / WASM_PAGE
    }
    pub fn max_pages(&self) -> u64 {
        self.0.max_pages
    }
    pub fn is_shared(&self) -> bool {
        self.0.shared
    }

    /// The accessible bytes.
    ///
    /// # Safety
    /// For as long as the slice is used, nothing else may read or write the
    /// memory's contents: no other slice or pointer from this function,
    /// `base` or `def_ptr`, and no wasm code using the memory (on any
    /// thread). Growing the memory meanwhile does not invalidate the slice
    /// (the base never moves and memories never shrink), but bytes added by
    /// the growth are not part of it.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn as_mut_slice(&self) -> &mut [u8] {
        // SAFETY: `base..base + byte_len` is mapped read-write for as long
        // as `self` lives (pages are committed before `length` is raised,
        // and never decommitted before drop), it is at most 4 GiB (<
        // `isize::MAX`), and the caller guarantees exclusivity.
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
            // SAFETY: `old * WASM_PAGE` <= 4 GiB lies within the base's
            // `RESERVATION`-byte mapping, one allocation.
            let start = unsafe { self.base().add((old * WASM_PAGE) as usize) };
            // SAFETY: `start..start + delta * WASM_PAGE` ends at `new *
            // WASM_PAGE` <= 4 GiB, inside the reservation this memory owns;
            // those pages are past `length`, so no Rust reference or wasm
            // access covers them and changing their protection is invisible
            // to everyone else.
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
                // SAFETY: the same range as above, still past `length`.
                unsafe { libc::mprotect(start as *mut libc::c_void, (delta * WASM_PAGE) as usize, libc::PROT_NONE) };
                return None;
            }
            // Release: a thread that sees the new length also sees the
            // pages committed.
            self.length().store(new * WASM_PAGE, Ordering::Release);
        }
        Some(old)
    }

    pub fn same(&self, other: &Memory) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
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
        // (checked above), which stay mapped while `self` lives. Of an
        // unshared memory only this thread's wasm and host code touch
        // them, none of it while this runs. A shared memory's bytes may be
        // accessed meanwhile by other threads' generated code, which is
        // outside Rust's view (like memory shared with another process):
        // what Rust writes here goes through a raw pointer and no Rust
        // value depends on those bytes, so a race can only give the guest
        // the torn bytes wasm's memory model allows.
        unsafe { std::ptr::write_bytes(self.base().add(dst as usize), val, len as usize) };
        true
    }

    /// `memory.copy` from `src` (may be this memory): false if out of bounds.
    pub(crate) fn copy_from(&self, dst: u64, src: &Memory, src_at: u64, len: u64) -> bool {
        if !self.in_bounds(dst, len) || !src.in_bounds(src_at, len) {
            return false;
        }
        // SAFETY: both ranges lie within accessible bytes (checked above);
        // `copy` allows them to overlap. Other threads' accesses to a
        // shared memory meanwhile are as in `fill`.
        unsafe { std::ptr::copy(src.base().add(src_at as usize), self.base().add(dst as usize), len as usize) };
        true
    }

    /// [`Memory::init_from`] for an active data segment at instantiation:
    /// the whole pages of `bytes` that are congruent with their place in
    /// the memory are mapped from the executable's file (copy-on-write,
    /// see `file_pages`), the rest copied.
    pub(crate) fn init_from_image(&self, dst: u64, bytes: &[u8]) -> bool {
        if !self.in_bounds(dst, bytes.len() as u64) {
            return false;
        }
        let page = crate::file_pages::page_size() as u64;
        let src = bytes.as_ptr() as u64;
        // The first and last whole pages of the destination.
        let (first, end) = (dst.next_multiple_of(page), (dst + bytes.len() as u64) / page * page);
        if bytes.len() as u64 >= wasmc_abi::descriptor::DATA_MAP_MIN_BYTES
            && first < end
            && (src + (first - dst)).is_multiple_of(page)
        {
            let (head, rest) = bytes.split_at((first - dst) as usize);
            let (middle, tail) = rest.split_at((end - first) as usize);
            // SAFETY: `first..end` lies within the accessible bytes (checked
            // above), which nothing else touches during instantiation, and
            // is page-aligned, as is `middle` (checked above).
            if unsafe { crate::file_pages::map_over(self.base().add(first as usize), middle.as_ptr(), middle.len()) } {
                return self.init_from(dst, head) && self.init_from(end, tail);
            }
        }
        self.init_from(dst, bytes)
    }

    /// Writes `bytes` at `dst` (`memory.init`, active data segments): false
    /// if out of bounds.
    pub(crate) fn init_from(&self, dst: u64, bytes: &[u8]) -> bool {
        if !self.in_bounds(dst, bytes.len() as u64) {
            return false;
        }
        // SAFETY: the destination lies within accessible bytes (checked
        // above); `bytes` is host memory (a data segment), never the
        // guest's, so the ranges do not overlap. Other threads' accesses
        // to a shared memory meanwhile are as in `fill`.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.base().add(dst as usize), bytes.len()) };
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    #[cfg_attr(miri, ignore = "Miri does not support mmap with PROT_NONE, nor mprotect")]
    fn grow_respects_maximum_and_commits_pages() {
        let m = Memory::new(1, Some(3)).unwrap();
        assert_eq!(m.pages(), 1);
        // SAFETY: `m` is local and no other slice of it is live.
        unsafe { m.as_mut_slice()[65535] = 7 };
        assert_eq!(m.grow(2), Some(1));
        assert_eq!(m.grow(1), None);
        // SAFETY: as above; the earlier slice is dead.
        unsafe { m.as_mut_slice()[3 * 65536 - 1] = 9 };
        assert_eq!(m.pages(), 3);
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri does not support mmap with PROT_NONE, nor mprotect")]
    fn reused_reservations_start_zero() {
        // Memories dropped and created again, some larger than before: each
        // new one sees only zeros, whatever reservation it gets.
        for round in 0..4u64 {
            let mems: Vec<Memory> = (0..3).map(|i| Memory::new(1 + (round + i) % 3, None).unwrap()).collect();
            for m in &mems {
                // SAFETY: each memory is local to this test and only one
                // slice of it is used at a time.
                let bytes = unsafe { m.as_mut_slice() };
                assert!(bytes.iter().all(|b| *b == 0), "round {round}: a new memory is not zero");
                bytes.fill(0xa5);
                let before = m.pages();
                assert_eq!(m.grow(1), Some(before));
                // SAFETY: as above; `bytes` is no longer used.
                assert!(unsafe { m.as_mut_slice() }.ends_with(&[0; 65536]));
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri does not support mmap with PROT_NONE, nor mprotect")]
    fn length_is_read_while_another_thread_grows() {
        // `Memory` is `Send + Sync`: reading the length while another thread
        // grows the memory must be race-free (it is atomic).
        let m = Memory::new(0, Some(64)).unwrap();
        let m2 = m.clone();
        let t = std::thread::spawn(move || {
            for _ in 0..64 {
                m2.grow(1).unwrap();
            }
        });
        let mut last = 0;
        while last < 64 {
            let now = m.pages();
            assert!(now >= last, "a memory shrank");
            last = now;
        }
        t.join().unwrap();
        // SAFETY: the other clone is gone; this is the only slice.
        let bytes = unsafe { m.as_mut_slice() };
        assert_eq!(bytes.len(), 64 * 65536);
        bytes[64 * 65536 - 1] = 1;
    }
}
