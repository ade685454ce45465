/* pthreads through wasi-threads: thread creation and joining, a mutex, a
 * condition variable (a bounded work queue), C11 atomics and thread-local
 * storage. The output is deterministic and must match the native build. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define WORKERS 4
#define ITEMS 2000
#define QUEUE 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static int queue[QUEUE];
static int head, count, done;

static atomic_long processed;
static long long results[WORKERS];
static _Thread_local long long local_sum;
static _Thread_local int who = -1;

static long long collatz_steps(long long n) {
    long long steps = 0;
    while (n != 1) {
        n = (n % 2) ? 3 * n + 1 : n / 2;
        steps++;
    }
    return steps;
}

static void *worker(void *arg) {
    who = (int)(long)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        while (count == 0 && !done)
            pthread_cond_wait(&not_empty, &lock);
        if (count == 0 && done) {
            pthread_mutex_unlock(&lock);
            break;
        }
        int item = queue[head];
        head = (head + 1) % QUEUE;
        count--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&lock);
        local_sum += collatz_steps(item);
        atomic_fetch_add(&processed, 1);
    }
    results[who] = local_sum;
    return (void *)(long)who;
}

int main(void) {
    pthread_t threads[WORKERS];
    for (long i = 0; i < WORKERS; i++) {
        if (pthread_create(&threads[i], NULL, worker, (void *)i) != 0) {
            puts("pthread_create failed");
            return 1;
        }
    }
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&lock);
        while (count == QUEUE)
            pthread_cond_wait(&not_full, &lock);
        queue[(head + count) % QUEUE] = i;
        count++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&lock);
    }
    pthread_mutex_lock(&lock);
    done = 1;
    pthread_cond_broadcast(&not_empty);
    pthread_mutex_unlock(&lock);
    long long total = 0;
    int joined = 0;
    for (int i = 0; i < WORKERS; i++) {
        void *ret;
        pthread_join(threads[i], &ret);
        joined += (long)ret == i;
        total += results[i];
    }
    /* The main thread's thread-local variables are its own. */
    printf("main who=%d local_sum=%lld\n", who, local_sum);
    printf("joined %d of %d, processed %ld items, total steps %lld\n", joined, WORKERS, atomic_load(&processed), total);
    long long expect = 0;
    for (int i = 1; i <= ITEMS; i++)
        expect += collatz_steps(i);
    printf("%s\n", total == expect ? "totals agree" : "TOTALS DIFFER");
    return total == expect ? 0 : 1;
}
