/* The imports of exe_host.wat: `env.get_answer` and `env.say_it` as the C
 * functions env__get_answer and env__say_it. The first argument is the
 * calling instance (a wasmc_caller_t *, see wasmc.h). */
#include <stdint.h>
#include <stdio.h>

int32_t env__get_answer(void *caller) {
    (void)caller;
    return 42;
}

void env__say_it(void *caller, int32_t x) {
    (void)caller;
    printf("host says %d\n", x);
    fflush(stdout);
}
