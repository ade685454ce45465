// Sandbox checks, run under wasmc only (natively these escapes succeed).
//   sandbox escape   granted `sandbox::/sandbox`, cwd = the parent of
//                    `sandbox`, next to `outside/secret.txt`: every attempt
//                    to reach `outside` fails.
//   sandbox nogrant  built without grants: no file is reachable.
//   sandbox env K..  prints the listed variables and the size of environ.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

extern char **environ;

static const char *ename(int e) {
    switch (e) {
    case 0: return "OK";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    default: return "other";
    }
}

#define TRY(what, expr)                                                            \
    do {                                                                           \
        errno = 0;                                                                 \
        long r_ = (long)(expr);                                                    \
        printf("%-52s -> %s\n", what, r_ < 0 ? ename(errno) : "OK (escaped?)");   \
    } while (0)

#define OK(what, expr)                                                             \
    do {                                                                           \
        errno = 0;                                                                 \
        long r_ = (long)(expr);                                                    \
        printf("%-52s -> %s\n", what, r_ < 0 ? ename(errno) : "OK");              \
    } while (0)

static long open_dir(const char *p) { DIR *d = opendir(p); if (d) closedir(d); return d ? 0 : -1; }
static long stat_of(const char *p) { struct stat st; return stat(p, &st); }
static long lstat_link(const char *p) { struct stat st; return lstat(p, &st) == 0 && S_ISLNK(st.st_mode) ? 0 : -1; }

// path_open straight through WASI on a directory fd.
static const char *raw_open(int dirfd, const char *path, int follow) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(dirfd, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, 0,
                                        __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    static char buf[32];
    if (e == 0) {
        __wasi_fd_close(fd);
        return "OK";
    }
    snprintf(buf, sizeof buf, "errno %d%s", e, e == __WASI_ERRNO_NOTCAPABLE ? " NOTCAPABLE" : "");
    return buf;
}

static long open_close(const char *p) {
    int fd = open(p, O_RDONLY);
    if (fd >= 0) close(fd);
    return fd;
}

static int escape(void) {
    __wasi_prestat_t ps;
    printf("%-52s -> %d\n", "fd_prestat_get(3) (the grant)", __wasi_fd_prestat_get(3, &ps));
    printf("%-52s -> %d\n", "fd_prestat_get(4) (one grant only)", __wasi_fd_prestat_get(4, &ps));
    OK("chdir /sandbox", chdir("/sandbox"));
    FILE *f = fopen("inside.txt", "w");
    fputs("inside", f);
    fclose(f);
    OK("mkdir deep", mkdir("deep", 0755));
    OK("symlink .. <- up", symlink("..", "up"));
    OK("symlink ../outside <- out", symlink("../outside", "out"));
    OK("symlink ../outside/secret.txt <- chain2", symlink("../outside/secret.txt", "chain2"));
    OK("symlink chain2 <- chain1", symlink("chain2", "chain1"));
    OK("symlink /etc/passwd <- abs", symlink("/etc/passwd", "abs"));
    OK("symlink ../../outside <- deep/up2", symlink("../../outside", "deep/up2"));
    OK("symlink ../inside.txt <- deep/ok (inside)", symlink("../inside.txt", "deep/ok"));
    OK("open deep/ok (inside)", open_close("deep/ok"));
    OK("open deep/../inside.txt (inside)", open_close("deep/../inside.txt"));
    OK("lstat out (the link itself)", lstat_link("out"));
    char t[64];
    ssize_t n = readlink("out", t, sizeof t);
    printf("%-52s -> %.*s\n", "readlink out (text only)", (int)(n > 0 ? n : 0), t);

    TRY("open ../outside/secret.txt", open("../outside/secret.txt", O_RDONLY));
    TRY("open /sandbox/../outside/secret.txt", open("/sandbox/../outside/secret.txt", O_RDONLY));
    TRY("open deep/../../outside/secret.txt", open("deep/../../outside/secret.txt", O_RDONLY));
    TRY("open /etc/passwd", open("/etc/passwd", O_RDONLY));
    TRY("open out/secret.txt (symlink ../outside)", open("out/secret.txt", O_RDONLY));
    TRY("open up/outside/secret.txt (symlink ..)", open("up/outside/secret.txt", O_RDONLY));
    TRY("open chain1 (symlink chain)", open("chain1", O_RDONLY));
    TRY("open abs (absolute symlink)", open("abs", O_RDONLY));
    TRY("open deep/up2/secret.txt", open("deep/up2/secret.txt", O_RDONLY));
    TRY("stat out/secret.txt", stat_of("out/secret.txt"));
    TRY("stat chain1", stat_of("chain1"));
    TRY("opendir ..", open_dir(".."));
    TRY("opendir up", open_dir("up"));
    TRY("opendir out", open_dir("out"));
    TRY("create out/new.txt", open("out/new.txt", O_WRONLY | O_CREAT, 0644));
    TRY("create ../new.txt", open("../new.txt", O_WRONLY | O_CREAT, 0644));
    TRY("mkdir ../newdir", mkdir("../newdir", 0755));
    TRY("mkdir out/newdir", mkdir("out/newdir", 0755));
    TRY("rename inside.txt -> ../outside/stolen", rename("inside.txt", "../outside/stolen"));
    TRY("rename inside.txt -> out/stolen", rename("inside.txt", "out/stolen"));
    TRY("rename ../outside/secret.txt -> here", rename("../outside/secret.txt", "here"));
    TRY("link ../outside/secret.txt -> here", link("../outside/secret.txt", "here"));
    TRY("link out/secret.txt -> here", link("out/secret.txt", "here"));
    TRY("unlink ../outside/secret.txt", unlink("../outside/secret.txt"));
    TRY("unlink out/secret.txt", unlink("out/secret.txt"));
    TRY("rmdir ../outside", rmdir("../outside"));
    TRY("symlink x <- out/planted", symlink("x", "out/planted"));
    TRY("truncate out/secret.txt", truncate("out/secret.txt", 0));
    TRY("chdir ..", chdir(".."));
    // A directory fd is its own root: `..` cannot climb out of it.
    int dfd = open("deep", O_RDONLY | O_DIRECTORY);
    TRY("openat(deep, ../inside.txt)", openat(dfd, "../inside.txt", O_RDONLY));
    TRY("openat(deep, ../../outside/secret.txt)", openat(dfd, "../../outside/secret.txt", O_RDONLY));
    close(dfd);
    // Straight through WASI on the preopen (fd 3), bypassing wasi-libc.
    printf("%-52s -> %s\n", "path_open(3, /etc/passwd)", raw_open(3, "/etc/passwd", 1));
    printf("%-52s -> %s\n", "path_open(3, ../outside/secret.txt)", raw_open(3, "../outside/secret.txt", 1));
    printf("%-52s -> %s\n", "path_open(3, deep/../../outside)", raw_open(3, "deep/../../outside", 1));
    printf("%-52s -> %s\n", "path_open(3, out/secret.txt)", raw_open(3, "out/secret.txt", 1));
    printf("%-52s -> %s\n", "path_open(3, abs)", raw_open(3, "abs", 1));
    printf("%-52s -> %s\n", "path_open(3, abs) nofollow", raw_open(3, "abs", 0));
    printf("%-52s -> %s\n", "path_open(3, inside.txt) (inside)", raw_open(3, "inside.txt", 1));
    printf("%-52s -> %s\n", "path_open(99, x) (no such fd)", raw_open(99, "x", 1));
    return 0;
}

static int nogrant(void) {
    TRY("open .", open(".", O_RDONLY));
    TRY("open /", open("/", O_RDONLY));
    TRY("open /etc/passwd", open("/etc/passwd", O_RDONLY));
    TRY("open x.txt", open("x.txt", O_RDONLY));
    TRY("create x.txt", open("x.txt", O_WRONLY | O_CREAT, 0644));
    TRY("opendir /", open_dir("/"));
    __wasi_prestat_t ps;
    printf("%-52s -> %d\n", "fd_prestat_get(3)", __wasi_fd_prestat_get(3, &ps));
    int n = 0;
    for (char **e = environ; *e; e++) n++;
    printf("environment: %d variables\n", n);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "escape")) return escape();
    if (argc >= 2 && !strcmp(argv[1], "nogrant")) return nogrant();
    if (argc >= 2 && !strcmp(argv[1], "env")) {
        int n = 0;
        for (char **e = environ; *e; e++) n++;
        printf("environment: %d variables\n", n);
        for (int i = 2; i < argc; i++) {
            const char *v = getenv(argv[i]);
            printf("%s=%s\n", argv[i], v ? v : "(unset)");
        }
        return 0;
    }
    fprintf(stderr, "usage: sandbox escape|nogrant|env KEY...\n");
    return 2;
}
