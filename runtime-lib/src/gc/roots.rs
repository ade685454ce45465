//! Finding the roots: every reference the mutator can still reach.
//!
//! * The stack: generated code keeps every live GC reference in a stack
//!   slot at each call (Cranelift user stack maps); the compiler lists the
//!   slots per call site (`Safepoint` tables). Walking the frame-pointer
//!   chain, the return address of each frame identifies a call site, and
//!   the caller's stack pointer at the call is the callee's frame pointer
//!   plus 16 (return address and saved frame pointer).
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
        while fp != 0 && fp.is_multiple_of(8) && fp < self.stop {
            let (ra, next) = unsafe { (*((fp + 8) as *const usize), *(fp as *const usize)) };
            let caller_sp = fp + 16;
            crate::code::with_safepoint(ra, |slots| {
                for off in slots {
                    f((caller_sp + *off as usize) as *mut u64);
                }
            });
            if next <= fp {
                break;
            }
            fp = next;
        }
        (self.others)(f);
    }
}
