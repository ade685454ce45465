//! Registry of loaded code: which address ranges hold wasm functions, their
//! names and their trap sites. The signal handler asks it whether a faulting
//! PC is a wasm trap, and backtraces ask it for function names.

use std::sync::{Arc, RwLock};
use wasmc_abi::descriptor::{FuncDesc, ModuleDesc, Safepoint, TrapSite};
use wasmc_abi::exn::{Handler, HandlerSite};
use wasmc_abi::Trap;

struct FuncRange {
    start: usize,
    end: usize,
    index: u32,
}

pub(crate) struct CodeInfo {
    start: usize,
    end: usize,
    funcs: Vec<FuncRange>,
    /// Valid descriptor (see [`register`]): its arrays and strings point at
    /// valid data that lives for the rest of the process.
    desc: &'static ModuleDesc,
}

static REGISTRY: RwLock<Vec<Arc<CodeInfo>>> = RwLock::new(Vec::new());

/// Registers a module's code. Modules are never unregistered: their code
/// stays mapped for the life of the process.
///
/// # Safety
/// `desc` must be a module descriptor emitted by the wasmc compiler, i.e.
/// every [`wasmc_abi::descriptor::Slice`] in it, transitively, points at
/// `len` valid elements that live for `'static`. Everything here relies on
/// that.
pub(crate) unsafe fn register(desc: &'static ModuleDesc) {
    // SAFETY: `desc.funcs` is a valid `'static` array of `FuncDesc` (the
    // contract above, established by `Module::from_descriptor`'s caller).
    let all: &[FuncDesc] = unsafe { desc.funcs.as_slice() };
    let mut funcs: Vec<FuncRange> = all
        .iter()
        .enumerate()
        .filter(|(_, f)| f.code_len > 0)
        .map(|(i, f)| FuncRange {
            start: f.wasm_call as usize,
            end: f.wasm_call as usize + f.code_len as usize,
            index: i as u32,
        })
        .collect();
    if funcs.is_empty() {
        return;
    }
    funcs.sort_by_key(|f| f.start);
    let info = CodeInfo {
        start: funcs.first().map(|f| f.start).unwrap_or(0),
        end: funcs.iter().map(|f| f.end).max().unwrap_or(0),
        funcs,
        desc,
    };
    let mut reg = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    if !reg.iter().any(|c| std::ptr::eq(c.desc, desc)) {
        reg.push(Arc::new(info));
    }
}

/// Looks `pc` up without blocking on a lock (it runs inside a signal
/// handler): `try_read` is a plain atomic operation; while a writer holds
/// the lock (registering a module, a short critical section on another
/// thread) it spins. Allocates nothing.
/// Returns the function index, its descriptor and the module.
fn find(pc: usize, f: &mut dyn FnMut(&CodeInfo, &FuncRange)) -> bool {
    let reg = loop {
        match REGISTRY.try_read() {
            Ok(r) => break r,
            Err(std::sync::TryLockError::Poisoned(p)) => break p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => std::hint::spin_loop(),
        }
    };
    find_in(&reg, pc, f)
}

fn find_in(reg: &[Arc<CodeInfo>], pc: usize, f: &mut dyn FnMut(&CodeInfo, &FuncRange)) -> bool {
    for info in reg.iter() {
        if pc < info.start || pc >= info.end {
            continue;
        }
        let i = info.funcs.partition_point(|r| r.start <= pc);
        if i > 0 && pc < info.funcs[i - 1].end {
            f(info, &info.funcs[i - 1]);
            return true;
        }
    }
    false
}

/// The trap kind of the trapping instruction at `pc`, if `pc` is one.
pub(crate) fn trap_at(pc: usize) -> Option<Trap> {
    let mut out = None;
    find(pc, &mut |info, range| {
        // SAFETY: `info.desc` is a valid descriptor (`register`'s contract);
        // `range.index` is an index into that same array, taken in
        // `register`, so the indexing cannot panic either (we may be in the
        // signal handler).
        let func = unsafe { &info.desc.funcs.as_slice::<FuncDesc>()[range.index as usize] };
        // SAFETY: `func.traps` is a valid array of the valid descriptor.
        let sites: &[TrapSite] = unsafe { func.traps.as_slice() };
        let off = (pc - range.start) as u32;
        if let Ok(i) = sites.binary_search_by_key(&off, |s| s.offset) {
            out = Trap::from_code(sites[i].code as u8);
        }
    });
    out
}

/// Whether `pc` is in the code of a registered wasm function (or import
/// trampoline): generated code, with Cranelift's frame layout.
pub(crate) fn is_generated(pc: usize) -> bool {
    find(pc, &mut |_, _| {})
}

/// Calls `f` with the frame size and the stack slots of the safepoint whose
/// return address is `ra`, if `ra` is one.
pub(crate) fn with_safepoint(ra: usize, f: impl FnOnce(u32, &[u32])) {
    let mut f = Some(f);
    find(ra, &mut |info, range| {
        // SAFETY: as in `trap_at`: a valid descriptor, an index taken from
        // the same array.
        let func = unsafe { &info.desc.funcs.as_slice::<FuncDesc>()[range.index as usize] };
        // SAFETY: `func.safepoints` is a valid array of the valid descriptor.
        let sps: &[Safepoint] = unsafe { func.safepoints.as_slice() };
        let off = (ra - range.start) as u32;
        if let Ok(i) = sps.binary_search_by_key(&off, |s| s.ret_offset) {
            // SAFETY: `func.stack_slots` is a valid array of the descriptor.
            let slots: &[u32] = unsafe { func.stack_slots.as_slice() };
            let sp = sps[i];
            // Computed in `usize`: `first + count` cannot overflow there.
            let run = sp.first as usize..sp.first as usize + sp.count as usize;
            if let (Some(f), Some(s)) = (f.take(), slots.get(run)) {
                f(sp.frame_size, s);
            }
        }
    });
}

/// The name of the wasm function containing `pc`.
/// The name of the wasm function containing `pc`, without waiting: `None`
/// also while the registry is being written (for reports made when the
/// writer may be this very thread). Allocates nothing.
pub(crate) fn try_function_name(pc: usize) -> Option<&'static str> {
    let reg = match REGISTRY.try_read() {
        Ok(r) => r,
        Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => return None,
    };
    let mut out = None;
    find_in(&reg, pc, &mut |info, range| {
        // SAFETY: as in `trap_at`: a valid descriptor, an index taken from
        // the same array.
        let func = unsafe { &info.desc.funcs.as_slice::<FuncDesc>()[range.index as usize] };
        // SAFETY: `func.name` is a valid `'static` byte string of the
        // `'static` descriptor (`as_str` checks UTF-8 itself).
        out = Some(unsafe { func.name.as_str() });
    });
    out
}

pub(crate) fn function_name(pc: usize) -> Option<String> {
    let mut out = None;
    find(pc, &mut |info, range| {
        // SAFETY: as in `trap_at`: a valid descriptor, an index taken from
        // the same array.
        let func = unsafe { &info.desc.funcs.as_slice::<FuncDesc>()[range.index as usize] };
        // SAFETY: `func.name` is a valid `'static` byte string of the
        // descriptor (`as_str` checks UTF-8 itself).
        out = Some(unsafe { func.name.as_str() }.to_string());
    });
    out
}

/// The handlers of a `try_call` site: where the function starts, the
/// site's frame size and vmctx slot, and its handlers in order.
#[derive(Clone, Copy)]
pub(crate) struct HandlersAt {
    pub func_start: usize,
    pub frame_size: u32,
    pub vmctx_offset: u32,
    pub handlers: &'static [Handler],
}

/// The handler site whose return address is `ra`, if `ra` is one.
/// Allocates nothing (the throw runs it on the way to a handler, whose
/// resumption abandons this frame).
pub(crate) fn handlers_at(ra: usize) -> Option<HandlersAt> {
    let mut out = None;
    // `ra - 1`: a call that ends its function still belongs to it.
    find(ra.wrapping_sub(1), &mut |info, range| {
        // SAFETY: as in `trap_at`: a valid descriptor, an index taken from
        // the same array.
        let func = unsafe { &info.desc.funcs.as_slice::<FuncDesc>()[range.index as usize] };
        // SAFETY: `func.handler_sites` is a valid array of the descriptor.
        let sites: &[HandlerSite] = unsafe { func.handler_sites.as_slice() };
        let off = (ra - range.start) as u32;
        if let Ok(i) = sites.binary_search_by_key(&off, |s| s.ret_offset) {
            let s = sites[i];
            // SAFETY: `func.handlers` is a valid `'static` array of the
            // `'static` descriptor.
            let all: &'static [Handler] = unsafe { func.handlers.as_slice() };
            let run = s.first as usize..s.first as usize + s.count as usize;
            if let Some(handlers) = all.get(run) {
                out = Some(HandlersAt {
                    func_start: range.start,
                    frame_size: s.frame_size,
                    vmctx_offset: s.vmctx_offset,
                    handlers,
                });
            }
        }
    });
    out
}
