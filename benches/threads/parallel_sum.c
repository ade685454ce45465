/* A parallel workload for benches/threads/run.py: N threads (argv[1])
 * split a fixed amount of work (a sum over a hashed sequence) in equal
 * parts and combine their results with an atomic add. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define WORK 1600000000ull

static atomic_uint_fast64_t total;
static int nthreads;

static void *part(void *arg) {
    uint64_t id = (uint64_t)(uintptr_t)arg, sum = 0;
    uint64_t from = WORK / nthreads * id, to = id + 1 == (uint64_t)nthreads ? WORK : WORK / nthreads * (id + 1);
    for (uint64_t i = from; i < to; i++) {
        uint64_t x = i * 0x9e3779b97f4a7c15ull;
        sum += (x ^ (x >> 29)) & 0xff;
    }
    atomic_fetch_add(&total, sum);
    return NULL;
}

int main(int argc, char **argv) {
    nthreads = argc > 1 ? atoi(argv[1]) : 1;
    if (nthreads < 1 || nthreads > 64)
        return 2;
    pthread_t t[64];
    for (int i = 0; i < nthreads; i++)
        pthread_create(&t[i], NULL, part, (void *)(uintptr_t)i);
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
    printf("%llu\n", (unsigned long long)atomic_load(&total));
    return 0;
}
