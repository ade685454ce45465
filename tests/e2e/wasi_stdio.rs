//! Issue 17, defects 9 and 10, end to end. Inherited stdio is the host's
//! own files (`./app < in.txt >> log`): calls that would change their
//! flags, times, size or offset are refused. A guest path is bounded
//! (`NAMETOOLONG`) before the host spends memory on it.

use super::{clang, run_ok, scratch, wasmc};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// Each call prints one line "what = result errno" to stdout (the log).
const STDIO_C: &str = r#"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *name(int e) {
    switch (e) {
    case 0: return "OK";
    case ENOTSUP: return "ENOTSUP";
    case ESPIPE: return "ESPIPE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    default: return "other";
    }
}

static void show(int fd, const char *what, long long r, int err) {
    char buf[128];
    int n = snprintf(buf, sizeof buf, "%s = %lld %s\n", what, r, name(r < 0 ? err : 0));
    write(fd, buf, n);
}

#define TRY(fd, call) do { errno = 0; long long r_ = (call); show(fd, #call, r_, errno); } while (0)

static void refusals(int out, int in) {
    struct timespec ts[2] = {{1, 0}, {1, 0}};
    TRY(out, fcntl(out, F_SETFL, 0));
    TRY(out, fcntl(in, F_SETFL, O_NONBLOCK));
    TRY(out, futimens(in, ts));
    TRY(out, futimens(out, ts));
    TRY(out, ftruncate(out, 0));
    TRY(out, lseek(out, 0, SEEK_SET));
    TRY(out, lseek(in, 0, SEEK_END));
    TRY(out, pwrite(out, "X", 1, 0));
    TRY(out, -posix_fallocate(out, 0, 1 << 20));
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "long") == 0) {
        // 16 MiB of "./" then "x", straight to path_open on the preopen.
        size_t n = 16 << 20;
        char *p = malloc(n + 2);
        for (size_t i = 0; i < n; i += 2) memcpy(p + i, "./", 2);
        strcpy(p + n, "x");
        __wasi_fd_t fd;
        __wasi_errno_t e = __wasi_path_open(3, 0, p, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
        printf("path_open = %d\n", e == __WASI_ERRNO_NAMETOOLONG ? -1 : (int)e);
        return 0;
    }
    write(1, "start\n", 6);
    refusals(1, 0);
    // Renumbered elsewhere, stdout is still the host's stream.
    __wasi_errno_t e = __wasi_fd_renumber(1, 2);
    show(2, "fd_renumber(1, 2)", e ? -1 : 0, e);
    refusals(2, 0);
    write(2, "end\n", 4);
    return 0;
}
"#;

fn exe(dir: &Path) -> PathBuf {
    let (src, wasm, exe) = (dir.join("stdio.c"), dir.join("stdio.wasm"), dir.join("stdio"));
    std::fs::write(&src, STDIO_C).unwrap();
    clang(&["--target=wasm32-wasi", "-O2", src.to_str().unwrap(), "-o", wasm.to_str().unwrap()]);
    let mut cmd = wasmc();
    cmd.arg("build").arg(&wasm).arg("-o").arg(&exe).args(["--dir", "."]);
    run_ok(cmd);
    exe
}

/// `./stdio < in.txt >> log`: every change is refused, the log is
/// appended to, and in.txt keeps its time.
#[test]
fn stdio_flags_times_size_and_offset_are_not_changed() {
    let dir = scratch("wasi-stdio");
    let exe = exe(&dir);
    let (input, log) = (dir.join("in.txt"), dir.join("log"));
    std::fs::write(&input, "input\n").unwrap();
    let mtime = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    std::fs::File::options().write(true).open(&input).unwrap().set_modified(mtime).unwrap();
    std::fs::write(&log, "old line 1\nold line 2\n").unwrap();
    let out = Command::new(&exe)
        .current_dir(&dir)
        .stdin(std::fs::File::open(&input).unwrap())
        .stdout(std::fs::File::options().append(true).open(&log).unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let got = std::fs::read_to_string(&log).unwrap();
    assert_eq!(out.status.code(), Some(0), "{got}\n{}", String::from_utf8_lossy(&out.stderr));
    let refusals = "\
fcntl(out, F_SETFL, 0) = -1 ENOTSUP
fcntl(in, F_SETFL, O_NONBLOCK) = -1 ENOTSUP
futimens(in, ts) = -1 ENOTSUP
futimens(out, ts) = -1 ENOTSUP
ftruncate(out, 0) = -1 ENOTSUP
lseek(out, 0, SEEK_SET) = -1 ESPIPE
lseek(in, 0, SEEK_END) = -1 ESPIPE
pwrite(out, \"X\", 1, 0) = -1 ESPIPE
-posix_fallocate(out, 0, 1 << 20) = -70 OK
";
    // posix_fallocate returns the errno: 70 is wasi-libc's ESPIPE.
    let want = format!("old line 1\nold line 2\nstart\n{refusals}fd_renumber(1, 2) = 0 OK\n{refusals}end\n");
    assert_eq!(got, want);
    assert_eq!(std::fs::metadata(&input).unwrap().modified().unwrap(), mtime);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "input\n");
}

/// A 16 MiB path of "./" is refused at once, before the host builds
/// millions of components.
#[test]
fn a_huge_path_is_nametoolong() {
    let dir = scratch("wasi-longpath");
    let exe = exe(&dir);
    let start = Instant::now();
    let out = Command::new(&exe).arg("long").current_dir(&dir).output().unwrap();
    let elapsed = start.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "path_open = -1\n");
    assert!(!dir.join("x").exists());
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}
