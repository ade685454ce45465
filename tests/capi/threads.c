/* The thread-safety claim of wasmc.h, checked: THREADS threads run at the
 * same time, each with a store and instances of its own (calls, traps, host
 * imports, GC with host-held roots); then one store and its instance are
 * handed from thread to thread, used by one at a time. Prints
 * "N passed, N failed". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

enum { THREADS = 4 };

struct job {
    int id, rounds, failures, checks;
};

#define T_CHECK(j, cond)                                                                 \
    do {                                                                                 \
        (j)->checks++;                                                                   \
        if (!(cond)) {                                                                   \
            (j)->failures++;                                                             \
            fprintf(stderr, "thread %d, line %d: check failed: %s\n", (j)->id, __LINE__, #cond); \
        }                                                                                \
    } while (0)

static int ok(struct job *j, wasmc_error_t *e) {
    if (e == NULL) return 1;
    fprintf(stderr, "thread %d: %s\n", j->id, wasmc_error_report(e));
    wasmc_error_delete(e);
    return 0;
}

static void *worker(void *arg) {
    struct job *j = (struct job *)arg;
    struct host_state st = {0};
    wasmc_instance_config_t config = {0};
    config.data = &st;
    wasmc_store_t *store = wasmc_store_new();
    calc_instance_t *c = NULL;
    gcm_instance_t *g = NULL;
    T_CHECK(j, ok(j, calc_instance_new(store, &config, &c)));
    T_CHECK(j, ok(j, gcm_instance_new(store, &config, &g)));
    if (c == NULL || g == NULL) return NULL;
    wasmc_ref_t keep[8];
    for (int k = 0; k < 8; k++) T_CHECK(j, ok(j, gcm_make(g, j->id * 100 + k, &keep[k])));
    for (int round = 0; round < j->rounds; round++) {
        int32_t r = 0;
        T_CHECK(j, ok(j, calc_add(c, j->id, round, &r)) && r == j->id + round);
        T_CHECK(j, ok(j, calc_twice_tail(c, round, &r)) && r == 2 * round + 1);
        T_CHECK(j, ok(j, calc_log_it(c, j->id * 1000 + round)) && st.last_log == j->id * 1000 + round);
        wasmc_error_t *e = calc_div(c, round, 0, &r);
        T_CHECK(j, e != NULL && wasmc_error_trap(e) == WASMC_TRAP_INTEGER_DIVISION_BY_ZERO);
        wasmc_error_delete(e);
        e = calc_try_fail(c, 0, &r);
        T_CHECK(j, e != NULL && strcmp(wasmc_error_message(e), "host refused 0") == 0);
        wasmc_error_delete(e);
        e = calc_load(c, 1 << 20, &r);
        T_CHECK(j, e != NULL && wasmc_error_trap(e) == WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
        wasmc_error_delete(e);
        T_CHECK(j, ok(j, calc_store(c, 64, j->id)));
        T_CHECK(j, ok(j, gcm_churn(g, 100000, &r)));
        if (round % 4 == 0) T_CHECK(j, ok(j, gcm_big(g, 3, &r)));
        T_CHECK(j, ok(j, gcm_value(g, keep[round % 8], &r)) && r == j->id * 100 + round % 8);
        T_CHECK(j, ok(j, calc_load(c, 64, &r)) && r == j->id); /* nobody else's memory */
        if (round % 8 == 0) T_CHECK(j, ok(j, gcm_hold_across(g, round, &r)) && r == round);
    }
    uint64_t minor = 0, major = 0;
    wasmc_store_gc_stats(store, &minor, &major);
    T_CHECK(j, minor > 0);
    for (int k = 0; k < 8; k++) T_CHECK(j, wasmc_root_release(store, keep[k].of.root));
    T_CHECK(j, wasmc_store_root_count(store) == 0);
    calc_instance_delete(c);
    gcm_instance_delete(g);
    wasmc_store_delete(store);
    return NULL;
}

/* A store used by one thread at a time, moving between threads. */
struct handoff {
    wasmc_store_t *store;
    gcm_instance_t *g;
    calc_instance_t *c;
    wasmc_ref_t node;
    int step;
    struct job job;
};

static void *handoff_step(void *arg) {
    struct handoff *h = (struct handoff *)arg;
    struct job *j = &h->job;
    int32_t r = 0;
    if (h->step == 0) {
        h->store = wasmc_store_new();
        T_CHECK(j, ok(j, gcm_instance_new(h->store, NULL, &h->g)));
        T_CHECK(j, ok(j, calc_instance_new(h->store, NULL, &h->c)));
        T_CHECK(j, ok(j, gcm_make(h->g, 4242, &h->node)));
    }
    T_CHECK(j, ok(j, calc_add(h->c, 0, 0, &r)));
    T_CHECK(j, ok(j, gcm_churn(h->g, 100000, &r)));
    T_CHECK(j, ok(j, gcm_value(h->g, h->node, &r)) && r == 4242);
    wasmc_val_t v;
    T_CHECK(j, ok(j, wasmc_global_get(calc_counter(h->c), &v)) && v.of.i32 == h->step + 1);
    wasmc_error_t *e = calc_crash(h->c);
    T_CHECK(j, e != NULL && wasmc_error_trap(e) == WASMC_TRAP_UNREACHABLE);
    wasmc_error_delete(e);
    h->step++;
    return NULL;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 50;
    pthread_t t[THREADS];
    struct job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].id = i + 1;
        jobs[i].rounds = rounds;
        if (pthread_create(&t[i], NULL, worker, &jobs[i]) != 0) return 2;
    }
    int checks = 0, failures = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        checks += jobs[i].checks;
        failures += jobs[i].failures;
    }
    struct handoff h;
    memset(&h, 0, sizeof h);
    h.job.id = 99;
    for (int step = 0; step < 4; step++) {
        pthread_t th;
        if (pthread_create(&th, NULL, handoff_step, &h) != 0) return 2;
        pthread_join(th, NULL);
    }
    if (h.store != NULL) {
        h.job.checks++;
        if (!wasmc_root_release(h.store, h.node.of.root)) h.job.failures++;
        gcm_instance_delete(h.g);
        calc_instance_delete(h.c);
        wasmc_store_delete(h.store);
    }
    checks += h.job.checks;
    failures += h.job.failures;
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
