//! Tables of references. Elements are pointer-sized (see `VMTableDef`);
//! the storage may move when the table grows, which is why generated code
//! always reads the base through the definition.

use std::cell::UnsafeCell;
use std::sync::{Arc, Mutex};
use wasmc_abi::VMTableDef;

struct TableInner {
    def: Box<UnsafeCell<VMTableDef>>,
    elems: UnsafeCell<Vec<u64>>,
    elem_type: u8,
    /// The full element type (see `types`), for import matching.
    elem_encoding: Vec<u8>,
    max: Option<u64>,
    lock: Mutex<()>,
}

unsafe impl Send for TableInner {}
unsafe impl Sync for TableInner {}

#[derive(Clone)]
pub struct Table(Arc<TableInner>);

/// Tables larger than this are refused (10 million elements, 80 MB).
const MAX_TABLE_ELEMS: u64 = 10_000_000;

impl Table {
    /// A table of nullable `funcref` or `externref` (`elem_type` a TY_* code).
    pub fn new(elem_type: u8, min: u64, max: Option<u64>, init: u64) -> Result<Table, String> {
        Self::with_encoding(crate::types::encode_simple(elem_type), min, max, init)
    }

    /// A table whose element type is given by its full encoding.
    pub fn with_encoding(elem_encoding: Vec<u8>, min: u64, max: Option<u64>, init: u64) -> Result<Table, String> {
        let elem_type = crate::types::representation(&elem_encoding);
        if min > MAX_TABLE_ELEMS {
            return Err("table too large".into());
        }
        let mut elems = vec![init; min as usize];
        let def = VMTableDef { base: elems.as_mut_ptr() as u64, length: min };
        Ok(Table(Arc::new(TableInner {
            def: Box::new(UnsafeCell::new(def)),
            elems: UnsafeCell::new(elems),
            elem_type,
            elem_encoding,
            max,
            lock: Mutex::new(()),
        })))
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
        unsafe { (*self.def_ptr()).length }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// # Safety
    /// No other reference to the elements may be live.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn elems(&self) -> &mut Vec<u64> {
        unsafe { &mut *self.0.elems.get() }
    }

    pub fn get(&self, i: u64) -> Option<u64> {
        unsafe { self.elems().get(i as usize).copied() }
    }
    pub fn set(&self, i: u64, v: u64) -> bool {
        match unsafe { self.elems().get_mut(i as usize) } {
            Some(slot) => {
                *slot = v;
                true
            }
            None => false,
        }
    }

    /// Grows by `delta` elements set to `init`; returns the old length.
    pub fn grow(&self, delta: u64, init: u64) -> Option<u64> {
        let _g = self.0.lock.lock().unwrap_or_else(|e| e.into_inner());
        let old = self.len();
        let new = old.checked_add(delta)?;
        if new > self.0.max.unwrap_or(u32::MAX as u64) || new > MAX_TABLE_ELEMS {
            return None;
        }
        unsafe {
            let elems = self.elems();
            elems.resize(new as usize, init);
            let def = &mut *self.def_ptr();
            def.base = elems.as_mut_ptr() as u64;
            def.length = new;
        }
        Some(old)
    }

    pub fn same(&self, other: &Table) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
