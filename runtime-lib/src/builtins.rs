//! Builtins: the runtime functions generated code calls through the table
//! in the vmctx header (see `wasmc_abi::builtins`). Each is a thin adapter
//! from the vmctx to the operation that lives with its data (memories,
//! tables, the GC). Checks that fail return 0 ("not ok") and the generated
//! code traps with the right code, so no builtin but `raise`, and the GC's
//! on a full heap, ever unwinds.

use crate::gc::ops::{array_elem, array_elem_addr, array_len};
use crate::gc::Gc;
use crate::instance::InstanceInner;
use wasmc_abi::Trap;

fn inst<'a>(vmctx: *mut u8) -> &'a InstanceInner {
    // SAFETY: generated code passes its own vmctx, which stays alive while
    // its code runs (the instance is held by whoever called into it).
    unsafe { InstanceInner::from_vmctx(vmctx).expect("builtin called with a foreign vmctx") }
}

/// The GC view of the store of `vmctx`'s instance, for one builtin call.
fn gc<'a>(vmctx: *mut u8) -> Gc<'a> {
    // SAFETY: a builtin is running, so this store's generated code is
    // suspended; builtins do not nest and make one `Gc` each, dropped
    // before they return, so it is the only one.
    unsafe { inst(vmctx).store().gc() }
}

/// Unwinds out of a builtin with `trap`.
fn trap(trap: Trap) -> ! {
    // SAFETY: builtins run inside the `catch_traps` of the host call that
    // entered wasm, and this is called from builtin frames that own
    // nothing needing a drop (each caller returns `!` right away).
    unsafe { crate::trap::raise(trap) }
}

extern "C" fn memory_grow(vmctx: *mut u8, mem: u32, delta: u64) -> i64 {
    match inst(vmctx).memories[mem as usize].grow(delta) {
        Some(old) => old as i64,
        None => -1,
    }
}

extern "C" fn memory_fill(vmctx: *mut u8, mem: u32, dst: u64, val: u32, len: u64) -> u32 {
    inst(vmctx).memories[mem as usize].fill(dst, val as u8, len) as u32
}

extern "C" fn memory_copy(vmctx: *mut u8, dst_mem: u32, src_mem: u32, dst: u64, src: u64, len: u64) -> u32 {
    let i = inst(vmctx);
    i.memories[dst_mem as usize].copy_from(dst, &i.memories[src_mem as usize], src, len) as u32
}

extern "C" fn memory_init(vmctx: *mut u8, mem: u32, seg: u32, dst: u64, src: u32, len: u32) -> u32 {
    let i = inst(vmctx);
    let bytes = i.data_bytes(seg);
    match bytes.get(src as usize..src as usize + len as usize) {
        Some(part) => i.memories[mem as usize].init_from(dst, part) as u32,
        None => 0,
    }
}

extern "C" fn data_drop(vmctx: *mut u8, seg: u32) {
    inst(vmctx).data_dropped[seg as usize].set(true);
}

extern "C" fn table_grow(vmctx: *mut u8, table: u32, init: u64, delta: u64) -> i64 {
    // SAFETY: `init` is a wasm value of the table's element type
    // (validation types `table.grow`'s operand).
    match unsafe { inst(vmctx).tables[table as usize].grow(delta, init) } {
        Some(old) => old as i64,
        None => -1,
    }
}

extern "C" fn table_fill(vmctx: *mut u8, table: u32, dst: u64, val: u64, len: u64) -> u32 {
    // SAFETY: `val` is a wasm value of the element type (validation).
    unsafe { inst(vmctx).tables[table as usize].fill(dst, len, val) as u32 }
}

extern "C" fn table_copy(vmctx: *mut u8, dst_t: u32, src_t: u32, dst: u64, src: u64, len: u64) -> u32 {
    let i = inst(vmctx);
    i.tables[dst_t as usize].copy_from(dst, &i.tables[src_t as usize], src, len) as u32
}

extern "C" fn table_init(vmctx: *mut u8, table: u32, seg: u32, dst: u64, src: u32, len: u32) -> u32 {
    let i = inst(vmctx);
    i.with_elems(seg, |items| match items.get(src as usize..src as usize + len as usize) {
        Some(part) => i.tables[table as usize].init_from(dst, part) as u32,
        None => 0,
    })
}

extern "C" fn elem_drop(vmctx: *mut u8, seg: u32) {
    *inst(vmctx).elems[seg as usize].borrow_mut() = None;
}

extern "C" fn gc_alloc(vmctx: *mut u8, rtt: u64, size: u64) -> u64 {
    let r = gc(vmctx).allocate_or_trap(rtt, size as usize);
    r.unwrap_or_else(|t| trap(t)) as u64
}

/// Remembers old object `obj` (it now references the nursery).
extern "C" fn gc_remember(vmctx: *mut u8, obj: u64) {
    gc(vmctx).remember(obj as usize);
}

/// Allocates an array for `array.new_*`, or traps.
fn new_array(vmctx: *mut u8, rtt: u64, len: u32) -> usize {
    // SAFETY: generated code passes the array type's runtime type.
    let r = unsafe { gc(vmctx).new_array(rtt, len) };
    r.unwrap_or_else(|t| trap(t))
}

extern "C" fn array_new_data(vmctx: *mut u8, rtt: u64, seg: u32, offset: u32, len: u32) -> u64 {
    // SAFETY: `rtt` is a live array runtime type (generated code's operand).
    let elem = unsafe { (*(rtt as *const wasmc_abi::gc::VMRtt)).size } as u64;
    let bytes = inst(vmctx).data_bytes(seg);
    let n = len as u64 * elem;
    let Some(src) = bytes.get(offset as usize..(offset as u64 + n) as usize) else { return 0 };
    let p = new_array(vmctx, rtt, len);
    // SAFETY: the new array has room for `len` elements of `elem` bytes;
    // the source is a data segment, not GC memory.
    unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), array_elem_addr(p as u64, 0, 0) as *mut u8, src.len()) };
    p as u64
}

extern "C" fn array_new_elem(vmctx: *mut u8, rtt: u64, seg: u32, offset: u32, len: u32) -> u64 {
    let i = inst(vmctx);
    if offset as u64 + len as u64 > i.elem_len(seg) as u64 {
        return 0;
    }
    // Allocate first: the segment's items are roots and may move.
    let p = new_array(vmctx, rtt, len);
    i.with_elems(seg, |items| {
        let part = &items[offset as usize..offset as usize + len as usize];
        // SAFETY: the new array has room for `len` reference elements.
        unsafe {
            std::ptr::copy_nonoverlapping(part.as_ptr(), array_elem_addr(p as u64, 0, 0) as *mut u64, part.len())
        };
    });
    gc(vmctx).remember_if_old(p);
    p as u64
}

extern "C" fn array_copy(vmctx: *mut u8, dst: u64, di: u32, src: u64, si: u32, len: u32) -> u32 {
    // SAFETY: generated code passes live, non-null array objects
    // (null was checked before the call).
    let (dst_len, src_len, (z, refs)) = unsafe { (array_len(dst), array_len(src), array_elem(dst)) };
    if di as u64 + len as u64 > dst_len as u64 || si as u64 + len as u64 > src_len as u64 {
        return 0;
    }
    // SAFETY: both element ranges are in bounds (checked above); `copy`
    // is a memmove, so the same array may be source and destination.
    unsafe {
        std::ptr::copy(
            array_elem_addr(src, si, z) as *const u8,
            array_elem_addr(dst, di, z) as *mut u8,
            len as usize * z,
        )
    };
    if refs && len > 0 {
        gc(vmctx).remember_if_old(dst as usize);
    }
    1
}

extern "C" fn array_init_data(vmctx: *mut u8, a: u64, di: u32, seg: u32, off: u32, len: u32) -> u32 {
    // SAFETY: generated code passes a live, non-null array object.
    let (a_len, (z, _)) = unsafe { (array_len(a), array_elem(a)) };
    if di as u64 + len as u64 > a_len as u64 {
        return 0;
    }
    let bytes = inst(vmctx).data_bytes(seg);
    let Some(src) = bytes.get(off as usize..(off as u64 + len as u64 * z as u64) as usize) else { return 2 };
    // SAFETY: the destination elements are in bounds (checked above); the
    // source is a data segment.
    unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), array_elem_addr(a, di, z) as *mut u8, src.len()) };
    1
}

extern "C" fn array_init_elem(vmctx: *mut u8, a: u64, di: u32, seg: u32, off: u32, len: u32) -> u32 {
    let i = inst(vmctx);
    // SAFETY: generated code passes a live, non-null array object.
    if di as u64 + len as u64 > unsafe { array_len(a) } as u64 {
        return 0;
    }
    if off as u64 + len as u64 > i.elem_len(seg) as u64 {
        return 2;
    }
    i.with_elems(seg, |items| {
        let part = &items[off as usize..off as usize + len as usize];
        // SAFETY: the destination elements are in bounds (checked above).
        unsafe { std::ptr::copy_nonoverlapping(part.as_ptr(), array_elem_addr(a, di, 8) as *mut u64, part.len()) };
    });
    if len > 0 {
        gc(vmctx).remember_if_old(a as usize);
    }
    1
}

extern "C" fn memory_atomic_wait32(vmctx: *mut u8, mem: u32, ea: u64, expected: u32, timeout: i64) -> u32 {
    crate::wait::wait32(&inst(vmctx).memories[mem as usize], ea, expected, timeout)
}

extern "C" fn memory_atomic_wait64(vmctx: *mut u8, mem: u32, ea: u64, expected: u64, timeout: i64) -> u32 {
    crate::wait::wait64(&inst(vmctx).memories[mem as usize], ea, expected, timeout)
}

extern "C" fn memory_atomic_notify(vmctx: *mut u8, mem: u32, ea: u64, count: u32) -> u32 {
    crate::wait::notify(&inst(vmctx).memories[mem as usize], ea, count)
}

/// The `raise` builtin, called by generated code (host-call trampolines).
/// Naked so that the caller's frame pointer and return address reach the
/// backtrace exactly as generated code left them, before any prologue of
/// ours could change the frame-pointer register.
#[unsafe(naked)]
extern "C" fn raise(_vmctx: *mut u8, _status: u32) {
    #[cfg(target_arch = "x86_64")]
    core::arch::naked_asm!(
        "mov rdx, rbp",
        "mov rcx, [rsp]",
        "jmp {f}",
        f = sym raise_from
    );
    #[cfg(target_arch = "aarch64")]
    core::arch::naked_asm!("mov x2, x29", "mov x3, x30", "b {f}", f = sym raise_from);
    #[cfg(target_arch = "riscv64")]
    core::arch::naked_asm!("mv a2, s0", "mv a3, ra", "tail {f}", f = sym raise_from);
}

/// `raise` with the generated caller's frame pointer `fp` and return address `ra`.
extern "C" fn raise_from(_vmctx: *mut u8, status: u32, fp: usize, ra: usize) -> ! {
    let trap = Trap::from_code(status as u8).unwrap_or(Trap::HostError);
    // SAFETY: called by generated code (through `raise`) inside the
    // `catch_traps` of the host call that entered wasm, with its frame
    // pointer and return address.
    unsafe { crate::trap::raise_from_wasm(trap, ra, fp) }
}

/// The builtins table, in `wasmc_abi::Builtin` order.
#[repr(C)]
struct Table {
    memory_grow: extern "C" fn(*mut u8, u32, u64) -> i64,
    memory_fill: extern "C" fn(*mut u8, u32, u64, u32, u64) -> u32,
    memory_copy: extern "C" fn(*mut u8, u32, u32, u64, u64, u64) -> u32,
    memory_init: extern "C" fn(*mut u8, u32, u32, u64, u32, u32) -> u32,
    data_drop: extern "C" fn(*mut u8, u32),
    table_grow: extern "C" fn(*mut u8, u32, u64, u64) -> i64,
    table_fill: extern "C" fn(*mut u8, u32, u64, u64, u64) -> u32,
    table_copy: extern "C" fn(*mut u8, u32, u32, u64, u64, u64) -> u32,
    table_init: extern "C" fn(*mut u8, u32, u32, u64, u32, u32) -> u32,
    elem_drop: extern "C" fn(*mut u8, u32),
    raise: extern "C" fn(*mut u8, u32),
    gc_alloc: extern "C" fn(*mut u8, u64, u64) -> u64,
    gc_remember: extern "C" fn(*mut u8, u64),
    array_new_data: extern "C" fn(*mut u8, u64, u32, u32, u32) -> u64,
    array_new_elem: extern "C" fn(*mut u8, u64, u32, u32, u32) -> u64,
    array_copy: extern "C" fn(*mut u8, u64, u32, u64, u32, u32) -> u32,
    array_init_data: extern "C" fn(*mut u8, u64, u32, u32, u32, u32) -> u32,
    array_init_elem: extern "C" fn(*mut u8, u64, u32, u32, u32, u32) -> u32,
    memory_atomic_wait32: extern "C" fn(*mut u8, u32, u64, u32, i64) -> u32,
    memory_atomic_wait64: extern "C" fn(*mut u8, u32, u64, u64, i64) -> u32,
    memory_atomic_notify: extern "C" fn(*mut u8, u32, u64, u32) -> u32,
    /// Called in the wasm convention (see `crate::exn::throw`).
    throw: extern "C" fn(*mut u8, u64),
}

static TABLE: Table = Table {
    memory_grow,
    memory_fill,
    memory_copy,
    memory_init,
    data_drop,
    table_grow,
    table_fill,
    table_copy,
    table_init,
    elem_drop,
    raise,
    gc_alloc,
    gc_remember,
    array_new_data,
    array_new_elem,
    array_copy,
    array_init_data,
    array_init_elem,
    memory_atomic_wait32,
    memory_atomic_wait64,
    memory_atomic_notify,
    throw: crate::exn::throw,
};

pub(crate) fn table_address() -> u64 {
    &TABLE as *const Table as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmc_abi::Builtin;
    #[test]
    fn table_matches_the_abi_list() {
        assert_eq!(std::mem::size_of::<Table>(), Builtin::ALL.len() * 8);
        assert_eq!(std::mem::offset_of!(Table, raise) as u32, Builtin::Raise.offset());
        assert_eq!(std::mem::offset_of!(Table, memory_init) as u32, Builtin::MemoryInit.offset());
        assert_eq!(std::mem::offset_of!(Table, elem_drop) as u32, Builtin::ElemDrop.offset());
        assert_eq!(std::mem::offset_of!(Table, gc_alloc) as u32, Builtin::GcAlloc.offset());
        assert_eq!(std::mem::offset_of!(Table, array_init_elem) as u32, Builtin::ArrayInitElem.offset());
        assert_eq!(std::mem::offset_of!(Table, memory_atomic_notify) as u32, Builtin::MemoryAtomicNotify.offset());
        assert_eq!(std::mem::offset_of!(Table, throw) as u32, Builtin::Throw.offset());
    }
}
