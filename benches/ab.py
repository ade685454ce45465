#!/usr/bin/env python3
"""Two wasmc builds side by side: did a change make generated code or the
runtime slower?

    python3 benches/ab.py --base /path/to/old/wasmc            # new = this tree
    python3 benches/ab.py --base OLD --new NEW --runs 7 --only fib,binary_trees

Every C program of benches/programs (clang --target=wasm32-wasi -O2) and
every GC benchmark of benches/gc (assembled with its driver, as
benches/gc/run.py does) is built by both binaries, with the same flags.
Rounds are interleaved (each round runs every program with both builds,
alternating which goes first), so machine noise hits both alike. The table
gives the median wall time of each (whole process: start-up is under a
millisecond) and new/base; the geometric mean closes it. Outputs of the
two builds must be equal (GC: the checksum).

Needs clang with wasi-libc (benches/run.py lists the packages) and the
wasmtime Python package (for wat2wasm), as the other harnesses do.
"""

import argparse
import importlib.util
import math
import os
import statistics
import sys

from harness import die, sh, timed

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out", "ab")


def gc_driver():
    """benches/gc/run.py, for its `assemble` (benchmark + timing driver)."""
    spec = importlib.util.spec_from_file_location("gc_run", os.path.join(HERE, "gc", "run.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def wasm_inputs(only):
    """(name, wasm path, output filter) of every benchmark."""
    os.makedirs(OUT, exist_ok=True)
    out = []
    for f in sorted(os.listdir(os.path.join(HERE, "programs"))):
        name = f[:-2]
        if f.endswith(".c") and (not only or name in only):
            wasm = os.path.join(OUT, name + ".wasm")
            sh(["clang", "--target=wasm32-wasi", "-O2", os.path.join(HERE, "programs", f), "-o", wasm, "-lm"])
            out.append((name, wasm, lambda s: s))
    gc = None
    for f in sorted(os.listdir(os.path.join(HERE, "gc"))):
        name = f[:-4]
        if f.endswith(".wat") and (not only or name in only):
            gc = gc or gc_driver()
            wasm = os.path.join(OUT, name + ".wasm")
            with open(os.path.join(HERE, "gc", f)) as src, open(wasm, "wb") as dst:
                dst.write(gc.assemble(src.read()))
            # The driver prints "CHECKSUM NANOSECONDS": compare the checksum.
            out.append((name, wasm, lambda s: s.split()[0] if s.split() else s))
    if not out:
        die("no benchmark matches --only")
    return out


def run(exe):
    wall, p = timed([exe])
    if p.returncode != 0:
        die(f"{exe} exited with {p.returncode}:\n{p.stderr.decode()}")
    return wall, p.stdout.decode()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="the wasmc binary to compare against")
    ap.add_argument("--new", help="the wasmc binary under test (default: build this tree)")
    ap.add_argument("--runs", type=int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument("--only", help="comma-separated benchmark names")
    ap.add_argument("--wasmc-args", default="", help="extra `wasmc build` flags for both builds")
    args = ap.parse_args()
    new = args.new
    if not new:
        sh(["cargo", "build", "--release", "-p", "wasmc", "--manifest-path", os.path.join(REPO, "Cargo.toml")])
        new = os.path.join(REPO, "target", "release", "wasmc")
    only = set(args.only.split(",")) if args.only else None
    flags = args.wasmc_args.split()
    benches = []
    for name, wasm, key in wasm_inputs(only):
        exes = {}
        for tag, wasmc in (("base", args.base), ("new", new)):
            exes[tag] = os.path.join(OUT, f"{name}.{tag}")
            sh([wasmc, "build", wasm, "-o", exes[tag]] + flags)
        benches.append((name, exes, key))
    times = {(n, t): [] for n, _, _ in benches for t in ("base", "new")}
    for r in range(args.runs):
        print(f"round {r + 1}/{args.runs}", file=sys.stderr, flush=True)
        for i, (name, exes, key) in enumerate(benches):
            order = ("base", "new") if (r + i) % 2 == 0 else ("new", "base")
            outs = {}
            for tag in order:
                wall, out = run(exes[tag])
                times[(name, tag)].append(wall)
                outs[tag] = key(out)
            if outs["base"] != outs["new"]:
                die(f"{name}: the two builds print different results")
    print(f"| benchmark | base (s) | new (s) | new/base |\n| --- | --- | --- | --- |")
    ratios = []
    for name, _, _ in benches:
        b, n = statistics.median(times[(name, "base")]), statistics.median(times[(name, "new")])
        ratios.append(n / b)
        print(f"| {name} | {b:.3f} | {n:.3f} | {n / b:.3f} |")
    geo = math.exp(sum(map(math.log, ratios)) / len(ratios))
    print(f"| geometric mean | | | **{geo:.3f}** |")
    print(f"medians of {args.runs} interleaved rounds", file=sys.stderr)


if __name__ == "__main__":
    main()
