//! The table of preview1 functions: import name, wasm signature, and a thin
//! body that reads the argument slots, calls the implementation and writes
//! the errno to slot 0.

use super::errno::WasiResult;
use super::*;
use wasmc_abi::descriptor::{TY_I32 as I, TY_I64 as L};

type Body = Result<(), HostTrap>;

/// Argument `n` as an i32 (pointers, lengths, fds, flags).
fn i(a: &[ValRaw], n: usize) -> u32 {
    a[n].u32()
}

/// Argument `n` as an i64.
fn l(a: &[ValRaw], n: usize) -> u64 {
    a[n].u64()
}

fn ret(a: &mut [ValRaw], r: WasiResult<()>) -> Body {
    let code = match r {
        Ok(()) => 0,
        Err(e) => e.0,
    };
    a[0] = ValRaw::from_u64(code as u64);
    Ok(())
}

/// Needs the WASI state and guest memory.
fn cm(
    c: &mut Caller<'_>,
    a: &mut [ValRaw],
    f: impl FnOnce(&mut WasiCtx, &mut [u8], &[ValRaw]) -> WasiResult<()>,
) -> Body {
    let (mut ctx, mem) = ctx_and_memory(c)?;
    let r = f(&mut ctx, mem, a);
    ret(a, r)
}

/// Needs only the WASI state.
fn cx(c: &mut Caller<'_>, a: &mut [ValRaw], f: impl FnOnce(&mut WasiCtx, &[ValRaw]) -> WasiResult<()>) -> Body {
    let mut ctx = c.wasi()?;
    let r = f(&mut ctx, a);
    ret(a, r)
}

/// Needs only guest memory.
fn mm(c: &mut Caller<'_>, a: &mut [ValRaw], f: impl FnOnce(&mut [u8], &[ValRaw]) -> WasiResult<()>) -> Body {
    let mem = c.memory()?;
    let r = f(mem, a);
    ret(a, r)
}

fn proc_exit(_c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    Err(HostTrap::Exit(a[0].u32() as i32))
}

fn args_get(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| args_env::args_get(x, m, i(a, 0), i(a, 1)))
}

fn args_sizes_get(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| args_env::args_sizes_get(x, m, i(a, 0), i(a, 1)))
}

fn clock_res_get(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    mm(c, a, |m, a| clock_random::clock_res_get(m, i(a, 0), i(a, 1)))
}

fn clock_time_get(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    mm(c, a, |m, a| clock_random::clock_time_get(m, i(a, 0), l(a, 1), i(a, 2)))
}

fn environ_get(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| args_env::environ_get(x, m, i(a, 0), i(a, 1)))
}

fn environ_sizes_get(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| args_env::environ_sizes_get(x, m, i(a, 0), i(a, 1)))
}

fn fd_advise(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| fd::fd_advise(x, i(a, 0), l(a, 1), l(a, 2), i(a, 3)))
}

fn fd_allocate(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| fd::fd_allocate(x, i(a, 0), l(a, 1), l(a, 2)))
}

fn fd_close(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| fd::fd_close(x, i(a, 0)))
}

fn fd_datasync(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| fd::fd_datasync(x, i(a, 0)))
}

fn fd_fdstat_get(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| filestat::fd_fdstat_get(x, m, i(a, 0), i(a, 1)))
}

fn fd_fdstat_set_flags(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| filestat::fd_fdstat_set_flags(x, i(a, 0), i(a, 1)))
}

fn fd_fdstat_set_rights(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| filestat::fd_fdstat_set_rights(x, i(a, 0), l(a, 1), l(a, 2)))
}

fn fd_filestat_get(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| filestat::fd_filestat_get(x, m, i(a, 0), i(a, 1)))
}

fn fd_filestat_set_size(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| filestat::fd_filestat_set_size(x, i(a, 0), l(a, 1)))
}

fn fd_filestat_set_times(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| filestat::fd_filestat_set_times(x, i(a, 0), l(a, 1), l(a, 2), i(a, 3)))
}

fn fd_pread(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| fd::fd_pread(x, m, i(a, 0), i(a, 1), i(a, 2), l(a, 3), i(a, 4)))
}

fn fd_prestat_dir_name(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| filestat::fd_prestat_dir_name(x, m, i(a, 0), i(a, 1), i(a, 2)))
}

fn fd_prestat_get(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| filestat::fd_prestat_get(x, m, i(a, 0), i(a, 1)))
}

fn fd_pwrite(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| fd::fd_pwrite(x, m, i(a, 0), i(a, 1), i(a, 2), l(a, 3), i(a, 4)))
}

fn fd_read(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| fd::fd_read(x, m, i(a, 0), i(a, 1), i(a, 2), i(a, 3)))
}

fn fd_readdir(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| readdir::fd_readdir(x, m, i(a, 0), i(a, 1), i(a, 2), l(a, 3), i(a, 4)))
}

fn fd_renumber(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| fd::fd_renumber(x, i(a, 0), i(a, 1)))
}

fn fd_seek(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| fd::fd_seek(x, m, i(a, 0), l(a, 1) as i64, i(a, 2), i(a, 3)))
}

fn fd_sync(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| fd::fd_sync(x, i(a, 0)))
}

fn fd_tell(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| fd::fd_tell(x, m, i(a, 0), i(a, 1)))
}

fn fd_write(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| fd::fd_write(x, m, i(a, 0), i(a, 1), i(a, 2), i(a, 3)))
}

fn path_create_directory(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| path::path_create_directory(x, m, i(a, 0), i(a, 1), i(a, 2)))
}

fn path_filestat_get(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| path::path_filestat_get(x, m, i(a, 0), i(a, 1), i(a, 2), i(a, 3), i(a, 4)))
}

fn path_filestat_set_times(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| {
        path::path_filestat_set_times(x, m, i(a, 0), i(a, 1), i(a, 2), i(a, 3), l(a, 4), l(a, 5), i(a, 6))
    })
}

fn path_link(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| path::path_link(x, m, i(a, 0), i(a, 1), i(a, 2), i(a, 3), i(a, 4), i(a, 5), i(a, 6)))
}

fn path_open(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| {
        path::path_open(x, m, i(a, 0), i(a, 1), i(a, 2), i(a, 3), i(a, 4), l(a, 5), l(a, 6), i(a, 7), i(a, 8))
    })
}

fn path_readlink(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| path::path_readlink(x, m, i(a, 0), i(a, 1), i(a, 2), i(a, 3), i(a, 4), i(a, 5)))
}

fn path_remove_directory(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| path::path_remove_directory(x, m, i(a, 0), i(a, 1), i(a, 2)))
}

fn path_rename(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| path::path_rename(x, m, i(a, 0), i(a, 1), i(a, 2), i(a, 3), i(a, 4), i(a, 5)))
}

fn path_symlink(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| path::path_symlink(x, m, i(a, 0), i(a, 1), i(a, 2), i(a, 3), i(a, 4)))
}

fn path_unlink_file(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cm(c, a, |x, m, a| path::path_unlink_file(x, m, i(a, 0), i(a, 1), i(a, 2)))
}

/// Sleeps without holding the WASI state, which the program's other
/// threads may need meanwhile.
fn poll_oneoff(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    let (ctx, mem) = ctx_and_memory(c)?;
    let (out, nevents) = (i(a, 1), i(a, 3));
    let subs = poll::subscriptions(&ctx, mem, i(a, 0), out, i(a, 2), nevents);
    drop(ctx);
    let r = subs.and_then(|s| poll::wait_and_report(mem, &s, out, nevents));
    ret(a, r)
}

fn proc_raise(_c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    ret(a, clock_random::proc_raise(i(a, 0)))
}

fn random_get(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    mm(c, a, |m, a| clock_random::random_get(m, i(a, 0), i(a, 1)))
}

fn sched_yield(_c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    ret(a, clock_random::sched_yield())
}

fn sock_accept(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| fd::sock_unsupported(x, i(a, 0)))
}

fn sock_recv(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| fd::sock_unsupported(x, i(a, 0)))
}

fn sock_send(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| fd::sock_unsupported(x, i(a, 0)))
}

fn sock_shutdown(c: &mut Caller<'_>, a: &mut [ValRaw]) -> Body {
    cx(c, a, |x, a| fd::sock_unsupported(x, i(a, 0)))
}

macro_rules! func {
    ($name:ident, [$($p:ident),*]) => {
        WasiFunc { name: stringify!($name), params: &[$($p),*], results: &[I], body: $name }
    };
}

/// Sorted by name (`lookup` searches by bisection).
static FUNCS: &[WasiFunc] = &[
    func!(args_get, [I, I]),
    func!(args_sizes_get, [I, I]),
    func!(clock_res_get, [I, I]),
    func!(clock_time_get, [I, L, I]),
    func!(environ_get, [I, I]),
    func!(environ_sizes_get, [I, I]),
    func!(fd_advise, [I, L, L, I]),
    func!(fd_allocate, [I, L, L]),
    func!(fd_close, [I]),
    func!(fd_datasync, [I]),
    func!(fd_fdstat_get, [I, I]),
    func!(fd_fdstat_set_flags, [I, I]),
    func!(fd_fdstat_set_rights, [I, L, L]),
    func!(fd_filestat_get, [I, I]),
    func!(fd_filestat_set_size, [I, L]),
    func!(fd_filestat_set_times, [I, L, L, I]),
    func!(fd_pread, [I, I, I, L, I]),
    func!(fd_prestat_dir_name, [I, I, I]),
    func!(fd_prestat_get, [I, I]),
    func!(fd_pwrite, [I, I, I, L, I]),
    func!(fd_read, [I, I, I, I]),
    func!(fd_readdir, [I, I, I, L, I]),
    func!(fd_renumber, [I, I]),
    func!(fd_seek, [I, L, I, I]),
    func!(fd_sync, [I]),
    func!(fd_tell, [I, I]),
    func!(fd_write, [I, I, I, I]),
    func!(path_create_directory, [I, I, I]),
    func!(path_filestat_get, [I, I, I, I, I]),
    func!(path_filestat_set_times, [I, I, I, I, L, L, I]),
    func!(path_link, [I, I, I, I, I, I, I]),
    func!(path_open, [I, I, I, I, I, L, L, I, I]),
    func!(path_readlink, [I, I, I, I, I, I]),
    func!(path_remove_directory, [I, I, I]),
    func!(path_rename, [I, I, I, I, I, I]),
    func!(path_symlink, [I, I, I, I, I]),
    func!(path_unlink_file, [I, I, I]),
    func!(poll_oneoff, [I, I, I, I]),
    WasiFunc { name: "proc_exit", params: &[I], results: &[], body: proc_exit },
    func!(proc_raise, [I]),
    func!(random_get, [I, I]),
    func!(sched_yield, []),
    func!(sock_accept, [I, I, I]),
    func!(sock_recv, [I, I, I, I, I, I]),
    func!(sock_send, [I, I, I, I, I]),
    func!(sock_shutdown, [I, I]),
];

/// Every preview1 function by its import name, e.g. `"fd_write"`.
pub fn lookup(name: &str) -> Option<&'static WasiFunc> {
    FUNCS.binary_search_by(|f| f.name.cmp(name)).ok().map(|i| &FUNCS[i])
}

/// All functions, sorted by import name.
pub fn all_functions() -> &'static [WasiFunc] {
    FUNCS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_sorted() {
        assert_eq!(FUNCS.len(), 46);
        for w in FUNCS.windows(2) {
            assert!(w[0].name < w[1].name, "{} / {}", w[0].name, w[1].name);
        }
        let sig = |n: &str| {
            let f = lookup(n).unwrap();
            (f.params.to_vec(), f.results.to_vec())
        };
        assert_eq!(sig("fd_write"), (vec![I, I, I, I], vec![I]));
        assert_eq!(sig("clock_time_get"), (vec![I, L, I], vec![I]));
        assert_eq!(sig("fd_seek"), (vec![I, L, I, I], vec![I]));
        assert_eq!(sig("path_open"), (vec![I, I, I, I, I, L, L, I, I], vec![I]));
        assert_eq!(sig("proc_exit"), (vec![I], vec![]));
        assert_eq!(sig("sched_yield"), (vec![], vec![I]));
        for f in FUNCS {
            assert!(std::ptr::eq(lookup(f.name).unwrap(), f));
        }
        assert!(lookup("fd_nonexistent").is_none());
        assert!(lookup("").is_none());
        assert_eq!(MODULE_NAME, "wasi_snapshot_preview1");
    }
}
