// Call-heavy recursion: naive Fibonacci, Ackermann and a recursive
// Tak function (deep, short calls; no inlining across the recursion).
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) static int ack(int m, int n) {
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

__attribute__((noinline)) static double tak(double x, double y, double z) {
    if (y >= x) return z;
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 40;
    printf("fib(%d) = %d\n", n, fib(n));
    printf("ack(3, 10) = %d\n", ack(3, 9));
    printf("tak(24, 16, 8) = %.1f\n", tak(24, 16, 8));
    return 0;
}
