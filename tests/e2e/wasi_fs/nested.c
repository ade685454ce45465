/* Two runs of one executable granted `sandbox` as /s and `sandbox/sub` as
 * /sub. `attack TARGET` replaces sandbox/sub with a symlink to TARGET (a
 * directory outside every grant); a later run then reads and writes
 * through /sub, which must not reach TARGET. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "attack") == 0) {
        if (rmdir("/s/sub") != 0) { perror("rmdir /s/sub"); return 2; }
        if (symlink(argv[2], "/s/sub") != 0) { perror("symlink /s/sub"); return 2; }
        puts("replaced /s/sub");
        return 0;
    }
    FILE *f = fopen("/sub/secret.txt", "r");
    if (f) {
        char buf[64] = {0};
        fgets(buf, sizeof buf, f);
        printf("read outside: %s\n", buf);
        fclose(f);
    }
    FILE *w = fopen("/sub/planted.txt", "w");
    if (w) {
        fputs("planted", w);
        fclose(w);
        puts("wrote outside");
    }
    return 0;
}
