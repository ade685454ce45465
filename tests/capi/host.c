/* The host functions the test modules import, shared by the test programs.
 * Per-instance state comes from wasmc_caller_data. */
#include "host.h"

#include <stdint.h>
#include <string.h>

void calc_env__log(wasmc_caller_t *caller, int32_t x) {
    struct host_state *s = (struct host_state *)wasmc_caller_data(caller);
    if (s != NULL) {
        s->last_log = x;
        s->logs++;
    }
}

int32_t calc_env__twice(wasmc_caller_t *caller, int32_t x) {
    struct host_state *s = (struct host_state *)wasmc_caller_data(caller);
    if (s != NULL) s->twice_calls++;
    return 2 * x;
}

void calc_env__pair(wasmc_caller_t *caller, int64_t x, int32_t *r0, double *r1) {
    (void)caller;
    *r0 = (int32_t)(x + 1);
    *r1 = (double)x * 0.5;
}

int32_t calc_env__fail(wasmc_caller_t *caller, int32_t x) {
    if (x == 0) wasmc_caller_trap(caller, "host refused 0");
    return 3 * x;
}

/* Calls back into the calling instance. */
int32_t calc_env__reenter(wasmc_caller_t *caller, int32_t x) {
    calc_instance_t *self = (calc_instance_t *)wasmc_caller_instance(caller);
    int32_t r = -1;
    wasmc_error_t *e = calc_add(self, x, 1000, &r);
    if (e != NULL) {
        wasmc_error_delete(e);
        wasmc_caller_trap(caller, "re-entry failed");
    }
    /* A trap in a nested call comes back as an error too. */
    e = calc_div(self, 1, 0, NULL);
    if (e == NULL || wasmc_error_trap(e) != WASMC_TRAP_INTEGER_DIVISION_BY_ZERO) r = -2;
    wasmc_error_delete(e);
    return r;
}

/* Host pointers come back shifted by 16 bytes; objects come back as they
 * are (through a root); anything else comes back unchanged. */
wasmc_rawref_t gcm_env__see(wasmc_caller_t *caller, wasmc_rawref_t raw) {
    wasmc_ref_t r = wasmc_caller_ref(caller, raw);
    if (r.kind == WASMC_REF_HOST) {
        wasmc_ref_t moved = wasmc_ref_host((char *)r.of.host + 16);
        return wasmc_caller_rawref(caller, &moved);
    }
    if (r.kind == WASMC_REF_OBJECT) {
        wasmc_rawref_t back = wasmc_caller_rawref(caller, &r);
        wasmc_root_release(wasmc_instance_store(wasmc_caller_instance(caller)), r.of.root);
        return back;
    }
    return raw;
}

int host_churn = 200000;

/* Calls back into the module, which allocates enough to collect (minor and
 * major) while the wasm frame below holds an object. */
void gcm_env__callback(wasmc_caller_t *caller, int32_t v) {
    gcm_instance_t *self = (gcm_instance_t *)wasmc_caller_instance(caller);
    int32_t r;
    wasmc_error_t *e = gcm_churn(self, host_churn + v % 7, &r);
    if (e == NULL) e = gcm_big(self, 3, &r);
    if (e != NULL) {
        wasmc_error_delete(e);
        wasmc_caller_trap(caller, "callback failed");
    }
}

/* v128 host functions (simd.wat): lanes read and written through memcpy,
 * as wasmc.h describes the layout. */
static void lanes32(wasmc_v128_t v, uint32_t out[4]) { memcpy(out, v.bytes, 16); }

static wasmc_v128_t from32(const uint32_t in[4]) {
    wasmc_v128_t v;
    memcpy(v.bytes, in, 16);
    return v;
}

/* Every i32x4 lane plus x. */
wasmc_v128_t simd_env__mix(wasmc_caller_t *caller, wasmc_v128_t a, int32_t x) {
    (void)caller;
    uint32_t l[4];
    lanes32(a, l);
    for (int i = 0; i < 4; i++) l[i] += (uint32_t)x;
    return from32(l);
}

/* v + 2 * w + 16 per i32x4 lane; traps unless the scalars are 1 2 3 4 0.5 5. */
wasmc_v128_t simd_env__edge6(wasmc_caller_t *caller, int32_t a, int32_t b, int32_t c, int32_t d, wasmc_v128_t v,
                             double f, int32_t e, wasmc_v128_t w) {
    if (a != 1 || b != 2 || c != 3 || d != 4 || f != 0.5 || e != 5) wasmc_caller_trap(caller, "edge6: bad scalars");
    uint32_t x[4], y[4];
    lanes32(v, x);
    lanes32(w, y);
    for (int i = 0; i < 4; i++) x[i] += 2 * y[i] + 16;
    return from32(x);
}

/* The bytes of v reversed, and their sum; traps unless the scalars are 1..7. */
void simd_env__edge8(wasmc_caller_t *caller, int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
                     wasmc_v128_t v, int64_t g, wasmc_v128_t *r0, int32_t *r1) {
    if (a != 1 || b != 2 || c != 3 || d != 4 || e != 5 || f != 6 || g != 7) wasmc_caller_trap(caller, "edge8: bad scalars");
    int32_t sum = 0;
    for (int i = 0; i < 16; i++) {
        r0->bytes[i] = v.bytes[15 - i];
        sum += v.bytes[i];
    }
    *r1 = sum;
}
