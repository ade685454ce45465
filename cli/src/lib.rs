//! The `wasmc` command's building blocks, shared with the test harness:
//! the private cache (`cache`), linking (`link`, with what each target needs in `toolchain`), static
//! libraries and C inputs (`library`, `archive`),
//! loading compiled modules in process (`loader`), the `.wast` script
//! engine (`wast`), and v128 values in lane notation (`v128`).

// Only the in-process loader (dlopen, and module descriptors) and the
// script engine's reading of results need `unsafe`; each use says why.
#![deny(unsafe_code)]

pub mod archive;
pub mod cache;
pub mod library;
pub mod link;
#[allow(unsafe_code)]
pub mod loader;
pub mod toolchain;
pub mod v128;
pub mod wast;
