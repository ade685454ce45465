//! Mapping pages of the running executable's file: large data segments are
//! mapped into linear memory copy-on-write instead of copied (see
//! `wasmc_abi::descriptor::DATA_MAP_ALIGN`), so start-up does not grow with
//! the data and pages the program never touches cost no memory.
//!
//! Only the main executable is used (`/proc/self/exe` is the very file the
//! process runs, even if it was replaced or removed since), and only what
//! the program headers say is file-backed. Anything unexpected (no
//! `/proc`, the bytes in a shared library or not congruent) makes the
//! caller copy instead.

use std::ffi::c_void;

/// Where the bytes at `addr..addr + len` come from in the main executable's
/// file: their file offset, if they lie wholly in the file-backed part of
/// one of its loadable segments.
fn file_offset(addr: usize, len: usize) -> Option<u64> {
    struct Query {
        addr: usize,
        len: usize,
        found: Option<u64>,
    }
    extern "C" fn each(info: *mut libc::dl_phdr_info, _size: usize, data: *mut c_void) -> libc::c_int {
        // SAFETY: `data` is the `&mut Query` passed to `dl_iterate_phdr`
        // below, alive and not otherwise used during the iteration.
        let q = unsafe { &mut *(data as *mut Query) };
        // SAFETY: the loader passes a valid `dl_phdr_info` for the duration
        // of the callback.
        let info = unsafe { &*info };
        // The main program is the first object and has an empty name.
        // SAFETY: `dlpi_name` is a valid NUL-terminated string (or null).
        let main = info.dlpi_name.is_null() || unsafe { *info.dlpi_name } == 0;
        if !main || info.dlpi_phdr.is_null() {
            return 1; // stop: the bytes are not in the main program's file
        }
        // SAFETY: `dlpi_phdr` points to `dlpi_phnum` program headers.
        let phdrs = unsafe { std::slice::from_raw_parts(info.dlpi_phdr, info.dlpi_phnum as usize) };
        for ph in phdrs.iter().filter(|p| p.p_type == libc::PT_LOAD) {
            let start = info.dlpi_addr as usize + ph.p_vaddr as usize;
            let file_end = start + ph.p_filesz as usize;
            if q.addr >= start && q.addr.checked_add(q.len).is_some_and(|end| end <= file_end) {
                q.found = Some(ph.p_offset + (q.addr - start) as u64);
            }
        }
        1
    }
    let mut q = Query { addr, len, found: None };
    // SAFETY: `each` is a valid callback and `q` outlives the call.
    unsafe { libc::dl_iterate_phdr(Some(each), &mut q as *mut Query as *mut c_void) };
    q.found
}

pub(crate) fn page_size() -> usize {
    // SAFETY: `sysconf` only reads its argument.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 {
        n as usize
    } else {
        4096
    }
}

/// Replaces `dst..dst + len` with a private (copy-on-write) mapping of the
/// executable's file pages that hold `src..src + len`. Both must be
/// page-aligned. False (nothing changed) if that is not possible.
///
/// # Safety
/// `dst..dst + len` is accessible memory that nobody holds a reference
/// into, whose contents may be replaced (a linear memory being
/// initialised); `src..src + len` is the caller's readable data.
pub(crate) unsafe fn map_over(dst: *mut u8, src: *const u8, len: usize) -> bool {
    let page = page_size();
    if cfg!(miri) || len == 0 || !(dst as usize).is_multiple_of(page) || !(src as usize).is_multiple_of(page) {
        return false;
    }
    let Some(off) = file_offset(src as usize, len) else { return false };
    if !off.is_multiple_of(page as u64) {
        return false;
    }
    // SAFETY: a NUL-terminated path; `open` touches nothing else.
    let fd = unsafe { libc::open(c"/proc/self/exe".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return false;
    }
    // SAFETY: `dst..dst + len` may be replaced (contract); `MAP_FIXED`
    // swaps its pages for private copies of the file's, whose bytes are
    // those at `src` (the same file offset, read-only since start-up:
    // `file_offset` only admits file-backed bytes of the running file).
    let p = unsafe {
        libc::mmap(
            dst as *mut c_void,
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_FIXED,
            fd,
            off as libc::off_t,
        )
    };
    // SAFETY: `fd` is ours, open, and closed once; the mapping keeps the
    // file alive.
    unsafe { libc::close(fd) };
    if p == dst as *mut c_void {
        return true;
    }
    // A failed `MAP_FIXED` may have unmapped the range: put fresh zero
    // pages back (what a memory being initialised holds) for the copy.
    // SAFETY: the same replaceable range as above.
    unsafe {
        libc::mmap(
            dst as *mut c_void,
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_FIXED,
            -1,
            0,
        )
    };
    false
}
