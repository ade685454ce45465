//! Process-wide canonical type ids. Two modules that declare structurally
//! equal function types get the same id, which is what `call_indirect`
//! compares (ids start at 1; 0 never matches).

use std::collections::HashMap;
use std::sync::Mutex;

struct Registry {
    ids: HashMap<Vec<u8>, u64>,
    encodings: Vec<Vec<u8>>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);

pub fn intern(encoding: &[u8]) -> u64 {
    let mut guard = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    let reg = guard.get_or_insert_with(|| Registry {
        ids: HashMap::new(),
        encodings: Vec::new(),
    });
    if let Some(&id) = reg.ids.get(encoding) {
        return id;
    }
    reg.encodings.push(encoding.to_vec());
    let id = reg.encodings.len() as u64;
    reg.ids.insert(encoding.to_vec(), id);
    id
}

/// The encoding behind an id: `[n_params, params..., n_results, results...]`.
pub fn encoding(id: u64) -> Option<Vec<u8>> {
    let guard = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    guard
        .as_ref()?
        .encodings
        .get((id as usize).checked_sub(1)?)
        .cloned()
}

/// A function type in the runtime's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncType {
    pub params: Vec<u8>,
    pub results: Vec<u8>,
}

impl FuncType {
    pub fn new(params: &[u8], results: &[u8]) -> FuncType {
        FuncType {
            params: params.to_vec(),
            results: results.to_vec(),
        }
    }
    pub fn encode(&self) -> Vec<u8> {
        let mut v = vec![self.params.len() as u8];
        v.extend_from_slice(&self.params);
        v.push(self.results.len() as u8);
        v.extend_from_slice(&self.results);
        v
    }
    pub fn decode(enc: &[u8]) -> Option<FuncType> {
        let np = *enc.first()? as usize;
        let params = enc.get(1..1 + np)?.to_vec();
        let nr = *enc.get(1 + np)? as usize;
        let results = enc.get(2 + np..2 + np + nr)?.to_vec();
        Some(FuncType { params, results })
    }
    pub fn id(&self) -> u64 {
        intern(&self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn equal_types_share_an_id() {
        let a = FuncType::new(&[0x7f, 0x7e], &[0x7d]);
        let b = FuncType::new(&[0x7f, 0x7e], &[0x7d]);
        let c = FuncType::new(&[0x7f], &[0x7d]);
        assert_eq!(a.id(), b.id());
        assert_ne!(a.id(), c.id());
        assert_eq!(FuncType::decode(&a.encode()), Some(a.clone()));
        assert_eq!(encoding(a.id()), Some(a.encode()));
    }
}
