// The host side of a wasm2c-compiled benchmark: main() and the handful of
// WASI preview1 functions the benchmark programs import (stdio, arguments,
// exit). Build: wasm2c -n prog prog.wasm -o prog.c, then
//   gcc -O2 prog.c main.c /usr/src/wasm2c/wasm-rt-impl.c -I. -I/usr/src/wasm2c -lm
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "prog.h"
#include "wasm-rt-impl.h"

struct Z_wasi_snapshot_preview1_instance_t {
    wasm_rt_memory_t *memory;
    int argc;
    char **argv;
};

#define MEM(ctx) ((ctx)->memory->data)
#define CHECK(ctx, ptr, len) \
    if ((uint64_t)(ptr) + (uint64_t)(len) > (ctx)->memory->size) return 21 /* FAULT */

static void put32(struct Z_wasi_snapshot_preview1_instance_t *c, u32 at, u32 v) { memcpy(MEM(c) + at, &v, 4); }
static void put64(struct Z_wasi_snapshot_preview1_instance_t *c, u32 at, u64 v) { memcpy(MEM(c) + at, &v, 8); }
static u32 get32(struct Z_wasi_snapshot_preview1_instance_t *c, u32 at) { u32 v; memcpy(&v, MEM(c) + at, 4); return v; }

u32 Z_wasi_snapshot_preview1Z_args_sizes_get(struct Z_wasi_snapshot_preview1_instance_t *c, u32 argc, u32 size) {
    CHECK(c, argc, 4);
    CHECK(c, size, 4);
    u32 n = 0;
    for (int i = 0; i < c->argc; i++) n += strlen(c->argv[i]) + 1;
    put32(c, argc, c->argc);
    put32(c, size, n);
    return 0;
}

u32 Z_wasi_snapshot_preview1Z_args_get(struct Z_wasi_snapshot_preview1_instance_t *c, u32 argv, u32 buf) {
    CHECK(c, argv, 4 * c->argc);
    for (int i = 0; i < c->argc; i++) {
        u32 n = strlen(c->argv[i]) + 1;
        CHECK(c, buf, n);
        put32(c, argv + 4 * i, buf);
        memcpy(MEM(c) + buf, c->argv[i], n);
        buf += n;
    }
    return 0;
}

u32 Z_wasi_snapshot_preview1Z_fd_close(struct Z_wasi_snapshot_preview1_instance_t *c, u32 fd) {
    (void)c;
    return fd <= 2 ? 0 : 8 /* BADF */;
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_get(struct Z_wasi_snapshot_preview1_instance_t *c, u32 fd, u32 out) {
    if (fd > 2) return 8;
    CHECK(c, out, 24);
    memset(MEM(c) + out, 0, 24);
    MEM(c)[out] = isatty(fd) ? 2 /* character device */ : 4 /* regular file */;
    put64(c, out + 8, isatty(fd) ? ~(u64)(1 << 2 | 1 << 5) : ~(u64)0);
    put64(c, out + 16, ~(u64)0);
    return 0;
}

u32 Z_wasi_snapshot_preview1Z_fd_seek(struct Z_wasi_snapshot_preview1_instance_t *c, u32 fd, u64 off, u32 whence,
                                      u32 out) {
    CHECK(c, out, 8);
    off_t r = lseek(fd, (off_t)off, whence == 0 ? SEEK_SET : whence == 1 ? SEEK_CUR : SEEK_END);
    if (r < 0) return errno == ESPIPE ? 70 : 28;
    put64(c, out, (u64)r);
    return 0;
}

u32 Z_wasi_snapshot_preview1Z_fd_write(struct Z_wasi_snapshot_preview1_instance_t *c, u32 fd, u32 iovs, u32 n,
                                       u32 nwritten) {
    if (fd < 1 || fd > 2) return 8;
    CHECK(c, iovs, 8 * (u64)n);
    CHECK(c, nwritten, 4);
    struct iovec v[64];
    if (n > 64) n = 64;
    for (u32 i = 0; i < n; i++) {
        u32 p = get32(c, iovs + 8 * i), len = get32(c, iovs + 8 * i + 4);
        CHECK(c, p, len);
        v[i].iov_base = MEM(c) + p;
        v[i].iov_len = len;
    }
    ssize_t w = writev(fd, v, (int)n);
    if (w < 0) return 29 /* IO */;
    put32(c, nwritten, (u32)w);
    return 0;
}

void Z_wasi_snapshot_preview1Z_proc_exit(struct Z_wasi_snapshot_preview1_instance_t *c, u32 code) {
    (void)c;
    exit((int)code);
}

int main(int argc, char **argv) {
    static Z_prog_instance_t inst;
    static struct Z_wasi_snapshot_preview1_instance_t wasi;
    wasm_rt_init();
    Z_prog_init_module();
    wasi.argc = argc;
    wasi.argv = argv;
    Z_prog_instantiate(&inst, &wasi);
    wasi.memory = Z_progZ_memory(&inst);
    wasm_rt_trap_t trap = wasm_rt_impl_try();
    if (trap == WASM_RT_TRAP_NONE) {
        Z_progZ__start(&inst);
        return 0;
    }
    fprintf(stderr, "wasm trap: %s\n", wasm_rt_strerror(trap));
    return 134;
}
