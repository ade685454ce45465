// String processing: generate text, split it into words, count them in a
// chained hash table (strcmp, strlen, strdup), sort by frequency, then
// search with strstr, and format with snprintf / parse with strtol.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry { char *word; int count; struct entry *next; };
#define BUCKETS 65536

static unsigned hash(const char *s) {
    unsigned h = 2166136261u;
    while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static int by_count(const void *a, const void *b) {
    const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;
    if (x->count != y->count) return y->count - x->count;
    return strcmp(x->word, y->word);
}

int main(int argc, char **argv) {
    int nwords = argc > 1 ? atoi(argv[1]) : 4000000;
    static const char *syl[] = {"ka", "lo", "mi", "nu", "re", "sa", "to", "vi", "ze", "qua", "ph", "st"};
    size_t cap = (size_t)nwords * 12, len = 0;
    char *text = malloc(cap);
    uint32_t x = 77777u;
    for (int i = 0; i < nwords; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        int ns = 1 + (x % 4);
        uint32_t y = x >> 3;
        for (int s = 0; s < ns; s++) {
            const char *p = syl[(y % 12) & (i % 3 ? 7 : 15) % 12];
            y /= 12;
            while (*p) text[len++] = *p++;
        }
        text[len++] = (x & 0x700) ? ' ' : '\n';
    }
    text[len] = 0;

    struct entry **table = calloc(BUCKETS, sizeof *table);
    int distinct = 0;
    char *save, *w = strtok_r(text, " \n", &save);
    long total = 0;
    while (w) {
        unsigned h = hash(w) & (BUCKETS - 1);
        struct entry *e = table[h];
        while (e && strcmp(e->word, w) != 0) e = e->next;
        if (!e) {
            e = malloc(sizeof *e);
            e->word = strdup(w);
            e->count = 0;
            e->next = table[h];
            table[h] = e;
            distinct++;
        }
        e->count++;
        total += strlen(w);
        w = strtok_r(NULL, " \n", &save);
    }
    struct entry **all = malloc(distinct * sizeof *all);
    int k = 0;
    for (int b = 0; b < BUCKETS; b++)
        for (struct entry *e = table[b]; e; e = e->next) all[k++] = e;
    qsort(all, distinct, sizeof *all, by_count);
    printf("%d distinct words, %ld letters; top:", distinct, total);
    for (int i = 0; i < 5 && i < distinct; i++) printf(" %s=%d", all[i]->word, all[i]->count);
    printf("\n");

    // Format and reparse numbers; search in a formatted buffer.
    char line[64];
    long long acc = 0;
    for (int i = 0; i < 1000000; i++) {
        snprintf(line, sizeof line, "item-%d:%x:%s", i, i * 7, all[i % distinct]->word);
        char *colon = strchr(line, ':');
        acc += strtol(colon + 1, NULL, 16) + (strstr(line, "kaka") != NULL);
    }
    printf("format/parse checksum %lld\n", acc);
    return 0;
}
