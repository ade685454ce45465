//! Heap spaces and allocation.

use super::large::LargeObjects;
use wasmc_abi::descriptor::{TYPE_ARRAY, TYPE_STRUCT};
use wasmc_abi::gc::{VMRtt, ARRAY_OFF_ELEMS, ARRAY_OFF_LEN};
use wasmc_abi::vmctx::VMLimits;

/// Tunables, from the executable's configuration and the environment.
#[derive(Clone, Debug)]
pub struct HeapConfig {
    pub nursery_bytes: usize,
    /// Most bytes the old generation may hold (plus the nursery).
    pub max_heap_bytes: usize,
    /// Collect at every allocation (`WASMC_GC_STRESS=1`).
    pub stress: bool,
    /// Check every reference after each collection (`WASMC_GC_VERIFY=1`,
    /// implied by stress mode).
    pub verify: bool,
}

/// Stress mode collects at every allocation while the stack and handles
/// hold fewer roots than this; after a collection that found `n` roots it
/// lets `n / STRESS_ROOTS_PER_ALLOCATION` allocations pass first. Every
/// allocation of a shallow program still collects (what the stress suites
/// need), and a deep recursion that allocates in every frame costs linear,
/// not quadratic, time in its depth (each collection walks every frame).
pub const STRESS_ROOTS_PER_ALLOCATION: usize = 64;

/// The default heap limit: what a native program could allocate, i.e. the
/// machine's physical memory, or the address-space limit (`ulimit -v`)
/// when that is lower. `--max-heap` and `WASMC_MAX_HEAP` set another.
pub fn default_max_heap() -> usize {
    limit_from(physical_memory(), address_space_limit())
}

/// Under 1 GiB only when the machine or `ulimit -v` says so; 1 GiB when
/// neither is known.
fn limit_from(physical: Option<u64>, address_space: Option<u64>) -> usize {
    let n = match (physical, address_space) {
        (Some(p), Some(a)) => p.min(a),
        (Some(n), None) | (None, Some(n)) => n,
        (None, None) => 1 << 30,
    };
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn physical_memory() -> Option<u64> {
    if cfg!(miri) {
        return None; // Miri emulates neither sysconf name.
    }
    // SAFETY: `sysconf` only reads its argument; -1 means unknown.
    let (pages, page) = unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
    (pages > 0 && page > 0).then(|| pages as u64 * page as u64)
}

fn address_space_limit() -> Option<u64> {
    if cfg!(miri) {
        return None;
    }
    let mut r = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: `r` is a live, writable `rlimit`, the only thing written.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut r) } == 0;
    (ok && r.rlim_cur != libc::RLIM_INFINITY).then_some(r.rlim_cur)
}

impl Default for HeapConfig {
    fn default() -> Self {
        // 16 MiB: fewer minor collections (the GC benchmarks run 20-40%
        // faster than with 4 MiB); untouched pages cost no memory.
        HeapConfig { nursery_bytes: 16 << 20, max_heap_bytes: default_max_heap(), stress: false, verify: false }
    }
}

impl HeapConfig {
    /// Applies `WASMC_MAX_HEAP` (bytes, or with a K/M/G suffix),
    /// `WASMC_GC_NURSERY` (nursery size, at least 1 MiB), `WASMC_GC_STRESS`
    /// and `WASMC_GC_VERIFY`.
    pub fn from_env(mut self) -> Self {
        if let Some(n) = std::env::var("WASMC_MAX_HEAP").ok().and_then(|v| parse_size(&v)) {
            self.max_heap_bytes = n;
        }
        if let Some(n) = std::env::var("WASMC_GC_NURSERY").ok().and_then(|v| parse_size(&v)) {
            // At least 1 MiB: objects up to a quarter of it are allocated young,
            // which `struct.new` (at most 160 KB) relies on to skip the barrier.
            self.nursery_bytes = n.max(1 << 20).div_ceil(4096) * 4096;
        }
        let on = |k: &str| std::env::var(k).is_ok_and(|v| !v.is_empty() && v != "0");
        self.stress |= on("WASMC_GC_STRESS");
        self.verify |= self.stress || on("WASMC_GC_VERIFY");
        self
    }
}

/// `123`, `64K`, `512M`, `2G`.
pub fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim();
    let (num, mul) = match s.char_indices().last()? {
        (i, 'k' | 'K') => (&s[..i], 1 << 10),
        (i, 'm' | 'M') => (&s[..i], 1 << 20),
        (i, 'g' | 'G') => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    num.trim().parse::<usize>().ok()?.checked_mul(mul)
}

/// A region of old-generation memory, filled by bumping `used`.
pub(crate) struct Chunk {
    pub base: *mut u8,
    pub size: usize,
    pub used: usize,
}

impl Chunk {
    pub fn new(size: usize) -> Option<Chunk> {
        let base = map(size)?;
        Some(Chunk { base, size, used: 0 })
    }
    pub fn contains(&self, p: usize) -> bool {
        p >= self.base as usize && p < self.base as usize + self.used
    }
}

pub(crate) fn map(size: usize) -> Option<*mut u8> {
    // Untouched pages cost nothing either way; MAP_NORESERVE keeps a big
    // nursery from counting against overcommit limits. Miri's mmap shim
    // supports only the plain flags.
    let noreserve = if cfg!(miri) { 0 } else { libc::MAP_NORESERVE };
    // SAFETY: a fresh anonymous mapping at an address of the kernel's
    // choosing aliases nothing.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | noreserve,
            -1,
            0,
        )
    };
    (p != libc::MAP_FAILED).then_some(p as *mut u8)
}

/// Unmaps a mapping made by [`map`].
///
/// # Safety
/// `p` and `size` are a mapping returned by `map`, nothing refers into it
/// any more, and it is unmapped once.
pub(crate) unsafe fn unmap(p: *mut u8, size: usize) {
    // SAFETY: the contract: our own mapping, unused from now on.
    unsafe { libc::munmap(p as *mut libc::c_void, size) };
}

pub(crate) const CHUNK_BYTES: usize = 1 << 20;

/// The heap of one store.
pub struct Heap {
    pub config: HeapConfig,
    pub(crate) nursery: *mut u8,
    pub(crate) old: Vec<Chunk>,
    pub(crate) free: Vec<Chunk>,
    pub(crate) large: LargeObjects,
    /// Bytes of the old generation and the large objects.
    pub(crate) old_bytes: usize,
    /// Old-generation size that triggers the next major collection.
    pub(crate) major_threshold: usize,
    /// Old objects that may point into the nursery.
    pub(crate) remembered: Vec<usize>,
    pub(crate) minor_count: u64,
    /// Stress mode: allocations still to go before the next collection
    /// (see [`STRESS_ROOTS_PER_ALLOCATION`]).
    pub(crate) stress_skip: usize,
    pub(crate) major_count: u64,
}

// SAFETY: the raw pointers are the heap's own mappings (nursery, chunks),
// which it alone owns and frees; moving the heap to another thread moves
// that ownership with it, and nothing else holds them while it is moved.
unsafe impl Send for Heap {}

/// Header bits below the runtime type pointer.
pub(crate) const FORWARDED: u64 = 1;
pub(crate) const REMEMBERED: u64 = 2;
pub(crate) const HEADER_BITS: u64 = 3;

impl Heap {
    pub fn new(mut config: HeapConfig) -> Heap {
        // See `from_env`: struct.new relies on a nursery of at least 1 MiB.
        config.nursery_bytes = config.nursery_bytes.max(1 << 20).div_ceil(4096) * 4096;
        let nursery = map(config.nursery_bytes).unwrap_or(std::ptr::null_mut());
        let major_threshold = (8 << 20).min(config.max_heap_bytes);
        Heap {
            config,
            nursery,
            old: Vec::new(),
            free: Vec::new(),
            large: LargeObjects::default(),
            old_bytes: 0,
            major_threshold,
            remembered: Vec::new(),
            minor_count: 0,
            stress_skip: 0,
            major_count: 0,
        }
    }

    /// Points the inline allocator at the (empty) nursery.
    pub(crate) fn reset_nursery(&mut self, limits: &mut VMLimits) {
        let start = self.nursery as u64;
        let end = start + self.config.nursery_bytes as u64;
        limits.nursery_start = start;
        limits.nursery_end = end;
        limits.gc_next = start;
        // In stress mode every allocation takes the slow path.
        limits.gc_limit = if self.config.stress { start } else { end };
    }

    pub(crate) fn in_nursery(&self, p: usize) -> bool {
        p >= self.nursery as usize && p < self.nursery as usize + self.config.nursery_bytes
    }

    /// Whether `p` is an object outside the nursery (old or large).
    pub(crate) fn in_old(&self, p: usize) -> bool {
        // Chunks are few (MiB-sized); a linear scan is fine.
        self.large.contains(p) || self.old.iter().any(|c| c.contains(p))
    }

    /// Allocates `size` bytes in the old generation for the copier, which
    /// overwrites them (recycled chunks are not cleared).
    pub(crate) fn alloc_old(&mut self, size: usize) -> Option<*mut u8> {
        if let Some(c) = self.old.last_mut() {
            if c.size - c.used >= size {
                // SAFETY: `used + size <= size` of the chunk (checked
                // above), so the result stays inside its mapping.
                let p = unsafe { c.base.add(c.used) };
                c.used += size;
                self.old_bytes += size;
                return Some(p);
            }
        }
        let mut c = if size <= CHUNK_BYTES && !self.free.is_empty() {
            self.free.pop().unwrap()
        } else {
            Chunk::new(size.max(CHUNK_BYTES).div_ceil(4096) * 4096)?
        };
        let p = c.base;
        c.used = size;
        self.old.push(c);
        self.old_bytes += size;
        Some(p)
    }

    pub fn stats(&self) -> (u64, u64, usize) {
        (self.minor_count, self.major_count, self.old_bytes)
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        // SAFETY: the nursery and every chunk are this heap's own
        // mappings, each listed once; the heap is going away, so nothing
        // refers into them (the store that owned it is dropped).
        unsafe {
            if !self.nursery.is_null() {
                unmap(self.nursery, self.config.nursery_bytes);
            }
            for c in self.old.iter().chain(&self.free) {
                unmap(c.base, c.size);
            }
        }
    }
}

/// The runtime type of a heap object.
///
/// # Safety
/// `obj` must be a live (not forwarded) heap object.
pub(crate) unsafe fn rtt_of(obj: usize) -> &'static VMRtt {
    // SAFETY: a live object's first word is its header: the address of its
    // runtime type, which is never freed, with the flag bits below it.
    unsafe { &*((*(obj as *const u64) & !HEADER_BITS) as *const VMRtt) }
}

/// Size in bytes of an object of runtime type `rtt` (arrays: with `len`).
pub(crate) fn object_size(rtt: &VMRtt, len: u32) -> usize {
    match rtt.kind as u8 {
        TYPE_ARRAY => (ARRAY_OFF_ELEMS as usize + len as usize * rtt.size as usize).div_ceil(8) * 8,
        TYPE_STRUCT => rtt.size as usize,
        _ => 8,
    }
}

/// Size of the live object at `obj`.
///
/// # Safety
/// As for [`rtt_of`].
pub(crate) unsafe fn size_of_object(obj: usize) -> usize {
    // SAFETY: `obj` is live (contract).
    let rtt = unsafe { rtt_of(obj) };
    // SAFETY: a live array keeps its length at `ARRAY_OFF_LEN`.
    let len = if rtt.kind as u8 == TYPE_ARRAY { unsafe { *((obj + ARRAY_OFF_LEN as usize) as *const u32) } } else { 0 };
    object_size(rtt, len)
}

/// Calls `f` with the address of every reference slot of object `obj`.
///
/// # Safety
/// As for [`rtt_of`].
pub(crate) unsafe fn for_each_ref_slot(obj: usize, mut f: impl FnMut(*mut u64)) {
    // SAFETY: `obj` is live (contract).
    let rtt = unsafe { rtt_of(obj) };
    match rtt.kind as u8 {
        TYPE_STRUCT => {
            // SAFETY: `types::canonicalize_group` sets `ref_offsets` to a
            // leaked (never freed) slice of `n_ref_offsets` offsets.
            let offs = unsafe { std::slice::from_raw_parts(rtt.ref_offsets as *const u32, rtt.n_ref_offsets as usize) };
            for o in offs {
                f((obj + *o as usize) as *mut u64);
            }
        }
        TYPE_ARRAY if rtt.elem_is_ref != 0 => {
            // SAFETY: a live array keeps its length at `ARRAY_OFF_LEN`.
            let len = unsafe { *((obj + ARRAY_OFF_LEN as usize) as *const u32) } as usize;
            for i in 0..len {
                f((obj + ARRAY_OFF_ELEMS as usize + i * 8) as *mut u64);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[test]
    fn default_limit_is_the_machine_or_ulimit() {
        assert_eq!(limit_from(Some(24 << 30), None), 24 << 30);
        assert_eq!(limit_from(Some(24 << 30), Some(2 << 30)), 2 << 30);
        assert_eq!(limit_from(None, Some(3 << 30)), 3 << 30);
        assert_eq!(limit_from(None, None), 1 << 30);
        if !cfg!(miri) {
            assert!(default_max_heap() >= 1 << 30 || address_space_limit().is_some());
        }
    }
}
