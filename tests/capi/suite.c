/* The C API test suite: drives wasmc.h and the generated headers of five
 * modules (calc, gcm, counter, wasi, simd) linked as static libraries. Run
 * plainly, under valgrind and built with AddressSanitizer by
 * tests/capi/main.rs. Prints "N passed, N failed". */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

static int passed, failed;

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (cond) {                                                                     \
            passed++;                                                                   \
        } else {                                                                        \
            failed++;                                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                               \
    } while (0)

/* A call that must succeed. */
#define OK(call)                                                                        \
    do {                                                                                \
        wasmc_error_t *e_ = (call);                                                     \
        if (e_ != NULL) {                                                               \
            failed++;                                                                   \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call,        \
                    wasmc_error_report(e_));                                            \
            wasmc_error_delete(e_);                                                     \
        } else {                                                                        \
            passed++;                                                                   \
        }                                                                               \
    } while (0)

/* A call that must fail with `kind`; the error is deleted. */
#define FAILS(call, kind)                                                               \
    do {                                                                                \
        wasmc_error_t *e_ = (call);                                                     \
        if (e_ == NULL || wasmc_error_kind(e_) != (kind)) {                             \
            failed++;                                                                   \
            fprintf(stderr, "%s:%d: %s: expected error kind %d, got %s\n", __FILE__,    \
                    __LINE__, #call, (int)(kind), e_ ? wasmc_error_report(e_) : "success"); \
        } else {                                                                        \
            passed++;                                                                   \
        }                                                                               \
        wasmc_error_delete(e_);                                                         \
    } while (0)

static wasmc_val_t i32v(int32_t x) {
    wasmc_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = WASMC_I32;
    v.of.i32 = x;
    return v;
}

static calc_instance_t *new_calc(wasmc_store_t *store, struct host_state *state) {
    wasmc_instance_config_t config = {0};
    config.data = state;
    calc_instance_t *c = NULL;
    OK(calc_instance_new(store, &config, &c));
    return c;
}

static void test_typed_calls(void) {
    struct host_state st = {0};
    calc_instance_t *c = new_calc(NULL, &st);
    int32_t r = 0;
    OK(calc_add(c, 2, 40, &r));
    CHECK(r == 42);
    OK(calc_sq(c, -7, &r));
    CHECK(r == 49);
    double d = 0;
    int64_t l = 0;
    OK(calc_mix(c, 5, 1LL << 40, 1.5f, 2.25, &d, &l, &r));
    CHECK(d == 3.75 && l == (1LL << 41) && r == -5);
    OK(calc_mix(c, 1, 2, 3, 4, NULL, NULL, NULL)); /* results may be ignored */
    wasmc_val_t v;
    OK(wasmc_global_get(calc_counter(c), &v));
    CHECK(v.kind == WASMC_I32 && v.of.i32 == 1);
    /* Host imports: a plain one, one with two results, one reached by a
     * tail call (its caller's frame is gone), one calling back into wasm. */
    OK(calc_log_it(c, 77));
    CHECK(st.last_log == 77 && st.logs == 1);
    OK(calc_pair_sum(c, 10, &d));
    CHECK(d == 16.0);
    OK(calc_twice_tail(c, 21, &r));
    CHECK(r == 43 && st.twice_calls == 1);
    for (int i = 0; i < 10000; i++) OK(calc_twice_tail(c, i, &r));
    CHECK(r == 2 * 9999 + 1 && st.twice_calls == 10001);
    OK(calc_reenter(c, 5, &r));
    CHECK(r == 1005);
    CHECK(wasmc_instance_data(calc_instance_base(c)) == &st);
    calc_instance_delete(c);
}

static void test_dynamic_calls(void) {
    calc_instance_t *c = new_calc(NULL, NULL);
    wasmc_instance_t *i = calc_instance_base(c);
    wasmc_val_t args[2] = {i32v(20), i32v(22)}, res[1];
    OK(wasmc_instance_call(i, "add", args, 2, res, 1));
    CHECK(res[0].kind == WASMC_I32 && res[0].of.i32 == 42);

    const wasmc_func_t *mix = wasmc_instance_func(i, "mix");
    CHECK(mix != NULL);
    CHECK(wasmc_func_param_count(mix) == 4 && wasmc_func_result_count(mix) == 3);
    CHECK(wasmc_func_param_kind(mix, 1) == WASMC_I64 && wasmc_func_param_kind(mix, 2) == WASMC_F32);
    CHECK(wasmc_func_result_kind(mix, 0) == WASMC_F64 && wasmc_func_result_kind(mix, 3) == 0);
    wasmc_val_t margs[4], mres[3];
    memset(margs, 0, sizeof margs);
    margs[0] = i32v(3);
    margs[1].kind = WASMC_I64;
    margs[1].of.i64 = -4;
    margs[2].kind = WASMC_F32;
    margs[2].of.f32 = 0.5f;
    margs[3].kind = WASMC_F64;
    margs[3].of.f64 = 1.0;
    OK(wasmc_func_call(mix, margs, 4, mres, 3));
    CHECK(mres[0].of.f64 == 1.5 && mres[1].of.i64 == -8 && mres[2].of.i32 == -3);

    /* Wrong counts, kinds, names, instances: errors, never crashes. */
    FAILS(wasmc_instance_call(i, "add", args, 1, res, 1), WASMC_ERROR_ARGUMENT);
    FAILS(wasmc_instance_call(i, "add", args, 2, res, 0), WASMC_ERROR_ARGUMENT);
    args[1].kind = WASMC_I64;
    FAILS(wasmc_instance_call(i, "add", args, 2, res, 1), WASMC_ERROR_ARGUMENT);
    args[1].kind = 1234;
    FAILS(wasmc_instance_call(i, "add", args, 2, res, 1), WASMC_ERROR_ARGUMENT);
    FAILS(wasmc_instance_call(i, "nope", args, 2, res, 1), WASMC_ERROR_NOT_FOUND);
    FAILS(wasmc_instance_call(i, "memory", args, 2, res, 1), WASMC_ERROR_NOT_FOUND);
    FAILS(wasmc_instance_call(NULL, "add", args, 2, res, 1), WASMC_ERROR_ARGUMENT);
    FAILS(wasmc_instance_call(i, NULL, args, 2, res, 1), WASMC_ERROR_ARGUMENT);
    FAILS(wasmc_func_call(NULL, args, 2, res, 1), WASMC_ERROR_ARGUMENT);
    CHECK(wasmc_instance_func(i, "nope") == NULL && wasmc_instance_func(i, "counter") == NULL);
    /* A typed function of calc given an instance of another module. */
    counter_instance_t *k = NULL;
    OK(counter_instance_new(NULL, NULL, &k));
    FAILS(calc_add((calc_instance_t *)k, 1, 2, NULL), WASMC_ERROR_ARGUMENT);
    counter_instance_delete(k);
    calc_instance_delete(c);
}

static int has_frame(const wasmc_error_t *e, const char *name) {
    for (size_t f = 0; f < wasmc_error_frame_count(e); f++)
        if (strcmp(wasmc_error_frame_name(e, f), name) == 0) return 1;
    return 0;
}

static void expect_trap(wasmc_error_t *e, wasmc_trap_t trap, const char *frame, const char *message, int line) {
    if (e == NULL || wasmc_error_kind(e) != WASMC_ERROR_TRAP || wasmc_error_trap(e) != trap ||
        (frame && !has_frame(e, frame)) || (message && strcmp(wasmc_error_message(e), message) != 0)) {
        failed++;
        fprintf(stderr, "%s:%d: expected trap %u in %s, got %s\n", __FILE__, line, trap, frame ? frame : "-",
                e ? wasmc_error_report(e) : "success");
    } else {
        passed++;
    }
    wasmc_error_delete(e);
}

static void test_traps(void) {
    calc_instance_t *c = new_calc(NULL, NULL);
    int32_t r = 0;
    expect_trap(calc_div(c, 1, 0, &r), WASMC_TRAP_INTEGER_DIVISION_BY_ZERO, "div", "integer divide by zero", __LINE__);
    expect_trap(calc_div(c, INT_MIN, -1, &r), WASMC_TRAP_INTEGER_OVERFLOW, "div", NULL, __LINE__);
    expect_trap(calc_crash(c), WASMC_TRAP_UNREACHABLE, "crash", "unreachable", __LINE__);
    expect_trap(calc_load(c, 70000, &r), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS, "load", NULL, __LINE__);
    expect_trap(calc_store(c, -1, 5), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS, "store", NULL, __LINE__);
    expect_trap(calc_recurse(c, 1, &r), WASMC_TRAP_STACK_OVERFLOW, "recurse", "call stack exhausted", __LINE__);
    expect_trap(calc_call_table(c, 3, 1, &r), WASMC_TRAP_UNINITIALIZED_ELEMENT, "call_table", NULL, __LINE__);
    expect_trap(calc_call_table(c, 9, 1, &r), WASMC_TRAP_UNDEFINED_ELEMENT, NULL, NULL, __LINE__);
    /* A host function trapping on purpose. */
    wasmc_error_t *e = calc_try_fail(c, 0, &r);
    CHECK(e != NULL && strstr(wasmc_error_report(e), "wasm trap: host refused 0") == wasmc_error_report(e));
    /* Frame 0 is the import the host function was called as, then its wasm
     * callers (wasmc.h, wasmc_error_frame_name). */
    CHECK(e != NULL && wasmc_error_frame_count(e) >= 2 && strcmp(wasmc_error_frame_name(e, 0), "fail") == 0 &&
          strcmp(wasmc_error_frame_name(e, 1), "try_fail") == 0);
    expect_trap(e, WASMC_TRAP_HOST_ERROR, "try_fail", "host refused 0", __LINE__);
    /* The report names the frames. */
    e = calc_div(c, 1, 0, NULL);
    CHECK(e != NULL && strstr(wasmc_error_report(e), "0: div") != NULL);
    CHECK(wasmc_error_frame_name(e, 99) == NULL && wasmc_error_exit_status(e) == 0);
    wasmc_error_delete(e);
    /* The instance keeps working after every trap. */
    OK(calc_try_fail(c, 2, &r));
    CHECK(r == 106);
    OK(calc_add(c, 1, 1, &r));
    CHECK(r == 2);
    calc_instance_delete(c);
}

static void test_memory(void) {
    calc_instance_t *c = new_calc(NULL, NULL);
    wasmc_instance_t *i = calc_instance_base(c);
    wasmc_memory_t m = calc_memory(c), m2;
    CHECK(wasmc_instance_memory(i, NULL, &m2) && m2.index == m.index);
    CHECK(wasmc_instance_memory(i, "memory", &m2) && !wasmc_instance_memory(i, "nope", &m2));
    uint8_t *base = wasmc_memory_data(m);
    CHECK(base != NULL && wasmc_memory_size(m) == 65536);
    /* At and past the bounds. */
    CHECK(wasmc_app_to_native(i, 0, 4) == base);
    CHECK(wasmc_app_to_native(i, 65532, 4) == base + 65532);
    CHECK(wasmc_app_to_native(i, 65533, 4) == NULL);
    CHECK(wasmc_app_to_native(i, 65535, 1) == base + 65535);
    CHECK(wasmc_app_to_native(i, 65536, 1) == NULL);
    CHECK(wasmc_app_to_native(i, 65536, 0) == base + 65536);
    CHECK(wasmc_app_to_native(i, 65537, 0) == NULL);
    CHECK(wasmc_app_to_native(i, UINT64_MAX, 2) == NULL);
    CHECK(wasmc_app_to_native(i, 2, UINT64_MAX) == NULL);
    CHECK(wasmc_memory_app_to_native(m, 100, 10) == base + 100);
    uint64_t off = 1;
    CHECK(wasmc_native_to_app(i, base + 65535, 1, &off) && off == 65535);
    CHECK(!wasmc_native_to_app(i, base + 65535, 2, &off));
    CHECK(!wasmc_native_to_app(i, base - 1, 1, &off));
    CHECK(!wasmc_native_to_app(i, base + 65536, 1, &off));
    CHECK(!wasmc_native_to_app(i, &off, 8, &off));
    CHECK(wasmc_memory_native_to_app(m, base + 8, 8, &off) && off == 8);
    /* Host writes, guest reads, and back. */
    memcpy(base + 100, "\x01\x02\x03\x04", 4);
    int32_t r = 0;
    OK(calc_sum(c, 100, 4, &r));
    CHECK(r == 10);
    OK(calc_store(c, 200, 0x11223344));
    CHECK(*(uint32_t *)wasmc_app_to_native(i, 200, 4) == 0x11223344);
    /* Strings: the terminator must be inside. */
    memcpy(base + 65533, "hi", 3);
    CHECK(wasmc_app_to_native_str(i, 65533) != NULL && strcmp(wasmc_app_to_native_str(i, 65533), "hi") == 0);
    memset(base + 65530, 'x', 6);
    CHECK(wasmc_app_to_native_str(i, 65530) == NULL);
    CHECK(wasmc_app_to_native_str(i, 65536) == NULL);
    /* Growing: pointers stay valid, the bound moves. */
    uint64_t old = 0;
    CHECK(wasmc_memory_grow(m, 1, &old) && old == 1 && wasmc_memory_size(m) == 131072);
    CHECK(wasmc_memory_data(m) == base && wasmc_app_to_native(i, 65536, 4) == base + 65536);
    OK(calc_grow(c, 1, &r));
    CHECK(r == 2 && wasmc_memory_size(m) == 196608);
    CHECK(!wasmc_memory_grow(m, 2, NULL)); /* maximum 4 pages */
    /* A memory handle of no memory. */
    wasmc_memory_t bad = m;
    bad.index = 7;
    CHECK(wasmc_memory_data(bad) == NULL && wasmc_memory_size(bad) == 0 && wasmc_memory_app_to_native(bad, 0, 0) == NULL);
    CHECK(wasmc_app_to_native(NULL, 0, 0) == NULL);
    calc_instance_delete(c);
}

static void test_guest_alloc(void) {
    calc_instance_t *c = new_calc(NULL, NULL);
    wasmc_instance_t *i = calc_instance_base(c);
    uint64_t off = 0;
    void *p = NULL;
    OK(wasmc_guest_alloc(i, 100, &off, &p));
    CHECK(off >= 1024 && p == wasmc_app_to_native(i, off, 100));
    uint64_t back = 0;
    CHECK(wasmc_native_to_app(i, p, 100, &back) && back == off);
    memset(p, 2, 100);
    int32_t r = 0;
    OK(calc_sum(c, (int32_t)off, 100, &r));
    CHECK(r == 200);
    uint64_t off2 = 0;
    OK(wasmc_guest_alloc(i, 8, &off2, NULL));
    CHECK(off2 >= off + 100);
    OK(wasmc_guest_free(i, off));
    OK(wasmc_guest_free(i, off2));
    wasmc_val_t v;
    OK(wasmc_global_get(calc_freed(c), &v));
    CHECK(v.of.i32 == 2);
    /* The guest's allocator says no: an error, not a bad pointer. */
    FAILS(wasmc_guest_alloc(i, 1 << 20, &off, &p), WASMC_ERROR_RESOURCE);
    FAILS(wasmc_guest_alloc(i, 1ULL << 33, &off, &p), WASMC_ERROR_RESOURCE);
    calc_instance_delete(c);
    /* Other names for the allocator. */
    wasmc_instance_config_t config = {0};
    config.malloc_export = "sq"; /* (i32) -> i32 but not an allocator: 10*10 = 100 */
    config.free_export = "nope";
    OK(calc_instance_new(NULL, &config, &c));
    OK(wasmc_guest_alloc(calc_instance_base(c), 10, &off, NULL));
    CHECK(off == 100);
    FAILS(wasmc_guest_free(calc_instance_base(c), off), WASMC_ERROR_NOT_FOUND);
    calc_instance_delete(c);
    counter_instance_t *k = NULL;
    OK(counter_instance_new(NULL, NULL, &k));
    FAILS(wasmc_guest_alloc(counter_instance_base(k), 10, &off, NULL), WASMC_ERROR_NOT_FOUND);
    counter_instance_delete(k);
}

static void test_globals_tables(void) {
    wasmc_store_t *store = wasmc_store_new();
    calc_instance_t *c = new_calc(store, NULL), *c2 = new_calc(store, NULL);
    wasmc_instance_t *i = calc_instance_base(c);
    wasmc_global_t g;
    CHECK(wasmc_instance_global(i, "counter", &g) && wasmc_global_is_mutable(g) && wasmc_global_kind(g) == WASMC_I32);
    wasmc_val_t v = i32v(41);
    OK(wasmc_global_set(g, &v));
    int32_t r;
    OK(calc_add(c, 0, 0, &r));
    OK(wasmc_global_get(g, &v));
    CHECK(v.of.i32 == 42);
    wasmc_global_t answer = calc_answer(c);
    CHECK(!wasmc_global_is_mutable(answer));
    FAILS(wasmc_global_set(answer, &v), WASMC_ERROR_ARGUMENT);
    v.kind = WASMC_F32;
    FAILS(wasmc_global_set(g, &v), WASMC_ERROR_ARGUMENT);
    FAILS(wasmc_global_get(g, NULL), WASMC_ERROR_ARGUMENT);
    CHECK(!wasmc_instance_global(i, "add", &g));

    wasmc_table_t t = calc_table(c);
    CHECK(wasmc_table_kind(t) == WASMC_FUNCREF && wasmc_table_size(t) == 4);
    wasmc_val_t f;
    OK(wasmc_table_get(t, 0, &f));
    CHECK(f.kind == WASMC_FUNCREF && f.of.func == wasmc_instance_func(i, "add"));
    OK(wasmc_table_get(t, 3, &f));
    CHECK(f.of.func == NULL);
    FAILS(wasmc_table_get(t, 4, &f), WASMC_ERROR_ARGUMENT);
    /* Store another instance's function and call it through the table. */
    f.kind = WASMC_FUNCREF;
    f.of.func = wasmc_instance_func(calc_instance_base(c2), "sq");
    OK(wasmc_table_set(t, 3, &f));
    OK(calc_call_table(c, 3, 9, &r));
    CHECK(r == 81);
    /* The wrong type of function, or of value, is refused. */
    f.of.func = wasmc_instance_func(i, "add");
    OK(wasmc_table_set(t, 2, &f)); /* table of funcref: any function */
    expect_trap(calc_call_table(c, 2, 1, &r), WASMC_TRAP_INDIRECT_CALL_TYPE_MISMATCH, "call_table", NULL, __LINE__);
    wasmc_val_t bad = i32v(1);
    FAILS(wasmc_table_set(t, 1, &bad), WASMC_ERROR_ARGUMENT);
    FAILS(wasmc_table_set(t, 9, &f), WASMC_ERROR_ARGUMENT);
    wasmc_val_t null;
    memset(&null, 0, sizeof null);
    null.kind = WASMC_FUNCREF;
    uint64_t old = 0;
    OK(wasmc_table_grow(t, 2, &null, &old));
    CHECK(old == 4 && wasmc_table_size(t) == 6);
    /* Calling a function from the table directly. */
    OK(wasmc_table_get(t, 1, &f));
    wasmc_val_t arg = i32v(12), res;
    OK(wasmc_func_call(f.of.func, &arg, 1, &res, 1));
    CHECK(res.of.i32 == 144);
    /* c's table holds c2's sq: c2 must live as long as that is called. */
    calc_instance_delete(c2);
    calc_instance_delete(c);
    wasmc_store_delete(store);
}

static void test_gc(int rounds, int churn) {
    wasmc_store_t *store = wasmc_store_new(), *other = wasmc_store_new();
    gcm_instance_t *g = NULL, *h = NULL;
    OK(gcm_instance_new(store, NULL, &g));
    OK(gcm_instance_new(other, NULL, &h));
    enum { N = 100 };
    wasmc_ref_t nodes[N], list = wasmc_ref_null();
    for (int k = 0; k < N; k++) {
        OK(gcm_make(g, k * 3, &nodes[k]));
        CHECK(nodes[k].kind == WASMC_REF_OBJECT);
        wasmc_ref_t next;
        OK(gcm_cons(g, k, list, &next));
        if (list.kind == WASMC_REF_OBJECT) CHECK(wasmc_root_release(store, list.of.root));
        list = next;
    }
    CHECK(wasmc_store_root_count(store) == N + 1);
    uint64_t minor0, major0, minor, major;
    wasmc_store_gc_stats(store, &minor0, &major0);
    int32_t r = 0;
    for (int k = 0; k < rounds; k++) {
        OK(gcm_churn(g, churn, &r));
        OK(gcm_big(g, 4, &r));
        /* Objects moved; the roots still name them. */
        OK(gcm_value(g, nodes[k % N], &r));
        CHECK(r == (k % N) * 3);
    }
    wasmc_store_gc_stats(store, &minor, &major);
    CHECK(minor + major >= minor0 + major0 + (uint64_t)rounds && major > major0);
    int ok = 1;
    for (int k = 0; k < N; k++) {
        wasmc_error_t *e = gcm_value(g, nodes[k], &r);
        if (e != NULL || r != k * 3) ok = 0;
        wasmc_error_delete(e);
    }
    CHECK(ok);
    OK(gcm_sum_list(g, list, &r));
    CHECK(r == N * (N - 1) / 2);
    /* A second root of the same object, and anyref. */
    wasmc_ref_t copy = nodes[5];
    copy.of.root = wasmc_root_clone(store, nodes[5].of.root);
    CHECK(copy.of.root != 0 && copy.of.root != nodes[5].of.root);
    wasmc_ref_t any = wasmc_ref_null();
    OK(gcm_as_any(g, copy, &any));
    CHECK(any.kind == WASMC_REF_OBJECT);
    CHECK(wasmc_root_release(store, any.of.root) && wasmc_root_release(store, copy.of.root));
    CHECK(!wasmc_root_release(store, copy.of.root)); /* twice: refused */
    /* Released, foreign, wrong-typed and null references are refused. */
    FAILS(gcm_value(g, copy, &r), WASMC_ERROR_ARGUMENT);
    FAILS(gcm_value(h, nodes[0], &r), WASMC_ERROR_ARGUMENT);
    FAILS(gcm_value(g, wasmc_ref_i31(3), &r), WASMC_ERROR_ARGUMENT);
    FAILS(gcm_value(g, wasmc_ref_host(&r), &r), WASMC_ERROR_ARGUMENT);
    expect_trap(gcm_value(g, wasmc_ref_null(), &r), WASMC_TRAP_NULL_STRUCT_REFERENCE, "value", NULL, __LINE__);
    CHECK(wasmc_root_clone(store, 12345) == 0 && !wasmc_root_release(store, 0));
    /* i31 */
    OK(gcm_make_i31(g, -5, &any));
    CHECK(any.kind == WASMC_REF_I31 && any.of.i31 == -5);
    OK(gcm_i31_get(g, wasmc_ref_i31(0x3fffffff), &r));
    CHECK(r == 0x3fffffff);
    OK(gcm_i31_get(g, wasmc_ref_i31(-1), &r));
    CHECK(r == -1);
    /* externref carrying host pointers, through wasm and a host import. */
    static int cookie;
    wasmc_ref_t e = wasmc_ref_null();
    OK(gcm_id_extern(g, wasmc_ref_host(&cookie), &e));
    CHECK(e.kind == WASMC_REF_HOST && e.of.host == &cookie);
    OK(gcm_id_extern(g, wasmc_ref_host(NULL), &e));
    CHECK(e.kind == WASMC_REF_HOST && e.of.host == NULL);
    OK(gcm_id_extern(g, wasmc_ref_null(), &e));
    CHECK(e.kind == WASMC_REF_NULL);
    OK(gcm_keep(g, wasmc_ref_host(&cookie)));
    OK(gcm_churn(g, churn, &r));
    OK(gcm_kept(g, &e));
    CHECK(e.kind == WASMC_REF_HOST && e.of.host == &cookie);
    OK(gcm_see(g, wasmc_ref_host(&cookie), &e));
    CHECK(e.kind == WASMC_REF_HOST && e.of.host == (char *)&cookie + 16);
    FAILS(gcm_id_extern(g, wasmc_ref_host((void *)(UINTPTR_MAX - 7)), &e), WASMC_ERROR_ARGUMENT);
    /* An object as externref: kept in a global and a table across collections. */
    OK(gcm_node_extern(g, nodes[7], &e));
    CHECK(e.kind == WASMC_REF_OBJECT);
    OK(gcm_keep(g, e));
    wasmc_val_t tv;
    memset(&tv, 0, sizeof tv);
    tv.kind = WASMC_EXTERNREF;
    tv.of.ref = e;
    OK(wasmc_table_set(gcm_refs(g), 1, &tv));
    CHECK(wasmc_val_release(store, &tv) && tv.of.ref.kind == WASMC_REF_NULL);
    OK(gcm_churn(g, churn, &r));
    OK(gcm_big(g, 8, &r));
    OK(gcm_kept(g, &e));
    OK(gcm_extern_value(g, e, &r));
    CHECK(r == 21);
    wasmc_ref_t seen = wasmc_ref_null();
    OK(gcm_see(g, e, &seen)); /* the host import roots it, hands it back, releases its root */
    OK(gcm_extern_value(g, seen, &r));
    CHECK(r == 21 && seen.kind == WASMC_REF_OBJECT && seen.of.root != e.of.root);
    CHECK(wasmc_root_release(store, e.of.root) && wasmc_root_release(store, seen.of.root));
    OK(wasmc_table_get(gcm_refs(g), 1, &tv));
    CHECK(tv.kind == WASMC_EXTERNREF && tv.of.ref.kind == WASMC_REF_OBJECT);
    OK(gcm_extern_value(g, tv.of.ref, &r));
    CHECK(r == 21);
    CHECK(wasmc_val_release(store, &tv));
    /* A host function calling back into wasm, which collects, while the
     * wasm frame below it holds an object. */
    wasmc_store_gc_stats(store, &minor0, &major0);
    for (int k = 0; k < 4; k++) {
        OK(gcm_hold_across(g, 1000 + k, &r));
        CHECK(r == 1000 + k);
    }
    wasmc_store_gc_stats(store, &minor, &major);
    CHECK(minor + major >= minor0 + major0 + 4 && major > major0);
    /* Release everything: no root left behind. */
    for (int k = 0; k < N; k++) CHECK(wasmc_root_release(store, nodes[k].of.root));
    CHECK(wasmc_root_release(store, list.of.root));
    CHECK(wasmc_store_root_count(store) == 0);
    gcm_instance_delete(g);
    gcm_instance_delete(h);
    wasmc_store_delete(store);
    wasmc_store_delete(other);
}

/* Two different modules, and two instances of one, in one program: each
 * keeps its own memory and state. */
static void test_two_modules(void) {
    struct host_state s1 = {0}, s2 = {0};
    wasmc_store_t *store = wasmc_store_new();
    calc_instance_t *a = new_calc(store, &s1), *b = new_calc(NULL, &s2);
    counter_instance_t *k = NULL;
    OK(counter_instance_new(store, NULL, &k));
    int32_t r = 0;
    OK(calc_store(a, 16, 111));
    OK(calc_store(b, 16, 222));
    OK(counter_put(k, 16, 333));
    OK(calc_load(a, 16, &r));
    CHECK(r == 111);
    OK(calc_load(b, 16, &r));
    CHECK(r == 222);
    OK(counter_get(k, 16, &r));
    CHECK(r == 333);
    CHECK(wasmc_memory_data(calc_memory(a)) != wasmc_memory_data(calc_memory(b)));
    CHECK(wasmc_memory_data(counter_memory(k)) != wasmc_memory_data(calc_memory(a)));
    for (int n = 0; n < 3; n++) OK(calc_add(a, 1, 1, &r));
    OK(calc_add(b, 1, 1, &r));
    wasmc_val_t v;
    OK(wasmc_global_get(calc_counter(a), &v));
    CHECK(v.of.i32 == 3);
    OK(wasmc_global_get(calc_counter(b), &v));
    CHECK(v.of.i32 == 1);
    OK(counter_inc(k, &r));
    OK(counter_inc(k, &r));
    CHECK(r == 2);
    OK(counter_add(k, 10, 4, &r)); /* same export name, other module */
    CHECK(r == 6);
    OK(calc_add(a, 10, 4, &r));
    CHECK(r == 14);
    OK(calc_log_it(a, 1));
    OK(calc_log_it(b, 2));
    CHECK(s1.last_log == 1 && s2.last_log == 2);
    CHECK(wasmc_instance_store(calc_instance_base(a)) == store && wasmc_instance_store(calc_instance_base(b)) != store);
    CHECK(wasmc_instance_module(calc_instance_base(a)) == wasmc_instance_module(calc_instance_base(b)));
    CHECK(wasmc_instance_module(calc_instance_base(a)) != wasmc_instance_module(counter_instance_base(k)));
    /* The store may go first: instances keep it alive. */
    wasmc_store_delete(store);
    OK(calc_add(a, 1, 1, &r));
    calc_instance_delete(a);
    calc_instance_delete(b);
    counter_instance_delete(k);
}

static void test_wasi(void) {
    wasi_instance_t *w = NULL;
    FAILS(wasi_instance_new(NULL, NULL, &w), WASMC_ERROR_LINK);
    CHECK(w == NULL);
    const char *argv[] = {"prog", "one", "two"};
    const char *env[] = {"A=1", "B=two"};
    wasmc_dir_t dirs[] = {{".", "sandbox"}};
    wasmc_wasi_config_t wasi = {argv, 3, env, 2, dirs, 1};
    wasmc_instance_config_t config = {0};
    config.wasi = &wasi;
    OK(wasi_instance_new(NULL, &config, &w));
    int32_t r = 0;
    OK(wasi_argc(w, &r));
    CHECK(r == 3);
    OK(wasi_envc(w, &r));
    CHECK(r == 2);
    OK(wasi_preopen(w, 3, &r));
    CHECK(r == 0);
    OK(wasi_preopen(w, 4, &r));
    CHECK(r == 8); /* EBADF */
    wasmc_val_t v;
    OK(wasmc_global_get(wasi_inits(w), &v));
    CHECK(v.of.i32 == 1); /* _initialize ran once */
    wasmc_error_t *e = wasi_quit(w, 7);
    CHECK(e != NULL && wasmc_error_kind(e) == WASMC_ERROR_EXIT && wasmc_error_exit_status(e) == 7 &&
          wasmc_error_trap(e) == 0);
    wasmc_error_delete(e);
    wasi_instance_delete(w);
    /* Each instance its own WASI: none granted here. */
    wasmc_wasi_config_t bare = {0};
    config.wasi = &bare;
    OK(wasi_instance_new(NULL, &config, &w));
    OK(wasi_argc(w, &r));
    CHECK(r == 0);
    OK(wasi_preopen(w, 3, &r));
    CHECK(r == 8);
    wasi_instance_delete(w);
    /* Bad configurations are errors. */
    wasmc_dir_t missing[] = {{"/no/such/dir", NULL}};
    wasmc_wasi_config_t bad = {0};
    bad.dirs = missing;
    bad.ndirs = 1;
    config.wasi = &bad;
    FAILS(wasi_instance_new(NULL, &config, &w), WASMC_ERROR_RESOURCE);
    const char *badenv[] = {"NOEQUALS"};
    wasmc_wasi_config_t bad2 = {0};
    bad2.env = badenv;
    bad2.envc = 1;
    config.wasi = &bad2;
    FAILS(wasi_instance_new(NULL, &config, &w), WASMC_ERROR_ARGUMENT);
    bad2.env = NULL;
    FAILS(wasi_instance_new(NULL, &config, &w), WASMC_ERROR_ARGUMENT);
}

/* Acceptance: every value struct of the API, allocated on the stack and on
 * the heap, through every entry point that takes one; the heap copies are
 * freed here, by their owner. A runtime that freed any of them would show
 * up as an invalid free under valgrind and AddressSanitizer. */
static wasmc_v128_t v128_of(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    uint32_t l[4] = {a, b, c, d};
    wasmc_v128_t v;
    memcpy(v.bytes, l, 16);
    return v;
}

static int v128_is(wasmc_v128_t v, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    wasmc_v128_t want = v128_of(a, b, c, d);
    return memcmp(v.bytes, want.bytes, 16) == 0;
}

static wasmc_val_t v128v(wasmc_v128_t x) {
    wasmc_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = WASMC_V128;
    v.of.v128 = x;
    return v;
}

/* v128 parameters and results through the typed wrappers, wasmc_instance_call,
 * globals, and host functions (static imports) taking and returning them. */
static void test_v128(void) {
    simd_instance_t *s = NULL;
    OK(simd_instance_new(NULL, NULL, &s));
    wasmc_instance_t *i = simd_instance_base(s);
    wasmc_v128_t a = v128_of(1, 2, 3, 0xffffffffu), b = v128_of(10, 20, 30, 2), r, r2;
    int32_t n = 0;
    /* Typed wrappers: numbers only (wasmc_call_raw) and with a reference. */
    OK(simd_add4(s, a, b, &r));
    CHECK(v128_is(r, 11, 22, 33, 1));
    OK(simd_swap(s, a, 7, b, &r, &n, &r2));
    CHECK(v128_is(r, 10, 20, 30, 2) && n == 7 && v128_is(r2, 1, 2, 3, 0xffffffffu));
    wasmc_ref_t ref = wasmc_ref_null();
    OK(simd_tag(s, b, wasmc_ref_host((void *)0x1230), &ref, &r));
    CHECK(ref.kind == WASMC_REF_HOST && ref.of.host == (void *)0x1230 && v128_is(r, 10, 20, 30, 2));
    /* Host functions. */
    OK(simd_call_mix(s, a, 100, &r));
    CHECK(v128_is(r, 101, 102, 103, 99));
    wasmc_v128_t rev;
    OK(simd_call_edges(s, a, b, &r, &rev, &n));
    CHECK(v128_is(r, 1 + 20 + 16, 2 + 40 + 16, 3 + 60 + 16, 0xffffffffu + 4 + 16));
    int ok = 1, sum = 0;
    for (int k = 0; k < 16; k++) {
        ok &= rev.bytes[k] == a.bytes[15 - k];
        sum += a.bytes[k];
    }
    CHECK(ok && n == sum);

    /* The generic call: tagged values, kinds checked. */
    wasmc_val_t args[3] = {v128v(a), v128v(b)}, res[3];
    OK(wasmc_instance_call(i, "add4", args, 2, res, 1));
    CHECK(res[0].kind == WASMC_V128 && v128_is(res[0].of.v128, 11, 22, 33, 1));
    args[1] = i32v(9);
    args[2] = v128v(b);
    OK(wasmc_instance_call(i, "swap", args, 3, res, 3));
    CHECK(res[0].kind == WASMC_V128 && v128_is(res[0].of.v128, 10, 20, 30, 2));
    CHECK(res[1].kind == WASMC_I32 && res[1].of.i32 == 9);
    CHECK(res[2].kind == WASMC_V128 && v128_is(res[2].of.v128, 1, 2, 3, 0xffffffffu));
    args[0] = v128v(a);
    args[1] = v128v(b);
    OK(wasmc_instance_call(i, "call_edges", args, 2, res, 3));
    CHECK(res[2].kind == WASMC_I32 && res[2].of.i32 == sum && res[1].kind == WASMC_V128);
    args[1] = i32v(1);
    FAILS(wasmc_instance_call(i, "add4", args, 2, res, 1), WASMC_ERROR_ARGUMENT); /* an i32 for a v128 */
    args[0] = i32v(1);
    args[1] = v128v(b);
    FAILS(wasmc_instance_call(i, "call_mix", args, 2, res, 1), WASMC_ERROR_ARGUMENT); /* swapped */
    const wasmc_func_t *f = wasmc_instance_func(i, "swap");
    CHECK(wasmc_func_param_kind(f, 0) == WASMC_V128 && wasmc_func_result_kind(f, 2) == WASMC_V128);

    /* Globals: read, write (the function sees it), refused where immutable. */
    wasmc_val_t g;
    CHECK(wasmc_global_kind(simd_bias(s)) == WASMC_V128 && wasmc_global_is_mutable(simd_bias(s)));
    OK(wasmc_global_get(simd_bias(s), &g));
    CHECK(g.kind == WASMC_V128 && v128_is(g.of.v128, 1, 2, 3, 4));
    OK(simd_add_bias(s, a, &r));
    CHECK(v128_is(r, 2, 4, 6, 3));
    g = v128v(v128_of(0x01010101u, 0x80000000u, 0, 0xfffffffeu));
    OK(wasmc_global_set(simd_bias(s), &g));
    OK(simd_add_bias(s, v128_of(1, 1, 1, 1), &r));
    CHECK(v128_is(r, 0x01010102u, 0x80000001u, 1, 0xffffffffu));
    wasmc_val_t back;
    OK(wasmc_global_get(simd_bias(s), &back));
    CHECK(back.kind == WASMC_V128 && memcmp(back.of.v128.bytes, g.of.v128.bytes, 16) == 0);
    g = i32v(3);
    FAILS(wasmc_global_set(simd_bias(s), &g), WASMC_ERROR_ARGUMENT);
    wasmc_global_t fixed;
    CHECK(wasmc_instance_global(i, "fixed", &fixed) && wasmc_global_kind(fixed) == WASMC_V128);
    OK(wasmc_global_get(fixed, &g));
    CHECK(v128_is(g.of.v128, 0xffffffffu, 0xffffffffu, 7, 0));
    FAILS(wasmc_global_set(fixed, &g), WASMC_ERROR_ARGUMENT);
    simd_instance_delete(s);
}

static void test_value_structs(void) {
    for (int heap = 0; heap < 2; heap++) {
        wasmc_instance_config_t stack_config = {0};
        wasmc_instance_config_t *config = heap ? (wasmc_instance_config_t *)calloc(1, sizeof *config) : &stack_config;
        struct host_state *state = heap ? (struct host_state *)calloc(1, sizeof *state) : NULL;
        config->data = state;
        char *malloc_name = heap ? strdup("malloc") : NULL;
        config->malloc_export = malloc_name;
        wasmc_store_t *store = wasmc_store_new();
        calc_instance_t *c = NULL;
        gcm_instance_t *g = NULL;
        OK(calc_instance_new(store, config, &c));
        OK(gcm_instance_new(store, config, &g));
        wasmc_instance_t *i = calc_instance_base(c);

        wasmc_val_t stack_vals[8];
        wasmc_val_t *vals = heap ? (wasmc_val_t *)malloc(8 * sizeof *vals) : stack_vals;
        vals[0] = i32v(4);
        vals[1] = i32v(5);
        OK(wasmc_instance_call(i, "add", vals, 2, vals + 2, 1));
        CHECK(vals[2].of.i32 == 9);
        OK(wasmc_func_call(wasmc_instance_func(i, "sq"), vals, 1, vals + 3, 1));
        CHECK(vals[3].of.i32 == 16);
        OK(wasmc_call_index(i, &calc_wasmc_module, 5 /* add */, vals, 2, vals + 4, 1));
        OK(wasmc_global_get(calc_counter(c), vals + 5));
        OK(wasmc_global_set(calc_counter(c), vals + 5));
        /* References in values: roots created and released through them. */
        wasmc_ref_t stack_ref;
        wasmc_ref_t *ref = heap ? (wasmc_ref_t *)malloc(sizeof *ref) : &stack_ref;
        OK(gcm_make(g, 9, ref));
        vals[6].kind = WASMC_EXTERNREF;
        vals[6].of.ref = wasmc_ref_host(ref);
        OK(wasmc_instance_call(gcm_instance_base(g), "id_extern", vals + 6, 1, vals + 7, 1));
        CHECK(vals[7].of.ref.kind == WASMC_REF_HOST && vals[7].of.ref.of.host == ref);
        vals[6].kind = WASMC_ANYREF;
        vals[6].of.ref = *ref;
        OK(wasmc_instance_call(gcm_instance_base(g), "node_extern", vals + 6, 1, vals + 7, 1));
        CHECK(vals[7].kind == WASMC_EXTERNREF && vals[7].of.ref.kind == WASMC_REF_OBJECT);
        CHECK(wasmc_val_release(store, vals + 7));
        wasmc_table_t *tab = heap ? (wasmc_table_t *)malloc(sizeof *tab) : NULL;
        wasmc_table_t stack_tab = gcm_refs(g);
        if (tab) *tab = stack_tab;
        vals[5].kind = WASMC_EXTERNREF;
        vals[5].of.ref = wasmc_ref_host(vals);
        OK(wasmc_table_set(tab ? *tab : stack_tab, 0, vals + 5));
        OK(wasmc_table_get(tab ? *tab : stack_tab, 0, vals + 4));
        CHECK(vals[4].of.ref.kind == WASMC_REF_HOST && vals[4].of.ref.of.host == vals);
        OK(wasmc_table_grow(tab ? *tab : stack_tab, 1, vals + 5, NULL));
        OK(gcm_value(g, *ref, &vals[0].of.i32));
        CHECK(vals[0].of.i32 == 9);
        wasmc_val_t *obj = heap ? (wasmc_val_t *)malloc(sizeof *obj) : &vals[3];
        obj->kind = WASMC_ANYREF;
        obj->of.ref = *ref;
        CHECK(wasmc_val_release(store, obj)); /* releases the root, nulls the value, frees nothing */
        CHECK(obj->of.ref.kind == WASMC_REF_NULL && wasmc_val_release(store, obj));
        /* Memories and globals as values. */
        wasmc_memory_t *mem = heap ? (wasmc_memory_t *)malloc(sizeof *mem) : NULL;
        wasmc_memory_t stack_mem = calc_memory(c);
        if (mem) *mem = stack_mem;
        CHECK(wasmc_memory_app_to_native(mem ? *mem : stack_mem, 0, 4) != NULL);
        wasmc_global_t *glob = heap ? (wasmc_global_t *)malloc(sizeof *glob) : NULL;
        wasmc_global_t stack_glob;
        CHECK(wasmc_instance_global(i, "counter", glob ? glob : &stack_glob));
        OK(wasmc_global_get(glob ? *glob : stack_glob, vals + 1));
        /* WASI configuration, all of it on the heap or the stack. */
        wasmc_wasi_config_t stack_wasi = {0};
        wasmc_wasi_config_t *wasi = heap ? (wasmc_wasi_config_t *)calloc(1, sizeof *wasi) : &stack_wasi;
        const char *stack_argv[2] = {"p", "q"};
        const char **argv = heap ? (const char **)malloc(2 * sizeof *argv) : stack_argv;
        char *a0 = heap ? strdup("p") : NULL, *a1 = heap ? strdup("q") : NULL;
        if (heap) {
            argv[0] = a0;
            argv[1] = a1;
        }
        wasmc_dir_t stack_dir = {".", NULL};
        wasmc_dir_t *dir = heap ? (wasmc_dir_t *)malloc(sizeof *dir) : &stack_dir;
        char *dname = heap ? strdup(".") : NULL;
        if (heap) {
            dir->host = dname;
            dir->guest = NULL;
        }
        wasi->argv = argv;
        wasi->argc = 2;
        wasi->dirs = dir;
        wasi->ndirs = 1;
        wasmc_instance_config_t wconfig = *config;
        wconfig.wasi = wasi;
        wasi_instance_t *w = NULL;
        OK(wasi_instance_new(store, &wconfig, &w));
        int32_t r = 0;
        OK(wasi_argc(w, &r));
        CHECK(r == 2);
        wasi_instance_delete(w);
        /* The owner frees what it allocated; the runtime freed none of it. */
        if (heap) {
            free(config);
            free(state);
            free(malloc_name);
            free(vals);
            free(ref);
            free(tab);
            free(obj);
            free(mem);
            free(glob);
            free(wasi);
            free(argv);
            free(a0);
            free(a1);
            free(dir);
            free(dname);
        }
        calc_instance_delete(c);
        gcm_instance_delete(g);
        CHECK(wasmc_store_root_count(store) == 0);
        wasmc_store_delete(store);
    }
    /* NULLs are ignored by the delete functions. */
    wasmc_error_delete(NULL);
    wasmc_instance_delete(NULL);
    wasmc_store_delete(NULL);
    CHECK(wasmc_error_kind(NULL) == 0 && strcmp(wasmc_error_message(NULL), "") == 0);
}

int main(int argc, char **argv) {
    int gc_rounds = argc > 1 ? atoi(argv[1]) : 20;
    /* Stress mode collects at every allocation: allocate less. */
    int stress = getenv("WASMC_GC_STRESS") != NULL;
    if (stress) host_churn = 2000;
    test_typed_calls();
    test_dynamic_calls();
    test_traps();
    test_memory();
    test_guest_alloc();
    test_globals_tables();
    test_gc(gc_rounds, stress ? 3000 : 300000);
    test_two_modules();
    test_wasi();
    test_value_structs();
    test_v128();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
