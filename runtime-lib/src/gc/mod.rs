//! The garbage-collected heap: a generational, copying, precise collector.
//! See DESIGN.md next to this file for the whole picture.
//!
//! * `heap`: the nursery (bump allocation, also inline in generated code)
//!   and the old generation (bump-allocated chunks).
//! * `collect`: minor collections copy live nursery objects into the old
//!   generation; major collections copy everything live into fresh chunks,
//!   so cycles and garbage of any age are reclaimed.
//! * `roots`: the stack (through the safepoint tables the compiler emits),
//!   globals, tables, element segments and host-held handles.
//! * `ops`: the builtins generated code calls (allocation slow path, write
//!   barrier, array bulk operations).
//! * `verify`: a heap verifier run after each collection in stress mode.

mod collect;
mod heap;
pub(crate) mod ops;
mod roots;
mod verify;

pub use heap::{parse_size, Heap, HeapConfig};
