//! The garbage-collected heap: a generational, copying, precise collector.
//! See DESIGN.md next to this file for the whole picture.
//!
//! * `heap`: the nursery (bump allocation, also inline in generated code)
//!   and the old generation (bump-allocated chunks).
//! * `large`: objects too big for the nursery, each in its own mapping,
//!   marked in place instead of copied.
//! * `collect`: minor collections copy live nursery objects into the old
//!   generation; major collections copy everything live into fresh chunks,
//!   so cycles and garbage of any age are reclaimed.
//! * `roots`: the stack (through the safepoint tables the compiler emits),
//!   globals, tables, element segments and host-held handles.
//! * `ops`: the operations behind the builtins generated code calls
//!   (allocation slow path, write barrier, array bulk operations), over a
//!   [`Gc`]: the heap, the store's limits and its [`RootSource`]. The
//!   collector knows nothing of instances: the store tells it its roots.
//! * `verify`: a heap verifier run after each collection in stress mode.

mod collect;
mod heap;
mod large;
pub(crate) mod ops;
mod roots;
#[cfg(test)]
mod tests;
mod verify;

pub use heap::{parse_size, Heap, HeapConfig};

use wasmc_abi::vmctx::VMLimits;

/// Where the roots outside the stack are: implemented by the store.
pub(crate) trait RootSource {
    /// Calls `f` with every root slot outside the stack (globals, tables,
    /// element segments, host handles).
    fn for_each_root(&self, f: &mut dyn FnMut(*mut u64));
}

/// What one GC operation works on: the heap and the store's limits
/// borrowed exclusively, and the store's other roots.
pub(crate) struct Gc<'a> {
    pub heap: &'a mut Heap,
    /// The nursery bump pointer and limit generated code allocates with.
    pub limits: &'a mut VMLimits,
    pub roots: &'a dyn RootSource,
}
