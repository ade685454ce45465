//! The `wasmc` command's building blocks, shared with the test harness:
//! linking (`link`, with what each target needs in `toolchain`), static
//! libraries and C inputs (`library`, `archive`),
//! loading compiled modules in process (`loader`), and the `.wast` script
//! engine (`wast`).

pub mod archive;
pub mod library;
pub mod link;
pub mod loader;
pub mod toolchain;
pub mod wast;
