//! Tables of references. Elements are pointer-sized (see `VMTableDef`);
//! the storage may move when the table grows, which is why generated code
//! always reads the base through the definition.
//!
//! A table is neither `Send` nor `Sync`: it belongs to one store, used by
//! one thread at a time. Every method borrows the element storage only for
//! its own duration and calls nothing that could reach the table again, so
//! no two borrows of the storage overlap.

use std::cell::UnsafeCell;
use std::rc::Rc;
use wasmc_abi::VMTableDef;

struct TableInner {
    /// Read by generated code: the current base and length of `elems`.
    def: Box<UnsafeCell<VMTableDef>>,
    elems: UnsafeCell<Vec<u64>>,
    elem_type: u8,
    /// The full element type (see `types`), for import matching.
    elem_encoding: Vec<u8>,
    max: Option<u64>,
}

#[derive(Clone)]
pub struct Table(Rc<TableInner>);

/// Tables larger than this are refused (10 million elements, 80 MB).
const MAX_TABLE_ELEMS: u64 = 10_000_000;

fn in_bounds(start: u64, len: u64, size: u64) -> bool {
    start.checked_add(len).is_some_and(|end| end <= size)
}

impl Table {
    /// A table of nullable `funcref`, `externref` or `anyref` (`elem_type`
    /// a TY_* code) whose elements are null.
    pub fn new(elem_type: u8, min: u64, max: Option<u64>) -> Result<Table, String> {
        Self::with_encoding(crate::types::encode_simple(elem_type), min, max)
    }

    /// A table of nulls whose element type is given by its full encoding.
    pub(crate) fn with_encoding(elem_encoding: Vec<u8>, min: u64, max: Option<u64>) -> Result<Table, String> {
        let elem_type = crate::types::representation(&elem_encoding);
        if min > MAX_TABLE_ELEMS {
            return Err("table too large".into());
        }
        let mut elems = vec![0; min as usize];
        let def = VMTableDef { base: elems.as_mut_ptr() as u64, length: min };
        Ok(Table(Rc::new(TableInner {
            def: Box::new(UnsafeCell::new(def)),
            elems: UnsafeCell::new(elems),
            elem_type,
            elem_encoding,
            max,
        })))
    }

    /// Runs `f` on the element storage, then republishes its base and
    /// length to generated code.
    fn with_elems<R>(&self, f: impl FnOnce(&mut Vec<u64>) -> R) -> R {
        // SAFETY: the table is used by one thread (not `Sync`), no wasm
        // code runs during `f` (this module's callers never call into wasm
        // from `f`), and no other borrow of this table's `elems` or `def` is
        // live: every borrow is confined to one of these calls, and the only
        // nesting (`copy_from`) is of two different tables.
        let (elems, def) = unsafe { (&mut *self.0.elems.get(), &mut *self.0.def.get()) };
        let r = f(elems);
        def.base = elems.as_mut_ptr() as u64;
        def.length = elems.len() as u64;
        r
    }

    pub fn def_ptr(&self) -> *mut VMTableDef {
        self.0.def.get()
    }
    pub fn elem_type(&self) -> u8 {
        self.0.elem_type
    }
    pub fn elem_encoding(&self) -> &[u8] {
        &self.0.elem_encoding
    }
    pub fn max(&self) -> Option<u64> {
        self.0.max
    }
    pub fn len(&self) -> u64 {
        self.with_elems(|e| e.len() as u64)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: u64) -> Option<u64> {
        self.with_elems(|e| e.get(i as usize).copied())
    }

    /// Stores reference word `v` at `i`; false if out of bounds. Only null
    /// and host references can be stored without `unsafe`: see
    /// [`crate::types::ref_word_fits`].
    pub fn set(&self, i: u64, v: u64) -> Result<bool, String> {
        if !crate::types::ref_word_fits(&self.0.elem_encoding, v) {
            return Err("the value is not a valid element of this table without `set_unchecked`".into());
        }
        // SAFETY: `ref_word_fits` accepted `v` for the element type.
        Ok(unsafe { self.set_unchecked(i, v) })
    }

    /// Stores `v` at `i`; false if out of bounds.
    ///
    /// # Safety
    /// `v` is a valid value of the element type: null if nullable, a live
    /// funcref of a matching type, or a reference of this store's heap
    /// (or i31 / host value) that the element type admits.
    pub unsafe fn set_unchecked(&self, i: u64, v: u64) -> bool {
        self.with_elems(|e| e.get_mut(i as usize).map(|slot| *slot = v).is_some())
    }

    /// Grows by `delta` elements set to `init`; returns the old length.
    ///
    /// # Safety
    /// `init` is a valid value of the element type (as for `set_unchecked`).
    pub unsafe fn grow(&self, delta: u64, init: u64) -> Option<u64> {
        let max = self.0.max.unwrap_or(u32::MAX as u64).min(MAX_TABLE_ELEMS);
        self.with_elems(|e| {
            let old = e.len() as u64;
            let new = old.checked_add(delta).filter(|n| *n <= max)?;
            // Out of host memory, the grow fails (-1) like one past the
            // maximum, instead of ending the process.
            crate::oom::fallible(|| e.try_reserve_exact((new - old) as usize)).ok()?;
            e.resize(new as usize, init);
            Some(old)
        })
    }

    /// `table.fill`: false if out of bounds.
    ///
    /// # Safety
    /// As for [`Table::grow`], for `val`.
    pub(crate) unsafe fn fill(&self, dst: u64, len: u64, val: u64) -> bool {
        self.with_elems(|e| {
            in_bounds(dst, len, e.len() as u64) && {
                e[dst as usize..(dst + len) as usize].fill(val);
                true
            }
        })
    }

    /// `table.copy` from `src` (may be this table): false if out of bounds.
    /// Validation guarantees both tables have compatible element types.
    pub(crate) fn copy_from(&self, dst: u64, src: &Table, src_at: u64, len: u64) -> bool {
        if self.same(src) {
            return self.with_elems(|e| {
                let n = e.len() as u64;
                in_bounds(dst, len, n) && in_bounds(src_at, len, n) && {
                    e.copy_within(src_at as usize..(src_at + len) as usize, dst as usize);
                    true
                }
            });
        }
        // Two tables: each borrow is of its own storage, so one may be
        // nested in the other (no copy of the items is needed).
        src.with_elems(|e| {
            in_bounds(src_at, len, e.len() as u64) && self.init_from(dst, &e[src_at as usize..(src_at + len) as usize])
        })
    }

    /// Writes `items` at `dst` (`table.init`, active segments): false if
    /// out of bounds. Items come from the module's own element segments,
    /// which validation typed against this table.
    pub(crate) fn init_from(&self, dst: u64, items: &[u64]) -> bool {
        self.with_elems(|e| {
            in_bounds(dst, items.len() as u64, e.len() as u64) && {
                e[dst as usize..dst as usize + items.len()].copy_from_slice(items);
                true
            }
        })
    }

    /// Calls `f` with every element slot (GC roots).
    pub(crate) fn for_each_slot(&self, f: &mut dyn FnMut(*mut u64)) {
        self.with_elems(|e| e.iter_mut().for_each(|s| f(s)))
    }

    pub fn same(&self, other: &Table) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmc_abi::descriptor::{TY_EXTERNREF, TY_FUNCREF};

    /// A host reference word (as `crate::val::host_ref` makes).
    fn host_ref(v: u64) -> u64 {
        (v << 2) | wasmc_abi::gc::HOST_TAG
    }

    #[test]
    fn grow_republishes_the_storage() {
        let t = Table::new(TY_EXTERNREF, 2, Some(1000)).unwrap();
        let h = host_ref(5);
        assert_eq!(t.set(1, h), Ok(true));
        // SAFETY: a host reference is a valid externref.
        assert_eq!(unsafe { t.grow(500, h) }, Some(2));
        // SAFETY: as above.
        assert_eq!(unsafe { t.grow(600, h) }, None);
        // SAFETY: the definition is live while the table is, and nothing
        // writes it during these reads.
        let def = unsafe { &*t.def_ptr() };
        assert_eq!(def.length, 502);
        // The definition generated code reads points at the live storage.
        // SAFETY: index 501 is below the length, 502.
        assert_eq!(unsafe { *(def.base as *const u64).add(501) }, h);
        assert_eq!(t.get(0), Some(0));
        assert_eq!(t.get(1), Some(h));
        assert_eq!(t.get(502), None);
    }

    #[test]
    fn safe_set_refuses_forged_references() {
        let funcs = Table::new(TY_FUNCREF, 1, None).unwrap();
        assert!(funcs.set(0, 0x1000).is_err(), "a forged funcref");
        assert_eq!(funcs.set(0, 0), Ok(true));
        let externs = Table::new(TY_EXTERNREF, 1, None).unwrap();
        assert!(externs.set(0, 0x1000).is_err(), "a forged GC pointer");
        assert_eq!(externs.set(3, 0), Ok(false));
    }

    #[test]
    fn copy_within_and_between_tables() {
        let a = Table::new(TY_EXTERNREF, 4, None).unwrap();
        let b = Table::new(TY_EXTERNREF, 4, None).unwrap();
        for i in 0..4 {
            a.set(i, host_ref(i + 1)).unwrap();
        }
        assert!(a.copy_from(1, &a, 0, 3));
        assert_eq!((0..4).map(|i| a.get(i).unwrap() >> 2).collect::<Vec<_>>(), [1, 1, 2, 3]);
        assert!(b.copy_from(0, &a, 2, 2));
        assert!(!b.copy_from(3, &a, 0, 2));
        assert!(!b.copy_from(0, &a, u64::MAX, 2));
        assert_eq!(b.get(1).unwrap() >> 2, 3);
        // SAFETY: null is a valid externref.
        assert!(unsafe { b.fill(1, 3, 0) } && !unsafe { b.fill(2, 3, 0) });
    }
}
