//! Running a module through wasmc, in this process: the compiler, the
//! loader (a shared object per module, as `wasmc wast` does) and the
//! runtime, with the events of `outcome`.

use crate::outcome::{Event, Plan, StateItem, Ty, Value};
use sha2::{Digest, Sha256};
use wasmc_cli::loader::{LoadError, Loader};
use wasmc_compiler::ErrorKind;
use wasmc_rt::{Extern, Instance, InstantiateError, Store, Trap, Val};

/// wasmc's trap kinds under the oracle's names. Several wasmc kinds are
/// one Wasmtime code: the spec's wording distinguishes null struct, array
/// and i31 references and out-of-bounds `call_indirect` indices, Wasmtime's
/// codes do not.
pub fn trap_code(trap: Trap) -> &'static str {
    match trap {
        Trap::StackOverflow => "STACK_OVERFLOW",
        Trap::MemoryOutOfBounds => "MEMORY_OUT_OF_BOUNDS",
        Trap::IntegerOverflow => "INTEGER_OVERFLOW",
        Trap::IntegerDivisionByZero => "INTEGER_DIVISION_BY_ZERO",
        Trap::BadConversionToInteger => "BAD_CONVERSION_TO_INTEGER",
        Trap::Unreachable => "UNREACHABLE",
        Trap::TableOutOfBounds | Trap::UndefinedElement => "TABLE_OUT_OF_BOUNDS",
        Trap::UninitializedElement => "INDIRECT_CALL_TO_NULL",
        Trap::IndirectCallTypeMismatch => "BAD_SIGNATURE",
        Trap::NullFunctionReference
        | Trap::NullReference
        | Trap::NullStructReference
        | Trap::NullArrayReference
        | Trap::NullI31Reference
        | Trap::NullExnReference => "NULL_REFERENCE",
        Trap::CastFailure => "CAST_FAILURE",
        Trap::ArrayOutOfBounds => "ARRAY_OUT_OF_BOUNDS",
        Trap::AllocationTooLarge => "ALLOCATION_TOO_LARGE",
        Trap::HeapExhausted => "OUT_OF_MEMORY",
        Trap::HostError => "HOST_ERROR",
        Trap::UnalignedAtomic => "HEAP_MISALIGNED",
        Trap::ExpectedSharedMemory => "ATOMIC_WAIT_NON_SHARED_MEMORY",
    }
}

fn stop(e: &wasmc_rt::Error) -> Event {
    match e.trap() {
        Some(t) => Event::Trap(trap_code(t).to_string()),
        None => Event::Error(e.message()),
    }
}

fn value(v: &Val) -> Option<Value> {
    Some(match *v {
        Val::I32(x) => Value { ty: Ty::I32, bits: x as u32 as u64 },
        Val::I64(x) => Value { ty: Ty::I64, bits: x as u64 },
        Val::F32(b) => Value { ty: Ty::F32, bits: b as u64 },
        Val::F64(b) => Value { ty: Ty::F64, bits: b },
        _ => return None,
    })
}

fn arg(v: &Value) -> Val {
    match v.ty {
        Ty::I32 => Val::I32(v.bits as u32 as i32),
        Ty::I64 => Val::I64(v.bits as i64),
        Ty::F32 => Val::F32(v.bits as u32),
        Ty::F64 => Val::F64(v.bits),
    }
}

const FUZZ_MAX_HEAP: usize = 4 << 30;

pub struct Wasmc {
    loader: Loader,
    heap: wasmc_rt::gc::HeapConfig,
}

impl Wasmc {
    /// `gc_stress`: collect at every allocation and verify the heap.
    pub fn new(gc_stress: bool) -> anyhow::Result<Wasmc> {
        // Wasmtime's GC heap holds at most 4 GiB: the same limit here keeps
        // both engines' allocations comparable and two workers plus their
        // oracles within the machine's memory.
        let heap = wasmc_rt::gc::HeapConfig {
            stress: gc_stress,
            verify: gc_stress,
            max_heap_bytes: FUZZ_MAX_HEAP,
            ..Default::default()
        };
        Ok(Wasmc { loader: Loader::new(None)?, heap })
    }

    /// Compiles, loads and runs `wasm` by `plan`.
    pub fn run(&self, wasm: &[u8], plan: &Plan) -> Vec<Event> {
        let module = match self.loader.load(wasm) {
            Ok(m) => m,
            Err(LoadError::Compile(e)) => {
                return vec![match &e.kind {
                    ErrorKind::Invalid => Event::Invalid(e.to_string()),
                    ErrorKind::Unsupported { feature, .. } => Event::Unsupported(feature.to_string()),
                    ErrorKind::Internal => Event::Error(format!("internal compiler error: {e}")),
                }]
            }
            Err(LoadError::Other(e)) => return vec![Event::Error(format!("loading: {e:#}"))],
        };
        let store = Store::with_heap(self.heap.clone());
        let instance = match Instance::new(&store, &module, &[]) {
            Ok(i) => i,
            Err(InstantiateError::Trap(e)) => return vec![stop(&e)],
            Err(InstantiateError::Link(m)) => return vec![Event::Error(format!("link: {m}"))],
            Err(InstantiateError::Resource(m)) => return vec![Event::Error(format!("resource: {m}"))],
        };
        let mut events = vec![Event::Instantiated];
        for call in &plan.calls {
            let Some(Extern::Func(f)) = instance.export(&call.export) else {
                events.push(Event::Error(format!("no exported function {:?}", call.export)));
                continue;
            };
            let args: Vec<Val> = call.args.iter().map(arg).collect();
            events.push(match f.call(&args) {
                Ok(results) => match results.iter().map(value).collect::<Option<Vec<_>>>() {
                    Some(vs) => Event::Returned(vs),
                    None => Event::Error("a result that is not a number".into()),
                },
                Err(wasmc_rt::CallError::Trap(e)) => stop(&e),
                Err(wasmc_rt::CallError::BadArguments) => Event::Error("bad arguments".into()),
            });
        }
        for item in &plan.state {
            events.push(match item {
                StateItem::Memory(name) => match instance.export(name) {
                    Some(Extern::Memory(m)) => memory_event(name, &m),
                    _ => Event::Error(format!("no exported memory {name:?}")),
                },
                StateItem::Global(name) => match instance.export(name).map(|e| match e {
                    Extern::Global(g) => value(&g.get()),
                    _ => None,
                }) {
                    Some(Some(value)) => Event::Global { name: crate::outcome::hex_name(name), value },
                    _ => Event::Error(format!("no exported numeric global {name:?}")),
                },
            });
        }
        events
    }
}

fn memory_event(name: &str, m: &wasmc_rt::Memory) -> Event {
    let len = m.byte_len();
    let bytes: &[u8] = if len == 0 {
        &[]
    } else {
        // SAFETY: `base` points at `byte_len` accessible bytes of the
        // memory, which `m` keeps alive; no wasm code runs (nothing can
        // grow or write it) while the slice lives.
        unsafe { std::slice::from_raw_parts(m.base(), len as usize) }
    };
    let digest = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    Event::Memory { name: crate::outcome::hex_name(name), len, digest }
}
