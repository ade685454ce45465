// Memory-bound array work: a byte sieve of Eratosthenes over 64 MB, a
// histogram with random increments over 32 MB, and large memcpy/memmove.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    size_t n = 64u << 20;
    uint8_t *s = malloc(n);
    size_t primes = 0;
    for (int r = 0; r < rounds; r++) {
        memset(s, 1, n);
        s[0] = s[1] = 0;
        for (size_t i = 2; i * i < n; i++)
            if (s[i])
                for (size_t j = i * i; j < n; j += i) s[j] = 0;
        primes = 0;
        for (size_t i = 0; i < n; i++) primes += s[i];
    }
    printf("primes below %zu: %zu\n", n, primes);

    size_t m = 8u << 20;
    uint32_t *hist = calloc(m, sizeof *hist);
    uint32_t x = 88172645u;
    for (int i = 0; i < 20000000; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        hist[x & (m - 1)] += i;
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < m; i++) sum = sum * 31 + hist[i];
    printf("histogram checksum %llu\n", (unsigned long long)sum);

    uint8_t *a = malloc(n), *b = malloc(n);
    memset(a, 7, n);
    for (int r = 0; r < 6; r++) {
        memcpy(b, a, n);
        memmove(a + 1, a, n - 1);
        a[r] = (uint8_t)r;
    }
    printf("memmove %u %u\n", a[n - 1], b[12345]);
    return 0;
}
