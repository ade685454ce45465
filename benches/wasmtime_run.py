"""Run a benchmark under Wasmtime (the `wasmtime` Python package), timing
only the run inside the process.

    wasmtime_run.py compile IN.wasm OUT.cwasm [--opt speed|none]
        ahead-of-time compile; prints the compile time in seconds
    wasmtime_run.py run IN.cwasm TIME_FILE [ARGS...]
        instantiate, then call _start with stdout/stderr inherited; writes
        the seconds spent in _start to TIME_FILE; exits with the guest's
        status

Compile and run use engines with the same configuration, so the
precompiled module is accepted. WASMTIME_DISABLE=has_avx,has_bmi2,...
turns Cranelift ISA features off (for both), e.g. to compare code
generation at wasmc's x86-64-v2 baseline.
"""

import os

import sys
import time

import wasmtime


def engine(opt="speed"):
    cfg = wasmtime.Config()
    cfg.cranelift_opt_level = opt
    for flag in filter(None, os.environ.get("WASMTIME_DISABLE", "").split(",")):
        cfg.cranelift_flag_set(flag, "false")
    return wasmtime.Engine(cfg)


def compile_module(src, dst, opt):
    eng = engine(opt)
    with open(src, "rb") as f:
        wasm = f.read()
    t0 = time.perf_counter()
    module = wasmtime.Module(eng, wasm)
    t1 = time.perf_counter()
    with open(dst, "wb") as f:
        f.write(module.serialize())
    print(f"{t1 - t0:.6f}")


def run(cwasm, time_file, args):
    eng = engine()
    module = wasmtime.Module.deserialize_file(eng, cwasm)
    linker = wasmtime.Linker(eng)
    linker.define_wasi()
    store = wasmtime.Store(eng)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [cwasm] + args
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    wasi.inherit_stdin()
    store.set_wasi(wasi)
    instance = linker.instantiate(store, module)
    start = instance.exports(store)["_start"]
    code = 0
    t0 = time.perf_counter()
    try:
        start(store)
    except wasmtime.ExitTrap as e:
        code = e.code
    t1 = time.perf_counter()
    with open(time_file, "w") as f:
        f.write(f"{t1 - t0:.6f}\n")
    sys.stdout.flush()
    return code


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "compile":
        opt = "speed"
        if "--opt" in sys.argv:
            opt = sys.argv[sys.argv.index("--opt") + 1]
        compile_module(sys.argv[2], sys.argv[3], opt)
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == "run":
        return run(sys.argv[2], sys.argv[3], sys.argv[4:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
