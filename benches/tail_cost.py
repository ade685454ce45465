#!/usr/bin/env python3
"""The cost of the `tail` calling convention on programs that make no tail
calls: every benchmark program built twice by wasmc, with wasm-to-wasm calls
in Cranelift's `tail` convention (the default, needed for return_call) and
in the platform's convention (`--call-conv system`), run interleaved.

    python3 benches/tail_cost.py [--runs 5] [--only fib,qsort]

Needs what benches/run.py needs (clang with wasi-libc). Prints medians and
the ratio tail/system per program and their geometric mean.
"""

import argparse
import glob
import os
import statistics
import sys
from math import exp, log

from harness import sh, timed

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out", "tail_cost")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="")
    ap.add_argument("--wasmc", default=os.path.join(REPO, "target", "release", "wasmc"))
    args = ap.parse_args()
    if args.wasmc == os.path.join(REPO, "target", "release", "wasmc"):
        sh(["cargo", "build", "--release", "-q", "-p", "wasmc", "--manifest-path", os.path.join(REPO, "Cargo.toml")])
    os.makedirs(OUT, exist_ok=True)
    progs = sorted(glob.glob(os.path.join(HERE, "programs", "*.c")))
    if args.only:
        keep = set(args.only.split(","))
        progs = [p for p in progs if os.path.basename(p)[:-2] in keep]
    exes = {}
    for src in progs:
        name = os.path.basename(src)[:-2]
        wasm = os.path.join(OUT, name + ".wasm")
        sh(["clang", "--target=wasm32-wasi", "-O2", src, "-o", wasm, "-lm"])
        for cc in ("tail", "system"):
            exe = os.path.join(OUT, f"{name}.{cc}")
            sh([args.wasmc, "build", wasm, "-o", exe, "--call-conv", cc])
            exes[(name, cc)] = exe
    names = [os.path.basename(p)[:-2] for p in progs]
    times = {k: [] for k in exes}
    outputs = {}
    for r in range(args.runs):
        order = ["tail", "system"] if r % 2 == 0 else ["system", "tail"]
        for name in names:
            for cc in order:
                wall, p = timed([exes[(name, cc)]])
                out = p.stdout.decode()
                times[(name, cc)].append(wall)
                if outputs.setdefault(name, out) != out:
                    sys.exit(f"error: {name}: the {cc} build printed something else")
    print(f"tail vs system calling convention, medians of {args.runs} interleaved runs")
    print(f"| program | tail (s) | system (s) | tail/system |\n|---|---|---|---|")
    ratios = []
    for name in names:
        t = statistics.median(times[(name, "tail")])
        s = statistics.median(times[(name, "system")])
        ratios.append(t / s)
        print(f"| {name} | {t:.3f} | {s:.3f} | {t / s:.3f} |")
    print(f"| **geometric mean** | | | **{exp(sum(map(log, ratios)) / len(ratios)):.3f}** |")


if __name__ == "__main__":
    main()
