// File-system operations in the current directory (a granted directory
// under wasmc): the output must be identical natively and under wasmc.
// Run it in an empty directory.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e) {
    switch (e) {
    case 0: return "OK";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EXDEV: return "EXDEV";
    case ESPIPE: return "ESPIPE";
#ifdef ENOTCAPABLE
    case ENOTCAPABLE: return "ENOTCAPABLE";
#endif
    default: return "other";
    }
}

#define CHECK(what, expr)                                                          \
    do {                                                                           \
        errno = 0;                                                                 \
        long r_ = (long)(expr);                                                    \
        printf("%-40s -> %s\n", what, r_ < 0 ? ename(errno) : "OK");              \
    } while (0)

static const char *ftype(mode_t m) {
    if (S_ISREG(m)) return "file";
    if (S_ISDIR(m)) return "dir";
    if (S_ISLNK(m)) return "symlink";
    return "other";
}

static void show_stat(const char *path, int follow) {
    struct stat st;
    errno = 0;
    int r = follow ? stat(path, &st) : lstat(path, &st);
    if (r < 0) {
        printf("%s %s -> %s\n", follow ? "stat" : "lstat", path, ename(errno));
        return;
    }
    printf("%s %s -> %s", follow ? "stat" : "lstat", path, ftype(st.st_mode));
    if (!S_ISDIR(st.st_mode)) printf(" size=%lld", (long long)st.st_size);
    if (S_ISREG(st.st_mode)) printf(" nlink=%lu", (unsigned long)st.st_nlink);
    printf("\n");
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        printf("opendir %s -> %s\n", dir, ename(errno));
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        // d_ino must agree with lstat's st_ino; d_type with its file type.
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        int ok = lstat(path, &st) == 0 && st.st_ino == e->d_ino;
        const char *t = e->d_type == DT_REG ? "file" : e->d_type == DT_DIR ? "dir" : e->d_type == DT_LNK ? "symlink" : "?";
        char *s = malloc(600);
        snprintf(s, 600, "%s (%s%s)", e->d_name, t, ok ? "" : ", inode mismatch");
        names[n++] = s;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    printf("readdir %s:", dir);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void cat(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("cat %s -> %s\n", path, ename(errno));
        return;
    }
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    if (n > 40) {
        unsigned int h = 5381;
        for (size_t i = 0; i < n; i++) h = h * 33 + (unsigned char)buf[i];
        printf("cat %s -> %zu bytes, hash %u\n", path, n, h);
    } else {
        printf("cat %s -> \"%s\"\n", path, buf);
    }
}

int main(void) {
    // Create and write with stdio, read back.
    CHECK("mkdir work", mkdir("work", 0755));
    CHECK("mkdir work (again)", mkdir("work", 0755));
    FILE *f = fopen("work/a.txt", "w");
    printf("fopen work/a.txt w -> %s\n", f ? "OK" : ename(errno));
    for (int i = 0; i < 100; i++) fprintf(f, "line %d\n", i);
    printf("ftell after writing: %ld\n", ftell(f));
    fclose(f);
    show_stat("work/a.txt", 1);
    f = fopen("work/a.txt", "r");
    char line[64];
    fseek(f, 7 * 10, SEEK_SET);
    fgets(line, sizeof line, f);
    printf("line at offset 70: %s", line);
    fseek(f, -7, SEEK_END);
    printf("ftell after SEEK_END-7: %ld\n", ftell(f));
    fgets(line, sizeof line, f);
    printf("last line: %s", line);
    fclose(f);

    // POSIX I/O: lseek, pread, pwrite, holes, truncate, append.
    int fd = open("work/b.bin", O_RDWR | O_CREAT | O_EXCL, 0644);
    printf("open b.bin O_CREAT|O_EXCL -> %s\n", fd >= 0 ? "OK" : ename(errno));
    CHECK("open b.bin O_CREAT|O_EXCL (again)", open("work/b.bin", O_RDWR | O_CREAT | O_EXCL, 0644));
    write(fd, "0123456789", 10);
    printf("lseek(0, SEEK_CUR) = %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("lseek(1000, SEEK_SET) = %lld\n", (long long)lseek(fd, 1000, SEEK_SET));
    write(fd, "end", 3);
    char buf[16] = {0};
    printf("pread(4 @ 3) = %zd \"%.4s\"\n", pread(fd, buf, 4, 3), buf);
    pwrite(fd, "AB", 2, 5);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 10, 0);
    printf("after pwrite: \"%.10s\"\n", buf);
    buf[0] = 'x';
    pread(fd, buf, 1, 500);
    printf("hole byte = %d\n", buf[0]);
    struct stat st;
    fstat(fd, &st);
    printf("fstat size=%lld type=%s\n", (long long)st.st_size, ftype(st.st_mode));
    CHECK("ftruncate 4", ftruncate(fd, 4));
    fstat(fd, &st);
    printf("size after truncate=%lld\n", (long long)st.st_size);
    CHECK("lseek negative", lseek(fd, -100, SEEK_SET));
    close(fd);
    CHECK("close (again)", close(fd));
    fd = open("work/b.bin", O_WRONLY | O_APPEND);
    write(fd, "++", 2);
    close(fd);
    cat("work/b.bin");
    fd = open("work/b.bin", O_WRONLY | O_TRUNC);
    close(fd);
    show_stat("work/b.bin", 1);

    // Timestamps.
    struct timespec times[2] = {{1000000000, 0}, {1234567890, 500}};
    CHECK("utimensat", utimensat(AT_FDCWD, "work/b.bin", times, 0));
    stat("work/b.bin", &st);
    printf("mtime=%lld.%09ld atime=%lld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long long)st.st_atim.tv_sec);

    // Directories.
    CHECK("mkdir work/sub", mkdir("work/sub", 0755));
    CHECK("mkdir work/sub/deeper", mkdir("work/sub/deeper", 0755));
    CHECK("mkdir missing/x", mkdir("missing/x", 0755));
    CHECK("mkdir work/a.txt/x", mkdir("work/a.txt/x", 0755));
    f = fopen("work/sub/deeper/f.txt", "w");
    fputs("deep", f);
    fclose(f);
    cat("work/sub/deeper/../deeper/./f.txt");
    list("work");
    list("work/sub");
    show_stat("work/sub", 1);
    CHECK("opendir on a file", (long)(opendir("work/a.txt") ? 0 : -1));
    CHECK("open a.txt/", open("work/a.txt/", O_RDONLY));
    CHECK("open missing", open("work/nope", O_RDONLY));
    CHECK("open dir for writing", open("work/sub", O_WRONLY));

    // Rename.
    CHECK("rename a.txt -> c.txt", rename("work/a.txt", "work/c.txt"));
    CHECK("rename missing", rename("work/a.txt", "work/d.txt"));
    CHECK("rename c.txt over b.bin", rename("work/c.txt", "work/b.bin"));
    CHECK("rename sub -> sub2", rename("work/sub", "work/sub2"));
    CHECK("rename dir over file", rename("work/sub2", "work/b.bin"));
    CHECK("rename file over dir", rename("work/b.bin", "work/sub2"));
    list("work");

    // Hard links.
    CHECK("link b.bin -> hard", link("work/b.bin", "work/hard"));
    show_stat("work/hard", 1);
    struct stat s1, s2;
    stat("work/b.bin", &s1);
    stat("work/hard", &s2);
    printf("same inode: %d\n", s1.st_ino == s2.st_ino);
    CHECK("link onto existing", link("work/b.bin", "work/hard"));

    // Symlinks inside the directory.
    CHECK("symlink b.bin <- lnk", symlink("b.bin", "work/lnk"));
    CHECK("symlink sub2/deeper <- dlnk", symlink("sub2/deeper", "work/dlnk"));
    CHECK("symlink missing <- dangling", symlink("missing", "work/dangling"));
    CHECK("symlink loop1 <- loop2", symlink("loop1", "work/loop2"));
    CHECK("symlink loop2 <- loop1", symlink("loop2", "work/loop1"));
    CHECK("symlink onto existing", symlink("x", "work/lnk"));
    char target[64];
    ssize_t n = readlink("work/lnk", target, sizeof target);
    printf("readlink lnk -> %.*s\n", (int)n, target);
    CHECK("readlink on a file", readlink("work/b.bin", target, sizeof target));
    show_stat("work/lnk", 1);
    show_stat("work/lnk", 0);
    show_stat("work/dangling", 1);
    show_stat("work/dangling", 0);
    show_stat("work/loop1", 1);
    cat("work/lnk");
    cat("work/dlnk/f.txt");
    cat("work/dlnk/../deeper/f.txt");
    CHECK("open loop1", open("work/loop1", O_RDONLY));
    CHECK("open dangling O_CREAT", open("work/dangling", O_WRONLY | O_CREAT, 0644));
    show_stat("work/missing", 1);
    CHECK("open lnk O_NOFOLLOW", open("work/lnk", O_RDONLY | O_NOFOLLOW));
    CHECK("open lnk O_CREAT|O_EXCL", open("work/lnk", O_WRONLY | O_CREAT | O_EXCL, 0644));
    list("work");

    // A directory bigger than one readdir buffer, and *at calls on a
    // directory fd.
    CHECK("mkdir work/many", mkdir("work/many", 0755));
    int dfd = open("work/many", O_RDONLY | O_DIRECTORY);
    printf("open work/many O_DIRECTORY -> %s\n", dfd >= 0 ? "OK" : ename(errno));
    for (int i = 0; i < 300; i++) {
        char name[64];
        snprintf(name, sizeof name, "entry-with-a-rather-long-name-%03d", i);
        int f2 = openat(dfd, name, O_WRONLY | O_CREAT, 0644);
        if (f2 < 0) printf("openat %s -> %s\n", name, ename(errno));
        close(f2);
    }
    CHECK("mkdirat many/d", mkdirat(dfd, "d", 0755));
    CHECK("fstatat many/d", fstatat(dfd, "d", &st, 0));
    CHECK("unlinkat many/d (no AT_REMOVEDIR)", unlinkat(dfd, "d", 0));
    CHECK("unlinkat many/d AT_REMOVEDIR", unlinkat(dfd, "d", AT_REMOVEDIR));
    CHECK("renameat", renameat(dfd, "entry-with-a-rather-long-name-000", dfd, "first"));
    DIR *d = fdopendir(dfd);
    int count = 0;
    unsigned long sum = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        count++;
        for (const char *c = e->d_name; *c; c++) sum += (unsigned char)*c;
    }
    printf("readdir work/many: %d entries, name sum %lu\n", count, sum);
    rewinddir(d);
    count = 0;
    while (readdir(d)) count++;
    printf("after rewinddir: %d entries\n", count);
    closedir(d);
    for (int i = 1; i < 300; i++) {
        char name[80];
        snprintf(name, sizeof name, "work/many/entry-with-a-rather-long-name-%03d", i);
        if (unlink(name) < 0) printf("unlink %s -> %s\n", name, ename(errno));
    }
    CHECK("unlink work/many/first", unlink("work/many/first"));
    CHECK("rmdir work/many", rmdir("work/many"));

    // Unlink and rmdir.
    CHECK("unlink lnk", unlink("work/lnk"));
    show_stat("work/b.bin", 1);
    CHECK("unlink missing", unlink("work/lnk"));
    CHECK("unlink a directory", unlink("work/sub2"));
    CHECK("rmdir non-empty", rmdir("work/sub2"));
    CHECK("rmdir a file", rmdir("work/b.bin"));
    CHECK("unlink deeper/f.txt", unlink("work/sub2/deeper/f.txt"));
    CHECK("rmdir deeper", rmdir("work/sub2/deeper"));
    CHECK("rmdir sub2", rmdir("work/sub2"));
    const char *rest[] = {"work/b.bin", "work/hard", "work/dlnk", "work/dangling", "work/missing", "work/loop1", "work/loop2"};
    for (unsigned i = 0; i < sizeof rest / sizeof *rest; i++) {
        char what[64];
        snprintf(what, sizeof what, "unlink %s", rest[i]);
        CHECK(what, unlink(rest[i]));
    }
    list("work");
    CHECK("rmdir work", rmdir("work"));
    show_stat("work", 1);
    return 0;
}
