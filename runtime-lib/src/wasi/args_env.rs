//! `args_get`, `args_sizes_get`, `environ_get`, `environ_sizes_get`.
//!
//! Both lists are written the C way: an array of `u32` pointers and a
//! buffer of NUL-terminated strings they point into.

use super::errno::{Errno, WasiResult};
use super::mem;
use super::WasiCtx;

/// (count, total bytes of the NUL-terminated strings).
pub(crate) fn sizes(list: &[Vec<u8>]) -> WasiResult<(u32, u32)> {
    let count = u32::try_from(list.len()).map_err(|_| Errno::OVERFLOW)?;
    let mut bytes: u32 = 0;
    for s in list {
        let len = u32::try_from(s.len()).map_err(|_| Errno::OVERFLOW)?;
        bytes = bytes.checked_add(len).and_then(|b| b.checked_add(1)).ok_or(Errno::OVERFLOW)?;
    }
    Ok((count, bytes))
}

fn write_sizes(list: &[Vec<u8>], mem: &mut [u8], count_ptr: u32, size_ptr: u32) -> WasiResult<()> {
    let (count, bytes) = sizes(list)?;
    mem::check_out(mem, count_ptr, 4)?;
    mem::check_out(mem, size_ptr, 4)?;
    mem::write_u32(mem, count_ptr, count)?;
    mem::write_u32(mem, size_ptr, bytes)
}

fn write_list(list: &[Vec<u8>], mem: &mut [u8], ptrs: u32, buf: u32) -> WasiResult<()> {
    let (count, bytes) = sizes(list)?;
    // Check both whole areas first so nothing is written on a fault.
    mem::array_range(mem.len(), ptrs, count, 4)?;
    mem::range(mem.len(), buf, bytes)?;
    let mut at = buf;
    for (i, s) in list.iter().enumerate() {
        mem::write_u32(mem, ptrs + 4 * i as u32, at)?;
        mem::write_bytes(mem, at, s)?;
        mem::write_u8(mem, at + s.len() as u32, 0)?;
        at += s.len() as u32 + 1;
    }
    Ok(())
}

pub fn args_sizes_get(ctx: &mut WasiCtx, mem: &mut [u8], argc: u32, buf_size: u32) -> WasiResult<()> {
    write_sizes(&ctx.args, mem, argc, buf_size)
}

pub fn args_get(ctx: &mut WasiCtx, mem: &mut [u8], argv: u32, argv_buf: u32) -> WasiResult<()> {
    write_list(&ctx.args, mem, argv, argv_buf)
}

pub fn environ_sizes_get(ctx: &mut WasiCtx, mem: &mut [u8], count: u32, buf_size: u32) -> WasiResult<()> {
    write_sizes(&ctx.env, mem, count, buf_size)
}

pub fn environ_get(ctx: &mut WasiCtx, mem: &mut [u8], environ: u32, environ_buf: u32) -> WasiResult<()> {
    write_list(&ctx.env, mem, environ, environ_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::mem::read_u32;

    fn ctx() -> WasiCtx {
        WasiCtx::new(
            vec!["prog".into(), "a b".into(), "".into()],
            vec![("HOME".into(), "/h".into()), ("X".into(), "".into())],
        )
    }

    #[test]
    fn size_computation() {
        let mut c = ctx();
        let mut m = vec![0u8; 64];
        args_sizes_get(&mut c, &mut m, 0, 4).unwrap();
        assert_eq!(read_u32(&m, 0), Ok(3));
        assert_eq!(read_u32(&m, 4), Ok(5 + 4 + 1));
        environ_sizes_get(&mut c, &mut m, 8, 12).unwrap();
        assert_eq!(read_u32(&m, 8), Ok(2));
        assert_eq!(read_u32(&m, 12), Ok(8 + 3));
        assert_eq!(args_sizes_get(&mut c, &mut m, 62, 0), Err(Errno::FAULT));
        let mut empty = WasiCtx::new(vec![], vec![]);
        args_sizes_get(&mut empty, &mut m, 0, 4).unwrap();
        assert_eq!((read_u32(&m, 0), read_u32(&m, 4)), (Ok(0), Ok(0)));
    }

    #[test]
    fn lists_are_written_c_style() {
        let mut c = ctx();
        let mut m = vec![0u8; 64];
        args_get(&mut c, &mut m, 0, 16).unwrap();
        assert_eq!(read_u32(&m, 0), Ok(16));
        assert_eq!(read_u32(&m, 4), Ok(21));
        assert_eq!(read_u32(&m, 8), Ok(25));
        assert_eq!(&m[16..26], b"prog\0a b\0\0");
        environ_get(&mut c, &mut m, 32, 40).unwrap();
        assert_eq!(read_u32(&m, 32), Ok(40));
        assert_eq!(read_u32(&m, 36), Ok(48));
        assert_eq!(&m[40..51], b"HOME=/h\0X=\0");
        // The string buffer does not fit: FAULT and nothing written.
        let mut m = vec![0u8; 20];
        assert_eq!(args_get(&mut c, &mut m, 0, 12), Err(Errno::FAULT));
        assert_eq!(m, vec![0u8; 20]);
        assert_eq!(args_get(&mut c, &mut m, 10, 0), Err(Errno::FAULT));
    }
}
