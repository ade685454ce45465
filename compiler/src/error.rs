//! Compile errors. Every error names a byte offset in the input so the
//! user can find the problem; none of them is a panic.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The bytes are not a well-formed, valid module.
    Invalid,
    /// Valid wasm using a feature wasmc does not lower yet.
    Unsupported { feature: &'static str, what: String },
    /// Anything else (code generation, object writing).
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub kind: ErrorKind,
    pub offset: u64,
    pub message: String,
}

impl CompileError {
    pub fn invalid(offset: u64, message: impl Into<String>) -> Self {
        CompileError { kind: ErrorKind::Invalid, offset, message: message.into() }
    }
    pub fn unsupported(feature: &'static str, what: impl Into<String>, offset: u64) -> Self {
        let what = what.into();
        CompileError {
            kind: ErrorKind::Unsupported { feature, what: what.clone() },
            offset,
            message: format!("unsupported: {feature} ({what}) at offset {offset}"),
        }
    }
    pub fn internal(message: impl Into<String>) -> Self {
        CompileError { kind: ErrorKind::Internal, offset: 0, message: message.into() }
    }
    pub fn is_unsupported(&self) -> bool {
        matches!(self.kind, ErrorKind::Unsupported { .. })
    }
    /// The unsupported feature's name, if that is what this error is.
    pub fn feature(&self) -> Option<&'static str> {
        match &self.kind {
            ErrorKind::Unsupported { feature, .. } => Some(feature),
            _ => None,
        }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Unsupported { .. } => write!(f, "{}", self.message),
            ErrorKind::Invalid => write!(f, "invalid module at offset {}: {}", self.offset, self.message),
            ErrorKind::Internal => write!(f, "internal compiler error: {}", self.message),
        }
    }
}

impl std::error::Error for CompileError {}

impl From<wasmparser::BinaryReaderError> for CompileError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        CompileError::invalid(e.offset(), e.message().to_string())
    }
}

pub type Result<T> = std::result::Result<T, CompileError>;

/// Feature names used in `unsupported:` errors (the later issues own them).
pub mod feature {
    pub const SIMD: &str = "simd";
    pub const TAIL_CALLS: &str = "tail calls";
    pub const FUNCTION_REFERENCES: &str = "typed function references";
    pub const GC: &str = "gc";
    pub const EXCEPTIONS: &str = "exceptions";
    pub const MEMORY64: &str = "memory64";
    pub const MULTI_MEMORY: &str = "multi-memory";
    /// Shared globals, tables and GC types (the proposal after threads).
    pub const SHARED_EVERYTHING: &str = "shared-everything threads";
}
