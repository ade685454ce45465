// Runs one GC benchmark under Node (V8): compiles the module, instantiates it
// (the WASI imports used only by the wasmc driver's _start are stubs that
// run() never calls), calls run() and prints one JSON line with the checksum
// and the seconds spent in each step, timed inside the process.
//
//     node node_gc.mjs BENCH.wasm
import { readFileSync } from 'node:fs';

const bytes = readFileSync(process.argv[2]);
const now = () => Number(process.hrtime.bigint()) / 1e9;
const t0 = now();
const module = new WebAssembly.Module(bytes);
const t1 = now();
const stub = () => { throw new Error('WASI stub called'); };
const instance = new WebAssembly.Instance(module, {
  wasi_snapshot_preview1: { fd_write: stub, clock_time_get: stub },
});
const t2 = now();
const checksum = instance.exports.run() >>> 0;
const t3 = now();
console.log(JSON.stringify({ checksum, compile: t1 - t0, instantiate: t2 - t1, run: t3 - t2 }));
