//! Finding the roots: every reference the mutator can still reach.
//!
//! * The stack: generated code keeps every live GC reference in a stack
//!   slot at each call (Cranelift user stack maps); the compiler lists the
//!   slots per call site (`Safepoint` tables). Walking the frame-pointer
//!   chain, the return address of each frame identifies a call site, and
//!   the caller's stack pointer at the call is the caller's frame pointer
//!   minus the frame size recorded with the safepoint. (Not the callee's
//!   frame pointer plus 16: a runtime builtin's frame record need not sit at
//!   the top of its frame; on aarch64 it sits below the saved registers.)
//!   Frame records are read per [`crate::trap::caller_of_frame`]: generated
//!   frames keep theirs at fp on every target, the runtime's own frames where
//!   the platform puts it (below fp on riscv64).
//! * Globals, tables and element segments of the store's instances.
//! * References the host holds through handles.

/// Calls its argument with every root slot outside the stack.
pub(crate) type OtherRoots<'a> = &'a mut dyn FnMut(&mut dyn FnMut(*mut u64));

/// Visits root slots.
pub(crate) struct Roots<'a> {
    /// Frame pointer to start the stack walk from (0: no wasm on the stack).
    pub fp: usize,
    /// Where the stack walk stops.
    pub stop: usize,
    /// Other roots (globals, tables, segments, handles).
    pub others: OtherRoots<'a>,
}

impl Roots<'_> {
    pub fn for_each(&mut self, f: &mut dyn FnMut(*mut u64)) {
        let mut fp = self.fp;
        // The walk starts in the collector's own frame, runtime code.
        let mut generated = false;
        while fp != 0 && fp.is_multiple_of(8) && fp < self.stop {
            // SAFETY: `fp` is a frame pointer of this thread's stack below
            // `stop` (the outermost entry): the chain starts at the
            // collector's own frame and each step moves to a caller's
            // frame record, stopping when the chain does not go up.
            let (ra, next) = unsafe { crate::trap::caller_of_frame(fp, generated) };
            crate::code::with_safepoint(ra, |frame_size, slots| {
                let caller_sp = next - frame_size as usize;
                for off in slots {
                    f((caller_sp + *off as usize) as *mut u64);
                }
            });
            generated = crate::code::is_generated(ra);
            if next <= fp {
                break;
            }
            fp = next;
        }
        (self.others)(f);
    }
}
