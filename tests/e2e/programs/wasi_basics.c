// printf, malloc, argv, environment, clocks, random and the exit code:
// the output must be identical natively and under wasmc.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=\"%s\" (%zu bytes)\n", i, argv[i], strlen(argv[i]));
    const char *v = getenv("WASMC_TEST_VAR");
    printf("WASMC_TEST_VAR=%s\n", v ? v : "(unset)");
    printf("MISSING=%s\n", getenv("WASMC_TEST_MISSING") ? "set" : "(unset)");

    // malloc: many sizes, written and checked.
    unsigned long check = 0;
    char *blocks[64];
    for (int i = 0; i < 64; i++) {
        size_t n = (size_t)(i * 977 + 13);
        blocks[i] = malloc(n);
        if (!blocks[i]) { printf("malloc failed\n"); return 2; }
        memset(blocks[i], i, n);
    }
    for (int i = 0; i < 64; i++) {
        size_t n = (size_t)(i * 977 + 13);
        for (size_t j = 0; j < n; j += 97) check += (unsigned char)blocks[i][j];
        free(blocks[i]);
    }
    char *big = calloc(8 << 20, 1);
    printf("malloc checksum=%lu big=%s\n", check, big && big[(8 << 20) - 1] == 0 ? "zeroed" : "bad");
    free(big);

    // Formatting of integers and floats.
    printf("%d %u %ld %lld %x %o %c %5.2f %e %g %s\n", -42, 42u, -1234567890L, 9007199254740993LL, 0xbeef, 8,
           'w', 3.14159, 6.02214076e23, 0.0001, "str");

    // Clocks: values differ between runs, relations do not.
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (volatile int i = 0; i < 100000; i++) {}
    clock_gettime(CLOCK_MONOTONIC, &b);
    int monotonic = b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec);
    time_t now = time(NULL);
    printf("monotonic=%d realtime_after_2020=%d\n", monotonic, now > 1577836800);

    // Random bytes: not all zero.
    unsigned char r[32] = {0};
    getentropy(r, sizeof r);
    int nonzero = 0;
    for (int i = 0; i < 32; i++) nonzero |= r[i];
    printf("random=%s\n", nonzero ? "ok" : "all zero");

    fflush(stdout);
    return argc + 1;
}
