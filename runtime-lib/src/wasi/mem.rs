//! Bounds-checked access to guest linear memory. Every guest pointer and
//! length goes through here; anything out of range is `Errno::FAULT`.
//! All integers are little-endian; no alignment is required.

use super::errno::{Errno, WasiResult};

/// The byte range `[ptr, ptr + len)` of a memory of `mem_len` bytes.
pub fn range(mem_len: usize, ptr: u32, len: u32) -> WasiResult<std::ops::Range<usize>> {
    let start = ptr as usize;
    let end = start.checked_add(len as usize).ok_or(Errno::FAULT)?;
    if end > mem_len {
        return Err(Errno::FAULT);
    }
    Ok(start..end)
}

/// The range of an array of `count` elements of `size` bytes at `ptr`.
pub fn array_range(mem_len: usize, ptr: u32, count: u32, size: u32) -> WasiResult<std::ops::Range<usize>> {
    let bytes = (count as u64) * (size as u64);
    let bytes = u32::try_from(bytes).map_err(|_| Errno::FAULT)?;
    range(mem_len, ptr, bytes)
}

pub fn slice(mem: &[u8], ptr: u32, len: u32) -> WasiResult<&[u8]> {
    let r = range(mem.len(), ptr, len)?;
    Ok(&mem[r])
}

pub fn slice_mut(mem: &mut [u8], ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
    let r = range(mem.len(), ptr, len)?;
    Ok(&mut mem[r])
}

fn arr<const N: usize>(mem: &[u8], ptr: u32) -> WasiResult<[u8; N]> {
    let s = slice(mem, ptr, N as u32)?;
    let mut b = [0u8; N];
    b.copy_from_slice(s);
    Ok(b)
}

pub fn read_u8(mem: &[u8], ptr: u32) -> WasiResult<u8> {
    Ok(arr::<1>(mem, ptr)?[0])
}
pub fn read_u16(mem: &[u8], ptr: u32) -> WasiResult<u16> {
    Ok(u16::from_le_bytes(arr(mem, ptr)?))
}
pub fn read_u32(mem: &[u8], ptr: u32) -> WasiResult<u32> {
    Ok(u32::from_le_bytes(arr(mem, ptr)?))
}
pub fn read_u64(mem: &[u8], ptr: u32) -> WasiResult<u64> {
    Ok(u64::from_le_bytes(arr(mem, ptr)?))
}

pub fn write_bytes(mem: &mut [u8], ptr: u32, bytes: &[u8]) -> WasiResult<()> {
    let len = u32::try_from(bytes.len()).map_err(|_| Errno::FAULT)?;
    slice_mut(mem, ptr, len)?.copy_from_slice(bytes);
    Ok(())
}
pub fn write_u8(mem: &mut [u8], ptr: u32, v: u8) -> WasiResult<()> {
    write_bytes(mem, ptr, &[v])
}
#[cfg(test)]
pub fn write_u16(mem: &mut [u8], ptr: u32, v: u16) -> WasiResult<()> {
    write_bytes(mem, ptr, &v.to_le_bytes())
}
pub fn write_u32(mem: &mut [u8], ptr: u32, v: u32) -> WasiResult<()> {
    write_bytes(mem, ptr, &v.to_le_bytes())
}
pub fn write_u64(mem: &mut [u8], ptr: u32, v: u64) -> WasiResult<()> {
    write_bytes(mem, ptr, &v.to_le_bytes())
}

/// Check that a result slot of `size` bytes at `ptr` is writable before
/// doing an operation with side effects whose result goes there.
pub fn check_out(mem: &[u8], ptr: u32, size: u32) -> WasiResult<()> {
    range(mem.len(), ptr, size).map(|_| ())
}

/// Hosts never accept more than this many iovecs in one call (Linux
/// `UIO_MAXIOV`); longer guest lists are truncated, which is a short
/// read/write the guest handles like any other.
pub const MAX_IOVS: u32 = 1024;

/// Decode a guest `iovec`/`ciovec` array (`{ buf: u32, buf_len: u32 }`, 8
/// bytes each) and check every buffer against the memory. Returns the
/// (start, len) ranges within `mem`.
pub fn guest_iovecs(mem: &[u8], iovs: u32, iovs_len: u32) -> WasiResult<Vec<(usize, usize)>> {
    array_range(mem.len(), iovs, iovs_len, 8)?;
    let n = iovs_len.min(MAX_IOVS);
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let at = iovs + i * 8;
        let buf = read_u32(mem, at)?;
        let len = read_u32(mem, at + 4)?;
        let r = range(mem.len(), buf, len)?;
        out.push((r.start, len as usize));
    }
    Ok(out)
}

/// Host `iovec`s pointing into guest memory, for `readv`-style calls (the
/// memory is written through them). Valid while `mem` is not otherwise used:
/// the pointers derive from this `&mut` borrow, so the caller must hand them
/// to the kernel before touching `mem` again (as `fd_read` does).
pub fn host_iovecs_mut(mem: &mut [u8], iovs: u32, iovs_len: u32) -> WasiResult<Vec<libc::iovec>> {
    let ranges = guest_iovecs(mem, iovs, iovs_len)?;
    Ok(iovecs_at(mem.as_mut_ptr(), ranges))
}

/// Host `iovec`s for `writev`-style calls (the memory is only read: the
/// `*mut` in `iovec` is never written through).
pub fn host_iovecs(mem: &[u8], iovs: u32, iovs_len: u32) -> WasiResult<Vec<libc::iovec>> {
    let ranges = guest_iovecs(mem, iovs, iovs_len)?;
    Ok(iovecs_at(mem.as_ptr() as *mut u8, ranges))
}

/// `iovec`s at `base + start` for ranges `guest_iovecs` checked against the
/// memory starting at `base`.
fn iovecs_at(base: *mut u8, ranges: Vec<(usize, usize)>) -> Vec<libc::iovec> {
    ranges
        .into_iter()
        .map(|(start, len)| libc::iovec {
            // `wrapping_add` keeps this safe code; it never wraps, as
            // `guest_iovecs` returned each range from `range`, which checked
            // `start + len <= mem.len()`, so `base + start` is in bounds (or
            // one past the end) of the memory.
            iov_base: base.wrapping_add(start) as *mut libc::c_void,
            iov_len: len,
        })
        .collect()
}

/// Read a guest string (a path): `FAULT` if out of bounds, `ILSEQ` if not
/// UTF-8 (WASI strings are UTF-8), `INVAL` if it contains a NUL byte.
pub fn read_str(mem: &[u8], ptr: u32, len: u32) -> WasiResult<&str> {
    let bytes = slice(mem, ptr, len)?;
    let s = std::str::from_utf8(bytes).map_err(|_| Errno::ILSEQ)?;
    if s.as_bytes().contains(&0) {
        return Err(Errno::INVAL);
    }
    Ok(s)
}

/// Read a guest path: as [`read_str`], but `NAMETOOLONG` (checked first,
/// before reading) if it is `PATH_MAX` bytes or more.
pub fn read_path(mem: &[u8], ptr: u32, len: u32) -> WasiResult<&str> {
    if len as usize >= super::resolve::PATH_MAX {
        return Err(Errno::NAMETOOLONG);
    }
    read_str(mem, ptr, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put_iov(mem: &mut [u8], at: u32, buf: u32, len: u32) {
        write_u32(mem, at, buf).unwrap();
        write_u32(mem, at + 4, len).unwrap();
    }

    #[test]
    fn ranges_are_checked() {
        assert_eq!(range(100, 0, 100), Ok(0..100));
        assert_eq!(range(100, 100, 0), Ok(100..100));
        assert_eq!(range(100, 101, 0), Err(Errno::FAULT));
        assert_eq!(range(100, 99, 2), Err(Errno::FAULT));
        assert_eq!(range(100, u32::MAX, u32::MAX), Err(Errno::FAULT));
        assert_eq!(array_range(100, 0, u32::MAX, 8), Err(Errno::FAULT));
        let mut mem = vec![0u8; 16];
        assert_eq!(read_u64(&mem, 8), Ok(0));
        assert_eq!(read_u64(&mem, 9), Err(Errno::FAULT));
        assert_eq!(write_u32(&mut mem, 13, 1), Err(Errno::FAULT));
        write_u32(&mut mem, 12, 0x0403_0201).unwrap();
        assert_eq!(&mem[12..], &[1, 2, 3, 4]);
        assert_eq!(read_u16(&mem, 13), Ok(0x0302));
    }

    #[test]
    fn iovecs_are_bounds_checked() {
        let mut mem = vec![0u8; 64];
        put_iov(&mut mem, 0, 32, 16);
        put_iov(&mut mem, 8, 48, 16);
        assert_eq!(guest_iovecs(&mem, 0, 2), Ok(vec![(32, 16), (48, 16)]));
        // The array itself runs past the end.
        assert_eq!(guest_iovecs(&mem, 60, 1), Err(Errno::FAULT));
        assert_eq!(guest_iovecs(&mem, 0, u32::MAX), Err(Errno::FAULT));
        // A buffer one byte too long.
        put_iov(&mut mem, 8, 48, 17);
        assert_eq!(guest_iovecs(&mem, 0, 2), Err(Errno::FAULT));
        // A buffer whose pointer + length wraps around 32 bits.
        put_iov(&mut mem, 8, u32::MAX, 2);
        assert_eq!(guest_iovecs(&mem, 0, 2), Err(Errno::FAULT));
        // Empty buffers at the very end are fine.
        put_iov(&mut mem, 8, 64, 0);
        assert_eq!(guest_iovecs(&mem, 0, 2), Ok(vec![(32, 16), (64, 0)]));
        let v = host_iovecs_mut(&mut mem, 0, 2).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].iov_len, 16);
    }

    #[test]
    fn strings() {
        let mut mem = vec![0u8; 16];
        write_bytes(&mut mem, 0, b"a/b").unwrap();
        assert_eq!(read_str(&mem, 0, 3), Ok("a/b"));
        assert_eq!(read_str(&mem, 0, 4), Err(Errno::INVAL));
        assert_eq!(read_str(&mem, 14, 4), Err(Errno::FAULT));
        write_bytes(&mut mem, 4, &[0xff, 0xfe]).unwrap();
        assert_eq!(read_str(&mem, 4, 2), Err(Errno::ILSEQ));
        assert_eq!(read_path(&mem, 0, 3), Ok("a/b"));
        // Refused by length before the (out of bounds) bytes are looked at.
        assert_eq!(read_path(&mem, 0, 4096), Err(Errno::NAMETOOLONG));
        assert_eq!(read_path(&mem, 0, u32::MAX), Err(Errno::NAMETOOLONG));
    }
}
