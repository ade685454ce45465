//! The collector on hand-built objects: no generated code, no stack roots
//! (outside wasm the stack walk is empty), roots from a test `RootSource`.
//! Runs under Miri too.

use super::heap::{Heap, HeapConfig};
use super::{Gc, RootSource};
use std::cell::RefCell;
use wasmc_abi::descriptor::*;
use wasmc_abi::vmctx::VMLimits;

/// Root slots held by the test.
struct TestRoots(RefCell<Vec<u64>>);

impl RootSource for TestRoots {
    fn for_each_root(&self, f: &mut dyn FnMut(*mut u64)) {
        self.0.borrow_mut().iter_mut().for_each(|s| f(s));
    }
}

/// `(rec (type $node (struct (field (mut (ref null $node))) (field (mut i32)))))`:
/// its runtime type and the two field offsets.
fn node_type() -> (u64, u32, u32) {
    // Two fields: (mut (ref null $node)) and (mut i32).
    static BODY: [u8; 14] = [TYPE_STRUCT, 2, 0, 0, 0, REF_NULLABLE, HEAP_TYPE_INDEX, 0, 0, 0, 0, 1, TY_I32, 1];
    let rtt = runtime_type(&BODY);
    let info = crate::types::info(rtt).expect("a runtime type");
    (rtt, info.fields[0].1, info.fields[1].1)
}

fn field(obj: u64, off: u32) -> *mut u64 {
    (obj as usize + off as usize) as *mut u64
}

#[test]
fn cycles_survive_minor_and_major_collections_and_garbage_goes() {
    let (rtt, next, val) = node_type();
    // SAFETY: `rtt` is a live runtime type.
    let size = unsafe { &*(rtt as *const wasmc_abi::gc::VMRtt) }.size as usize;
    let mut heap = Heap::new(HeapConfig { nursery_bytes: 1 << 20, ..HeapConfig::default() });
    let mut limits = VMLimits::default();
    heap.reset_nursery(&mut limits);
    let roots = TestRoots(RefCell::new(vec![0]));
    let mut gc = Gc { heap: &mut heap, limits: &mut limits, roots: &roots };
    // A cycle a -> b -> c -> a, with garbage allocated in between.
    let mut nodes = Vec::new();
    for i in 0..3u32 {
        let n = gc.allocate(rtt, size).expect("room") as u64;
        // SAFETY: `n` is a fresh node object of `size` bytes; the i32
        // field lies inside it.
        unsafe { *(field(n, val) as *mut u32) = 100 + i };
        nodes.push(n);
        for _ in 0..10 {
            gc.allocate(rtt, size).expect("room");
        }
    }
    for i in 0..3 {
        // SAFETY: live nodes; the reference field lies inside each.
        unsafe { *field(nodes[i], next) = nodes[(i + 1) % 3] };
    }
    roots.0.borrow_mut()[0] = nodes[0];
    for major in [false, true, true] {
        assert!(gc.collect(major));
        let a = roots.0.borrow()[0];
        assert_ne!(a, 0);
        assert!(!gc.heap.in_nursery(a as usize), "survivors leave the nursery");
        let mut n = a;
        for i in 0..3u32 {
            // SAFETY: `n` is a live node (reached from the root through
            // forwarded references).
            assert_eq!(unsafe { *(field(n, val) as *const u32) }, 100 + i);
            // SAFETY: as above.
            n = unsafe { *field(n, next) };
        }
        assert_eq!(n, a, "the cycle is intact");
    }
    // Only the cycle is left after a major collection: 3 objects.
    assert_eq!(gc.heap.old_bytes, 3 * size);
    // An old object pointing at a young one is kept up to date through
    // the remembered set.
    let old = roots.0.borrow()[0];
    let young = gc.allocate(rtt, size).unwrap() as u64;
    // SAFETY: live nodes, fields inside them.
    unsafe {
        *(field(young, val) as *mut u32) = 7;
        *field(old, next) = young;
    }
    gc.remember(old as usize);
    assert!(gc.collect(false));
    // SAFETY: `old` did not move (minor collection); its field is live.
    let moved = unsafe { *field(old, next) };
    assert_ne!(moved, young, "the young object was copied");
    // SAFETY: `moved` is the copy, live.
    assert_eq!(unsafe { *(field(moved, val) as *const u32) }, 7);
    // Dropping the root frees everything at the next major collection.
    roots.0.borrow_mut()[0] = 0;
    assert!(gc.collect(true));
    assert_eq!(gc.heap.old_bytes, 0);
}

/// The runtime type of a one-type recursion group of structure `body`.
fn runtime_type(body: &'static [u8]) -> u64 {
    let desc = TypeDesc {
        encoding: Slice { ptr: body.as_ptr() as u64, len: body.len() as u64 },
        group_start: 0,
        group_len: 1,
        supertype: NONE,
        is_final: 1,
    };
    // SAFETY: the encoding is static bytes.
    let rtts = unsafe { crate::types::canonicalize(&[desc]) };
    rtts[0] as u64
}

/// `(type (array (mut i32)))`'s runtime type.
fn i32_array_type() -> u64 {
    static BODY: [u8; 3] = [TYPE_ARRAY, TY_I32, 1];
    runtime_type(&BODY)
}

#[test]
fn the_heap_limit_stops_allocation() {
    let rtt = i32_array_type();
    let mut heap = Heap::new(HeapConfig { nursery_bytes: 1 << 20, max_heap_bytes: 1 << 20, ..HeapConfig::default() });
    let mut limits = VMLimits::default();
    heap.reset_nursery(&mut limits);
    let roots = TestRoots(RefCell::new(Vec::new()));
    let mut gc = Gc { heap: &mut heap, limits: &mut limits, roots: &roots };
    // 300 KB arrays are large objects; rooted ones fill the limit,
    // and surviving collections keep their length.
    let mut kept = 0;
    // SAFETY: `rtt` is an array runtime type.
    while let Ok(p) = unsafe { gc.new_array(rtt, 75_000) } {
        roots.0.borrow_mut().push(p as u64);
        kept += 1;
        assert!(kept < 10, "the limit must stop allocation");
    }
    assert_eq!(kept, 3);
    for &a in roots.0.borrow().iter() {
        // SAFETY: rooted arrays are live.
        assert_eq!(unsafe { super::ops::array_len(a) }, 75_000);
    }
    // A request that can never fit is refused as too large, not collected for.
    // SAFETY: as above.
    assert_eq!(unsafe { gc.new_array(rtt, 1 << 20) }, Err(wasmc_abi::Trap::AllocationTooLarge));
}

/// `(type (array (mut anyref)))`'s runtime type.
fn anyref_array_type() -> u64 {
    static BODY: [u8; 4] = [TYPE_ARRAY, REF_NULLABLE, TY_ANYREF, 1];
    runtime_type(&BODY)
}

#[test]
fn large_objects_stay_put_keep_their_referents_and_go_when_dead() {
    let array = anyref_array_type();
    let (node, _, val) = node_type();
    // SAFETY: `node` is a live runtime type.
    let node_size = unsafe { &*(node as *const wasmc_abi::gc::VMRtt) }.size as usize;
    let mut heap = Heap::new(HeapConfig { nursery_bytes: 1 << 20, ..HeapConfig::default() });
    let mut limits = VMLimits::default();
    heap.reset_nursery(&mut limits);
    let roots = TestRoots(RefCell::new(vec![0]));
    let mut gc = Gc { heap: &mut heap, limits: &mut limits, roots: &roots };
    // 40,000 slots: 320 KB, over a quarter of the nursery: a large object.
    // SAFETY: `array` is an array runtime type.
    let big = unsafe { gc.new_array(array, 40_000) }.unwrap() as u64;
    assert_eq!(gc.heap.large.len(), 1);
    roots.0.borrow_mut()[0] = big;
    let slot = |i: usize| (big as usize + wasmc_abi::gc::ARRAY_OFF_ELEMS as usize + i * 8) as *mut u64;
    for round in 0..3u32 {
        // A young node stored in the last slot, recorded by the barrier.
        let young = gc.allocate(node, node_size).unwrap() as u64;
        // SAFETY: fresh node and live array; both fields lie inside them.
        unsafe {
            *(field(young, val) as *mut u32) = round;
            *slot(39_999) = young;
        }
        gc.remember(big as usize);
        // Either collection moves the node and updates the array, and
        // leaves the array where it is; after a major one the barrier
        // must record the array again (round 2).
        assert!(gc.collect(round % 2 == 1));
        assert_eq!(roots.0.borrow()[0], big, "large objects never move");
        // SAFETY: the slot lies inside the live array and holds the moved node.
        let moved = unsafe { *slot(39_999) };
        assert_ne!(moved, young);
        // SAFETY: `moved` is the live copy.
        assert_eq!(unsafe { *(field(moved, val) as *const u32) }, round);
    }
    // Unreachable, it is unmapped at the next major collection.
    roots.0.borrow_mut()[0] = 0;
    assert!(gc.collect(true));
    assert_eq!(gc.heap.large.len(), 0);
    assert_eq!(gc.heap.old_bytes, 0);
}
