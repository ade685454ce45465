// Sorting: a merge sort calling its comparator through a function pointer
// (indirect calls), a quicksort on structs, and binary searches. The sorts
// are written here rather than taken from libc, so that native and wasm run
// the same algorithm (glibc's qsort is a merge sort, wasi-libc's musl one a
// smoothsort).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct rec { uint32_t key; uint32_t id; double w; };

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_rec(const void *a, const void *b) {
    const struct rec *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

typedef int (*cmp_fn)(const void *, const void *);

static void merge_sort(uint32_t *v, uint32_t *tmp, int n, cmp_fn cmp) {
    if (n < 2) return;
    int h = n / 2;
    merge_sort(v, tmp, h, cmp);
    merge_sort(v + h, tmp, n - h, cmp);
    int i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
    while (i < h) tmp[k++] = v[i++];
    for (int t = 0; t < k; t++) v[t] = tmp[t];
}

static const uint32_t *search(uint32_t key, const uint32_t *v, int n, cmp_fn cmp) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        int c = cmp(&key, &v[mid]);
        if (c == 0) return &v[mid];
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

static void quick(struct rec *v, int lo, int hi) {
    while (hi - lo > 16) {
        struct rec p = v[lo + (hi - lo) / 2];
        int i = lo, j = hi - 1;
        while (i <= j) {
            while (cmp_rec(&v[i], &p) < 0) i++;
            while (cmp_rec(&v[j], &p) > 0) j--;
            if (i <= j) { struct rec t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { quick(v, lo, j + 1); lo = i; }
        else { quick(v, i, hi); hi = j + 1; }
    }
    for (int i = lo + 1; i < hi; i++) {
        struct rec t = v[i];
        int j = i - 1;
        while (j >= lo && cmp_rec(&v[j], &t) > 0) { v[j + 1] = v[j]; j--; }
        v[j + 1] = t;
    }
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 2000000;
    uint32_t *a = malloc(n * sizeof *a);
    struct rec *r = malloc(n * sizeof *r);
    uint32_t x = 123456789u;
    for (int i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        a[i] = x;
        r[i].key = x % 100000u;
        r[i].id = i;
        r[i].w = i * 0.5;
    }
    uint32_t *tmp = malloc(n * sizeof *tmp);
    cmp_fn volatile cmp = cmp_u32;
    merge_sort(a, tmp, n, cmp);
    quick(r, 0, n);
    uint64_t ok = 0;
    for (int i = 1; i < n; i++) ok += a[i - 1] <= a[i] && cmp_rec(&r[i - 1], &r[i]) < 0;
    uint64_t found = 0;
    for (uint32_t k = 0; k < 2000000; k++) {
        uint32_t key = k * 2654435761u;
        found += search(key, a, n, cmp) != NULL;
    }
    printf("sorted pairs %llu, first %u last %u, rec[n/2] = %u/%u, found %llu\n", (unsigned long long)ok, a[0], a[n - 1],
           r[n / 2].key, r[n / 2].id, (unsigned long long)found);
    return 0;
}
