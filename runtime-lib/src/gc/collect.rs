//! Copying collection (Cheney): objects reachable from the roots are copied
//! to to-space, each leaving a forwarding pointer in its old header; copied
//! objects are then scanned in allocation order until none is left.
//!
//! Minor: from-space is the nursery, to-space the old generation; old
//! objects are roots only if remembered by the write barrier.
//! Major: from-space is the nursery and every old chunk; to-space a fresh
//! set of chunks, which become the old generation. Large objects never
//! move: a major collection marks those it reaches, scans them like
//! copied objects, and frees the others (see `large.rs`).

use super::heap::*;
use super::roots::Roots;
use std::ptr;

struct Copier<'a> {
    heap: &'a mut Heap,
    major: bool,
    /// Major collections: the chunks being evacuated.
    from_old: Vec<Chunk>,
    /// Where the objects copied in this collection start (chunk, offset).
    scan: (usize, usize),
    /// Major collections: large objects marked but not yet scanned.
    marked: Vec<usize>,
    failed: bool,
}

impl Copier<'_> {
    fn in_from(&self, p: usize) -> bool {
        self.heap.in_nursery(p) || (self.major && self.from_old.iter().any(|c| c.contains(p)))
    }

    /// Updates the reference in `slot` to its object's new address,
    /// copying the object first if it has not been copied yet.
    ///
    /// # Safety
    /// `slot` is a live, aligned word holding a reference (a root slot, or
    /// a reference field of a live object), and the heap is consistent:
    /// every from-space pointer stored in a slot is a live object.
    unsafe fn forward(&mut self, slot: *mut u64) {
        // SAFETY: `slot` is readable (contract).
        let v = unsafe { *slot } as usize;
        if v == 0 || v & 7 != 0 {
            return;
        }
        if !self.in_from(v) {
            if self.major {
                // SAFETY: `v` is a live object (contract).
                unsafe { self.mark_large(v) };
            }
            return;
        }
        // SAFETY: an aligned word in from-space is a live object's start
        // (contract), whose first word is its header.
        let header = unsafe { *(v as *const u64) };
        if header & FORWARDED != 0 {
            // SAFETY: `slot` is writable (contract).
            unsafe { *slot = header & !HEADER_BITS };
            return;
        }
        // SAFETY: `v` is a live, unforwarded object (checked above).
        let size = unsafe { size_of_object(v) };
        let Some(new) = self.heap.alloc_old(size) else {
            self.failed = true;
            return;
        };
        // SAFETY: `new` is `size` fresh to-space bytes, disjoint from the
        // object at `v` (from-space) of the same size; both headers and
        // `slot` are writable.
        unsafe {
            ptr::copy_nonoverlapping(v as *const u8, new, size);
            // The copy is not remembered: it is scanned in this collection.
            *(new as *mut u64) = header & !REMEMBERED;
            *(v as *mut u64) = new as u64 | FORWARDED;
            *slot = new as u64;
        }
    }

    /// Marks `v` if it is a large object not marked yet. Out of line so
    /// that `forward`, the collector's hottest code, stays small.
    ///
    /// # Safety
    /// `v` is a live object outside from-space (or not a heap object).
    #[inline(never)]
    unsafe fn mark_large(&mut self, v: usize) {
        if self.heap.large.mark(v) {
            // A large object stays where it is. Forget that it was
            // remembered: this collection drops the remembered set, and
            // the write barrier must record it again.
            // SAFETY: `v` is a live large object (contract), whose first
            // word is its header.
            unsafe { *(v as *mut u64) &= !REMEMBERED };
            self.marked.push(v);
        }
    }

    /// Scans every object copied or marked so far, and those they cause to
    /// be copied or marked.
    fn drain(&mut self) {
        loop {
            self.scan_copied();
            let Some(obj) = self.marked.pop() else { return };
            // SAFETY: `obj` is a live large object (marked by `forward`);
            // each slot is one of its reference fields.
            unsafe { for_each_ref_slot(obj, |s| self.forward(s)) };
        }
    }

    /// Scans the objects copied to to-space that are not scanned yet.
    #[inline]
    fn scan_copied(&mut self) {
        loop {
            let (ci, off) = self.scan;
            if ci >= self.heap.old.len() {
                return;
            }
            let (base, used) = (self.heap.old[ci].base as usize, self.heap.old[ci].used);
            if off >= used {
                if ci + 1 >= self.heap.old.len() {
                    return;
                }
                self.scan = (ci + 1, 0);
                continue;
            }
            let obj = base + off;
            // SAFETY: to-space below `used` holds only objects copied
            // whole by `forward`, laid end to end: `obj` starts one.
            let size = unsafe { size_of_object(obj) };
            // SAFETY: as above; each slot is a reference field of `obj`.
            unsafe { for_each_ref_slot(obj, |s| self.forward(s)) };
            self.scan = (ci, off + size);
        }
    }
}

/// Collects; returns false if the heap limit was exceeded while copying.
///
/// # Safety
/// Must run on the thread that owns the store, with `roots` describing
/// every live reference (the stack walk starts from the caller's frame).
pub(crate) unsafe fn collect(heap: &mut Heap, roots: &mut Roots<'_>, major: bool, nursery_used: usize) -> bool {
    let from_old = if major { std::mem::take(&mut heap.old) } else { Vec::new() };
    if major {
        heap.old_bytes = 0;
    }
    let scan = match heap.old.last() {
        Some(c) => (heap.old.len() - 1, c.used),
        None => (0, 0),
    };
    let remembered = std::mem::take(&mut heap.remembered);
    let mut c = Copier { heap, major, from_old, scan, marked: Vec::new(), failed: false };
    // SAFETY: the root walk yields live reference slots (the contract of
    // this function); the heap was consistent when the collection began.
    roots.for_each(&mut |slot| unsafe { c.forward(slot) });
    if !major {
        for obj in remembered {
            // SAFETY: remembered objects are live old objects (the barrier
            // records only old objects, and a minor collection leaves old
            // ones in place); their reference fields are live slots.
            unsafe {
                *(obj as *mut u64) &= !REMEMBERED;
                for_each_ref_slot(obj, |s| c.forward(s));
            }
        }
    }
    c.drain();
    let failed = c.failed;
    if major {
        // SAFETY: marking reached every live large object unless copying
        // failed, in which case none is freed.
        c.heap.old_bytes += unsafe { c.heap.large.sweep(failed) };
    }
    let from_old = std::mem::take(&mut c.from_old);
    for ch in from_old {
        if ch.size == CHUNK_BYTES && c.heap.free.len() < c.heap.old.len() + 8 {
            c.heap.free.push(Chunk { used: 0, ..ch });
        } else {
            // SAFETY: an evacuated from-space chunk: everything live was
            // copied out and every reference to it forwarded.
            unsafe { unmap(ch.base, ch.size) };
        }
    }
    // The nursery is empty again: zero what was used so inline allocation
    // gets zeroed memory.
    // SAFETY: the nursery is a mapping of `nursery_bytes` owned by the heap,
    // and nothing in it is live any more.
    unsafe { ptr::write_bytes(heap.nursery, 0, nursery_used.min(heap.config.nursery_bytes)) };
    if major {
        heap.major_count += 1;
        let live = heap.old_bytes;
        heap.major_threshold = (live * 2).max(8 << 20).min(heap.config.max_heap_bytes.max(live));
    } else {
        heap.minor_count += 1;
    }
    !failed && heap.old_bytes <= heap.config.max_heap_bytes
}
