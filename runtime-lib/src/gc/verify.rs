//! The heap verifier: after a collection, every reference reachable from
//! the roots must point at an object whose header holds a known runtime
//! type, and no live object may still be forwarded or lie in the nursery
//! (which a collection empties). Used in stress mode; a violation aborts
//! with a message, long before it could corrupt a user's program silently.

use super::heap::*;

/// Checks the heap reachable from `roots` (the values of every root slot).
pub(crate) fn verify(heap: &Heap, roots: &[u64]) {
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<usize> = Vec::new();
    let check = |v: u64, stack: &mut Vec<usize>, what: &str| {
        let v = v as usize;
        if v == 0 || v & 7 != 0 {
            return;
        }
        if heap.in_nursery(v) {
            fail(&format!("{what} points into the nursery after a collection: {v:#x}"));
        }
        if !heap.in_old(v) {
            return; // a function reference or a host value
        }
        // SAFETY: `v` is aligned and inside an old-generation chunk
        // (checked above), mapped memory the heap owns.
        let header = unsafe { *(v as *const u64) };
        if header & FORWARDED != 0 {
            fail(&format!("{what} points at a forwarded object {v:#x}"));
        }
        if crate::types::info(header & !HEADER_BITS).is_none() {
            fail(&format!("{what} points at {v:#x} whose header {header:#x} is not a runtime type"));
        }
        stack.push(v);
    };
    for v in roots {
        check(*v, &mut stack, "a root");
    }
    while let Some(obj) = stack.pop() {
        if !seen.insert(obj) {
            continue;
        }
        let mut fields = Vec::new();
        // SAFETY: `obj` passed `check`: an old object whose header names a
        // runtime type, so its reference slots lie inside it.
        unsafe { for_each_ref_slot(obj, |s| fields.push(*s)) };
        for v in fields {
            check(v, &mut stack, "a field");
        }
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("wasmc GC verifier: {msg}");
    std::process::abort()
}
