//! Frame-pointer walking. Generated code keeps frame pointers
//! (`preserve_frame_pointers`), and so do the runtime's entry points, so
//! every frame between a trap and its entry is linked: on x86_64 and aarch64
//! `[fp]` holds the caller's fp and `[fp + 8]` the return address.

pub(crate) const MAX_FRAMES: usize = 128;

/// One wasm frame of a backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub name: String,
    pub pc: usize,
}

#[inline(always)]
pub(crate) fn frame_pointer() -> usize {
    let fp: usize;
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("mov {}, rbp", out(reg) fp, options(nomem, nostack, preserves_flags));
    }
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("mov {}, x29", out(reg) fp, options(nomem, nostack, preserves_flags));
    }
    #[cfg(target_arch = "riscv64")]
    unsafe {
        std::arch::asm!("mv {}, s0", out(reg) fp, options(nomem, nostack, preserves_flags));
    }
    fp
}

/// The return address and frame pointer of the frame whose fp is `fp`.
///
/// # Safety
/// `fp` must be a live frame pointer.
pub(crate) unsafe fn caller_of(fp: usize) -> (usize, usize) {
    #[cfg(not(target_arch = "riscv64"))]
    unsafe {
        (*((fp + 8) as *const usize), *(fp as *const usize))
    }
    // riscv64 keeps the frame record just below fp.
    #[cfg(target_arch = "riscv64")]
    unsafe {
        (*((fp - 8) as *const usize), *((fp - 16) as *const usize))
    }
}

/// Records `pc` and then the return address of every frame up the fp chain
/// until `stop` (the innermost entry's stack address). Returns the count.
///
/// # Safety
/// `fp` must be a frame pointer of the current thread's stack.
pub(crate) unsafe fn walk(pc: usize, mut fp: usize, stop: usize, out: &mut [usize; MAX_FRAMES]) -> usize {
    let mut n = 0;
    out[n] = pc;
    n += 1;
    while n < MAX_FRAMES && fp != 0 && fp.is_multiple_of(8) && fp < stop {
        let (ra, next) = unsafe { caller_of(fp) };
        if ra == 0 {
            break;
        }
        // Point inside the call instruction so a call at the very end of a
        // function still symbolizes to that function.
        out[n] = ra - 1;
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
