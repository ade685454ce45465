/* A spawned thread ends the whole program: `trap` makes it trap, `exit`
 * makes it call exit(7), while the main thread waits in pthread_join. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *mode;

__attribute__((noinline)) static void fail_in_thread(void) {
    if (strcmp(mode, "trap") == 0)
        __builtin_trap();
    exit(7);
}

static void *run(void *arg) {
    (void)arg;
    fail_in_thread();
    return NULL;
}

int main(int argc, char **argv) {
    mode = argc > 1 ? argv[1] : "exit";
    pthread_t t;
    pthread_create(&t, NULL, run, NULL);
    pthread_join(t, NULL);
    puts("the main thread must not get here");
    return 0;
}
