// Integer, float, recursion, indirect calls, string handling and qsort:
// a broad check of code generation against the native build.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static uint64_t fib(int n) { return n < 2 ? (uint64_t)n : fib(n - 1) + fib(n - 2); }

static uint32_t fnv(const char *s) {
    uint32_t h = 2166136261u;
    while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

typedef double (*op_fn)(double, double);
static double add(double a, double b) { return a + b; }
static double mul(double a, double b) { return a * b; }
static double hyp(double a, double b) { return sqrt(a * a + b * b); }

int main(void) {
    int n = 1000;
    int *v = malloc(n * sizeof *v);
    uint32_t seed = 12345;
    for (int i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = (int)(seed >> 8) - (1 << 22);
    }
    qsort(v, n, sizeof *v, cmp_int);
    long long s = 0;
    for (int i = 0; i < n; i += 100) s += v[i];
    printf("sorted: min=%d max=%d sample_sum=%lld\n", v[0], v[n - 1], s);
    free(v);

    printf("fib(30)=%llu\n", (unsigned long long)fib(30));

    op_fn ops[] = {add, mul, hyp};
    double acc = 1.5;
    for (int i = 0; i < 30; i++) acc = ops[i % 3](acc, 1.0 + i * 0.25);
    printf("ops=%.6f\n", acc);

    printf("math: %.10f %.10f %.10f %.10f %.3f %.3f\n", sin(1.0), cos(2.0), exp(1.5), log(10.0), floor(-2.5),
           nearbyint(2.5));
    printf("ints: %d %d %u %lld %lld\n", -7 / 2, -7 % 2, 0xffffffffu >> 3, (long long)INT64_MIN / 3,
           (long long)(-5LL * 3000000000LL));
    printf("float edge: %f %f %d\n", (double)(float)1e10, fmin(NAN, 1.0), isnan(sqrt(-1.0)));

    char buf[256];
    snprintf(buf, sizeof buf, "%s-%d-%.2f", "wasmc", 2026, 11.21);
    printf("str=%s len=%zu fnv=%08x upper=", buf, strlen(buf), fnv(buf));
    for (char *p = buf; *p; p++) putchar(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    putchar('\n');
    char *dup = strdup(buf);
    printf("strstr=%s strchr=%s cmp=%d\n", strstr(dup, "2026"), strchr(dup, '.'), strcmp(dup, "wasmc"));
    free(dup);
    return 0;
}
