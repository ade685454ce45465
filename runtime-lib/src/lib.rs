//! wasmc's runtime library: linked into every executable wasmc builds (as a
//! static library) and into the tools that load compiled modules in process
//! (the `wasmc wast` engine, as an rlib).
//!
//! One concern per module: `instance` (instantiation), `memory`
//! (`file_pages`: data segments mapped from the executable), `table`,
//! `val` (values and exported handles), `types` (canonical type ids),
//! `builtins` (entry points called by generated code), `exn` (tags and
//! the throw), `trap` (signals,
//! unwinding, backtraces), `code` (registry of loaded code), `host` (host
//! functions), `capi` (the C embedding API, `include/wasmc.h`), `wasi` (WASI preview1), `exe` (the entry of executables), `oom` (the
//! global allocator: host allocation failure as a trap report).

// Every `unsafe` block says why it is sound, and unsafe functions spell
// out each unsafe operation in their bodies.
#![deny(clippy::undocumented_unsafe_blocks, unsafe_op_in_unsafe_fn)]

pub mod builtins;
pub mod call;
pub mod capi;
mod code;
pub mod exe;
pub mod exn;
mod file_pages;
pub mod gc;
pub mod host;
pub mod instance;
mod instantiate;
mod layers;
pub mod memory;
mod oom;
mod stack;
pub mod table;
pub mod trap;
pub mod types;
pub mod val;
mod wait;
pub mod wasi;

pub use host::{Caller, HostTrap};
pub use instance::{Instance, Module, Store};
pub use instantiate::InstantiateError;
pub use memory::Memory;
pub use table::Table;
pub use trap::{Error, Exception};
pub use types::FuncType;
pub use val::{host_ref, host_value, ref_kind, ref_word_fits, CallError, Extern, Func, Global, Tag, Val};
pub use wasmc_abi::{Trap, ValRaw};
