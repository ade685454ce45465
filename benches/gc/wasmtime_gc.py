"""Run one GC benchmark under Wasmtime (the `wasmtime` Python package).

    wasmtime_gc.py compile IN.wasm OUT.cwasm
        compile ahead of time; prints the seconds spent in Module()
    wasmtime_gc.py run IN.cwasm
        deserialize, instantiate, call run(); prints one JSON line with the
        checksum and the seconds spent instantiating and in run()

GC and typed function references are enabled explicitly; the collector is
Wasmtime's default (the Python API has no setting for it). The WASI
imports, used only by the wasmc driver's _start, are satisfied by
Wasmtime's WASI and never called by run().
"""

import json
import sys
import time

import wasmtime


def engine():
    cfg = wasmtime.Config()
    cfg.wasm_gc = True
    cfg.wasm_function_references = True
    cfg.cranelift_opt_level = "speed"
    return wasmtime.Engine(cfg)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "compile":
        eng = engine()
        with open(sys.argv[2], "rb") as f:
            wasm = f.read()
        t0 = time.perf_counter()
        module = wasmtime.Module(eng, wasm)
        t1 = time.perf_counter()
        with open(sys.argv[3], "wb") as f:
            f.write(module.serialize())
        print(f"{t1 - t0:.6f}")
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "run":
        eng = engine()
        module = wasmtime.Module.deserialize_file(eng, sys.argv[2])
        store = wasmtime.Store(eng)
        store.set_wasi(wasmtime.WasiConfig())
        linker = wasmtime.Linker(eng)
        linker.define_wasi()
        t0 = time.perf_counter()
        instance = linker.instantiate(store, module)
        run = instance.exports(store)["run"]
        t1 = time.perf_counter()
        checksum = run(store) & 0xFFFFFFFF
        t2 = time.perf_counter()
        print(json.dumps({"checksum": checksum, "instantiate": t1 - t0, "run": t2 - t1}))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
