#!/usr/bin/env python3
"""The differential fuzzer's reference engine: Wasmtime, through the
`wasmtime` package from PyPI (see ../shared/TOOLCHAIN.md).

Reads one request per module on stdin and answers on stdout, in the line
format that `fuzz/src/outcome.rs` parses (its doc comment is the protocol):

    run <module path> <number of calls>
    call <export name: x + hex of UTF-8> <result types, comma-separated or -> <arg>...
    state <kind>:<export name: x + hex>...      (globals and memories to report)

Values are `<type>:<bits in hex>`. Floats cross the Python boundary as
doubles, so a NaN's payload is not kept; the comparison treats all NaNs of a
type as equal.
"""
import hashlib
import struct
import sys

import wasmtime

STACK_BYTES = 1 << 20


def engine():
    c = wasmtime.Config()
    for feature in ("wasm_gc", "wasm_function_references", "wasm_tail_call", "wasm_simd",
                    "wasm_relaxed_simd", "wasm_reference_types", "wasm_bulk_memory",
                    "wasm_multi_value", "gc_support"):
        setattr(c, feature, True)
    # wasmc runs relaxed SIMD in the specification's deterministic profile.
    c.wasm_relaxed_simd_deterministic = True
    c.max_wasm_stack = STACK_BYTES
    return wasmtime.Engine(c)


def from_bits(ty, bits):
    if ty == "i32":
        return wasmtime.Val.i32(struct.unpack("<i", struct.pack("<I", bits))[0])
    if ty == "i64":
        return wasmtime.Val.i64(struct.unpack("<q", struct.pack("<Q", bits))[0])
    if ty == "f32":
        return wasmtime.Val.f32(struct.unpack("<f", struct.pack("<I", bits))[0])
    return wasmtime.Val.f64(struct.unpack("<d", struct.pack("<Q", bits))[0])


def to_bits(ty, value):
    if isinstance(value, wasmtime.Val):
        value = value.value
    if ty == "i32":
        return value & 0xFFFFFFFF
    if ty == "i64":
        return value & 0xFFFFFFFFFFFFFFFF
    if ty == "f32":
        return struct.unpack("<I", struct.pack("<f", value))[0]
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def value_text(ty, value):
    return "%s:%x" % (ty, to_bits(ty, value))


def trap_text(e):
    if isinstance(e, wasmtime.Trap) and e.trap_code is not None:
        return "trap " + e.trap_code.name
    return "error " + " ".join(str(e).split()).replace("\n", " ")[:200]


def name_of(hexname):
    return bytes.fromhex(hexname[1:]).decode("utf-8")


def run(eng, out, path, calls, state):
    store = wasmtime.Store(eng)
    try:
        with open(path, "rb") as f:
            module = wasmtime.Module(eng, f.read())
    except Exception as e:  # noqa: BLE001 - any refusal is an outcome
        out.append("invalid " + " ".join(str(e).split())[:200])
        return
    try:
        instance = wasmtime.Instance(store, module, [])
    except Exception as e:  # noqa: BLE001
        out.append("instantiate " + trap_text(e))
        return
    out.append("instantiate ok")
    exports = instance.exports(store)
    for hexname, results, args in calls:
        func = exports[name_of(hexname)]
        try:
            got = func(store, *[from_bits(t, b) for t, b in args])
        except Exception as e:  # noqa: BLE001
            out.append(trap_text(e))
            continue
        if not results:
            got = []
        elif len(results) == 1:
            got = [got]
        out.append(" ".join(["ok"] + [value_text(t, v) for t, v in zip(results, got)]))
    for kind, hexname in state:
        ext = exports[name_of(hexname)]
        if kind == "memory":
            data = ext.read(store, 0, ext.data_len(store))
            out.append("memory %s %d %s" % (hexname, len(data), hashlib.sha256(data).hexdigest()))
        else:
            ty = str(ext.type(store).content)
            out.append("global %s %s" % (hexname, value_text(ty, ext.value(store))))


def parse_value(text):
    ty, bits = text.split(":")
    return ty, int(bits, 16)


def main():
    eng = engine()
    lines = iter(sys.stdin.readline, "")
    for line in lines:
        words = line.split()
        if not words:
            continue
        assert words[0] == "run", line
        path, ncalls = words[1], int(words[2])
        calls = []
        for _ in range(ncalls):
            w = next(lines).split()
            assert w[0] == "call", w
            results = [] if w[2] == "-" else w[2].split(",")
            calls.append((w[1], results, [parse_value(a) for a in w[3:]]))
        w = next(lines).split()
        assert w[0] == "state", w
        state = [tuple(item.split(":")) for item in w[1:]]
        out = []
        run(eng, out, path, calls, state)
        out.append("done")
        sys.stdout.write("\n".join(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
