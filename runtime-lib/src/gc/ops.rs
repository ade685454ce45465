//! GC operations behind the builtins: the allocation slow path, the write
//! barrier's slow path, array allocation and bulk copies. Each works on a
//! [`Gc`] (exclusive access to the heap and the nursery limits) handed down
//! from the builtin that runs it, never re-derived.

use super::collect::collect;
use super::heap::*;
use super::roots::Roots;
use super::Gc;
use wasmc_abi::descriptor::{TY_ANYREF, TY_EXTERNREF};
use wasmc_abi::gc::{VMRtt, ARRAY_OFF_ELEMS, ARRAY_OFF_LEN};
use wasmc_abi::Trap;

impl Gc<'_> {
    /// Runs a collection with the current stack.
    #[inline(never)]
    pub(crate) fn collect(&mut self, major: bool) -> bool {
        let roots = self.roots;
        let mut others = |f: &mut dyn FnMut(*mut u64)| roots.for_each_root(f);
        // Under Miri (unit tests) no generated code exists, so there are
        // no wasm frames to walk, and Miri cannot run the inline assembly
        // that reads the frame pointer.
        let fp = if cfg!(miri) { 0 } else { crate::trap::frame_pointer() };
        let mut stack_and_others = Roots { fp, stop: crate::trap::outermost_entry_sp(), others: &mut others };
        let used = self.limits.gc_next as usize - self.heap.nursery as usize;
        // SAFETY: this runs on the store's thread inside a builtin (how a
        // `Gc` is made), so the stack walk from this frame up to the
        // outermost entry plus the store's roots are every live reference.
        let ok = unsafe { collect(self.heap, &mut stack_and_others, major, used) };
        self.heap.reset_nursery(self.limits);
        if self.heap.config.verify || self.heap.config.stress {
            let mut values = Vec::new();
            // SAFETY: every root slot is a live, aligned u64 (stack slots
            // of suspended frames, instance and handle storage).
            stack_and_others.for_each(&mut |slot| values.push(unsafe { *slot }));
            if self.heap.config.verify {
                super::verify::verify(self.heap, &values);
            }
            self.heap.stress_skip = values.len() / STRESS_ROOTS_PER_ALLOCATION;
        }
        ok
    }

    /// Allocates a zeroed object of `size` bytes with runtime type `rtt`,
    /// collecting as needed; `None` when the heap limit is reached.
    pub(crate) fn allocate(&mut self, rtt: u64, size: usize) -> Option<usize> {
        let nursery = self.heap.config.nursery_bytes;
        if self.heap.config.stress {
            if self.heap.stress_skip == 0 {
                let major = (self.heap.minor_count + 1).is_multiple_of(8);
                if !self.collect(major) {
                    return None;
                }
            } else {
                self.heap.stress_skip -= 1;
            }
        }
        let p = if size > nursery / 4 {
            // Too big for the nursery: a large object.
            if self.heap.old_bytes + size > self.heap.major_threshold && !self.collect(true) {
                return None;
            }
            if self.heap.old_bytes + size > self.heap.config.max_heap_bytes {
                return None;
            }
            // Large objects get a fresh mapping: zeroed already, never copied.
            let p = self.heap.large.allocate(size)?;
            self.heap.old_bytes += size;
            p as usize
        } else {
            if self.limits.gc_next as usize + size > self.limits.nursery_end as usize {
                if !self.collect(false) {
                    return None;
                }
                if self.heap.old_bytes > self.heap.major_threshold && !self.collect(true) {
                    return None;
                }
            }
            let p = self.limits.gc_next as usize;
            self.limits.gc_next += size as u64;
            if self.heap.config.stress {
                self.limits.gc_limit = self.limits.gc_next;
            }
            p
        };
        // SAFETY: `p` is the start of `size >= 8` fresh, zeroed, 8-aligned
        // heap bytes (nursery or old chunk), owned by no other object.
        unsafe { *(p as *mut u64) = rtt };
        Some(p)
    }

    /// [`Gc::allocate`], or a trap: "allocation size too large" for a
    /// request no heap of this store could ever hold (decided before any
    /// collection is tried), else "heap exhausted" when the limit is reached.
    pub(crate) fn allocate_or_trap(&mut self, rtt: u64, size: usize) -> Result<usize, Trap> {
        if size > self.heap.config.max_heap_bytes {
            return Err(Trap::AllocationTooLarge);
        }
        self.allocate(rtt, size).ok_or(Trap::HeapExhausted)
    }

    /// Remembers old object `obj` (it now references the nursery).
    pub(crate) fn remember(&mut self, obj: usize) {
        let header = obj as *mut u64;
        // SAFETY: `obj` is a live heap object (generated code and the
        // builtins below only pass objects they hold), so its header word
        // is readable and writable.
        unsafe {
            if *header & REMEMBERED == 0 {
                *header |= REMEMBERED;
                self.heap.remembered.push(obj);
            }
        }
    }

    /// Remembers `obj` if it is old (after references were stored into it).
    pub(crate) fn remember_if_old(&mut self, obj: usize) {
        if !self.heap.in_nursery(obj) {
            self.remember(obj);
        }
    }

    /// Allocates an array of `len` elements of runtime type `rtt`.
    ///
    /// # Safety
    /// `rtt` is an array runtime type (a live `VMRtt` of kind array).
    pub(crate) unsafe fn new_array(&mut self, rtt: u64, len: u32) -> Result<usize, Trap> {
        // SAFETY: `rtt` is a live runtime type (contract).
        let r = unsafe { &*(rtt as *const VMRtt) };
        let p = self.allocate_or_trap(rtt, object_size(r, len))?;
        // SAFETY: `p` is a fresh array object of at least header + length
        // bytes (`object_size`).
        unsafe { *((p + ARRAY_OFF_LEN as usize) as *mut u32) = len };
        Ok(p)
    }
}

/// The length of array object `a`.
///
/// # Safety
/// `a` is a live array object.
pub(crate) unsafe fn array_len(a: u64) -> u32 {
    // SAFETY: arrays keep their length at `ARRAY_OFF_LEN` (contract: live).
    unsafe { *((a as usize + ARRAY_OFF_LEN as usize) as *const u32) }
}

/// Element size of array object `a`, and whether its elements are GC
/// references.
///
/// # Safety
/// `a` is a live array object.
pub(crate) unsafe fn array_elem(a: u64) -> (usize, bool) {
    // SAFETY: a live object's header holds its runtime type (contract).
    let r = unsafe { rtt_of(a as usize) };
    (r.size as usize, r.elem_is_ref != 0)
}

/// Address of element `i` of array object `a` with elements of `size` bytes.
pub(crate) fn array_elem_addr(a: u64, i: u32, size: usize) -> usize {
    a as usize + ARRAY_OFF_ELEMS as usize + i as usize * size
}

/// Whether values of representation `ty` may point into the GC heap.
pub(crate) fn is_gc_ty(ty: u8) -> bool {
    ty == TY_ANYREF || ty == TY_EXTERNREF
}
