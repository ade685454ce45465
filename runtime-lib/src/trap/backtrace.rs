//! Frame-pointer walking. Generated code keeps frame pointers
//! (`preserve_frame_pointers`), so every generated frame between a trap and
//! its entry is linked: on x86_64, aarch64 and riscv64 alike `[fp]` holds
//! the caller's fp and `[fp + 8]` the return address.

pub(crate) const MAX_FRAMES: usize = 128;

/// One wasm frame of a backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub name: String,
    pub pc: usize,
}

/// The frame-pointer register of the calling function.
#[inline(always)]
pub(crate) fn frame_pointer() -> usize {
    let fp: usize;
    // SAFETY: copying rbp into a register reads no memory, touches neither
    // the stack nor the flags (as the options declare) and cannot fault.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("mov {}, rbp", out(reg) fp, options(nomem, nostack, preserves_flags));
    }
    // SAFETY: copying x29 into a register reads no memory, touches neither
    // the stack nor the flags (as the options declare) and cannot fault.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("mov {}, x29", out(reg) fp, options(nomem, nostack, preserves_flags));
    }
    // SAFETY: copying s0 into a register reads no memory, touches neither
    // the stack nor the flags (as the options declare) and cannot fault.
    #[cfg(target_arch = "riscv64")]
    unsafe {
        std::arch::asm!("mv {}, s0", out(reg) fp, options(nomem, nostack, preserves_flags));
    }
    fp
}

/// The return address and frame pointer of the generated-code frame whose
/// fp is `fp`.
///
/// Cranelift lays out the same frame record on every target it supports
/// here: `[fp]` = the caller's fp, `[fp + 8]` = the return address. (On
/// riscv64 this differs from the psABI convention GCC and LLVM follow, with
/// the record just below fp, so only generated-code frames are walked this
/// way: the walk starts at generated code and stops at its entry.)
///
/// # Safety
/// `fp` must be 8-aligned and `fp..fp + 16` readable memory: in practice,
/// the frame pointer of a live generated-code frame of this thread's stack,
/// or any 8-aligned address between such a frame pointer and a live frame
/// further up the same stack (the bytes read are then garbage, but mapped).
pub(crate) unsafe fn caller_of(fp: usize) -> (usize, usize) {
    // SAFETY: both words lie in `fp..fp + 16`, readable and 8-aligned by
    // the contract; `usize` has no invalid bit patterns.
    unsafe { (*((fp + 8) as *const usize), *(fp as *const usize)) }
}

/// The return address and frame pointer recorded by the frame whose fp is
/// `fp`, for a frame of generated code (`generated`) as [`caller_of`], for
/// one of the runtime's own (Rust, C) as the platform lays it out: the same
/// on x86_64 and aarch64, just below fp on riscv64 (`[fp - 16]` = the
/// caller's fp, `[fp - 8]` = the return address).
///
/// # Safety
/// As for [`caller_of`], with the range read being `fp - 16..fp` instead
/// for a runtime frame on riscv64: in practice `fp` is the live frame
/// pointer of that kind of frame, or an 8-aligned address on this thread's
/// stack between live frames.
pub(crate) unsafe fn caller_of_frame(fp: usize, generated: bool) -> (usize, usize) {
    #[cfg(target_arch = "riscv64")]
    if !generated {
        // SAFETY: both words lie in `fp - 16..fp`, readable and 8-aligned
        // by the contract.
        return unsafe { (*((fp - 8) as *const usize), *((fp - 16) as *const usize)) };
    }
    let _ = generated;
    // SAFETY: this function's contract is `caller_of`'s on this path.
    unsafe { caller_of(fp) }
}

/// Records `pc` and then the return address of every frame up the fp chain
/// until `stop` (the innermost entry's stack address). Returns the count.
/// `fp` is the frame pointer of the function executing `pc`; each frame's
/// record is read as generated code's or the runtime's own
/// ([`caller_of_frame`]) by whether its pc is in generated code.
///
/// Every record read lies between the first `fp` and `stop`: the chain is
/// followed only while it strictly increases and stays below `stop`, so a
/// corrupt or foreign link (a frame of C code built without frame
/// pointers, say) ends the walk or yields garbage frames, never a read
/// outside that part of the stack.
///
/// # Safety
/// `fp` must be 0 or an 8-aligned address in this thread's live stack, at
/// or above the current stack pointer (the frame pointer of a frame below
/// `stop`, in practice), and `stop` an address in a live frame above it on
/// the same stack (the innermost entry's marker, or 0 to read nothing), so
/// that all of `fp - 16..stop + 8` is mapped stack memory.
pub(crate) unsafe fn walk(pc: usize, mut fp: usize, stop: usize, out: &mut [usize; MAX_FRAMES]) -> usize {
    let mut n = 0;
    out[n] = pc;
    n += 1;
    let mut generated = crate::code::is_generated(pc);
    while n < MAX_FRAMES && fp != 0 && fp.is_multiple_of(8) && fp < stop {
        // SAFETY: `fp` is 8-aligned (checked), at least the initial `fp`
        // (the chain only increases) and below `stop`, so its record is in
        // the mapped stack range this function's contract guarantees.
        let (ra, next) = unsafe { caller_of_frame(fp, generated) };
        if ra == 0 {
            break;
        }
        // Point inside the call instruction so a call at the very end of a
        // function still symbolizes to that function.
        out[n] = ra - 1;
        generated = crate::code::is_generated(ra - 1);
        n += 1;
        if next <= fp {
            break;
        }
        fp = next;
    }
    n
}

/// Keeps the wasm frames of a raw walk and names them.
pub(crate) fn symbolize(pcs: &[usize]) -> Vec<Frame> {
    pcs.iter().filter_map(|&pc| crate::code::function_name(pc).map(|name| Frame { name, pc })).collect()
}
