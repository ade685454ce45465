/* The imports of exe_v128.wat (see there): v128 values by value, as
 * wasmc_v128_t (wasmc.h); the caller is a wasmc_caller_t *. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wasmc_v128 {
    uint8_t bytes[16];
} wasmc_v128_t;

static void lanes(wasmc_v128_t v, uint32_t out[4]) { memcpy(out, v.bytes, 16); }

static wasmc_v128_t from_lanes(const uint32_t in[4]) {
    wasmc_v128_t v;
    memcpy(v.bytes, in, 16);
    return v;
}

static void bad(const char *what) {
    printf("%s: bad scalars\n", what);
    exit(3);
}

wasmc_v128_t env__mix(void *caller, wasmc_v128_t a, int32_t x) {
    (void)caller;
    uint32_t l[4];
    lanes(a, l);
    for (int i = 0; i < 4; i++) l[i] += (uint32_t)x;
    return from_lanes(l);
}

wasmc_v128_t env__edge6(void *caller, int32_t a, int32_t b, int32_t c, int32_t d, wasmc_v128_t v, double f, int32_t e,
                        wasmc_v128_t w) {
    (void)caller;
    if (a != 1 || b != 2 || c != 3 || d != 4 || f != 0.5 || e != 5) bad("edge6");
    uint32_t x[4], y[4];
    lanes(v, x);
    lanes(w, y);
    for (int i = 0; i < 4; i++) x[i] += 2 * y[i] + 16;
    return from_lanes(x);
}

void env__edge8(void *caller, int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, wasmc_v128_t v,
                int64_t g, wasmc_v128_t *r0, int32_t *r1) {
    (void)caller;
    if (a != 1 || b != 2 || c != 3 || d != 4 || e != 5 || f != 6 || g != 7) bad("edge8");
    int32_t sum = 0;
    for (int i = 0; i < 16; i++) {
        r0->bytes[i] = v.bytes[15 - i];
        sum += v.bytes[i];
    }
    *r1 = sum;
}

void env__show(void *caller, wasmc_v128_t v) {
    (void)caller;
    uint32_t l[4];
    lanes(v, l);
    printf("i32x4 0x%08x 0x%08x 0x%08x 0x%08x\n", l[0], l[1], l[2], l[3]);
    fflush(stdout);
}
