//! The large-object space: objects too big for the nursery (over a
//! quarter of it, 4 MiB by default) get a mapping of their own and never
//! move. A major collection marks the ones it reaches instead of copying
//! them and unmaps the rest, so a multi-gigabyte array costs neither a
//! copy per collection nor twice its size while one runs, and its fresh
//! mapping is already zeroed.

use super::heap::{map, unmap};
use std::collections::HashMap;

struct LargeObject {
    /// Bytes mapped (the object's size rounded up to pages).
    mapped: usize,
    /// Bytes the object occupies, as the heap limit counts them.
    size: usize,
    marked: bool,
}

/// The large objects of one heap, by address. A reference to a large
/// object always holds its start (no interior pointers), so membership is
/// an exact lookup.
#[derive(Default)]
pub(crate) struct LargeObjects {
    objects: HashMap<usize, LargeObject>,
}

impl LargeObjects {
    /// Maps `size` zeroed bytes for a new large object.
    pub fn allocate(&mut self, size: usize) -> Option<*mut u8> {
        let mapped = size.checked_next_multiple_of(4096)?;
        let p = map(mapped)?;
        self.objects.insert(p as usize, LargeObject { mapped, size, marked: false });
        Some(p)
    }

    pub fn contains(&self, p: usize) -> bool {
        self.objects.contains_key(&p)
    }

    /// Marks the large object at `p`; true the first time (its fields are
    /// then still to be scanned).
    pub fn mark(&mut self, p: usize) -> bool {
        if self.objects.is_empty() {
            return false; // the common case: no lookup per reference
        }
        match self.objects.get_mut(&p) {
            Some(o) if !o.marked => {
                o.marked = true;
                true
            }
            _ => false,
        }
    }

    /// After a major collection's marking: unmaps every unmarked object
    /// (none if `keep_all`), clears the marks, and returns the bytes that
    /// stay.
    ///
    /// # Safety
    /// Unless `keep_all`, marking reached every live large object: nothing
    /// refers to an unmarked one.
    pub unsafe fn sweep(&mut self, keep_all: bool) -> usize {
        let mut kept = 0;
        self.objects.retain(|&p, o| {
            if o.marked || keep_all {
                o.marked = false;
                kept += o.size;
                true
            } else {
                // SAFETY: our own mapping, unreachable (contract), and
                // dropped from the table so it is unmapped once.
                unsafe { unmap(p as *mut u8, o.mapped) };
                false
            }
        });
        kept
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.objects.len()
    }
}

impl Drop for LargeObjects {
    fn drop(&mut self) {
        for (&p, o) in &self.objects {
            // SAFETY: our own mappings, each listed once; the heap that
            // owns them is going away, so nothing refers into them.
            unsafe { unmap(p as *mut u8, o.mapped) };
        }
    }
}
