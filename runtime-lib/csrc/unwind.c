// Entry into wasm with a landing pad for traps.
//
// wasmc_catch() runs body(data) with a fresh sigjmp_buf published through
// *slot; wasmc_unwind() jumps back to it from a signal handler or from the
// `raise` builtin. Only wasm frames and frame-only Rust glue (no
// destructors) lie between the two, so the jump skips nothing that owns
// resources.
#include <setjmp.h>
#include <stddef.h>

int wasmc_catch(void (*body)(void *), void *data, void **slot) {
    sigjmp_buf buf;
    void *prev = *slot;
    *slot = &buf;
    if (sigsetjmp(buf, 0) == 0) {
        body(data);
        *slot = prev;
        return 0;
    }
    *slot = prev;
    return 1;
}

void wasmc_unwind(void *buf) {
    siglongjmp(*(sigjmp_buf *)buf, 1);
}
