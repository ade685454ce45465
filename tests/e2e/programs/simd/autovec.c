// Loops that clang -O2 -msimd128 vectorizes (i32x4, f32x4, i8x16, i16x8
// arithmetic, comparisons and selects, min/max reductions, widening and
// narrowing), printed deterministically: integer results, element-wise float
// results as bits, and float sums of integer values (exact in any order).
// Built natively with `cc -O2` it must print the same.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N 4099 /* not a multiple of any vector width: the tails run too */

static float xs[N], ys[N], out[N];
static int32_t ia[N], ib[N], ic[N];
static uint8_t bytes[N], bout[N];
static int16_t sa[N], sb[N];
static uint32_t seed = 0x2545f491u;

static uint32_t rnd(void) {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static uint32_t mix(uint32_t h, uint32_t v) { return (h ^ v) * 16777619u; }

__attribute__((noinline)) static void saxpy(int n, float a, const float *x, float *y) {
    for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}

__attribute__((noinline)) static float dot(int n, const float *x, const float *y) {
    float s = 0; // integer-valued products, partial sums below 2^24: exact
    for (int i = 0; i < n; i++) s += x[i] * y[i];
    return s;
}

__attribute__((noinline)) static int64_t idot(int n, const int32_t *x, const int32_t *y) {
    int64_t s = 0;
    for (int i = 0; i < n; i++) s += (int64_t)x[i] * y[i];
    return s;
}

__attribute__((noinline)) static uint32_t checksum(int n, const int32_t *x) {
    uint32_t s = 0, t = 0;
    for (int i = 0; i < n; i++) {
        s += (uint32_t)x[i] * 2654435761u;
        t ^= (uint32_t)x[i] >> 3;
    }
    return s ^ (t << 1);
}

__attribute__((noinline)) static void minmax(int n, const int32_t *x, int32_t *mn, int32_t *mx) {
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (int i = 0; i < n; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    *mn = lo, *mx = hi;
}

__attribute__((noinline)) static void fminmax(int n, const float *x, float *mn, float *mx) {
    float lo = 1e30f, hi = -1e30f;
    for (int i = 0; i < n; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    *mn = lo, *mx = hi;
}

__attribute__((noinline)) static uint8_t umax8(int n, const uint8_t *x) {
    uint8_t m = 0;
    for (int i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

// Byte transform: saturating brighten, threshold, invert.
__attribute__((noinline)) static void transform(int n, const uint8_t *in, uint8_t *o) {
    for (int i = 0; i < n; i++) {
        unsigned v = in[i] + 40u;
        v = v > 255 ? 255 : v;
        o[i] = v > 200 ? (uint8_t)~v : (uint8_t)(v >> 1);
    }
}

__attribute__((noinline)) static void histogram(int n, const uint8_t *in, uint32_t *h) {
    memset(h, 0, 16 * sizeof *h);
    for (int i = 0; i < n; i++) h[in[i] >> 4]++;
}

__attribute__((noinline)) static uint32_t sum_bytes(int n, const uint8_t *in) {
    uint32_t s = 0;
    for (int i = 0; i < n; i++) s += in[i];
    return s;
}

__attribute__((noinline)) static int32_t sad16(int n, const int16_t *a, const int16_t *b) {
    int32_t s = 0;
    for (int i = 0; i < n; i++) {
        int32_t d = a[i] - b[i];
        s += d < 0 ? -d : d;
    }
    return s;
}

__attribute__((noinline)) static void narrow(int n, const int32_t *x, int16_t *o) {
    for (int i = 0; i < n; i++) {
        int32_t v = x[i] >> 8;
        o[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
}

__attribute__((noinline)) static void select_add(int n, const int32_t *a, const int32_t *b, int32_t *o) {
    for (int i = 0; i < n; i++) o[i] = a[i] > b[i] ? a[i] - b[i] : (b[i] ^ a[i]) + 7;
}

__attribute__((noinline)) static void int_to_float(int n, const int32_t *a, float *o) {
    for (int i = 0; i < n; i++) o[i] = (float)a[i] * 0.5f;
}

__attribute__((noinline)) static void float_to_int(int n, const float *a, int32_t *o) {
    for (int i = 0; i < n; i++) o[i] = (int32_t)(a[i] * 3.0f);
}

int main(void) {
    for (int i = 0; i < N; i++) {
        xs[i] = (float)((int)(rnd() % 200) - 100);
        ys[i] = (float)((int)(rnd() % 64) - 32);
        ia[i] = (int32_t)rnd();
        ib[i] = (int32_t)(rnd() >> 4) - (1 << 27);
        bytes[i] = (uint8_t)rnd();
        sa[i] = (int16_t)rnd();
        sb[i] = (int16_t)rnd();
    }
    printf("dot=%.1f\n", dot(N, xs, ys));
    memcpy(out, ys, sizeof out);
    saxpy(N, 1.375f, xs, out);
    uint32_t h = 2166136261u;
    for (int i = 0; i < N; i++) {
        uint32_t bits;
        memcpy(&bits, &out[i], 4);
        h = mix(h, bits);
    }
    printf("saxpy: out[0]=%.4f out[%d]=%.4f bits-hash=%08x\n", out[0], N - 1, out[N - 1], h);
    float fmn, fmx;
    fminmax(N, out, &fmn, &fmx);
    printf("fminmax: %.4f %.4f\n", fmn, fmx);
    printf("idot=%lld checksum=%08x\n", (long long)idot(N, ia, ib), checksum(N, ia));
    int32_t mn, mx;
    minmax(N, ia, &mn, &mx);
    printf("minmax: %d %d\n", mn, mx);
    transform(N, bytes, bout);
    h = 2166136261u;
    for (int i = 0; i < N; i++) h = mix(h, bout[i]);
    printf("transform: hash=%08x max=%u sum=%u\n", h, umax8(N, bout), sum_bytes(N, bout));
    uint32_t hist[16];
    histogram(N, bytes, hist);
    printf("histogram:");
    for (int i = 0; i < 16; i++) printf(" %u", hist[i]);
    printf("\nsad16=%d\n", sad16(N, sa, sb));
    narrow(N, ia, sa);
    h = 2166136261u;
    for (int i = 0; i < N; i++) h = mix(h, (uint16_t)sa[i]);
    printf("narrow: hash=%08x first=%d\n", h, sa[0]);
    select_add(N, ia, ib, ic);
    printf("select: checksum=%08x\n", checksum(N, ic));
    int_to_float(N, ib, out);
    float_to_int(N, out, ic);
    printf("convert: checksum=%08x out[5]=%.1f\n", checksum(N, ic), out[5]);
    return 0;
}
