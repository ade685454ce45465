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

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk over a synthetic frame chain in a buffer: it follows links
    /// only upwards, below `stop` and 8-aligned, so Miri can check that it
    /// never reads outside the buffer whatever the links say.
    #[test]
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    fn walk_stays_between_fp_and_stop() {
        let mut buf = [0usize; 16];
        let at = |buf: &[usize; 16], i: usize| buf.as_ptr() as usize + 8 * i;
        let chain = |buf: &mut [usize; 16], links: &[(usize, usize, usize)]| {
            buf.fill(0);
            for &(i, next, ra) in links {
                buf[i] = next;
                buf[i + 1] = ra;
            }
        };
        let run = |buf: &[usize; 16], stop: usize| {
            let mut out = [0; MAX_FRAMES];
            // SAFETY: `buf` is live and 8-aligned; `stop` is at most index 14,
            // so every record read (`fp..fp + 16`, `fp < stop`) is inside it.
            let n = unsafe { walk(0x500, at(buf, 0), at(buf, stop), &mut out) };
            out[..n].to_vec()
        };
        // 0 -> 4 -> 8 -> back down to 2: the walk stops at the downward link.
        let (a4, a8, a2) = (at(&buf, 4), at(&buf, 8), at(&buf, 2));
        chain(&mut buf, &[(0, a4, 0x1001), (4, a8, 0x2001), (8, a2, 0x3001)]);
        assert_eq!(run(&buf, 14), vec![0x500, 0x1000, 0x2000, 0x3000]);
        // A frame at or above `stop` is not read.
        assert_eq!(run(&buf, 8), vec![0x500, 0x1000, 0x2000]);
        // A misaligned link, and a zero return address, end the walk.
        chain(&mut buf, &[(0, a4 + 1, 0x1001), (4, a8, 0x2001)]);
        assert_eq!(run(&buf, 14), vec![0x500, 0x1000]);
        chain(&mut buf, &[(0, a4, 0x1001), (4, a8, 0)]);
        assert_eq!(run(&buf, 14), vec![0x500, 0x1000]);
        // A link far above `stop` (garbage from a frame without a frame
        // pointer) is followed no further.
        chain(&mut buf, &[(0, usize::MAX & !7, 0x1001)]);
        assert_eq!(run(&buf, 14), vec![0x500, 0x1000]);
    }
}
