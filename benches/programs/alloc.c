// malloc-heavy allocation: binary trees built and freed with malloc/free,
// plus a churn of random-sized blocks with realloc.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node { struct node *l, *r; };

static struct node *make(int d) {
    struct node *n = malloc(sizeof *n);
    if (d > 0) { n->l = make(d - 1); n->r = make(d - 1); }
    else n->l = n->r = NULL;
    return n;
}

static int check(struct node *n) { return n->l ? 1 + check(n->l) + check(n->r) : 1; }

static void drop(struct node *n) {
    if (n->l) { drop(n->l); drop(n->r); }
    free(n);
}

int main(int argc, char **argv) {
    int max = argc > 1 ? atoi(argv[1]) : 16;
    struct node *longlived = make(max);
    for (int d = 4; d <= max; d += 2) {
        int iters = 1 << (max - d + 4);
        long c = 0;
        for (int i = 0; i < iters; i++) {
            struct node *t = make(d);
            c += check(t);
            drop(t);
        }
        printf("%d trees of depth %d check %ld\n", iters, d, c);
    }
    printf("long lived check %d\n", check(longlived));
    drop(longlived);

    enum { SLOTS = 4096 };
    char *slot[SLOTS] = {0};
    size_t len[SLOTS] = {0};
    uint32_t x = 2463534242u;
    uint64_t sum = 0;
    for (int i = 0; i < 3000000; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        int k = x % SLOTS;
        size_t sz = 1 + (x >> 12) % ((x & 0x100) ? 4000 : 64);
        if (slot[k] && (x & 0x200)) {
            slot[k] = realloc(slot[k], sz);
        } else {
            free(slot[k]);
            slot[k] = malloc(sz);
        }
        len[k] = sz;
        memset(slot[k], (int)i, sz < 16 ? sz : 16);
        sum += (unsigned char)slot[k][0] + sz;
    }
    for (int k = 0; k < SLOTS; k++) free(slot[k]);
    printf("churn checksum %llu\n", (unsigned long long)sum);
    return 0;
}
