//! Builtins: the runtime functions generated code calls through the table
//! in the vmctx header (see `wasmc_abi::builtins`). Checks that fail return
//! 0 ("not ok") and the generated code traps with the right code, so no
//! builtin but `raise` ever unwinds.

use crate::instance::InstanceInner;
use wasmc_abi::Trap;

fn inst<'a>(vmctx: *mut u8) -> &'a InstanceInner {
    // Generated code only passes its own vmctx.
    unsafe { InstanceInner::from_vmctx(vmctx).expect("builtin called with a foreign vmctx") }
}

fn in_bounds(start: u64, len: u64, size: u64) -> bool {
    start.checked_add(len).is_some_and(|end| end <= size)
}

extern "C" fn memory_grow(vmctx: *mut u8, mem: u32, delta: u64) -> i64 {
    match inst(vmctx).memories[mem as usize].grow(delta) {
        Some(old) => old as i64,
        None => -1,
    }
}

extern "C" fn memory_fill(vmctx: *mut u8, mem: u32, dst: u64, val: u32, len: u64) -> u32 {
    let m = &inst(vmctx).memories[mem as usize];
    if !in_bounds(dst, len, m.byte_len()) {
        return 0;
    }
    unsafe { std::ptr::write_bytes(m.base().add(dst as usize), val as u8, len as usize) };
    1
}

extern "C" fn memory_copy(vmctx: *mut u8, dst_mem: u32, src_mem: u32, dst: u64, src: u64, len: u64) -> u32 {
    let i = inst(vmctx);
    let (d, s) = (&i.memories[dst_mem as usize], &i.memories[src_mem as usize]);
    if !in_bounds(dst, len, d.byte_len()) || !in_bounds(src, len, s.byte_len()) {
        return 0;
    }
    unsafe { std::ptr::copy(s.base().add(src as usize), d.base().add(dst as usize), len as usize) };
    1
}

pub(crate) fn memory_init(i: &InstanceInner, mem: u32, seg: u32, dst: u64, src: u64, len: u64) -> bool {
    let m = &i.memories[mem as usize];
    let bytes = i.data_bytes(seg);
    if !in_bounds(dst, len, m.byte_len()) || !in_bounds(src, len, bytes.len() as u64) {
        return false;
    }
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr().add(src as usize), m.base().add(dst as usize), len as usize)
    };
    true
}

extern "C" fn memory_init_builtin(vmctx: *mut u8, mem: u32, seg: u32, dst: u64, src: u32, len: u32) -> u32 {
    memory_init(inst(vmctx), mem, seg, dst, src as u64, len as u64) as u32
}

extern "C" fn data_drop(vmctx: *mut u8, seg: u32) {
    inst(vmctx).data_dropped[seg as usize].set(true);
}

extern "C" fn table_grow(vmctx: *mut u8, table: u32, init: u64, delta: u64) -> i64 {
    match inst(vmctx).tables[table as usize].grow(delta, init) {
        Some(old) => old as i64,
        None => -1,
    }
}

extern "C" fn table_fill(vmctx: *mut u8, table: u32, dst: u64, val: u64, len: u64) -> u32 {
    let t = &inst(vmctx).tables[table as usize];
    if !in_bounds(dst, len, t.len()) {
        return 0;
    }
    let elems = unsafe { t.elems() };
    elems[dst as usize..(dst + len) as usize].fill(val);
    1
}

extern "C" fn table_copy(vmctx: *mut u8, dst_t: u32, src_t: u32, dst: u64, src: u64, len: u64) -> u32 {
    let i = inst(vmctx);
    let (d, s) = (&i.tables[dst_t as usize], &i.tables[src_t as usize]);
    if !in_bounds(dst, len, d.len()) || !in_bounds(src, len, s.len()) {
        return 0;
    }
    if d.same(s) {
        unsafe { d.elems() }.copy_within(src as usize..(src + len) as usize, dst as usize);
    } else {
        let (de, se) = unsafe { (d.elems(), s.elems()) };
        de[dst as usize..(dst + len) as usize].copy_from_slice(&se[src as usize..(src + len) as usize]);
    }
    1
}

pub(crate) fn table_init(i: &InstanceInner, table: u32, seg: u32, dst: u64, src: u64, len: u64) -> bool {
    let t = &i.tables[table as usize];
    let items = i.elems[seg as usize].borrow();
    let items: &[u64] = items.as_deref().unwrap_or(&[]);
    if !in_bounds(dst, len, t.len()) || !in_bounds(src, len, items.len() as u64) {
        return false;
    }
    let elems = unsafe { t.elems() };
    elems[dst as usize..(dst + len) as usize].copy_from_slice(&items[src as usize..(src + len) as usize]);
    true
}

extern "C" fn table_init_builtin(vmctx: *mut u8, table: u32, seg: u32, dst: u64, src: u32, len: u32) -> u32 {
    table_init(inst(vmctx), table, seg, dst, src as u64, len as u64) as u32
}

extern "C" fn elem_drop(vmctx: *mut u8, seg: u32) {
    *inst(vmctx).elems[seg as usize].borrow_mut() = None;
}

/// Unwinds with a trap code, or with the failure a host function left in
/// `host::PENDING` (status `HOST_FAILED`).
///
/// # Safety
/// Only called inside `catch_traps`.
pub(crate) unsafe fn raise_status(status: u32) -> ! {
    let trap = Trap::from_code(status as u8).unwrap_or(Trap::HostError);
    unsafe { crate::trap::raise(trap) }
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
}

static TABLE: Table = Table {
    memory_grow,
    memory_fill,
    memory_copy,
    memory_init: memory_init_builtin,
    data_drop,
    table_grow,
    table_fill,
    table_copy,
    table_init: table_init_builtin,
    elem_drop,
    raise,
    gc_alloc: crate::gc::ops::gc_alloc,
    gc_remember: crate::gc::ops::gc_remember,
    array_new_data: crate::gc::ops::array_new_data,
    array_new_elem: crate::gc::ops::array_new_elem,
    array_copy: crate::gc::ops::array_copy,
    array_init_data: crate::gc::ops::array_init_data,
    array_init_elem: crate::gc::ops::array_init_elem,
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
    }
}
