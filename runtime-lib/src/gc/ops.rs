//! GC builtins called by generated code, and the store-level driver.

use super::collect::collect;
use super::heap::*;
use super::roots::Roots;
use crate::instance::InstanceInner;
use wasmc_abi::descriptor::{TY_ANYREF, TY_EXTERNREF};
use wasmc_abi::gc::{VMRtt, ARRAY_OFF_ELEMS, ARRAY_OFF_LEN};
use wasmc_abi::Trap;

fn inst<'a>(vmctx: *mut u8) -> &'a InstanceInner {
    unsafe { InstanceInner::from_vmctx(vmctx).expect("GC builtin called with a foreign vmctx") }
}

/// Runs a collection for the store of `inst`, with the current stack.
#[inline(never)]
pub(crate) fn collect_store(inst: &InstanceInner, major: bool) -> bool {
    let store = inst.store();
    let heap = unsafe { store.heap_mut() };
    let mut others = |f: &mut dyn FnMut(*mut u64)| store.for_each_other_root(f);
    let mut roots =
        Roots { fp: crate::trap::frame_pointer(), stop: crate::trap::outermost_entry_sp(), others: &mut others };
    let used = unsafe { (*store.limits()).gc_next } as usize - heap.nursery as usize;
    let ok = unsafe { collect(heap, &mut roots, major, used) };
    heap.reset_nursery(unsafe { &mut *store.limits() });
    if heap.config.verify {
        let mut values = Vec::new();
        roots.for_each(&mut |slot| values.push(unsafe { *slot }));
        super::verify::verify(heap, &values);
    }
    ok
}

/// Allocates a zeroed object of `size` bytes with runtime type `rtt`,
/// collecting as needed; `None` when the heap limit is reached.
pub(crate) fn allocate(inst: &InstanceInner, rtt: u64, size: usize) -> Option<usize> {
    let store = inst.store();
    let heap = unsafe { store.heap_mut() };
    let nursery = heap.config.nursery_bytes;
    if heap.config.stress {
        let major = (heap.minor_count + 1).is_multiple_of(8);
        if !collect_store(inst, major) {
            return None;
        }
    }
    let p = if size > nursery / 4 {
        // Large objects go straight to the old generation.
        if heap.old_bytes + size > heap.major_threshold && !collect_store(inst, true) {
            return None;
        }
        let heap = unsafe { store.heap_mut() };
        if heap.old_bytes + size > heap.config.max_heap_bytes {
            return None;
        }
        let p = heap.alloc_old(size)?;
        // Old-generation chunks are recycled: clear what the object gets.
        unsafe { std::ptr::write_bytes(p, 0, size) };
        p as usize
    } else {
        let limits = unsafe { &mut *store.limits() };
        if limits.gc_next as usize + size > limits.nursery_end as usize {
            if !collect_store(inst, false) {
                return None;
            }
            let heap = unsafe { store.heap_mut() };
            if heap.old_bytes > heap.major_threshold && !collect_store(inst, true) {
                return None;
            }
        }
        let limits = unsafe { &mut *store.limits() };
        let p = limits.gc_next as usize;
        limits.gc_next += size as u64;
        if unsafe { store.heap_mut() }.config.stress {
            limits.gc_limit = limits.gc_next;
        }
        p
    };
    unsafe { *(p as *mut u64) = rtt };
    Some(p)
}

fn alloc_or_trap(inst: &InstanceInner, rtt: u64, size: usize) -> usize {
    match allocate(inst, rtt, size) {
        Some(p) => p,
        None => unsafe { crate::trap::raise(Trap::HeapExhausted) },
    }
}

pub(crate) extern "C" fn gc_alloc(vmctx: *mut u8, rtt: u64, size: u64) -> u64 {
    alloc_or_trap(inst(vmctx), rtt, size as usize) as u64
}

/// Remembers old object `obj` (it now references the nursery).
pub(crate) extern "C" fn gc_remember(vmctx: *mut u8, obj: u64) {
    let heap = unsafe { inst(vmctx).store().heap_mut() };
    remember(heap, obj as usize);
}

fn remember(heap: &mut Heap, obj: usize) {
    let header = obj as *mut u64;
    unsafe {
        if *header & REMEMBERED == 0 {
            *header |= REMEMBERED;
            heap.remembered.push(obj);
        }
    }
}

/// Allocates an array of `len` elements of `rtt`, or traps.
fn new_array(inst: &InstanceInner, rtt: u64, len: u32) -> usize {
    let r = unsafe { &*(rtt as *const VMRtt) };
    let size = ARRAY_OFF_ELEMS as usize + len as usize * r.size as usize;
    if size > inst.store_heap_limit() {
        unsafe { crate::trap::raise(Trap::AllocationTooLarge) }
    }
    let p = alloc_or_trap(inst, rtt, object_size(r, len));
    unsafe { *((p + ARRAY_OFF_LEN as usize) as *mut u32) = len };
    p
}

pub(crate) extern "C" fn array_new_data(vmctx: *mut u8, rtt: u64, seg: u32, offset: u32, len: u32) -> u64 {
    let inst = inst(vmctx);
    let elem = unsafe { (*(rtt as *const VMRtt)).size } as u64;
    let bytes = inst.data_bytes(seg);
    let n = len as u64 * elem;
    if offset as u64 + n > bytes.len() as u64 {
        return 0;
    }
    let src = bytes[offset as usize..(offset as u64 + n) as usize].as_ptr();
    let p = new_array(inst, rtt, len);
    unsafe { std::ptr::copy_nonoverlapping(src, (p + ARRAY_OFF_ELEMS as usize) as *mut u8, n as usize) };
    p as u64
}

pub(crate) extern "C" fn array_new_elem(vmctx: *mut u8, rtt: u64, seg: u32, offset: u32, len: u32) -> u64 {
    let inst = inst(vmctx);
    let count = inst.elem_len(seg);
    if offset as u64 + len as u64 > count as u64 {
        return 0;
    }
    // Allocate first: the segment's items are roots and may move.
    let p = new_array(inst, rtt, len);
    inst.with_elems(seg, |items| {
        let dst = (p + ARRAY_OFF_ELEMS as usize) as *mut u64;
        unsafe { std::ptr::copy_nonoverlapping(items[offset as usize..].as_ptr(), dst, len as usize) };
    });
    let heap = unsafe { inst.store().heap_mut() };
    if !heap.in_nursery(p) {
        remember(heap, p);
    }
    p as u64
}

fn array_len(a: u64) -> u32 {
    unsafe { *((a as usize + ARRAY_OFF_LEN as usize) as *const u32) }
}

pub(crate) extern "C" fn array_copy(vmctx: *mut u8, dst: u64, di: u32, src: u64, si: u32, len: u32) -> u32 {
    if di as u64 + len as u64 > array_len(dst) as u64 || si as u64 + len as u64 > array_len(src) as u64 {
        return 0;
    }
    let r = unsafe { rtt_of(dst as usize) };
    let z = r.size as usize;
    let base = |a: u64, i: u32| a as usize + ARRAY_OFF_ELEMS as usize + i as usize * z;
    // memmove: the same array may be both source and destination.
    unsafe { std::ptr::copy(base(src, si) as *const u8, base(dst, di) as *mut u8, len as usize * z) };
    if r.elem_is_ref != 0 && len > 0 {
        let heap = unsafe { inst(vmctx).store().heap_mut() };
        if !heap.in_nursery(dst as usize) {
            remember(heap, dst as usize);
        }
    }
    1
}

pub(crate) extern "C" fn array_init_data(vmctx: *mut u8, a: u64, di: u32, seg: u32, off: u32, len: u32) -> u32 {
    let inst = inst(vmctx);
    if di as u64 + len as u64 > array_len(a) as u64 {
        return 0;
    }
    let z = unsafe { rtt_of(a as usize) }.size as u64;
    let bytes = inst.data_bytes(seg);
    if off as u64 + len as u64 * z > bytes.len() as u64 {
        return 2;
    }
    let dst = a as usize + ARRAY_OFF_ELEMS as usize + di as usize * z as usize;
    unsafe { std::ptr::copy_nonoverlapping(bytes[off as usize..].as_ptr(), dst as *mut u8, (len as u64 * z) as usize) };
    1
}

pub(crate) extern "C" fn array_init_elem(vmctx: *mut u8, a: u64, di: u32, seg: u32, off: u32, len: u32) -> u32 {
    let inst = inst(vmctx);
    if di as u64 + len as u64 > array_len(a) as u64 {
        return 0;
    }
    if off as u64 + len as u64 > inst.elem_len(seg) as u64 {
        return 2;
    }
    inst.with_elems(seg, |items| {
        let dst = (a as usize + ARRAY_OFF_ELEMS as usize + di as usize * 8) as *mut u64;
        unsafe { std::ptr::copy_nonoverlapping(items[off as usize..].as_ptr(), dst, len as usize) };
    });
    let heap = unsafe { inst.store().heap_mut() };
    if len > 0 && !heap.in_nursery(a as usize) {
        remember(heap, a as usize);
    }
    1
}

/// Whether values of representation `ty` may point into the GC heap.
pub(crate) fn is_gc_ty(ty: u8) -> bool {
    ty == TY_ANYREF || ty == TY_EXTERNREF
}
