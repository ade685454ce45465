//! Trap codes: the byte Cranelift records for each trapping instruction (as a
//! user trap code) and the message the runtime prints for it. The messages
//! are the spec testsuite's wording.

/// A wasm trap kind. The discriminant is the Cranelift user trap code; the
/// five codes Cranelift reserves for itself (stack overflow, heap out of
/// bounds, ...) are translated to these by the compiler when it writes the
/// trap table, so the runtime only ever sees these values.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trap {
    StackOverflow = 1,
    MemoryOutOfBounds = 2,
    IntegerOverflow = 3,
    IntegerDivisionByZero = 4,
    BadConversionToInteger = 5,
    Unreachable = 6,
    TableOutOfBounds = 7,
    UninitializedElement = 8,
    IndirectCallTypeMismatch = 9,
    NullFunctionReference = 10,
    NullReference = 11,
    CastFailure = 12,
    ArrayOutOfBounds = 13,
    AllocationTooLarge = 14,
    HeapExhausted = 15,
    UndefinedElement = 16,
    /// A host function asked to trap with its own message (kept by the runtime).
    HostError = 17,
    NullStructReference = 18,
    NullArrayReference = 19,
    NullI31Reference = 20,
    /// An atomic access at an address that is not a multiple of its size.
    UnalignedAtomic = 21,
    /// `memory.atomic.wait32/64` on a memory that is not shared (no other
    /// thread could ever notify it).
    ExpectedSharedMemory = 22,
    /// `throw_ref` of a null `exnref`.
    NullExnReference = 23,
}

impl Trap {
    pub const ALL: [Trap; 23] = [
        Trap::StackOverflow,
        Trap::MemoryOutOfBounds,
        Trap::IntegerOverflow,
        Trap::IntegerDivisionByZero,
        Trap::BadConversionToInteger,
        Trap::Unreachable,
        Trap::TableOutOfBounds,
        Trap::UninitializedElement,
        Trap::IndirectCallTypeMismatch,
        Trap::NullFunctionReference,
        Trap::NullReference,
        Trap::CastFailure,
        Trap::ArrayOutOfBounds,
        Trap::AllocationTooLarge,
        Trap::HeapExhausted,
        Trap::UndefinedElement,
        Trap::HostError,
        Trap::NullStructReference,
        Trap::NullArrayReference,
        Trap::NullI31Reference,
        Trap::UnalignedAtomic,
        Trap::ExpectedSharedMemory,
        Trap::NullExnReference,
    ];

    pub fn from_code(code: u8) -> Option<Trap> {
        Trap::ALL.iter().copied().find(|t| *t as u8 == code)
    }

    /// The message printed after `wasm trap: `: the spec's wording, which
    /// for a few kinds is followed by the words other engines' suites match.
    pub fn message(self) -> &'static str {
        match self {
            Trap::StackOverflow => "call stack exhausted",
            Trap::MemoryOutOfBounds => "out of bounds memory access",
            Trap::IntegerOverflow => "integer overflow",
            Trap::IntegerDivisionByZero => "integer divide by zero",
            Trap::BadConversionToInteger => "invalid conversion to integer",
            Trap::Unreachable => "unreachable",
            Trap::TableOutOfBounds => "out of bounds table access",
            Trap::UninitializedElement => "uninitialized element",
            Trap::IndirectCallTypeMismatch => "indirect call type mismatch",
            Trap::NullFunctionReference => "null function reference",
            Trap::NullReference => "null reference",
            Trap::CastFailure => "cast failure",
            Trap::ArrayOutOfBounds => "out of bounds array access",
            Trap::AllocationTooLarge => "allocation size too large",
            Trap::HeapExhausted => "out of memory: GC heap exhausted",
            // The spec's words first (its scripts match them), then the
            // words other engines' test suites match, so both pass.
            Trap::UndefinedElement => "undefined element: out of bounds table access",
            Trap::HostError => "host function error",
            Trap::NullStructReference => "null structure reference (dereferenced a null reference)",
            Trap::NullArrayReference => "null array reference (dereferenced a null reference)",
            Trap::NullI31Reference => "null i31 reference (dereferenced a null reference)",
            Trap::UnalignedAtomic => "unaligned atomic",
            Trap::ExpectedSharedMemory => "expected shared memory",
            Trap::NullExnReference => "null exception reference",
        }
    }
}

/// Process exit status of an executable that trapped (documented in the
/// README): 128 + SIGABRT, the status Wasmtime's CLI reports, so scripts
/// written for one work with the other. The process exits normally (no
/// core dump).
pub const TRAP_EXIT_STATUS: i32 = 134;
