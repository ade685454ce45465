//! `poll_oneoff`.
//!
//! Clock subscriptions (realtime / monotonic, relative or absolute) sleep
//! with `ppoll`'s nanosecond timeout. Fd subscriptions on regular files and
//! directories are always ready (as in POSIX); on anything else (stdio
//! ttys, pipes, sockets) the host fd is really polled. A subscription that
//! cannot be served (closed fd, a CPU-time clock, an unknown clock id) is
//! reported at once as an event carrying the error.
//!
//! Layouts: `subscription` is 48 bytes (userdata u64 @0, tag u8 @8, then
//! clock {id u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40} or
//! fd_readwrite {fd u32 @16}); `event` is 32 bytes (userdata u64 @0, error
//! u16 @8, type u8 @10, fd_readwrite {nbytes u64 @16, flags u16 @24}).

use super::clock_random::{self, ns_timespec, CLOCK_MONOTONIC, CLOCK_REALTIME};
use super::errno::{Errno, WasiResult};
use super::filestat::{fstat, FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE};
use super::{mem, WasiCtx};
use std::os::fd::RawFd;

pub const SUBSCRIPTION_SIZE: u32 = 48;
pub const EVENT_SIZE: u32 = 32;

const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const SUBCLOCKFLAGS_ABSTIME: u16 = 1;
const EVENTRWFLAGS_HANGUP: u16 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Event {
    pub userdata: u64,
    pub error: Errno,
    pub ty: u8,
    pub nbytes: u64,
    pub flags: u16,
}

impl Event {
    fn to_bytes(self) -> [u8; EVENT_SIZE as usize] {
        let mut b = [0u8; EVENT_SIZE as usize];
        b[0..8].copy_from_slice(&self.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&self.error.0.to_le_bytes());
        b[10] = self.ty;
        b[16..24].copy_from_slice(&self.nbytes.to_le_bytes());
        b[24..26].copy_from_slice(&self.flags.to_le_bytes());
        b
    }
}

#[derive(Debug)]
enum Wait {
    /// Fires when `clock` reaches `deadline` (ns).
    Clock { clock: u32, deadline: u64 },
    /// Poll this host fd.
    Fd { raw: RawFd },
    /// Already decided.
    Ready(Event),
}

/// One parsed subscription: what to wait for.
#[derive(Debug)]
pub(crate) struct Subscription {
    userdata: u64,
    ty: u8,
    wait: Wait,
}

fn fionread(raw: RawFd) -> u64 {
    let mut n: libc::c_int = 0;
    // SAFETY: `FIONREAD` writes one `c_int` through its argument, which is
    // the live local `n`.
    if unsafe { libc::ioctl(raw, libc::FIONREAD, &mut n) } == 0 {
        n.max(0) as u64
    } else {
        0
    }
}

fn parse(ctx: &WasiCtx, mem: &[u8], at: u32) -> WasiResult<Subscription> {
    let userdata = mem::read_u64(mem, at)?;
    let ty = mem::read_u8(mem, at + 8)?;
    let ready = |error: Errno, nbytes: u64| Wait::Ready(Event { userdata, error, ty, nbytes, flags: 0 });
    let wait = match ty {
        EVENTTYPE_CLOCK => {
            let clock = mem::read_u32(mem, at + 16)?;
            let timeout = mem::read_u64(mem, at + 24)?;
            let flags = mem::read_u16(mem, at + 40)?;
            if flags & !SUBCLOCKFLAGS_ABSTIME != 0 {
                ready(Errno::INVAL, 0)
            } else if clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC {
                let deadline = if flags & SUBCLOCKFLAGS_ABSTIME != 0 {
                    timeout
                } else {
                    clock_random::now(clock)?.saturating_add(timeout)
                };
                Wait::Clock { clock, deadline }
            } else if clock_random::host_clock(clock).is_ok() {
                // Sleeping does not advance a CPU-time clock.
                ready(Errno::NOTSUP, 0)
            } else {
                ready(Errno::INVAL, 0)
            }
        }
        EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE => {
            let fd = mem::read_u32(mem, at + 16)?;
            match ctx.get(fd).map(|e| e.raw()) {
                Err(e) => ready(e, 0),
                Ok(raw) => match fstat(raw) {
                    Err(e) => ready(e, 0),
                    Ok(st) => {
                        let ft = super::filestat::filetype_from_mode(st.st_mode);
                        if ft == FILETYPE_REGULAR_FILE || ft == FILETYPE_DIRECTORY {
                            let mut nbytes = 0;
                            if ty == EVENTTYPE_FD_READ && ft == FILETYPE_REGULAR_FILE {
                                // SAFETY: `lseek` takes only integers and touches no memory of ours.
                                let pos = unsafe { libc::lseek(raw, 0, libc::SEEK_CUR) };
                                nbytes = st.st_size.saturating_sub(pos.max(0)).max(0) as u64;
                            }
                            ready(Errno::SUCCESS, nbytes)
                        } else {
                            Wait::Fd { raw }
                        }
                    }
                },
            }
        }
        _ => return Err(Errno::INVAL),
    };
    Ok(Subscription { userdata, ty, wait })
}

/// Wait until at least one subscription fires; returns the events.
fn wait(subs: &[Subscription]) -> WasiResult<Vec<Event>> {
    let mut pollfds = Vec::new();
    let mut poll_index = Vec::new();
    for (i, s) in subs.iter().enumerate() {
        if let Wait::Fd { raw } = s.wait {
            let events = if s.ty == EVENTTYPE_FD_READ { libc::POLLIN } else { libc::POLLOUT };
            pollfds.push(libc::pollfd { fd: raw, events, revents: 0 });
            poll_index.push(i);
        }
    }
    loop {
        let mut events = Vec::new();
        let mut timeout: Option<u64> = None;
        for s in subs {
            match s.wait {
                Wait::Ready(ev) => {
                    events.push(ev);
                    timeout = Some(0);
                }
                Wait::Clock { clock, deadline } => {
                    let left = deadline.saturating_sub(clock_random::now(clock)?);
                    timeout = Some(timeout.map_or(left, |t| t.min(left)));
                }
                Wait::Fd { .. } => {}
            }
        }
        for p in pollfds.iter_mut() {
            p.revents = 0;
        }
        let ts = timeout.map(ns_timespec);
        let ts_ptr = ts.as_ref().map_or(std::ptr::null(), |t| t as *const libc::timespec);
        // SAFETY: `pollfds` is a live, writable array of `pollfds.len()`
        // entries (possibly empty: then `ppoll` reads none); `ts_ptr` is null or
        // points to `ts`, alive across the call; a null sigmask is allowed.
        let n = unsafe { libc::ppoll(pollfds.as_mut_ptr(), pollfds.len() as libc::nfds_t, ts_ptr, std::ptr::null()) };
        if n < 0 {
            let e = Errno::last_os();
            if e == Errno::INTR {
                continue;
            }
            return Err(e);
        }
        for (p, &i) in pollfds.iter().zip(&poll_index) {
            if p.revents == 0 {
                continue;
            }
            let s = &subs[i];
            let mut ev = Event { userdata: s.userdata, error: Errno::SUCCESS, ty: s.ty, nbytes: 0, flags: 0 };
            if p.revents & libc::POLLNVAL != 0 {
                ev.error = Errno::BADF;
            } else if p.revents & libc::POLLERR != 0 {
                ev.error = Errno::IO;
            } else {
                if p.revents & libc::POLLHUP != 0 {
                    ev.flags = EVENTRWFLAGS_HANGUP;
                }
                if s.ty == EVENTTYPE_FD_READ {
                    ev.nbytes = fionread(p.fd);
                }
            }
            events.push(ev);
        }
        for s in subs {
            if let Wait::Clock { clock, deadline } = s.wait {
                if clock_random::now(clock)? >= deadline {
                    events.push(Event {
                        userdata: s.userdata,
                        error: Errno::SUCCESS,
                        ty: EVENTTYPE_CLOCK,
                        nbytes: 0,
                        flags: 0,
                    });
                }
            }
        }
        if !events.is_empty() {
            return Ok(events);
        }
    }
}

#[cfg(test)]
pub fn poll_oneoff(ctx: &mut WasiCtx, mem: &mut [u8], in_: u32, out: u32, nsubs: u32, nevents: u32) -> WasiResult<()> {
    let subs = subscriptions(ctx, mem, in_, out, nsubs, nevents)?;
    wait_and_report(mem, &subs, out, nevents)
}

/// The first half of `poll_oneoff`, which needs the WASI state: checks
/// the buffers and reads the subscriptions.
pub(crate) fn subscriptions(
    ctx: &WasiCtx,
    mem: &[u8],
    in_: u32,
    out: u32,
    nsubs: u32,
    nevents: u32,
) -> WasiResult<Vec<Subscription>> {
    if nsubs == 0 {
        return Err(Errno::INVAL);
    }
    mem::array_range(mem.len(), in_, nsubs, SUBSCRIPTION_SIZE)?;
    mem::array_range(mem.len(), out, nsubs, EVENT_SIZE)?;
    mem::check_out(mem, nevents, 4)?;
    (0..nsubs).map(|i| parse(ctx, mem, in_ + i * SUBSCRIPTION_SIZE)).collect()
}

/// The second half, which does not: sleeps until an event, then writes the
/// events (checked by `subscriptions`).
pub(crate) fn wait_and_report(mem: &mut [u8], subs: &[Subscription], out: u32, nevents: u32) -> WasiResult<()> {
    let events = wait(subs)?;
    for (i, ev) in events.iter().enumerate() {
        mem::write_bytes(mem, out + i as u32 * EVENT_SIZE, &ev.to_bytes())?;
    }
    mem::write_u32(mem, nevents, events.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::mem::{read_u16, read_u32, read_u64, write_u16, write_u32, write_u64, write_u8};
    use std::time::{Duration, Instant};

    fn clock_sub(m: &mut [u8], at: u32, userdata: u64, clock: u32, timeout: u64, flags: u16) {
        m[at as usize..(at + 48) as usize].fill(0);
        write_u64(m, at, userdata).unwrap();
        write_u8(m, at + 8, EVENTTYPE_CLOCK).unwrap();
        write_u32(m, at + 16, clock).unwrap();
        write_u64(m, at + 24, timeout).unwrap();
        write_u16(m, at + 40, flags).unwrap();
    }

    fn fd_sub(m: &mut [u8], at: u32, userdata: u64, ty: u8, fd: u32) {
        m[at as usize..(at + 48) as usize].fill(0);
        write_u64(m, at, userdata).unwrap();
        write_u8(m, at + 8, ty).unwrap();
        write_u32(m, at + 16, fd).unwrap();
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri does not emulate ppoll")]
    fn sleeps() {
        let mut ctx = WasiCtx::new(vec![], vec![]);
        let mut m = vec![0u8; 1024];
        clock_sub(&mut m, 0, 42, CLOCK_MONOTONIC, 30_000_000, 0);
        let t = Instant::now();
        poll_oneoff(&mut ctx, &mut m, 0, 512, 1, 1000).unwrap();
        assert!(t.elapsed() >= Duration::from_millis(30));
        assert_eq!(read_u32(&m, 1000), Ok(1));
        assert_eq!(read_u64(&m, 512), Ok(42));
        assert_eq!(read_u16(&m, 520), Ok(0));
        assert_eq!(m[522], EVENTTYPE_CLOCK);
        // Absolute realtime deadline 20ms from now; a second, later clock
        // does not fire.
        let now = clock_random::now(CLOCK_REALTIME).unwrap();
        clock_sub(&mut m, 0, 1, CLOCK_REALTIME, now + 20_000_000, SUBCLOCKFLAGS_ABSTIME);
        clock_sub(&mut m, 48, 2, CLOCK_MONOTONIC, 10_000_000_000, 0);
        let t = Instant::now();
        poll_oneoff(&mut ctx, &mut m, 0, 512, 2, 1000).unwrap();
        assert!(t.elapsed() >= Duration::from_millis(15) && t.elapsed() < Duration::from_secs(5));
        assert_eq!(read_u32(&m, 1000), Ok(1));
        assert_eq!(read_u64(&m, 512), Ok(1));
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri does not emulate ppoll")]
    fn fd_subscriptions_and_errors() {
        let mut ctx = WasiCtx::new(vec![], vec![]);
        let mut m = vec![0u8; 1024];
        // A closed fd is reported at once with BADF, alongside a long sleep.
        fd_sub(&mut m, 0, 7, EVENTTYPE_FD_READ, 55);
        clock_sub(&mut m, 48, 8, CLOCK_MONOTONIC, 10_000_000_000, 0);
        clock_sub(&mut m, 96, 9, clock_random::CLOCK_PROCESS_CPUTIME_ID, 1, 0);
        poll_oneoff(&mut ctx, &mut m, 0, 512, 3, 1000).unwrap();
        assert_eq!(read_u32(&m, 1000), Ok(2));
        assert_eq!((read_u64(&m, 512), read_u16(&m, 520), m[522]), (Ok(7), Ok(Errno::BADF.0), EVENTTYPE_FD_READ));
        assert_eq!((read_u64(&m, 544), read_u16(&m, 552)), (Ok(9), Ok(Errno::NOTSUP.0)));
        // A pipe: write end ready, read end ready once data is there.
        let mut fds = [0; 2];
        // SAFETY: `fds` is a live array of the two `c_int`s `pipe` writes.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let pipe = |raw| crate::wasi::FdEntry {
            // SAFETY: `raw` is one end of the pipe just created, owned by nothing
            // else and wrapped exactly once.
            handle: crate::wasi::Handle::Owned(unsafe { std::os::fd::FromRawFd::from_raw_fd(raw) }),
            is_dir: false,
            preopen: None,
            rights_base: 0,
            rights_inheriting: 0,
            dir_cache: None,
        };
        let r = ctx.insert(pipe(fds[0])).unwrap();
        let w = ctx.insert(pipe(fds[1])).unwrap();
        fd_sub(&mut m, 0, 1, EVENTTYPE_FD_READ, r);
        fd_sub(&mut m, 48, 2, EVENTTYPE_FD_WRITE, w);
        poll_oneoff(&mut ctx, &mut m, 0, 512, 2, 1000).unwrap();
        assert_eq!(read_u32(&m, 1000), Ok(1));
        assert_eq!((read_u64(&m, 512), m[522]), (Ok(2), EVENTTYPE_FD_WRITE));
        // SAFETY: the buffer is a live 3-byte literal, only read.
        assert_eq!(unsafe { libc::write(fds[1], b"abc".as_ptr().cast(), 3) }, 3);
        fd_sub(&mut m, 48, 2, EVENTTYPE_FD_READ, r);
        poll_oneoff(&mut ctx, &mut m, 0, 512, 2, 1000).unwrap();
        assert_eq!(read_u32(&m, 1000), Ok(2));
        assert_eq!((read_u64(&m, 512), read_u64(&m, 528)), (Ok(1), Ok(3)));
        // Bounds and argument checks.
        assert_eq!(poll_oneoff(&mut ctx, &mut m, 0, 512, 0, 1000), Err(Errno::INVAL));
        assert_eq!(poll_oneoff(&mut ctx, &mut m, 1000, 0, 1, 0), Err(Errno::FAULT));
        assert_eq!(poll_oneoff(&mut ctx, &mut m, 0, 1000, 1, 0), Err(Errno::FAULT));
        write_u8(&mut m, 8, 9).unwrap();
        assert_eq!(poll_oneoff(&mut ctx, &mut m, 0, 512, 1, 1000), Err(Errno::INVAL));
    }
}
