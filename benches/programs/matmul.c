// Floating-point kernel over arrays: blocked dense matrix multiply plus a
// Jacobi-style stencil, with index arithmetic in the inner loops.
#include <stdio.h>
#include <stdlib.h>

static void matmul(int n, const double *a, const double *b, double *c) {
    const int bs = 32;
    for (int i = 0; i < n * n; i++) c[i] = 0;
    for (int ii = 0; ii < n; ii += bs)
        for (int kk = 0; kk < n; kk += bs)
            for (int jj = 0; jj < n; jj += bs)
                for (int i = ii; i < ii + bs && i < n; i++)
                    for (int k = kk; k < kk + bs && k < n; k++) {
                        double aik = a[i * n + k];
                        for (int j = jj; j < jj + bs && j < n; j++) c[i * n + j] += aik * b[k * n + j];
                    }
}

static void stencil(int n, double *u, double *v, int iters) {
    for (int t = 0; t < iters; t++) {
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                v[i * n + j] = 0.25 * (u[(i - 1) * n + j] + u[(i + 1) * n + j] + u[i * n + j - 1] + u[i * n + j + 1]);
        double *tmp = u;
        u = v;
        v = tmp;
    }
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 768;
    double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n), *c = malloc(sizeof(double) * n * n);
    unsigned s = 12345;
    for (int i = 0; i < n * n; i++) {
        s = s * 1103515245u + 12345u;
        a[i] = (double)(s >> 16 & 0xffff) / 65536.0 - 0.5;
        s = s * 1103515245u + 12345u;
        b[i] = (double)(s >> 16 & 0xffff) / 65536.0 - 0.5;
    }
    double sum = 0;
    for (int r = 0; r < 3; r++) {
        matmul(n, a, b, c);
        for (int i = 0; i < n * n; i += 7) sum += c[i];
        double *t = a;
        a = c;
        c = t;
        for (int i = 0; i < n * n; i++) a[i] *= 0.1;
    }
    printf("matmul checksum %.6f\n", sum);
    int m = 512;
    double *u = calloc(m * m, sizeof(double)), *v = calloc(m * m, sizeof(double));
    for (int i = 0; i < m; i++) u[i] = v[i] = 100.0;
    stencil(m, u, v, 200);
    double t = 0;
    for (int i = 0; i < m * m; i++) t += u[i];
    printf("stencil checksum %.6f\n", t);
    return 0;
}
