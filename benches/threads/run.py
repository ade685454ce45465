#!/usr/bin/env python3
"""Threads: the same parallel workload (parallel_sum.c) built for
wasm32-wasip1-threads + wasmc and natively, on 1, 2 and 4 threads.

Runs are interleaved (wasmc, native, wasmc, ...) and medians reported,
with CPU time (user + sys of the child) beside wall time: CPU clearly
above wall means several cores worked. On a 2-core machine 4 threads
cannot be faster than 2.

    python3 benches/threads/run.py [--runs N]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from harness import die, sh  # noqa: E402


def timed_cpu(cmd):
    """Wall and CPU seconds of one run of `cmd` (output checked by caller)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        die(f"{cmd}: exit {out.returncode}: {out.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    wasmc = os.path.join(REPO, "target/release/wasmc")
    tmp = tempfile.mkdtemp(prefix="wasmc-threads-bench-")
    src = os.path.join(HERE, "parallel_sum.c")
    wasm, exe, native = (os.path.join(tmp, n) for n in ("ps.wasm", "ps", "ps.native"))
    sh([os.path.join(REPO, "tests/e2e/threads/wasi-threads-cc"), src, wasm])
    sh([wasmc, "build", wasm, "-o", exe])
    sh(["cc", "-O2", "-pthread", src, "-o", native])
    print("| threads | wasmc wall s | wasmc CPU s | native wall s | native CPU s | wasmc/native |")
    print("| --- | --- | --- | --- | --- | --- |")
    for n in (1, 2, 4):
        rows = {"wasmc": [], "native": []}
        outs = set()
        for _ in range(args.runs):
            for name, prog in (("wasmc", exe), ("native", native)):
                wall, cpu, out = timed_cpu([prog, str(n)])
                rows[name].append((wall, cpu))
                outs.add(out)
        if len(outs) != 1:
            die(f"outputs differ on {n} threads: {outs}")
        med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in rows.items()}
        (ww, wc), (nw, nc) = med["wasmc"], med["native"]
        print(f"| {n} | {ww:.2f} | {wc:.2f} | {nw:.2f} | {nc:.2f} | {ww / nw:.2f}x |")


if __name__ == "__main__":
    main()
