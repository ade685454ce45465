// wasm_simd128.h intrinsics against a scalar reference. Every check computes
// its result with plain C; built with -msimd128 it also computes it with the
// intrinsics and prints a MISMATCH line if the two differ. Built natively
// (`cc -O2`, no __wasm_simd128__) only the scalar path exists, so the two
// builds print the same output exactly when the SIMD lowering is right.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#define SIMD 1
#else
#define SIMD 0
#endif

// Lane views of 16 bytes (little-endian, as wasm and the three targets are).
typedef union {
    uint8_t b[16];
    uint16_t u16[8];
    int16_t i16[8];
    uint32_t u32[4];
    int32_t i32[4];
    uint64_t u64[2];
    int64_t i64[2];
    float f32[4];
    double f64[2];
} v16;

static uint32_t seed = 0x9e3779b9u;
static uint32_t rnd(void) {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

// Inputs of the current round: bytes (with edge values mixed in) and floats.
static v16 A, B, C;
static float FA[4], FB[4];
static double DA[2];
static uint8_t MEM[64];
static unsigned failures;

static const float fvals[] = {0.0f,     -0.0f,        1.5f,      -2.5f,         0.5f,  2.5f,     3.5f,
                              -0.5f,    1e10f,        -1e10f,    4294967296.0f, 2147483520.0f,
                              INFINITY, -INFINITY,    1e-40f,    -7.75f,        65504.0f, 123456.7f,
                              -1.0f,    3000000000.0f, 0.3f,      -3.5f};
static const double dvals[] = {0.0, -0.0, 1.5, -2.5, 4294967295.0, 4294967296.0, -1.0, 2147483647.9,
                               -2147483648.9, 1e300, -1e300, INFINITY, -INFINITY, 0.49999999999999994, 7.5};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void new_round(int r) {
    static const uint8_t edge[] = {0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x40, 0x10, 0x0f, 0xc0};
    for (int i = 0; i < 16; i++) {
        A.b[i] = r == 0 ? edge[i % COUNT(edge)] : (uint8_t)rnd();
        B.b[i] = r == 0 ? edge[(i * 5 + 3) % COUNT(edge)] : (rnd() & 3) == 0 ? edge[rnd() % COUNT(edge)] : (uint8_t)rnd();
        C.b[i] = (uint8_t)rnd();
    }
    for (int i = 0; i < 4; i++) {
        FA[i] = fvals[(r * 4 + i) % COUNT(fvals)];
        FB[i] = fvals[rnd() % COUNT(fvals)];
    }
    for (int i = 0; i < 2; i++) DA[i] = dvals[(r * 2 + i) % COUNT(dvals)];
    for (int i = 0; i < 64; i++) MEM[i] = (uint8_t)rnd();
}

static void print_hex(const char *name, const v16 *v) {
    printf("%-16s", name);
    for (int i = 15; i >= 0; i--) printf("%02x%s", v->b[i], i % 4 == 0 && i ? "_" : "");
    printf("\n");
}

#if SIMD
static v128_t ld(const v16 *v) { return wasm_v128_load(v->b); }
static v16 st(v128_t x) {
    v16 r;
    wasm_v128_store(r.b, x);
    return r;
}
#define CHECK(name, scalar, simd)                                                                                   \
    do {                                                                                                            \
        v16 s_ = (scalar), w_ = (simd);                                                                             \
        if (memcmp(&s_, &w_, 16)) {                                                                                 \
            failures++;                                                                                             \
            print_hex("MISMATCH " name, &w_);                                                                        \
        }                                                                                                           \
        print_hex(name, &s_);                                                                                       \
    } while (0)
#else
#define CHECK(name, scalar, simd)                                                                                   \
    do {                                                                                                            \
        v16 s_ = (scalar);                                                                                          \
        print_hex(name, &s_);                                                                                       \
    } while (0)
#endif

// ---- scalar references ----
static int sat8(int x) { return x > 127 ? 127 : x < -128 ? -128 : x; }
static int satu8(int x) { return x > 255 ? 255 : x < 0 ? 0 : x; }
static int sat16(int x) { return x > 32767 ? 32767 : x < -32768 ? -32768 : x; }
static int satu16(int x) { return x > 65535 ? 65535 : x < 0 ? 0 : x; }

static int32_t trunc_sat_s32(double x) {
    if (x != x) return 0;
    if (x <= -2147483648.0) return INT32_MIN;
    if (x >= 2147483648.0) return INT32_MAX;
    return (int32_t)x;
}
static uint32_t trunc_sat_u32(double x) {
    if (x != x || x <= -1.0) return 0;
    if (x >= 4294967296.0) return UINT32_MAX;
    return (uint32_t)x;
}
static float fmin0(float a, float b) { // wasm min without NaN inputs: -0 < +0
    if (a == b) return signbit(a) ? a : b;
    return a < b ? a : b;
}

static v16 s_shuffle(void) {
    static const int idx[16] = {0, 17, 2, 19, 31, 30, 8, 8, 15, 16, 1, 22, 7, 7, 28, 3};
    v16 r;
    for (int i = 0; i < 16; i++) r.b[i] = idx[i] < 16 ? A.b[idx[i]] : B.b[idx[i] - 16];
    return r;
}
// Indices 0-23 plus one of 200+: those >= 16 select zero.
static v16 s_swizzle_idx(void) {
    v16 r;
    for (int i = 0; i < 16; i++) r.b[i] = (uint8_t)(C.b[i] % 24 + (i == 5 ? 200 : 0));
    return r;
}
static v16 s_swizzle(void) {
    v16 r, idx = s_swizzle_idx();
    for (int i = 0; i < 16; i++) r.b[i] = idx.b[i] < 16 ? A.b[idx.b[i]] : 0;
    return r;
}
static v16 s_sat8(void) {
    v16 r;
    for (int i = 0; i < 16; i++)
        r.b[i] = i < 8 ? (uint8_t)sat8((int8_t)A.b[i] + (int8_t)B.b[i]) : (uint8_t)satu8(A.b[i] - B.b[i]);
    return r;
}
static v16 s_sat16(void) {
    v16 r;
    const int16_t *a = A.i16, *b = B.i16;
    const uint16_t *ua = A.u16, *ub = B.u16;
    for (int i = 0; i < 4; i++) r.i16[i] = (int16_t)sat16(a[i] - b[i]);
    for (int i = 4; i < 8; i++) r.u16[i] = (uint16_t)satu16(ua[i] + ub[i]);
    return r;
}
static v16 s_narrow(void) {
    v16 r;
    int16_t *a = A.i16;
    int32_t *b = B.i32;
    for (int i = 0; i < 8; i++) r.b[i] = (uint8_t)sat8(a[i]);
    for (int i = 0; i < 4; i++) r.u16[4 + i] = (uint16_t)(b[i] > 65535 ? 65535 : b[i] < 0 ? 0 : b[i]);
    return r;
}
static v16 s_narrow_u8(void) {
    v16 r;
    int16_t *a = A.i16, *b = B.i16;
    for (int i = 0; i < 8; i++) r.b[i] = (uint8_t)satu8(a[i]), r.b[8 + i] = (uint8_t)satu8(b[i]);
    return r;
}
static v16 s_extend(void) {
    v16 r;
    for (int i = 0; i < 4; i++) r.i16[i] = (int8_t)A.b[i];
    for (int i = 0; i < 2; i++) r.u32[2 + i] = B.u16[6 + i];
    return r;
}
static v16 s_extend64(void) {
    v16 r;
    for (int i = 0; i < 2; i++) r.i64[i] = A.i32[2 + i];
    return r;
}
static v16 s_cmp_mask(void) {
    v16 r;
    memset(&r, 0, 16);
    int m8 = 0, m16 = 0, m32 = 0, m64 = 0;
    for (int i = 0; i < 16; i++) m8 |= ((int8_t)A.b[i] > (int8_t)B.b[i]) << i;
    for (int i = 0; i < 8; i++) m16 |= (A.u16[i] < B.u16[i]) << i;
    for (int i = 0; i < 4; i++) m32 |= (FA[i] < FB[i]) << i;
    for (int i = 0; i < 2; i++) m64 |= (A.i64[i] >= B.i64[i]) << i;
    r.u16[0] = (uint16_t)m8;
    r.b[2] = (uint8_t)m16, r.b[3] = (uint8_t)m32, r.b[4] = (uint8_t)m64;
    int any = 0, all = 1;
    for (int i = 0; i < 4; i++) any |= A.u32[i] & C.u32[i], all &= A.u32[i] != 0;
    r.b[5] = any != 0, r.b[6] = (uint8_t)all;
    int neq = 0;
    for (int i = 0; i < 4; i++) neq |= (FA[i] != FB[i]) << i; // NaN != NaN
    r.b[7] = (uint8_t)neq;
    return r;
}
static v16 s_cmp_vec(void) {
    v16 r;
    for (int i = 0; i < 4; i++) r.i32[i] = A.i32[i] <= B.i32[i] ? -1 : 0;
    return r;
}
static v16 s_load_lanes(void) {
    v16 r = A;
    r.b[3] = MEM[5];
    memcpy(&r.b[6], &MEM[9], 2);
    memcpy(&r.b[8], &MEM[17], 4);
    return r;
}
static v16 s_load64_lane(void) {
    v16 r = B;
    memcpy(&r.b[8], &MEM[33], 8);
    return r;
}
static v16 s_load_zero(void) {
    v16 r;
    memset(&r, 0, 16);
    memcpy(&r.b[0], &MEM[3], 4);
    memcpy(&r.b[8], &MEM[20], 4); // low 4 of a load64_zero at MEM+20 shifted by 8: see simd
    return r;
}
static v16 s_splats(void) {
    v16 r;
    for (int i = 0; i < 8; i++) r.b[i] = MEM[7];
    for (int i = 4; i < 8; i++) memcpy(&r.b[2 * i], &MEM[11], 2);
    return r;
}
static v16 s_load_ext(void) {
    v16 r;
    for (int i = 0; i < 4; i++) r.i16[i] = (int8_t)MEM[1 + i];
    for (int i = 0; i < 2; i++) {
        uint16_t u;
        memcpy(&u, &MEM[13 + 2 * i], 2);
        r.u32[2 + i] = u;
    }
    return r;
}
static v16 s_load32x2(void) {
    v16 r;
    for (int i = 0; i < 2; i++) {
        int32_t x;
        memcpy(&x, &MEM[41 + 4 * i], 4);
        r.i64[i] = x;
    }
    return r;
}
static v16 s_store_lanes(void) {
    v16 r;
    memset(&r, 0xaa, 16);
    r.b[1] = A.b[9];
    memcpy(&r.b[2], &A.b[6], 2);
    memcpy(&r.b[4], &A.b[12], 4);
    memcpy(&r.b[8], &A.b[0], 8);
    return r;
}
static v16 s_dot(void) {
    v16 r;
    for (int i = 0; i < 4; i++)
        r.i32[i] = (int32_t)((uint32_t)(A.i16[2 * i] * B.i16[2 * i]) +
                                         (uint32_t)(A.i16[2 * i + 1] * B.i16[2 * i + 1]));
    return r;
}
static v16 s_extmul16(void) {
    v16 r;
    for (int i = 0; i < 8; i++) r.i16[i] = (int16_t)((int8_t)A.b[i] * (int8_t)B.b[i]);
    return r;
}
static v16 s_extmul32(void) {
    v16 r;
    for (int i = 0; i < 4; i++) r.u32[i] = (uint32_t)A.u16[4 + i] * B.u16[4 + i];
    return r;
}
static v16 s_extmul64(void) {
    v16 r;
    r.i64[0] = (int64_t)A.i32[0] * B.i32[0];
    r.u64[1] = (uint64_t)A.u32[3] * B.u32[3];
    return r;
}
static v16 s_extadd(void) {
    v16 r;
    for (int i = 0; i < 4; i++) r.i16[i] = (int16_t)((int8_t)A.b[2 * i] + (int8_t)A.b[2 * i + 1]);
    for (int i = 2; i < 4; i++)
        r.u32[i] = (uint32_t)B.u16[2 * i] + B.u16[2 * i + 1];
    return r;
}
static v16 s_q15(void) {
    v16 r;
    for (int i = 0; i < 8; i++) {
        int32_t p = A.i16[i] * B.i16[i];
        r.i16[i] = (int16_t)sat16((p + 0x4000) >> 15);
    }
    return r;
}
static v16 s_misc8(void) {
    v16 r;
    for (int i = 0; i < 16; i++) {
        int a = (int8_t)A.b[i], b = (int8_t)B.b[i];
        switch (i % 4) {
        case 0: r.b[i] = (uint8_t)__builtin_popcount(A.b[i]); break;
        case 1: r.b[i] = (uint8_t)((A.b[i] + B.b[i] + 1) >> 1); break;
        case 2: r.b[i] = (uint8_t)(a < 0 ? -a : a); break;
        default: r.b[i] = (uint8_t)(a < b ? a : b); break;
        }
    }
    return r;
}
static v16 s_shifts(void) {
    v16 r;
    unsigned n = C.b[0];
    for (int i = 0; i < 4; i++) r.b[i] = (uint8_t)(A.b[i] << (n % 8));
    for (int i = 2; i < 4; i++) r.i16[i] = (int16_t)(A.i16[i] >> (n % 16));
    r.u32[2] = A.u32[2] >> (n % 32);
    r.i32[3] = (int32_t)(((int64_t)B.i32[0] << 32 | A.u32[3]) >> (n % 64));
    return r;
}
static v16 s_mul(void) {
    v16 r;
    for (int i = 0; i < 4; i++) r.u16[i] = (uint16_t)(A.u16[i] * B.u16[i]);
    r.u64[1] = A.u64[1] * B.u64[1];
    return r;
}
static v16 s_bitsel(void) {
    v16 r;
    for (int i = 0; i < 16; i++) r.b[i] = (uint8_t)(i < 8 ? (A.b[i] & C.b[i]) | (B.b[i] & ~C.b[i]) : A.b[i] & ~B.b[i]);
    return r;
}
static v16 s_conv(void) {
    v16 r;
    for (int i = 0; i < 2; i++) r.i32[i] = trunc_sat_s32(FA[i]);
    for (int i = 2; i < 4; i++) r.u32[i] = trunc_sat_u32(FA[i]);
    return r;
}
static v16 s_conv_zero(void) {
    v16 r;
    memset(&r, 0, 16);
    r.i32[0] = trunc_sat_s32(DA[0]);
    r.i32[1] = trunc_sat_s32(DA[1]);
    r.u32[2] = trunc_sat_u32(DA[0]);
    r.u32[3] = trunc_sat_u32(DA[1]);
    return r;
}
static v16 s_int_to_float(void) {
    v16 r;
    for (int i = 0; i < 2; i++) r.f32[i] = (float)A.i32[i];
    for (int i = 2; i < 4; i++) r.f32[i] = (float)A.u32[i];
    return r;
}
static v16 s_to_double(void) {
    v16 r;
    r.f64[0] = (double)B.i32[1];
    r.f64[1] = (double)B.u32[0];
    return r;
}
static v16 s_promote_demote(void) {
    v16 r;
    memset(&r, 0, 16);
    r.f32[0] = (float)(DA[0] * 1.0000001);
    r.f32[1] = (float)DA[1];
    r.f32[2] = (float)((double)FA[1] * 0.1);
    return r;
}
static v16 s_float_ops(void) {
    v16 r;
    float x = fabsf(FA[0]) < 1e9f ? FA[0] : 2.25f;
    r.f32[0] = __builtin_sqrtf(fabsf(x));
    r.f32[1] = __builtin_rintf(x);
    r.f32[2] = __builtin_floorf(x) + __builtin_ceilf(x);
    r.f32[3] = __builtin_truncf(x) / 3.0f;
    return r;
}
static v16 s_fminmax(void) {
    v16 r;
    float a[4] = {0.0f, -0.0f, 1.5f, -2.5f}, b[4] = {-0.0f, 0.0f, -1.5f, FA[2] != FA[2] ? 0.0f : 1.0f};
    for (int i = 0; i < 2; i++) r.f32[i] = fmin0(a[i], b[i]);
    r.f32[2] = b[2] < a[2] ? b[2] : a[2]; // pmin
    r.f32[3] = a[3] < b[3] ? b[3] : a[3]; // pmax
    return r;
}
static v16 s_lanes(void) {
    v16 r = B;
    r.b[4] = A.b[15];
    r.i16[3] = (int16_t)((int8_t)A.b[3] + (uint8_t)A.b[2]);
    r.i32[3] = A.i16[5] + (int32_t)A.u16[4];
    return r;
}

#if SIMD
static v16 w_shuffle(void) {
    return st(wasm_i8x16_shuffle(ld(&A), ld(&B), 0, 17, 2, 19, 31, 30, 8, 8, 15, 16, 1, 22, 7, 7, 28, 3));
}
static v16 w_swizzle(void) {
    v16 idx = s_swizzle_idx();
    return st(wasm_i8x16_swizzle(ld(&A), ld(&idx)));
}
static v16 w_sat8(void) {
    v128_t s = wasm_i8x16_add_sat(ld(&A), ld(&B)), u = wasm_u8x16_sub_sat(ld(&A), ld(&B));
    return st(wasm_i64x2_shuffle(s, u, 0, 3));
}
static v16 w_sat16(void) {
    v128_t s = wasm_i16x8_sub_sat(ld(&A), ld(&B)), u = wasm_u16x8_add_sat(ld(&A), ld(&B));
    return st(wasm_i64x2_shuffle(s, u, 0, 3));
}
static v16 w_narrow(void) {
    v128_t a = wasm_i8x16_narrow_i16x8(ld(&A), ld(&A)), b = wasm_u16x8_narrow_i32x4(ld(&B), ld(&B));
    return st(wasm_i64x2_shuffle(a, b, 0, 3));
}
static v16 w_narrow_u8(void) { return st(wasm_u8x16_narrow_i16x8(ld(&A), ld(&B))); }
static v16 w_extend(void) {
    v128_t a = wasm_i16x8_extend_low_i8x16(ld(&A)), b = wasm_u32x4_extend_high_u16x8(ld(&B));
    return st(wasm_i64x2_shuffle(a, b, 0, 3));
}
static v16 w_extend64(void) { return st(wasm_i64x2_extend_high_i32x4(ld(&A))); }
static v16 w_cmp_mask(void) {
    v128_t fa = wasm_v128_load(FA), fb = wasm_v128_load(FB);
    int m8 = wasm_i8x16_bitmask(wasm_i8x16_gt(ld(&A), ld(&B)));
    int m16 = wasm_i16x8_bitmask(wasm_u16x8_lt(ld(&A), ld(&B)));
    int m32 = wasm_i32x4_bitmask(wasm_f32x4_lt(fa, fb));
    int m64 = wasm_i64x2_bitmask(wasm_i64x2_ge(ld(&A), ld(&B)));
    int any = wasm_v128_any_true(wasm_v128_and(ld(&A), ld(&C)));
    int all = wasm_i32x4_all_true(ld(&A));
    int neq = wasm_i32x4_bitmask(wasm_f32x4_ne(fa, fb));
    v128_t r = wasm_i16x8_replace_lane(wasm_i64x2_const(0, 0), 0, m8);
    r = wasm_i8x16_replace_lane(r, 2, m16);
    r = wasm_i8x16_replace_lane(r, 3, m32);
    r = wasm_i8x16_replace_lane(r, 4, m64);
    r = wasm_i8x16_replace_lane(r, 5, any);
    r = wasm_i8x16_replace_lane(r, 6, all);
    return st(wasm_i8x16_replace_lane(r, 7, neq));
}
static v16 w_cmp_vec(void) { return st(wasm_i32x4_le(ld(&A), ld(&B))); }
static v16 w_load_lanes(void) {
    v128_t r = wasm_v128_load8_lane(&MEM[5], ld(&A), 3);
    r = wasm_v128_load16_lane(&MEM[9], r, 3);
    return st(wasm_v128_load32_lane(&MEM[17], r, 2));
}
static v16 w_load64_lane(void) { return st(wasm_v128_load64_lane(&MEM[33], ld(&B), 1)); }
static v16 w_load_zero(void) {
    v128_t a = wasm_v128_load32_zero(&MEM[3]), b = wasm_v128_load64_zero(&MEM[20]);
    // b's high half is zero; keep its low 4 bytes in lane 2, zero lane 3.
    return st(wasm_i32x4_shuffle(a, b, 0, 1, 4, 7));
}
static v16 w_splats(void) {
    v128_t a = wasm_v128_load8_splat(&MEM[7]), b = wasm_v128_load16_splat(&MEM[11]);
    return st(wasm_i64x2_shuffle(a, b, 0, 3));
}
static v16 w_load_ext(void) {
    v128_t a = wasm_i16x8_load8x8(&MEM[1]), b = wasm_u32x4_load16x4(&MEM[9]);
    return st(wasm_i64x2_shuffle(a, b, 0, 3));
}
static v16 w_load32x2(void) { return st(wasm_i64x2_load32x2(&MEM[41])); }
static v16 w_store_lanes(void) {
    v16 r;
    memset(&r, 0xaa, 16);
    v128_t a = ld(&A);
    wasm_v128_store8_lane(&r.b[1], a, 9);
    wasm_v128_store16_lane(&r.b[2], a, 3);
    wasm_v128_store32_lane(&r.b[4], a, 3);
    wasm_v128_store64_lane(&r.b[8], a, 0);
    return r;
}
static v16 w_dot(void) { return st(wasm_i32x4_dot_i16x8(ld(&A), ld(&B))); }
static v16 w_extmul16(void) { return st(wasm_i16x8_extmul_low_i8x16(ld(&A), ld(&B))); }
static v16 w_extmul32(void) { return st(wasm_u32x4_extmul_high_u16x8(ld(&A), ld(&B))); }
static v16 w_extmul64(void) {
    v128_t lo = wasm_i64x2_extmul_low_i32x4(ld(&A), ld(&B)), hi = wasm_u64x2_extmul_high_u32x4(ld(&A), ld(&B));
    return st(wasm_i64x2_shuffle(lo, hi, 0, 3));
}
static v16 w_extadd(void) {
    v128_t a = wasm_i16x8_extadd_pairwise_i8x16(ld(&A)), b = wasm_u32x4_extadd_pairwise_u16x8(ld(&B));
    return st(wasm_i64x2_shuffle(a, b, 0, 3));
}
static v16 w_q15(void) { return st(wasm_i16x8_q15mulr_sat(ld(&A), ld(&B))); }
static v16 w_misc8(void) {
    v128_t a = ld(&A), b = ld(&B);
    v128_t pop = wasm_i8x16_popcnt(a), avg = wasm_u8x16_avgr(a, b), abs = wasm_i8x16_abs(a), mn = wasm_i8x16_min(a, b);
    v128_t lo = wasm_i8x16_shuffle(pop, avg, 0, 17, 0, 0, 4, 21, 0, 0, 8, 25, 0, 0, 12, 29, 0, 0);
    v128_t hi = wasm_i8x16_shuffle(abs, mn, 2, 19, 0, 0, 6, 23, 0, 0, 10, 27, 0, 0, 14, 31, 0, 0);
    return st(wasm_i8x16_shuffle(lo, hi, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29));
}
static v16 w_shifts(void) {
    unsigned n = C.b[0];
    v128_t a = ld(&A);
    v128_t s8 = wasm_i8x16_shl(a, n), s16 = wasm_i16x8_shr(a, n), s32 = wasm_u32x4_shr(a, n);
    v128_t wide = wasm_i32x4_shuffle(ld(&A), ld(&B), 3, 4, 3, 4); // lane 1 of i64: A[3] | B[0] << 32
    v128_t s64 = wasm_i64x2_shr(wide, n);
    v128_t r = wasm_i32x4_shuffle(s8, s16, 0, 5, 0, 0);
    return st(wasm_i32x4_shuffle(r, wasm_i32x4_shuffle(s32, s64, 2, 4, 2, 2), 0, 1, 4, 5));
}
static v16 w_mul(void) {
    v128_t a = wasm_i16x8_mul(ld(&A), ld(&B)), b = wasm_i64x2_mul(ld(&A), ld(&B));
    return st(wasm_i64x2_shuffle(a, b, 0, 3));
}
static v16 w_bitsel(void) {
    v128_t s = wasm_v128_bitselect(ld(&A), ld(&B), ld(&C)), n = wasm_v128_andnot(ld(&A), ld(&B));
    return st(wasm_i64x2_shuffle(s, n, 0, 3));
}
static v16 w_conv(void) {
    v128_t f = wasm_v128_load(FA);
    return st(wasm_i64x2_shuffle(wasm_i32x4_trunc_sat_f32x4(f), wasm_u32x4_trunc_sat_f32x4(f), 0, 3));
}
static v16 w_conv_zero(void) {
    v128_t d = wasm_v128_load(DA);
    return st(wasm_i64x2_shuffle(wasm_i32x4_trunc_sat_f64x2_zero(d), wasm_u32x4_trunc_sat_f64x2_zero(d), 0, 2));
}
static v16 w_int_to_float(void) {
    v128_t a = ld(&A);
    return st(wasm_i64x2_shuffle(wasm_f32x4_convert_i32x4(a), wasm_f32x4_convert_u32x4(a), 0, 3));
}
static v16 w_to_double(void) {
    v128_t b = ld(&B);
    v128_t s = wasm_f64x2_convert_low_i32x4(b), u = wasm_f64x2_convert_low_u32x4(b);
    return st(wasm_i64x2_shuffle(s, u, 1, 2));
}
static v16 w_promote_demote(void) {
    v128_t d = wasm_f64x2_mul(wasm_v128_load(DA), wasm_f64x2_make(1.0000001, 1.0));
    v128_t f = wasm_f32x4_demote_f64x2_zero(d);
    v128_t p = wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_v128_load(FA)), wasm_f64x2_splat(0.1));
    v128_t q = wasm_f32x4_demote_f64x2_zero(wasm_i64x2_shuffle(p, p, 1, 1));
    return st(wasm_i32x4_shuffle(f, q, 0, 1, 4, 7));
}
static v16 w_float_ops(void) {
    float x = fabsf(FA[0]) < 1e9f ? FA[0] : 2.25f;
    v128_t v = wasm_f32x4_splat(x);
    v128_t sq = wasm_f32x4_sqrt(wasm_f32x4_abs(v)), ne = wasm_f32x4_nearest(v);
    v128_t fc = wasm_f32x4_add(wasm_f32x4_floor(v), wasm_f32x4_ceil(v));
    v128_t tr = wasm_f32x4_div(wasm_f32x4_trunc(v), wasm_f32x4_splat(3.0f));
    return st(wasm_i32x4_shuffle(wasm_i32x4_shuffle(sq, ne, 0, 5, 0, 0), wasm_i32x4_shuffle(fc, tr, 2, 7, 0, 0), 0, 1,
                                 4, 5));
}
static v16 w_fminmax(void) {
    v128_t a = wasm_f32x4_make(0.0f, -0.0f, 1.5f, -2.5f);
    v128_t b = wasm_f32x4_make(-0.0f, 0.0f, -1.5f, FA[2] != FA[2] ? 0.0f : 1.0f);
    v128_t mn = wasm_f32x4_min(a, b), pmn = wasm_f32x4_pmin(a, b), pmx = wasm_f32x4_pmax(a, b);
    return st(wasm_i32x4_shuffle(wasm_i32x4_shuffle(mn, pmn, 0, 1, 6, 6), pmx, 0, 1, 2, 7));
}
static v16 w_lanes(void) {
    v128_t a = ld(&A);
    v128_t r = wasm_i8x16_replace_lane(ld(&B), 4, wasm_u8x16_extract_lane(a, 15));
    r = wasm_i16x8_replace_lane(r, 3, (int16_t)(wasm_i8x16_extract_lane(a, 3) + wasm_u8x16_extract_lane(a, 2)));
    return st(wasm_i32x4_replace_lane(r, 3, wasm_i16x8_extract_lane(a, 5) + wasm_u16x8_extract_lane(a, 4)));
}
#endif

int main(void) {
    for (int r = 0; r < 12; r++) {
        new_round(r);
        printf("round %d\n", r);
        CHECK("shuffle", s_shuffle(), w_shuffle());
        CHECK("swizzle", s_swizzle(), w_swizzle());
        CHECK("sat8", s_sat8(), w_sat8());
        CHECK("sat16", s_sat16(), w_sat16());
        CHECK("narrow", s_narrow(), w_narrow());
        CHECK("narrow_u8", s_narrow_u8(), w_narrow_u8());
        CHECK("extend", s_extend(), w_extend());
        CHECK("extend64", s_extend64(), w_extend64());
        CHECK("cmp_mask", s_cmp_mask(), w_cmp_mask());
        CHECK("cmp_vec", s_cmp_vec(), w_cmp_vec());
        CHECK("load_lanes", s_load_lanes(), w_load_lanes());
        CHECK("load64_lane", s_load64_lane(), w_load64_lane());
        CHECK("load_zero", s_load_zero(), w_load_zero());
        CHECK("splats", s_splats(), w_splats());
        CHECK("load_ext", s_load_ext(), w_load_ext());
        CHECK("load32x2", s_load32x2(), w_load32x2());
        CHECK("store_lanes", s_store_lanes(), w_store_lanes());
        CHECK("dot", s_dot(), w_dot());
        CHECK("extmul16", s_extmul16(), w_extmul16());
        CHECK("extmul32", s_extmul32(), w_extmul32());
        CHECK("extmul64", s_extmul64(), w_extmul64());
        CHECK("extadd", s_extadd(), w_extadd());
        CHECK("q15mulr", s_q15(), w_q15());
        CHECK("misc8", s_misc8(), w_misc8());
        CHECK("shifts", s_shifts(), w_shifts());
        CHECK("mul", s_mul(), w_mul());
        CHECK("bitselect", s_bitsel(), w_bitsel());
        CHECK("trunc_sat", s_conv(), w_conv());
        CHECK("trunc_zero", s_conv_zero(), w_conv_zero());
        CHECK("int_to_float", s_int_to_float(), w_int_to_float());
        CHECK("to_double", s_to_double(), w_to_double());
        CHECK("demote", s_promote_demote(), w_promote_demote());
        CHECK("float_ops", s_float_ops(), w_float_ops());
        CHECK("fminmax", s_fminmax(), w_fminmax());
        CHECK("lanes", s_lanes(), w_lanes());
    }
    printf("failures: %u\n", failures);
    return failures != 0;
}
