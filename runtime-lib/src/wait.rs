//! `memory.atomic.wait32/64` and `memory.atomic.notify` on shared memories.
//!
//! Waiters park in `parking_lot_core`'s address-keyed queues, keyed by the
//! native address of the waited-on word: it is unique across all live
//! memories, so waits in different memories never meet, and a wait32 and a
//! wait64 on the same address share one queue (as the spec's "waiter list
//! per address" says). The comparison with the expected value happens with
//! the queue locked, and `notify` takes the same lock, so a notify that
//! follows a store can never slip between a waiter's comparison and its
//! sleep. Generated code checks alignment and bounds before calling in, and
//! shared memories never shrink nor move, so the word stays valid.

use crate::memory::Memory;
use parking_lot_core::{FilterOp, ParkResult, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// `wait`'s results, as the spec numbers them.
const WOKEN: u32 = 0;
const NOT_EQUAL: u32 = 1;
const TIMED_OUT: u32 = 2;

/// The native address of the word at `ea`, for a wait or notify.
fn word_at(mem: &Memory, ea: u64, bytes: u64) -> usize {
    // Generated code has trapped on anything else; a violation here would be
    // a compiler bug, never guest-reachable, and must not read outside.
    assert!(ea.is_multiple_of(bytes) && ea + bytes <= mem.byte_len(), "wait/notify on an unchecked address");
    mem.base() as usize + ea as usize
}

/// Sleeps while the value at `ea` equals `expected` (compared at the
/// access width `bytes`), for at most `timeout_ns` (forever if negative).
fn wait(mem: &Memory, ea: u64, bytes: u64, expected: u64, timeout_ns: i64) -> u32 {
    let key = word_at(mem, ea, bytes);
    let current = || {
        // SAFETY: `key` is an aligned address inside the memory's
        // accessible bytes (checked in `word_at`); those bytes stay mapped
        // read-write while `mem` lives. Other threads access the word only
        // through generated code (atomically or as racy plain accesses that
        // wasm allows to tear) or through atomics like this one.
        unsafe {
            if bytes == 4 {
                AtomicU32::from_ptr(key as *mut u32).load(Ordering::SeqCst) as u64
            } else {
                AtomicU64::from_ptr(key as *mut u64).load(Ordering::SeqCst)
            }
        }
    };
    let deadline = u64::try_from(timeout_ns).ok().map(|ns| Instant::now().checked_add(Duration::from_nanos(ns)));
    let deadline = match deadline {
        // A deadline past what `Instant` can represent is forever.
        Some(None) | None => None,
        Some(Some(d)) => Some(d),
    };
    // SAFETY: `key` is an address inside a wasm linear memory, which holds
    // no Rust synchronization primitive, so its queue is used only by waits
    // and notifies (the "address that you control" `park` asks for). The
    // callbacks neither panic (an atomic load, and no-ops) nor call into
    // `parking_lot_core`.
    let r = unsafe {
        parking_lot_core::park(key, || current() == expected, || {}, |_, _| {}, DEFAULT_PARK_TOKEN, deadline)
    };
    match r {
        ParkResult::Unparked(_) => WOKEN,
        ParkResult::Invalid => NOT_EQUAL,
        ParkResult::TimedOut => TIMED_OUT,
    }
}

/// `memory.atomic.wait32`.
pub(crate) fn wait32(mem: &Memory, ea: u64, expected: u32, timeout_ns: i64) -> u32 {
    wait(mem, ea, 4, expected as u64, timeout_ns)
}

/// `memory.atomic.wait64`.
pub(crate) fn wait64(mem: &Memory, ea: u64, expected: u64, timeout_ns: i64) -> u32 {
    wait(mem, ea, 8, expected, timeout_ns)
}

/// `memory.atomic.notify`: wakes up to `count` waiters on the word at `ea`,
/// oldest first; returns how many woke.
pub(crate) fn notify(mem: &Memory, ea: u64, count: u32) -> u32 {
    let key = word_at(mem, ea, 4);
    if count == 0 {
        return 0;
    }
    let mut left = count;
    let filter = |_| {
        if left == 0 {
            return FilterOp::Stop;
        }
        left -= 1;
        FilterOp::Unpark
    };
    // SAFETY: as in `wait`: the key is inside a linear memory, and the
    // callbacks neither panic nor call into `parking_lot_core`.
    let r = unsafe { parking_lot_core::unpark_filter(key, filter, |_| DEFAULT_UNPARK_TOKEN) };
    r.unparked_threads as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    #[test]
    #[cfg_attr(miri, ignore = "Miri does not support mmap with PROT_NONE, nor mprotect")]
    fn wait_compares_times_out_and_is_woken_by_notify() {
        let m = Memory::new_shared(1, 1).unwrap();
        assert_eq!(wait32(&m, 0, 1, 0), NOT_EQUAL);
        assert_eq!(wait64(&m, 8, 0, 1_000), TIMED_OUT);
        assert_eq!(notify(&m, 0, 5), 0);
        let (m2, woke) = (m.clone(), Arc::new(AtomicBool::new(false)));
        let w = woke.clone();
        let waiter = std::thread::spawn(move || {
            let r = wait32(&m2, 16, 0, -1);
            w.store(true, Ordering::SeqCst);
            r
        });
        // Notify until the waiter is in the queue and has been woken.
        let mut woken = 0;
        while woken == 0 {
            woken = notify(&m, 16, 1);
            std::thread::yield_now();
        }
        assert_eq!(woken, 1);
        assert_eq!(waiter.join().unwrap(), WOKEN);
        assert!(woke.load(Ordering::SeqCst));
    }
}
