//! The throw: from the `throw` builtin up the wasm frames to the innermost
//! handler whose tag matches, and the jump that resumes there.
//!
//! Every call inside a handler's scope is a Cranelift `try_call` to a
//! `tail`-convention callee, after which no register survives on the
//! exceptional edge: resuming needs only the handler frame's stack and
//! frame pointers, the landing pad's address and the exception object in
//! the first payload register. The compiler's handler tables
//! (`wasmc_abi::exn::HandlerSite`) give the first three per call site.

use crate::code::{handlers_at, is_generated};
use crate::exn::{payload_layout, tag_name, write};
use crate::host::HostFuncCtx;
use crate::instance::InstanceInner;
use crate::trap::{
    caller_of_frame, entry_sp, raise_from_wasm, set_host_failure, take_host_failure, Exception, HostTrap,
};
use wasmc_abi::descriptor::{TY_ANYREF, TY_EXTERNREF};
use wasmc_abi::exn::{CATCH_ALL, EXN_OFF_TAG};
use wasmc_abi::{Trap, ValRaw};

/// The `throw` builtin. Generated code calls it in the wasm (`tail`)
/// convention with its vmctx and the exception object, or with a host
/// context and 0 from a host-call trampoline whose host function failed
/// (the failure says whether it threw). Naked so that the caller's frame
/// pointer and return address reach [`throw_from`] as generated code left
/// them: the first two `tail` argument registers are rdi/rsi on x86_64
/// (as in the C convention), x2/x3 on aarch64 (x0 and x1 are reserved for
/// the return area and the callee), a0/a1 on riscv64.
#[unsafe(naked)]
pub(crate) extern "C" fn throw(_vmctx: *mut u8, _exn: u64) {
    #[cfg(target_arch = "x86_64")]
    core::arch::naked_asm!("mov rdx, rbp", "mov rcx, [rsp]", "jmp {f}", f = sym throw_from);
    #[cfg(target_arch = "aarch64")]
    core::arch::naked_asm!("mov x0, x2", "mov x1, x3", "mov x2, x29", "mov x3, x30", "b {f}", f = sym throw_from);
    #[cfg(target_arch = "riscv64")]
    core::arch::naked_asm!("mv a2, s0", "mv a3, ra", "tail {f}", f = sym throw_from);
}

/// [`throw`] with the generated caller's frame pointer `fp` and return
/// address `ra`. Owns nothing that needs dropping whenever it leaves by a
/// jump (to a handler or to the innermost entry).
extern "C" fn throw_from(vmctx: *mut u8, exn: u64, fp: usize, ra: usize) -> ! {
    let exn = if exn == 0 { host_exception(vmctx, fp, ra) } else { exn };
    // SAFETY: a non-null exception object keeps its tag at `EXN_OFF_TAG`.
    let tag = unsafe { *((exn + EXN_OFF_TAG as u64) as *const u64) };
    let stop = entry_sp();
    let (mut frame_ra, mut frame_fp) = (ra, fp);
    // Only generated frames can handle: the walk ends at the first frame
    // of other code (the entry trampoline's caller) or at the innermost
    // entry, whichever comes first.
    while frame_fp != 0 && frame_fp.is_multiple_of(8) && frame_fp < stop && is_generated(frame_ra.wrapping_sub(1)) {
        if let Some(site) = handlers_at(frame_ra) {
            let sp = frame_fp - site.frame_size as usize;
            // SAFETY: at this call site the frame saved its vmctx at
            // `sp + vmctx_offset` (the exception table's context), and the
            // frame is live (it is below the entry, on the fp chain).
            let frame_vmctx = unsafe { *((sp + site.vmctx_offset as usize) as *const usize) };
            for h in site.handlers {
                // SAFETY: `tag_slot` is the vmctx offset of one of the
                // frame instance's tag slots (the compiler's table).
                let hit =
                    h.tag_slot == CATCH_ALL || unsafe { *((frame_vmctx + h.tag_slot as usize) as *const u64) } == tag;
                if hit {
                    // SAFETY: `sp`/`frame_fp` are the handler frame's own
                    // at the call, the target its landing pad, which
                    // expects the exception in the first payload register
                    // and assumes no other register. The frames between
                    // here and there are wasm frames and this function's
                    // and the builtin's, which own nothing.
                    unsafe { resume(site.func_start + h.target as usize, sp, frame_fp, exn) }
                }
            }
        }
        // SAFETY: `frame_fp` is the live frame pointer of a generated frame
        // (checked above) below the entry.
        let (next_ra, next_fp) = unsafe { caller_of_frame(frame_fp, true) };
        if next_fp <= frame_fp {
            break;
        }
        (frame_ra, frame_fp) = (next_ra, next_fp);
    }
    uncaught(vmctx, exn, fp, ra)
}

/// The store of the instance behind `vmctx` (an instance's vmctx, or a
/// host function's context, whose caller it takes).
fn instance<'a>(vmctx: *mut u8) -> &'a InstanceInner {
    // SAFETY: generated code passes its live vmctx or host context.
    if let Some(i) = unsafe { InstanceInner::from_vmctx(vmctx) } {
        return i;
    }
    // SAFETY: not an instance's vmctx, so the host context of the
    // trampoline that called `throw` (see there), live while it runs.
    let caller = unsafe { (*(vmctx as *const HostFuncCtx)).caller_vmctx };
    // SAFETY: the instance the host function was imported into, live.
    unsafe { InstanceInner::from_vmctx(caller) }.expect("a host function throwing without an instance")
}

/// The exception a failed host function throws (its failure), or else
/// the trap it asked for, raised from its trampoline.
fn host_exception(host_ctx: *mut u8, fp: usize, ra: usize) -> u64 {
    let inst = instance(host_ctx);
    let store = inst.store();
    let failure = take_host_failure();
    let exn = match failure {
        Some(HostTrap::Exception(e)) => store.rooted(e.root).filter(|_| store.release(e.root)),
        Some(HostTrap::Throw { tag, payload }) => {
            // A host may only throw a tag the calling instance knows.
            let known = (0..inst.offsets.counts.tags).any(|i| {
                // SAFETY: tag slots lie inside the vmctx (VMOffsets).
                unsafe { *(inst.vmctx().add(inst.offsets.tag(i) as usize) as *const usize) == tag }
            });
            if !known {
                set_host_failure(HostTrap::Error("a host function threw a tag its caller does not know".into()));
                drop(payload);
                // SAFETY: called by the trampoline inside `catch_traps`
                // with its fp and return address; this frame owns nothing
                // needing a drop any more (the payload was just dropped).
                unsafe { raise_from_wasm(Trap::HostError, ra, fp) }
            }
            Some(new_exception(inst, tag, payload))
        }
        other => {
            if let Some(f) = other {
                set_host_failure(f);
            }
            // SAFETY: as above; nothing owned is live here.
            unsafe { raise_from_wasm(Trap::HostError, ra, fp) }
        }
    };
    match exn {
        Some(e) if e != 0 => e,
        _ => {
            set_host_failure(HostTrap::Error("a host function rethrew an exception that is not live".into()));
            // SAFETY: as above.
            unsafe { raise_from_wasm(Trap::HostError, ra, fp) }
        }
    }
}

/// A new exception object of `tag` with `payload` (raw values of its
/// parameter types), allocated while the payload's references are rooted
/// (the allocation may collect).
fn new_exception(inst: &InstanceInner, tag: usize, mut payload: Vec<ValRaw>) -> u64 {
    let store = inst.store();
    // SAFETY: `tag` is one of the caller's tags (checked), so live.
    let (params, _, size) = unsafe { payload_layout(tag) };
    let is_ref = |ty: u8| matches!(ty, TY_ANYREF | TY_EXTERNREF);
    let roots: Vec<Option<u64>> =
        params.iter().zip(&payload).map(|(ty, v)| (is_ref(*ty) && v.u64() != 0).then(|| store.root(v.u64()))).collect();
    // SAFETY: a live tag.
    let rtt = unsafe { (*(tag as *const wasmc_abi::exn::VMTag)).exn_rtt };
    // SAFETY: generated code is suspended in this builtin; this is the
    // only `Gc` of the store, dropped at the end of the statement.
    let obj = unsafe { store.gc() }.allocate_or_trap(rtt, size as usize);
    for (v, root) in payload.iter_mut().zip(&roots) {
        if let Some(h) = root {
            // The reference as the collection left it.
            *v = ValRaw::from_u64(store.rooted(*h).unwrap_or(0));
            store.release(*h);
        }
    }
    let obj = match obj {
        Ok(o) => o as u64,
        Err(t) => {
            drop((payload, roots));
            set_host_failure(HostTrap::Trap(t));
            // SAFETY: a host-call path inside `catch_traps`; nothing owned
            // is live in this frame (dropped just above), nor in the frames
            // above it (`host_exception`'s and `throw_from`'s).
            unsafe { crate::trap::raise(t) }
        }
    };
    // SAFETY: a fresh object of `tag`'s exception size.
    unsafe { write(obj, tag, &payload) };
    // SAFETY: as for the allocation above.
    unsafe { store.gc() }.remember_if_old(obj as usize);
    obj
}

/// No handler: the exception ends the call into wasm, rooted in the store
/// for whoever receives the error.
fn uncaught(vmctx: *mut u8, exn: u64, fp: usize, ra: usize) -> ! {
    let store = instance(vmctx).store();
    // SAFETY: a live exception keeps its live tag at `EXN_OFF_TAG`.
    let tag = unsafe { *((exn + EXN_OFF_TAG as u64) as *const u64) } as usize;
    let root = store.root(exn);
    // SAFETY: as just said, a live tag.
    let tag_name = unsafe { tag_name(tag) };
    set_host_failure(HostTrap::Exception(Exception { tag, tag_name, root }));
    // SAFETY: generated code called the builtin inside `catch_traps` with
    // its frame pointer and return address; nothing here needs a drop.
    unsafe { raise_from_wasm(Trap::HostError, ra, fp) }
}

/// Jumps to landing pad `pc` of the frame whose stack pointer at the call
/// was `sp` and frame pointer `fp`, with `exn` in the first payload
/// register (the second, unused, zero).
///
/// # Safety
/// `sp`, `fp` and `pc` are a live handler frame's and its landing pad's,
/// and every frame below it is one that owns nothing (the jump abandons
/// them without running any code of theirs).
unsafe fn resume(pc: usize, sp: usize, fp: usize, exn: u64) -> ! {
    // SAFETY: the contract; the landing pad assumes nothing of any other
    // register (every register is clobbered across a `try_call`).
    #[cfg(target_arch = "x86_64")]
    unsafe {
        core::arch::asm!(
            "mov rsp, {sp}", "mov rbp, {fp}", "jmp {pc}",
            sp = in(reg) sp, fp = in(reg) fp, pc = in(reg) pc,
            in("rax") exn, in("rdx") 0u64, options(noreturn),
        )
    }
    // SAFETY: as above.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        core::arch::asm!(
            "mov sp, {sp}", "mov x29, {fp}", "br {pc}",
            sp = in(reg) sp, fp = in(reg) fp, pc = in(reg) pc,
            in("x0") exn, in("x1") 0u64, options(noreturn),
        )
    }
    // SAFETY: as above.
    #[cfg(target_arch = "riscv64")]
    unsafe {
        core::arch::asm!(
            "mv sp, {sp}", "mv s0, {fp}", "jr {pc}",
            sp = in(reg) sp, fp = in(reg) fp, pc = in(reg) pc,
            in("a0") exn, in("a1") 0u64, options(noreturn),
        )
    }
}
