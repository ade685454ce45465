/* Embedding a WebAssembly module in C: `wasmc build --lib greet.wat -o
 * libgreet.a` gives libgreet.a, greet.h and wasmc.h; this program links
 * -lgreet and nothing else. */
#include <stdio.h>
#include <string.h>

#include "greet.h"

/* The module's import "env" "print": a C function named greet_env__print.
 * Guest addresses are translated (and bounds-checked) before use. */
void greet_env__print(wasmc_caller_t *caller, int32_t ptr, int32_t len) {
    const char *text = (const char *)wasmc_app_to_native(wasmc_caller_instance(caller), (uint32_t)ptr, (uint32_t)len);
    if (text == NULL) wasmc_caller_trap(caller, "print: text outside the guest's memory");
    printf("%.*s\n", (int)len, text);
}

static int fail(wasmc_error_t *error) {
    fprintf(stderr, "error: %s\n", wasmc_error_report(error));
    wasmc_error_delete(error);
    return 1;
}

int main(void) {
    greet_instance_t *greet = NULL;
    wasmc_error_t *error = greet_instance_new(NULL, NULL, &greet);
    if (error != NULL) return fail(error);

    /* Put a name inside the guest with its own allocator. */
    const char *name = "C embedder";
    uint64_t offset = 0;
    void *native = NULL;
    error = wasmc_guest_alloc(greet_instance_base(greet), strlen(name), &offset, &native);
    if (error != NULL) return fail(error);
    memcpy(native, name, strlen(name));

    int32_t printed = 0;
    error = greet_greet(greet, (int32_t)offset, (int32_t)strlen(name), &printed);
    if (error != NULL) return fail(error);
    printf("greet printed %d bytes\n", printed);
    wasmc_error_delete(wasmc_guest_free(greet_instance_base(greet), offset));

    int64_t f = 0;
    error = greet_fib(greet, 90, &f);
    if (error != NULL) return fail(error);
    printf("fib(90) = %lld\n", (long long)f);

    /* A trap is an error value, with its kind and backtrace. */
    error = greet_greet(greet, 65530, 100, &printed);
    printf("trap %u: %s\n", wasmc_error_trap(error), wasmc_error_message(error));
    printf("in %s\n", wasmc_error_frame_name(error, 0));
    wasmc_error_delete(error);

    greet_instance_delete(greet);
    return 0;
}
