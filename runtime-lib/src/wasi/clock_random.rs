//! Clocks, randomness and the process-level calls: `clock_res_get`,
//! `clock_time_get`, `random_get`, `sched_yield`, `proc_raise`
//! (`proc_exit` is in `funcs.rs`: it unwinds instead of returning).

use super::errno::{Errno, WasiResult};
use super::mem;

/// Preview1 `clockid` values.
pub const CLOCK_REALTIME: u32 = 0;
pub const CLOCK_MONOTONIC: u32 = 1;
pub const CLOCK_PROCESS_CPUTIME_ID: u32 = 2;
pub const CLOCK_THREAD_CPUTIME_ID: u32 = 3;

/// The host clock for a WASI clock id (`INVAL` for unknown ids).
pub fn host_clock(id: u32) -> WasiResult<libc::clockid_t> {
    Ok(match id {
        CLOCK_REALTIME => libc::CLOCK_REALTIME,
        CLOCK_MONOTONIC => libc::CLOCK_MONOTONIC,
        CLOCK_PROCESS_CPUTIME_ID => libc::CLOCK_PROCESS_CPUTIME_ID,
        CLOCK_THREAD_CPUTIME_ID => libc::CLOCK_THREAD_CPUTIME_ID,
        _ => return Err(Errno::INVAL),
    })
}

/// A host timespec as WASI nanoseconds (negative times clamp to 0).
pub fn timespec_ns(ts: &libc::timespec) -> u64 {
    let ns = ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128;
    ns.clamp(0, u64::MAX as i128) as u64
}

/// WASI nanoseconds as a host timespec.
pub fn ns_timespec(ns: u64) -> libc::timespec {
    libc::timespec {
        tv_sec: (ns / 1_000_000_000).min(libc::time_t::MAX as u64) as libc::time_t,
        tv_nsec: (ns % 1_000_000_000) as libc::c_long,
    }
}

/// The current time of WASI clock `id`, in nanoseconds.
pub fn now(id: u32) -> WasiResult<u64> {
    let clock = host_clock(id)?;
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a live, writable `timespec`, all `clock_gettime`
    // writes.
    if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return Err(Errno::last_os());
    }
    Ok(timespec_ns(&ts))
}

pub fn clock_res_get(mem: &mut [u8], id: u32, res_ptr: u32) -> WasiResult<()> {
    let clock = host_clock(id)?;
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a live, writable `timespec`, all `clock_getres` writes.
    if unsafe { libc::clock_getres(clock, &mut ts) } != 0 {
        return Err(Errno::last_os());
    }
    mem::write_u64(mem, res_ptr, timespec_ns(&ts).max(1))
}

/// `precision` is a hint and is ignored.
pub fn clock_time_get(mem: &mut [u8], id: u32, _precision: u64, time_ptr: u32) -> WasiResult<()> {
    let t = now(id)?;
    mem::write_u64(mem, time_ptr, t)
}

/// Fill `buf` with bytes from the host CSPRNG.
pub fn fill_random(buf: &mut [u8]) -> WasiResult<()> {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: `rest` is a live `&mut [u8]`; `getrandom` writes at most
        // `rest.len()` bytes to it (so `n <= rest.len()` below).
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n < 0 {
            let e = Errno::last_os();
            if e == Errno::INTR {
                continue;
            }
            return Err(e);
        }
        done += n as usize;
    }
    Ok(())
}

pub fn random_get(mem: &mut [u8], buf: u32, buf_len: u32) -> WasiResult<()> {
    fill_random(mem::slice_mut(mem, buf, buf_len)?)
}

pub fn sched_yield() -> WasiResult<()> {
    // SAFETY: `sched_yield` has no arguments and no memory effects.
    unsafe { libc::sched_yield() };
    Ok(())
}

/// Raising signals is not supported (as in wasmtime).
pub fn proc_raise(_sig: u32) -> WasiResult<()> {
    Err(Errno::NOSYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "Miri does not emulate clock_getres")]
    fn clocks() {
        let mut m = vec![0u8; 16];
        for id in 0..4 {
            clock_res_get(&mut m, id, 0).unwrap();
            assert!(mem::read_u64(&m, 0).unwrap() >= 1);
            clock_time_get(&mut m, id, 0, 8).unwrap();
        }
        assert_eq!(clock_time_get(&mut m, 4, 0, 0), Err(Errno::INVAL));
        assert_eq!(clock_time_get(&mut m, 0, 0, 9), Err(Errno::FAULT));
        clock_time_get(&mut m, CLOCK_REALTIME, 0, 0).unwrap();
        // After 2020-01-01.
        assert!(mem::read_u64(&m, 0).unwrap() > 1_577_836_800_000_000_000);
        let a = now(CLOCK_MONOTONIC).unwrap();
        let b = now(CLOCK_MONOTONIC).unwrap();
        assert!(b >= a);
        let ts = ns_timespec(3_000_000_007);
        assert_eq!((ts.tv_sec, ts.tv_nsec), (3, 7));
        assert_eq!(timespec_ns(&ts), 3_000_000_007);
    }

    #[test]
    fn random() {
        let mut m = vec![0u8; 4096];
        random_get(&mut m, 0, 4096).unwrap();
        assert!(m.iter().any(|&b| b != 0));
        random_get(&mut m, 4096, 0).unwrap();
        assert_eq!(random_get(&mut m, 4000, 97), Err(Errno::FAULT));
        assert_eq!(proc_raise(9), Err(Errno::NOSYS));
        sched_yield().unwrap();
    }
}
