//! The `wasmc` command's building blocks, shared with the test harness:
//! linking (`link`), loading compiled modules in process (`loader`), and
//! the `.wast` script engine (`wast`).

pub mod link;
pub mod loader;
pub mod wast;
