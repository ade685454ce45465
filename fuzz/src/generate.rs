//! Inputs from seeds: every input is a pure function of (run seed, index),
//! so a failure is reproduced from the two numbers alone.

use arbitrary::{Arbitrary, Unstructured};
use wasm_smith::{Config, Module};

/// Fuel the generated modules get (wasm-smith's `ensure_termination`): each
/// function entry and loop iteration spends one, and running out traps as
/// `unreachable` on every engine alike. Shared by all calls of a module.
pub const FUEL: u32 = 20_000;

/// splitmix64: a tiny, well-mixed generator; inputs need reproducibility,
/// not cryptographic quality.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ index.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next();
        r
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0; the bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// The raw bytes wasm-smith draws a module (and its configuration) from.
fn entropy(rng: &mut Rng) -> Vec<u8> {
    let len = 256 + rng.below(16 << 10) as usize;
    rng.bytes(len)
}

/// A module for the differential fuzzer: only features wasmc and the
/// oracle both run, no imports, at most one memory (of at most 64 pages),
/// NaNs canonicalized so memory contents are comparable, every function
/// exported, and fuel so every call ends. The rest of the configuration
/// is drawn from the input too (swarm testing: a different mix of
/// instruction kinds and sizes per module).
pub fn diff_module(seed: u64, index: u64) -> arbitrary::Result<Vec<u8>> {
    let mut rng = Rng::new(seed, index);
    let data = entropy(&mut rng);
    let mut u = Unstructured::new(&data);
    let mut c = Config::arbitrary(&mut u)?;
    c.max_imports = 0;
    c.min_imports = 0;
    c.max_memories = c.max_memories.min(1);
    c.max_memory32_bytes = c.max_memory32_bytes.min(64 << 16);
    c.max_tables = c.max_tables.min(4);
    c.max_table_elements = c.max_table_elements.min(10_000);
    c.max_funcs = c.max_funcs.min(60);
    c.max_instructions = c.max_instructions.min(2_000);
    c.max_type_size = c.max_type_size.min(1_000);
    c.export_everything = true;
    c.canonicalize_nans = true;
    // WebAssembly 3.0 as wasmc runs it today.
    c.gc_enabled = true;
    c.reference_types_enabled = true;
    c.tail_call_enabled = true;
    c.simd_enabled = true;
    c.relaxed_simd_enabled = true;
    c.multi_value_enabled = true;
    c.bulk_memory_enabled = true;
    c.saturating_float_to_int_enabled = true;
    c.sign_extension_ops_enabled = true;
    c.extended_const_enabled = true;
    // Not yet (issues 12, 13, 15) or not WebAssembly 3.0.
    c.exceptions_enabled = false;
    c.max_tags = 0;
    c.threads_enabled = false;
    c.memory64_enabled = false;
    c.shared_everything_threads_enabled = false;
    c.custom_page_sizes_enabled = false;
    c.wide_arithmetic_enabled = false;
    c.custom_descriptors_enabled = false;
    c.compact_imports_enabled = false;
    c.acquire_release_atomics_enabled = false;
    c.multibyte_array_access_enabled = false;
    c.allow_invalid_funcs = false;
    let mut module = Module::new(c, &mut u)?;
    module.ensure_termination(FUEL).map_err(|_| arbitrary::Error::IncorrectFormat)?;
    Ok(module.to_bytes())
}

/// An input for the compile-only fuzzer: a module with any mix of
/// features (including ones wasmc refuses), half of the time with some of
/// its bytes mutated so that most are malformed in some place.
pub fn compile_input(seed: u64, index: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed, index);
    let data = entropy(&mut rng);
    let mut u = Unstructured::new(&data);
    let mut wasm = Config::arbitrary(&mut u)
        .and_then(|c| Module::new(c, &mut u))
        .map(|m| m.to_bytes())
        .unwrap_or_else(|_| data[..data.len().min(64)].to_vec());
    if rng.below(2) == 0 {
        mutate(&mut rng, &mut wasm);
    }
    wasm
}

/// A few random edits, the kinds a corrupted or hostile file has.
fn mutate(rng: &mut Rng, wasm: &mut Vec<u8>) {
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        let len = wasm.len() as u64;
        let at = if len == 0 { 0 } else { rng.below(len) as usize };
        match rng.below(6) {
            0 if len > 0 => wasm[at] ^= 1 << rng.below(8),
            1 if len > 0 => wasm[at] = rng.next() as u8,
            2 => {
                let n = 1 + rng.below(8) as usize;
                let bytes = rng.bytes(n);
                wasm.splice(at..at, bytes);
            }
            3 if len > 0 => {
                let end = (at + 1 + rng.below(16) as usize).min(wasm.len());
                wasm.drain(at..end);
            }
            4 => wasm.truncate(at),
            _ if len > 0 => {
                // An interesting number where a LEB128 or a count was.
                let v = [0x00, 0x7f, 0x80, 0xff, 0x40, 0x41][rng.below(6) as usize];
                wasm[at] = v;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_reproducible_from_seed_and_index() {
        assert_eq!(compile_input(7, 3), compile_input(7, 3));
        assert_ne!(compile_input(7, 3), compile_input(7, 4));
        let a = (0..20).find_map(|i| diff_module(1, i).ok()).expect("a module in 20 tries");
        let b = (0..20).find_map(|i| diff_module(1, i).ok()).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn differential_modules_are_valid_and_import_nothing() {
        let mut made = 0;
        for i in 0..50 {
            let Ok(wasm) = diff_module(2, i) else { continue };
            made += 1;
            let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
            v.validate_all(&wasm).expect("wasm-smith modules are valid");
            for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
                if let Ok(wasmparser::Payload::ImportSection(s)) = payload {
                    assert_eq!(s.count(), 0);
                }
            }
        }
        assert!(made > 25, "only {made} of 50 seeds gave a module");
    }
}
