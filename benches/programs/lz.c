// A compressor: LZ77 with a hash chain match finder (greedy, 64 KB
// window) and its decompressor, round-tripping generated text-like data.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 65536
#define HBITS 15
#define MINMATCH 4
#define MAXCHAIN 32

static size_t compress(const uint8_t *in, size_t n, uint8_t *out) {
    static int32_t head[1 << HBITS];
    static int32_t prev[WINDOW];
    memset(head, -1, sizeof head);
    size_t o = 0, i = 0, lit = 0;
    while (i < n) {
        int best = 0, bdist = 0;
        if (i + MINMATCH <= n) {
            uint32_t v;
            memcpy(&v, in + i, 4);
            uint32_t h = (v * 2654435761u) >> (32 - HBITS);
            int32_t c = head[h];
            for (int chain = 0; c >= 0 && i - c < WINDOW && chain < MAXCHAIN; chain++) {
                int l = 0;
                while (i + l < n && l < 255 + MINMATCH && in[c + l] == in[i + l]) l++;
                if (l > best) { best = l; bdist = (int)(i - c); }
                c = prev[c & (WINDOW - 1)];
            }
            prev[i & (WINDOW - 1)] = head[h];
            head[h] = (int32_t)i;
        }
        if (best >= MINMATCH) {
            // flush literals: 0, count, bytes
            while (lit) {
                size_t k = lit > 255 ? 255 : lit;
                out[o++] = 0; out[o++] = (uint8_t)k;
                memcpy(out + o, in + i - lit, k);
                o += k; lit -= k;
            }
            out[o++] = (uint8_t)(best - MINMATCH + 1);
            out[o++] = (uint8_t)(bdist & 0xff); out[o++] = (uint8_t)(bdist >> 8);
            for (int k = 1; k < best; k++) {
                size_t j = i + k;
                if (j + MINMATCH <= n) {
                    uint32_t v;
                    memcpy(&v, in + j, 4);
                    uint32_t h = (v * 2654435761u) >> (32 - HBITS);
                    prev[j & (WINDOW - 1)] = head[h];
                    head[h] = (int32_t)j;
                }
            }
            i += best;
        } else {
            i++; lit++;
        }
    }
    while (lit) {
        size_t k = lit > 255 ? 255 : lit;
        out[o++] = 0; out[o++] = (uint8_t)k;
        memcpy(out + o, in + n - lit, k);
        o += k; lit -= k;
    }
    return o;
}

static size_t decompress(const uint8_t *in, size_t n, uint8_t *out) {
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t t = in[i++];
        if (t == 0) {
            size_t k = in[i++];
            memcpy(out + o, in + i, k);
            i += k; o += k;
        } else {
            size_t len = t + MINMATCH - 1, dist = in[i] | in[i + 1] << 8;
            i += 2;
            for (size_t k = 0; k < len; k++, o++) out[o] = out[o - dist];
        }
    }
    return o;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 3;
    size_t n = 8u << 20;
    uint8_t *data = malloc(n), *comp = malloc(n * 2), *back = malloc(n);
    static const char *words[] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ", "wasm ", "native ",
                                  "compiler ", "cranelift ", "memory ", "table ", "\n", "function "};
    uint32_t x = 99u;
    size_t p = 0;
    while (p < n) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        const char *w = words[x & 15];
        if ((x >> 8) % 7 == 0) data[p++] = (uint8_t)(x >> 16);
        while (*w && p < n) data[p++] = (uint8_t)*w++;
    }
    size_t c = 0, d = 0;
    uint32_t sum = 0;
    for (int r = 0; r < rounds; r++) {
        c = compress(data, n, comp);
        d = decompress(comp, c, back);
        if (d != n || memcmp(data, back, n) != 0) { printf("round trip failed\n"); return 1; }
        for (size_t i = 0; i < c; i += 4096) sum = sum * 31 + comp[i];
        data[r * 1000] ^= 0x55;
    }
    printf("%zu -> %zu bytes (%.2f%%), checksum %u\n", n, c, 100.0 * c / n, sum);
    return 0;
}
