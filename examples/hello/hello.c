// The bundled example: prints its arguments, some environment, the time
// and a few random bytes, allocates, and exits with the argument count.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
    printf("hello from wasm! %d argument(s)\n", argc - 1);
    for (int i = 1; i < argc; i++)
        printf("  argv[%d] = %s\n", i, argv[i]);
    const char *user = getenv("HELLO_NAME");
    printf("HELLO_NAME=%s\n", user ? user : "(unset)");
    char *buf = malloc(1 << 20);
    memset(buf, 'x', 1 << 20);
    long sum = 0;
    for (int i = 0; i < (1 << 20); i++) sum += buf[i];
    free(buf);
    printf("sum of a 1 MiB buffer of 'x': %ld\n", sum);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    printf("monotonic clock works: %s\n", ts.tv_sec > 0 || ts.tv_nsec > 0 ? "yes" : "no");
    return 0;
}
