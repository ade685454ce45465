"""Process helpers shared by the benchmark scripts (run.py, ab.py,
tail_cost.py, gc/run.py): failing loudly with the command's output, and
timing a run."""

import subprocess
import sys
import time


def die(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(1)


def sh(cmd, **kw):
    """Runs cmd; its stdout, or exit with everything it printed."""
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        die(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def timed(cmd, **kw):
    """Runs cmd capturing its output (bytes); (wall seconds, CompletedProcess)."""
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    return time.perf_counter() - t0, r
