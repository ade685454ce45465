/*
 * wasmc.h: the C embedding API of the wasmc runtime.
 *
 * A module compiled with `wasmc build --lib app.wasm -o libapp.a` comes with
 * `app.h`, which includes this file and adds typed functions for the
 * module (app_instance_new, one C function per export, the declarations of
 * the imports you define). Everything here works for any module.
 *
 * ======================================================================
 * OWNERSHIP: one rule for the whole API
 * ======================================================================
 *
 *  1. The runtime allocates only these, and you own each one it returns:
 *
 *       what                 made by                         ended by (exactly once)
 *       wasmc_store_t *      wasmc_store_new                 wasmc_store_delete
 *       wasmc_instance_t *   wasmc_instance_new, <p>_instance_new
 *                                                            wasmc_instance_delete, <p>_instance_delete
 *       wasmc_error_t *      every call returning one (NULL means success)
 *                                                            wasmc_error_delete
 *       wasmc_root_t         a reference result of kind WASMC_REF_OBJECT
 *                            (call results, global/table reads, wasmc_caller_ref,
 *                            wasmc_root_clone)               wasmc_root_release / wasmc_val_release
 *
 *     A `*_delete` / `*_release` call frees that one runtime object and
 *     nothing else; it never frees memory you allocated.
 *
 *  2. Everything you pass in is borrowed for the duration of the call. The
 *     runtime never frees it and never keeps a pointer to it after the call
 *     returns (strings and arrays are copied). It writes only through
 *     out-parameters (results, `*out`).
 *
 *  3. Everything else the runtime hands out is borrowed from an owner and
 *     must never be freed: strings of an error (until wasmc_error_delete);
 *     the store of wasmc_instance_store and the instance of
 *     wasmc_caller_instance; native pointers into guest memory, function
 *     pointers (wasmc_func_t), memories, globals and tables (while their
 *     instance lives; a function stored into another instance's table does
 *     not keep its own instance alive); a wasmc_caller_t and the raw
 *     references a host function receives (until the host function returns).
 *
 *  4. Value structs (wasmc_val_t, wasmc_ref_t, wasmc_raw_t, wasmc_v128_t,
 *     wasmc_memory_t, wasmc_global_t, wasmc_table_t, wasmc_instance_config_t,
 *     wasmc_wasi_config_t, wasmc_dir_t) are plain data: keep them on the
 *     stack, in static storage or on the heap, copy them freely. No call
 *     frees them. (Copies of a wasmc_ref_t holding a root name the same root:
 *     release it once.)
 *
 * ======================================================================
 * POINTERS: what the runtime trusts
 * ======================================================================
 *
 * The runtime checks what it can (NULL, counts, kinds, types, indices,
 * roots, bounds of guest memory) and trusts the rest. Passing anything
 * else is undefined behaviour, not an error:
 *
 *  - A pointer to a runtime object (store, instance, module, function,
 *    error, caller, and the `instance` of a wasmc_memory_t, wasmc_global_t
 *    or wasmc_table_t) is NULL or one this API returned and whose owner
 *    still lives (see OWNERSHIP). NULL is accepted everywhere: the call
 *    returns WASMC_ERROR_ARGUMENT, false, 0 or NULL, or is ignored.
 *  - A string is NULL or NUL-terminated. An array with a count (args/nargs,
 *    results/nresults, slots/nslots, argv/argc, env/envc, dirs/ndirs) holds
 *    at least that many elements, or is NULL (an error when the count is not
 *    0). Out-parameters are NULL (where the function says so) or writable.
 *  - A wasmc_val_t / wasmc_ref_t you pass has the union member its kind
 *    names initialized. A function value (WASMC_FUNCREF) is NULL or a
 *    wasmc_func_t this API returned whose instance lives: the runtime cannot
 *    check a function pointer. A root (WASMC_REF_OBJECT) may be anything: it
 *    is looked up, and a dead or foreign root is an error.
 *  - A wasmc_rawref_t given to wasmc_caller_ref is one the running host
 *    function received (see there).
 *
 * ======================================================================
 * ERRORS AND TRAPS
 * ======================================================================
 *
 * Every call that can fail returns `wasmc_error_t *`: NULL on success, else
 * an error you own that tells its kind (wasmc_error_kind), the trap kind
 * (wasmc_error_trap), a message and the wasm backtrace. A trap never jumps
 * across your frames: it ends the wasm call and comes back as such an error.
 * The one exception is wasmc_caller_trap, which a host function calls to
 * trap on purpose: it unwinds the host function's own frame (see there).
 *
 * ======================================================================
 * THREADS
 * ======================================================================
 *
 *  - A store and everything in it (its instances, their memories, globals,
 *    tables and functions, its roots, and the values holding them) must be
 *    used by one thread at a time. Using one store from two threads at once
 *    (including deleting one of its instances, or calling its functions or
 *    wasmc_root_* on it) is undefined behaviour; the runtime does not detect
 *    it. A store may move between threads between calls, together with
 *    everything in it: the runtime keeps no per-thread state across calls.
 *    A function value (or a table holding one) belongs to its instance's
 *    store: calling it uses that store.
 *  - A wasmc_caller_t and the raw references a host function receives are
 *    used only on the thread running that host function, before it returns.
 *  - Different stores are independent: separate instances in separate
 *    stores run in parallel on separate threads.
 *  - Modules (wasmc_module_t) are immutable: wasmc_module_load and the
 *    module functions may be called from any thread at any time, as may
 *    wasmc_store_new.
 *  - An error (wasmc_error_t) belongs to no store: it may move to any
 *    thread, and distinct errors may be used from any threads at once (one
 *    error is used by one thread at a time, like any object you own).
 *  - A shared memory (`(memory 1 10 shared)`, threads proposal) is the one
 *    exception: the same memory may be imported into instances of
 *    different stores on different threads, which then run at once on it
 *    (atomics, memory.atomic.wait/notify, memory.grow from any of them:
 *    a shared memory never moves). Its wasmc_memory_t handle still belongs
 *    to its store; the bytes behind wasmc_memory_data may change under
 *    the host while other threads run wasm, as in any shared-memory program.
 *  tests/capi/threads.c checks this: threads with a store each, calling,
 *  trapping, collecting and calling host functions at the same time, and
 *  one store handed from thread to thread.
 *
 * Out of memory: the guest's memories, tables and GC heap are limits the
 * guest sees (memory.grow and table.grow return -1, allocations trap with
 * "out of memory: GC heap exhausted", as errors of the call). If the
 * runtime's own bookkeeping cannot allocate (the C heap itself is
 * exhausted), the process aborts, as Rust's and most C libraries' default
 * is: the runtime never returns to the guest or to you with half-updated
 * state. (Executables built by wasmc print a trap report and exit 134.)
 *
 * ======================================================================
 * HOST FUNCTIONS
 * ======================================================================
 *
 * A library's imports are C functions you define, named
 * `<prefix>_<module>__<name>` (see the module's header). They receive the
 * calling instance as `wasmc_caller_t *`. Compile them with frame pointers
 * (`-fno-omit-frame-pointer`): backtraces and, for modules using GC, the
 * collector's root scan walk the frame-pointer chain through them when they
 * call back into wasm.
 */
#ifndef WASMC_H
#define WASMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__cplusplus)
#define WASMC_NORETURN [[noreturn]]
#else
#define WASMC_NORETURN _Noreturn
#endif

/* BEGIN GENERATED (from wasmc-abi by runtime-lib/src/capi/header.rs; `WASMC_BLESS=1 cargo test -p wasmc-rt` rewrites it) */
/* The runtime ABI this header belongs to (module descriptors carry it too). */
#define WASMC_ABI_VERSION 7

/* Value kinds (wasmc_val_t.kind): the type's code in the wasm binary format. */
#define WASMC_I32 0x7f
#define WASMC_I64 0x7e
#define WASMC_F32 0x7d
#define WASMC_F64 0x7c
#define WASMC_V128 0x7b
#define WASMC_FUNCREF 0x70
#define WASMC_EXTERNREF 0x6f
#define WASMC_ANYREF 0x6e

/* Export kinds. */
#define WASMC_EXTERN_FUNC 0
#define WASMC_EXTERN_TABLE 1
#define WASMC_EXTERN_MEMORY 2
#define WASMC_EXTERN_GLOBAL 3

/* Trap kinds (wasmc_error_trap), with their messages. */
#define WASMC_TRAP_STACK_OVERFLOW 1 /* call stack exhausted */
#define WASMC_TRAP_MEMORY_OUT_OF_BOUNDS 2 /* out of bounds memory access */
#define WASMC_TRAP_INTEGER_OVERFLOW 3 /* integer overflow */
#define WASMC_TRAP_INTEGER_DIVISION_BY_ZERO 4 /* integer divide by zero */
#define WASMC_TRAP_BAD_CONVERSION_TO_INTEGER 5 /* invalid conversion to integer */
#define WASMC_TRAP_UNREACHABLE 6 /* unreachable */
#define WASMC_TRAP_TABLE_OUT_OF_BOUNDS 7 /* out of bounds table access */
#define WASMC_TRAP_UNINITIALIZED_ELEMENT 8 /* uninitialized element */
#define WASMC_TRAP_INDIRECT_CALL_TYPE_MISMATCH 9 /* indirect call type mismatch */
#define WASMC_TRAP_NULL_FUNCTION_REFERENCE 10 /* null function reference */
#define WASMC_TRAP_NULL_REFERENCE 11 /* null reference */
#define WASMC_TRAP_CAST_FAILURE 12 /* cast failure */
#define WASMC_TRAP_ARRAY_OUT_OF_BOUNDS 13 /* out of bounds array access */
#define WASMC_TRAP_ALLOCATION_TOO_LARGE 14 /* allocation size too large */
#define WASMC_TRAP_HEAP_EXHAUSTED 15 /* out of memory: GC heap exhausted */
#define WASMC_TRAP_UNDEFINED_ELEMENT 16 /* undefined element: out of bounds table access */
#define WASMC_TRAP_HOST_ERROR 17 /* host function error */
#define WASMC_TRAP_NULL_STRUCT_REFERENCE 18 /* null structure reference (dereferenced a null reference) */
#define WASMC_TRAP_NULL_ARRAY_REFERENCE 19 /* null array reference (dereferenced a null reference) */
#define WASMC_TRAP_NULL_I31_REFERENCE 20 /* null i31 reference (dereferenced a null reference) */
#define WASMC_TRAP_UNALIGNED_ATOMIC 21 /* unaligned atomic */
#define WASMC_TRAP_EXPECTED_SHARED_MEMORY 22 /* expected shared memory */
#define WASMC_TRAP_NULL_EXN_REFERENCE 23 /* null exception reference */
/* END GENERATED */

/* ---------------------------------------------------------------------- */
/* Opaque objects                                                          */
/* ---------------------------------------------------------------------- */

typedef struct wasmc_store wasmc_store_t;       /* owned: wasmc_store_new */
typedef struct wasmc_instance wasmc_instance_t; /* owned: wasmc_instance_new */
typedef struct wasmc_error wasmc_error_t;       /* owned: returned by failing calls */
typedef struct wasmc_module wasmc_module_t;     /* static: wasmc_module_load */
typedef struct wasmc_func wasmc_func_t;         /* borrowed from its instance */
typedef struct wasmc_caller wasmc_caller_t;     /* borrowed by a host function */
/* A compiled module's descriptor, `<prefix>_wasmc_module` in its library. */
typedef struct wasmc_module_desc wasmc_module_desc_t;

/* ---------------------------------------------------------------------- */
/* Values (plain data)                                                     */
/* ---------------------------------------------------------------------- */

typedef uint32_t wasmc_valkind_t; /* WASMC_I32 ... WASMC_ANYREF */
typedef uint32_t wasmc_trap_t;    /* WASMC_TRAP_* */

/* A handle keeping a GC object alive and current while objects move.
 * Never 0. Owned: release it with wasmc_root_release. */
typedef uint64_t wasmc_root_t;

/* What an externref or anyref holds. */
#define WASMC_REF_NULL 0   /* null */
#define WASMC_REF_HOST 1   /* of.host: a host pointer (below 2^62) */
#define WASMC_REF_I31 2    /* of.i31: a 31-bit integer (i31ref), sign-extended */
#define WASMC_REF_OBJECT 3 /* of.root: a GC object (struct or array), rooted */

typedef struct wasmc_ref {
    uint32_t kind; /* WASMC_REF_* */
    union {
        void *host;
        int32_t i31;
        wasmc_root_t root;
    } of;
} wasmc_ref_t;

/* A v128 (WASMC_V128): its 16 bytes in wasm's order, little-endian: lane
 * i of an i32x4 is bytes[4*i .. 4*i+3], least significant byte first (on
 * every target wasmc supports, memcpy to and from uint32_t[4], float[4],
 * ... gives the lanes). Passed and returned by value: typed functions of
 * the module's header and host functions (imports) take and return it. */
typedef struct wasmc_v128 {
    uint8_t bytes[16];
} wasmc_v128_t;

typedef struct wasmc_val {
    wasmc_valkind_t kind;
    union {
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        wasmc_v128_t v128;
        const wasmc_func_t *func; /* WASMC_FUNCREF; NULL is null; else from
                                     this API, its instance alive */
        wasmc_ref_t ref;          /* WASMC_EXTERNREF, WASMC_ANYREF */
    } of;
} wasmc_val_t;

/* One 16-byte argument/result slot of wasmc_call_raw (what generated
 * headers use for functions of numbers only). */
typedef union wasmc_raw {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    wasmc_v128_t v128;
} __attribute__((aligned(16))) wasmc_raw_t;

/* A reference as a host function receives or returns it (an import's
 * externref/anyref parameter or result). Valid until the host function
 * returns, and only until it calls into wasm again (objects move): keep it
 * with wasmc_caller_ref. Never make one up: wasmc_caller_ref roots what it
 * is given, and a word that is no reference is undefined behaviour later. */
typedef uint64_t wasmc_rawref_t;

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */
/* ---------------------------------------------------------------------- */

#define WASMC_ERROR_TRAP 1     /* a wasm trap: wasmc_error_trap tells which */
#define WASMC_ERROR_EXIT 2     /* the guest called WASI proc_exit */
#define WASMC_ERROR_LINK 3     /* an import is missing or has the wrong type */
#define WASMC_ERROR_RESOURCE 4 /* out of memory, address space, guest heap */
#define WASMC_ERROR_ARGUMENT 5 /* NULL pointer, wrong count or type of values,
                                  released root, not UTF-8, ... */
#define WASMC_ERROR_NOT_FOUND 6 /* no export of that name and kind */
#define WASMC_ERROR_MODULE 7   /* module built for another runtime ABI */

uint32_t wasmc_error_kind(const wasmc_error_t *error);
/* The trap kind (WASMC_TRAP_*), 0 if the error is not a trap. */
wasmc_trap_t wasmc_error_trap(const wasmc_error_t *error);
/* The exit status of WASMC_ERROR_EXIT, else 0. */
int32_t wasmc_error_exit_status(const wasmc_error_t *error);
/* One line: the trap's message, or what failed. Borrowed from `error`. */
const char *wasmc_error_message(const wasmc_error_t *error);
/* `wasm trap: <message>` and the backtrace, one line per frame. Borrowed. */
const char *wasmc_error_report(const wasmc_error_t *error);
/* The frames that were live at the trap, innermost first: the wasm
 * functions, and when a host function trapped (wasmc_caller_trap, or a
 * host error) first the import it was called as, named as any function
 * (name section, else export name, else `wasm-function[N]`), then the
 * wasm code that called it. */
size_t wasmc_error_frame_count(const wasmc_error_t *error);
/* Name of frame `i` (name section, else export name, else
 * `wasm-function[N]`); NULL past the end. Borrowed. */
const char *wasmc_error_frame_name(const wasmc_error_t *error, size_t i);
/* Frees the error. NULL is ignored. */
void wasmc_error_delete(wasmc_error_t *error);

/* ---------------------------------------------------------------------- */
/* Modules and stores                                                      */
/* ---------------------------------------------------------------------- */

/* The module of a descriptor (`&<prefix>_wasmc_module`). Modules live for
 * the whole process; loading one twice gives the same module. */
wasmc_error_t *wasmc_module_load(const wasmc_module_desc_t *desc, const wasmc_module_t **out);

/* A store: a GC heap and the instances that may share references. */
wasmc_store_t *wasmc_store_new(void);
/* Ends your ownership of the store. Instances made in it keep it alive
 * until they are deleted too; roots die with it. NULL is ignored. */
void wasmc_store_delete(wasmc_store_t *store);
/* Collections so far (minor, major); either pointer may be NULL. */
void wasmc_store_gc_stats(const wasmc_store_t *store, uint64_t *minor, uint64_t *major);
/* Number of live roots of the store (for leak checks). */
size_t wasmc_store_root_count(const wasmc_store_t *store);

/* ---------------------------------------------------------------------- */
/* Instances                                                               */
/* ---------------------------------------------------------------------- */

typedef struct wasmc_dir {
    const char *host;  /* a host directory, relative to the working directory */
    const char *guest; /* its name in the guest (NULL: same as host) */
} wasmc_dir_t;

/* WASI preview1 for one instance. Everything is copied at instantiation.
 * The guest sees stdin/stdout/stderr, these arguments, exactly this
 * environment and these directories (fds 3, 4, ... in order): nothing else. */
typedef struct wasmc_wasi_config {
    const char *const *argv; /* argv[0] is the program name */
    size_t argc;
    const char *const *env; /* "KEY=VALUE" strings */
    size_t envc;
    const wasmc_dir_t *dirs;
    size_t ndirs;
} wasmc_wasi_config_t;

/* Zero-initialize, then set what you need: `wasmc_instance_config_t c = {0};` */
typedef struct wasmc_instance_config {
    /* Yours: returned by wasmc_instance_data / wasmc_caller_data. */
    void *data;
    /* WASI for this instance; NULL: none (a module importing WASI then fails
     * to instantiate with WASMC_ERROR_LINK). */
    const wasmc_wasi_config_t *wasi;
    /* The guest's allocator used by wasmc_guest_alloc/free: exported
     * functions (i32) -> i32 and (i32) -> (). NULL: "malloc" and "free". */
    const char *malloc_export;
    const char *free_export;
} wasmc_instance_config_t;

/* Instantiates `module` in `store` (NULL: a new store of its own) with
 * `config` (NULL: all defaults), runs its start function and, if it exports
 * one, `_initialize` (WASI reactors). On success `*out` is yours. */
wasmc_error_t *wasmc_instance_new(wasmc_store_t *store, const wasmc_module_t *module,
                                  const wasmc_instance_config_t *config, wasmc_instance_t **out);
/* NULL is ignored. Never while the instance runs (from its host functions). */
void wasmc_instance_delete(wasmc_instance_t *instance);
/* The instance's store (borrowed). */
wasmc_store_t *wasmc_instance_store(const wasmc_instance_t *instance);
/* `config->data` given at instantiation. */
void *wasmc_instance_data(const wasmc_instance_t *instance);
const wasmc_module_t *wasmc_instance_module(const wasmc_instance_t *instance);

/* ---------------------------------------------------------------------- */
/* Calls                                                                   */
/* ---------------------------------------------------------------------- */

/* The exported function `name`, NULL if there is none. Borrowed from the
 * instance. */
const wasmc_func_t *wasmc_instance_func(const wasmc_instance_t *instance, const char *name);
size_t wasmc_func_param_count(const wasmc_func_t *func);
size_t wasmc_func_result_count(const wasmc_func_t *func);
/* Kind of parameter/result `i`; 0 past the end. */
wasmc_valkind_t wasmc_func_param_kind(const wasmc_func_t *func, size_t i);
wasmc_valkind_t wasmc_func_result_kind(const wasmc_func_t *func, size_t i);

/* Calls `func` with `nargs` arguments; writes its results to `results`
 * (exactly `nresults`, which must be the function's result count). Values
 * are checked against the function's type (kinds, nullability, GC types).
 * Reference results holding GC objects are new roots, yours. */
wasmc_error_t *wasmc_func_call(const wasmc_func_t *func, const wasmc_val_t *args, size_t nargs,
                               wasmc_val_t *results, size_t nresults);
/* wasmc_func_call of the exported function `name` (WASMC_ERROR_NOT_FOUND
 * if there is none). */
wasmc_error_t *wasmc_instance_call(wasmc_instance_t *instance, const char *name, const wasmc_val_t *args,
                                   size_t nargs, wasmc_val_t *results, size_t nresults);
/* Used by generated headers: call function `index` of an instance of the
 * module `desc`, arguments in the first slots, results written back into
 * them. Only for functions of numbers (v128 included); `nslots` >= max(params, results), and
 * `slots` holds `nslots` slots. `desc` is only compared with the instance's
 * module, never read. */
wasmc_error_t *wasmc_call_raw(wasmc_instance_t *instance, const wasmc_module_desc_t *desc, uint32_t index,
                              wasmc_raw_t *slots, size_t nslots);
/* Used by generated headers: wasmc_func_call of function `index`. */
wasmc_error_t *wasmc_call_index(wasmc_instance_t *instance, const wasmc_module_desc_t *desc, uint32_t index,
                                const wasmc_val_t *args, size_t nargs, wasmc_val_t *results, size_t nresults);

/* ---------------------------------------------------------------------- */
/* References and roots                                                    */
/* ---------------------------------------------------------------------- */

/* Releases a root; false if it is not a live root of this store. */
bool wasmc_root_release(wasmc_store_t *store, wasmc_root_t root);
/* A second root for the same object; 0 if `root` is not live. */
wasmc_root_t wasmc_root_clone(wasmc_store_t *store, wasmc_root_t root);
/* Releases the root a value holds, if any, and makes the value null; any
 * other value is left alone. Returns false only for a root that was not live. */
bool wasmc_val_release(wasmc_store_t *store, wasmc_val_t *val);

static inline wasmc_ref_t wasmc_ref_null(void) {
    wasmc_ref_t r;
    r.kind = WASMC_REF_NULL;
    r.of.root = 0;
    return r;
}
static inline wasmc_ref_t wasmc_ref_host(void *p) {
    wasmc_ref_t r;
    r.kind = WASMC_REF_HOST;
    r.of.root = 0;
    r.of.host = p;
    return r;
}
static inline wasmc_ref_t wasmc_ref_i31(int32_t v) {
    wasmc_ref_t r;
    r.kind = WASMC_REF_I31;
    r.of.root = 0;
    r.of.i31 = v;
    return r;
}

/* ---------------------------------------------------------------------- */
/* Memories                                                                */
/* ---------------------------------------------------------------------- */

/* A memory of an instance (plain data; valid while the instance lives). */
typedef struct wasmc_memory {
    wasmc_instance_t *instance;
    uint32_t index;
} wasmc_memory_t;

/* The exported memory `name` (NULL: the default memory, exported as
 * "memory", else memory 0). False if there is none. */
bool wasmc_instance_memory(const wasmc_instance_t *instance, const char *name, wasmc_memory_t *out);
/* Base address (never moves: a pointer into the memory stays valid while
 * the instance lives) and size in bytes (grows, never shrinks). */
uint8_t *wasmc_memory_data(wasmc_memory_t memory);
uint64_t wasmc_memory_size(wasmc_memory_t memory);
/* Grows by `pages` (64 KiB); false at the maximum. `old_pages` may be NULL. */
bool wasmc_memory_grow(wasmc_memory_t memory, uint64_t pages, uint64_t *old_pages);
/* Guest offset -> native pointer: NULL unless [offset, offset + size) lies
 * inside the memory (a zero-size range may end exactly at the end). */
void *wasmc_memory_app_to_native(wasmc_memory_t memory, uint64_t offset, uint64_t size);
/* Native pointer -> guest offset: false unless [native, native + size)
 * lies inside the memory. */
bool wasmc_memory_native_to_app(wasmc_memory_t memory, const void *native, uint64_t size, uint64_t *offset);
/* The same on the instance's default memory (NULL/false without one). */
void *wasmc_app_to_native(const wasmc_instance_t *instance, uint64_t offset, uint64_t size);
bool wasmc_native_to_app(const wasmc_instance_t *instance, const void *native, uint64_t size, uint64_t *offset);
/* A NUL-terminated string at `offset` of the default memory: NULL unless the
 * whole string, terminator included, lies inside the memory. */
const char *wasmc_app_to_native_str(const wasmc_instance_t *instance, uint64_t offset);

/* Allocates `size` bytes inside the guest with its exported allocator (see
 * wasmc_instance_config_t): `*offset` is the guest address, `*native` the
 * same bytes for the host (either may be NULL). The guest owns the bytes;
 * give them back with wasmc_guest_free. */
wasmc_error_t *wasmc_guest_alloc(wasmc_instance_t *instance, uint64_t size, uint64_t *offset, void **native);
wasmc_error_t *wasmc_guest_free(wasmc_instance_t *instance, uint64_t offset);

/* ---------------------------------------------------------------------- */
/* Globals and tables                                                      */
/* ---------------------------------------------------------------------- */

typedef struct wasmc_global {
    wasmc_instance_t *instance;
    uint32_t index;
} wasmc_global_t;

typedef struct wasmc_table {
    wasmc_instance_t *instance;
    uint32_t index;
} wasmc_table_t;

bool wasmc_instance_global(const wasmc_instance_t *instance, const char *name, wasmc_global_t *out);
wasmc_valkind_t wasmc_global_kind(wasmc_global_t global);
bool wasmc_global_is_mutable(wasmc_global_t global);
wasmc_error_t *wasmc_global_get(wasmc_global_t global, wasmc_val_t *out);
wasmc_error_t *wasmc_global_set(wasmc_global_t global, const wasmc_val_t *value);

bool wasmc_instance_table(const wasmc_instance_t *instance, const char *name, wasmc_table_t *out);
wasmc_valkind_t wasmc_table_kind(wasmc_table_t table);
uint64_t wasmc_table_size(wasmc_table_t table);
wasmc_error_t *wasmc_table_get(wasmc_table_t table, uint64_t index, wasmc_val_t *out);
wasmc_error_t *wasmc_table_set(wasmc_table_t table, uint64_t index, const wasmc_val_t *value);
/* Grows by `delta` elements set to `init`; `old_size` may be NULL. */
wasmc_error_t *wasmc_table_grow(wasmc_table_t table, uint64_t delta, const wasmc_val_t *init, uint64_t *old_size);

/* ---------------------------------------------------------------------- */
/* Host functions                                                          */
/* ---------------------------------------------------------------------- */

/* The instance calling the host function (borrowed). */
wasmc_instance_t *wasmc_caller_instance(wasmc_caller_t *caller);
/* `config->data` of the calling instance. */
void *wasmc_caller_data(wasmc_caller_t *caller);
/* Traps with `message` (copied): the wasm call that led here returns a
 * WASMC_ERROR_TRAP error of kind WASMC_TRAP_HOST_ERROR with this message.
 * Does not return: it unwinds (siglongjmp) over the host function's frame
 * and any C frames between it and wasm, so hold no resources (heap memory,
 * locks, C++ objects with destructors) at that point. */
WASMC_NORETURN void wasmc_caller_trap(wasmc_caller_t *caller, const char *message);
/* A reference a host function received, as a value: objects become roots
 * (yours). */
wasmc_ref_t wasmc_caller_ref(wasmc_caller_t *caller, wasmc_rawref_t raw);
/* A reference for a host function to return; traps (as wasmc_caller_trap)
 * if `ref` holds a root that is not live or a host pointer >= 2^62. */
wasmc_rawref_t wasmc_caller_rawref(wasmc_caller_t *caller, const wasmc_ref_t *ref);

#ifdef __cplusplus
}
#endif

#endif /* WASMC_H */
