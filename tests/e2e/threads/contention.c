/* A stress test of contended compare-exchange and wait/notify: THREADS
 * threads take a futex-style lock (compare-exchange 0 -> 1, else mark it
 * contended (2) and wait on it; unlock notifies when contended) ITERS
 * times each, and count under it and with atomic adds. In wasm the lock
 * uses memory.atomic.wait32 / notify directly; natively the futex call. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#ifndef __wasm__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define THREADS 6
#ifndef ITERS
#define ITERS 20000
#endif

static _Atomic int word;
static long counter;
static atomic_long adds;
static atomic_long waits;

static void wait_while(_Atomic int *p, int expected) {
#ifdef __wasm__
    __builtin_wasm_memory_atomic_wait32((int *)p, expected, -1);
#else
    syscall(SYS_futex, (int *)p, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
#endif
}

static void wake_one(_Atomic int *p) {
#ifdef __wasm__
    __builtin_wasm_memory_atomic_notify((int *)p, 1);
#else
    syscall(SYS_futex, (int *)p, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
#endif
}

static void lock(void) {
    int c = 0;
    if (atomic_compare_exchange_strong(&word, &c, 1))
        return;
    if (c != 2)
        c = atomic_exchange(&word, 2);
    while (c != 0) {
        atomic_fetch_add(&waits, 1);
        wait_while(&word, 2);
        c = atomic_exchange(&word, 2);
    }
}

static void unlock(void) {
    if (atomic_fetch_sub(&word, 1) != 1) {
        atomic_store(&word, 0);
        wake_one(&word);
    }
}

static void *run(void *arg) {
    (void)arg;
    for (int i = 0; i < ITERS; i++) {
        lock();
        counter++;
        unlock();
        atomic_fetch_add(&adds, 2);
    }
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, run, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    long want = (long)THREADS * ITERS;
    printf("counter %ld of %ld, adds %ld of %ld\n", counter, want, atomic_load(&adds), 2 * want);
    /* How often threads slept varies from run to run; say only whether
     * the lock was ever contended enough to sleep. */
    fprintf(stderr, "waits: %ld\n", atomic_load(&waits));
    return counter == want && atomic_load(&adds) == 2 * want ? 0 : 1;
}
