import os

# Generates tests/wast/atomics.wast: every atomic operator of the threads
# proposal, with expected values from a plain Python model of memory.
M64 = (1 << 64) - 1
INIT = 0x8877665544332211  # little-endian bytes 11 22 33 ... 88 at address 8
out = []
w = out.append

def mask(bits): return (1 << bits) - 1

ops_rmw = {
    'add': lambda a, b, m: (a + b) & m,
    'sub': lambda a, b, m: (a - b) & m,
    'and': lambda a, b, m: a & b,
    'or': lambda a, b, m: a | b,
    'xor': lambda a, b, m: a ^ b,
    'xchg': lambda a, b, m: b & m,
}
# (wasm type, access bits, name infix, suffix)
widths = [('i32', 32, '', ''), ('i64', 64, '', ''), ('i32', 8, '8', '_u'), ('i32', 16, '16', '_u'),
          ('i64', 8, '8', '_u'), ('i64', 16, '16', '_u'), ('i64', 32, '32', '_u')]

def get(mem, at, bits):
    return (mem >> (8 * (at - 8))) & mask(bits)

def put(mem, at, bits, v):
    sh = 8 * (at - 8)
    return (mem & ~(mask(bits) << sh) & M64) | ((v & mask(bits)) << sh)

def hexc(v): return f"0x{v:x}"

for shared in (True, False):
    w(f";; Every atomic operator on a{' shared' if shared else 'n unshared'} memory; values from a model of")
    w(";; little-endian memory. The word under test is at address 8 (offset=8 on")
    w(";; a base address of 0 exercises the memarg offset).")
    w("(module")
    w(f"  (memory 1 1{' shared' if shared else ''})")
    w("  (func (export \"init\") (i64.store (i32.const 8) (i64.const " + hexc(INIT) + ")))")
    w("  (func (export \"word\") (result i64) (i64.load (i32.const 8)))")
    for ty, bits, n, suf in widths:
        name = f"{ty}.atomic.load{n}{suf}"
        w(f"  (func (export \"{name}\") (param i32) (result {ty}) ({name} offset=8 (local.get 0)))")
        sname = f"{ty}.atomic.store{n}"
        w(f"  (func (export \"{sname}\") (param i32 {ty}) ({sname} offset=8 (local.get 0) (local.get 1)))")
        for op in ops_rmw:
            rname = f"{ty}.atomic.rmw{n}.{op}{suf}"
            w(f"  (func (export \"{rname}\") (param i32 {ty}) (result {ty}) ({rname} offset=8 (local.get 0) (local.get 1)))")
        cname = f"{ty}.atomic.rmw{n}.cmpxchg{suf}"
        w(f"  (func (export \"{cname}\") (param i32 {ty} {ty}) (result {ty}) ({cname} offset=8 (local.get 0) (local.get 1) (local.get 2)))")
    w("  (func (export \"notify\") (param i32 i32) (result i32) (memory.atomic.notify offset=8 (local.get 0) (local.get 1)))")
    w("  (func (export \"wait32\") (param i32 i32 i64) (result i32) (memory.atomic.wait32 offset=8 (local.get 0) (local.get 1) (local.get 2)))")
    w("  (func (export \"wait64\") (param i32 i64 i64) (result i32) (memory.atomic.wait64 offset=8 (local.get 0) (local.get 1) (local.get 2)))")
    w("  (func (export \"fence\") (atomic.fence))")
    w("  ;; Operands whose registers hold more than their 32 bits: the upper")
    w("  ;; half must not take part in the comparison.")
    w("  (func (export \"cmpxchg_wrapped\") (param i32 i64 i32) (result i32)")
    w("    (i32.atomic.rmw.cmpxchg offset=8 (local.get 0) (i32.wrap_i64 (local.get 1)) (local.get 2)))")
    w("  (func (export \"cmpxchg32_wrapped\") (param i32 i64 i64) (result i64)")
    w("    (i64.atomic.rmw32.cmpxchg_u offset=8 (local.get 0) (i64.or (local.get 1) (i64.const 0xffffffff00000000)) (local.get 2)))")
    w(")")
    for ty, bits, n, suf in widths:
        tbits = 32 if ty == 'i32' else 64
        step = bits // 8
        at = 8 + (8 - step if bits < 64 else 0)  # the highest aligned slot of the word
        rel = at - 8
        operand = 0xF0E1D2C3B4A59687 & mask(tbits)  # wider than the access: truncated
        # load
        name = f"{ty}.atomic.load{n}{suf}"
        w('(invoke "init")')
        w(f'(assert_return (invoke "{name}" (i32.const {rel})) ({ty}.const {hexc(get(INIT, at, bits))}))')
        # store
        sname = f"{ty}.atomic.store{n}"
        w('(invoke "init")')
        w(f'(invoke "{sname}" (i32.const {rel}) ({ty}.const {hexc(operand)}))')
        w(f'(assert_return (invoke "word") (i64.const {hexc(put(INIT, at, bits, operand))}))')
        for op, f in ops_rmw.items():
            rname = f"{ty}.atomic.rmw{n}.{op}{suf}"
            old = get(INIT, at, bits)
            new = f(old, operand & mask(bits), mask(bits))
            w('(invoke "init")')
            w(f'(assert_return (invoke "{rname}" (i32.const {rel}) ({ty}.const {hexc(operand)})) ({ty}.const {hexc(old)}))')
            w(f'(assert_return (invoke "word") (i64.const {hexc(put(INIT, at, bits, new))}))')
        cname = f"{ty}.atomic.rmw{n}.cmpxchg{suf}"
        old = get(INIT, at, bits)
        # A mismatching expected value leaves memory alone; an expected value
        # that matches only after truncation to the access width succeeds.
        w('(invoke "init")')
        w(f'(assert_return (invoke "{cname}" (i32.const {rel}) ({ty}.const {hexc(old ^ 1)}) ({ty}.const {hexc(operand)})) ({ty}.const {hexc(old)}))')
        w(f'(assert_return (invoke "word") (i64.const {hexc(INIT)}))')
        exp = old | (mask(tbits) & ~mask(bits))
        w(f'(assert_return (invoke "{cname}" (i32.const {rel}) ({ty}.const {hexc(exp)}) ({ty}.const {hexc(operand)})) ({ty}.const {hexc(old)}))')
        w(f'(assert_return (invoke "word") (i64.const {hexc(put(INIT, at, bits, operand))}))')
        # misaligned (every width above a byte) and out of bounds (the last
        # aligned slot past the end of the one page)
        if bits > 8:
            w(f'(assert_trap (invoke "{name}" (i32.const {rel + 1})) "unaligned atomic")')
            w(f'(assert_trap (invoke "{sname}" (i32.const {rel + 1}) ({ty}.const 0)) "unaligned atomic")')
            w(f'(assert_trap (invoke "{ty}.atomic.rmw{n}.add{suf}" (i32.const {rel + step // 2}) ({ty}.const 0)) "unaligned atomic")')
            w(f'(assert_trap (invoke "{cname}" (i32.const {rel + 1}) ({ty}.const 0) ({ty}.const 0)) "unaligned atomic")')
        oob = 65536 - 8  # address + offset 8 = 65536: just past the end
        w(f'(assert_trap (invoke "{name}" (i32.const {oob})) "out of bounds memory access")')
        w(f'(assert_trap (invoke "{sname}" (i32.const {oob}) ({ty}.const 0)) "out of bounds memory access")')
        for op in ops_rmw:
            w(f'(assert_trap (invoke "{ty}.atomic.rmw{n}.{op}{suf}" (i32.const {oob}) ({ty}.const 0)) "out of bounds memory access")')
        w(f'(assert_trap (invoke "{cname}" (i32.const {oob}) ({ty}.const 0) ({ty}.const 0)) "out of bounds memory access")')
        # the last slot in bounds works
        last = oob - step
        w(f'(assert_return (invoke "{name}" (i32.const {last})) ({ty}.const 0))')
    w('(invoke "fence")')
    w('(invoke "init")')
    w('(assert_return (invoke "cmpxchg_wrapped" (i32.const 0) (i64.const 0x7fffffff44332211) (i32.const 5)) (i32.const 0x44332211))')
    w('(assert_return (invoke "word") (i64.const 0x8877665500000005))')
    w('(assert_return (invoke "cmpxchg32_wrapped" (i32.const 4) (i64.const 0x88776655) (i64.const 7)) (i64.const 0x88776655))')
    w('(assert_return (invoke "word") (i64.const 0x0000000700000005))')
    w('(invoke "init")')
    w('(assert_return (invoke "notify" (i32.const 0) (i32.const 1)) (i32.const 0))')
    w('(assert_trap (invoke "notify" (i32.const 65528) (i32.const 1)) "out of bounds memory access")')
    w('(assert_trap (invoke "notify" (i32.const 2) (i32.const 1)) "unaligned atomic")')
    w('(assert_trap (invoke "wait32" (i32.const 65523) (i32.const 0) (i64.const 0)) "unaligned atomic")')
    w('(assert_trap (invoke "wait64" (i32.const 4) (i64.const 0) (i64.const 0)) "unaligned atomic")')
    w('(assert_trap (invoke "wait32" (i32.const 65528) (i32.const 0) (i64.const 0)) "out of bounds memory access")')
    w('(assert_trap (invoke "wait64" (i32.const 65528) (i64.const 0) (i64.const 0)) "out of bounds memory access")')
    if shared:
        w(";; Without another thread: a mismatch returns 1 (\"not-equal\") at once,")
        w(";; a match sleeps for the timeout and returns 2 (\"timed-out\").")
        w('(assert_return (invoke "wait32" (i32.const 0) (i32.const 0) (i64.const 0)) (i32.const 1))')
        w(f'(assert_return (invoke "wait64" (i32.const 0) (i64.const {hexc(INIT ^ (1 << 63))}) (i64.const -1)) (i32.const 1))')
        w('(assert_return (invoke "wait32" (i32.const 0) (i32.const 0x44332211) (i64.const 1000000)) (i32.const 2))')
        w(f'(assert_return (invoke "wait64" (i32.const 0) (i64.const {hexc(INIT)}) (i64.const 0)) (i32.const 2))')
    else:
        w(";; wait traps on an unshared memory even when it would not block.")
        w('(assert_trap (invoke "wait32" (i32.const 0) (i32.const 0) (i64.const 0)) "expected shared memory")')
        w(f'(assert_trap (invoke "wait64" (i32.const 0) (i64.const {hexc(INIT)}) (i64.const -1)) "expected shared memory")')
    w("")

w(";; The memarg must give natural alignment; a larger one is invalid too.")
for ty, bits, n, suf in widths:
    for al in (bits // 16, bits // 4):
        if al < 1 or al == bits // 8:
            continue
        w(f'(assert_invalid (module (memory 1 1 shared) (func (drop ({ty}.atomic.load{n}{suf} align={al} (i32.const 0))))) "alignment")')
w('(assert_invalid (module (memory 1 1 shared) (func (drop (memory.atomic.notify align=2 (i32.const 0) (i32.const 0))))) "alignment")')
w('(assert_invalid (module (memory 1 shared)) "shared memory must have maximum size")')
w('(assert_invalid (module (func (drop (memory.atomic.notify (i32.const 0) (i32.const 0))))) "unknown memory")')
w('(assert_invalid (module (func (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0))))) "unknown memory")')
w('(assert_invalid (module (memory 1) (func (drop (memory.atomic.wait64 1 (i32.const 0) (i64.const 0) (i64.const 0))))) "unknown memory")')
w("")
w(";; Importing a shared memory needs a shared one, and the reverse.")
w('(module $shared (memory (export "m") 1 2 shared))')
w('(register "shared" $shared)')
w('(module (memory (import "shared" "m") 1 2 shared))')
w('(assert_unlinkable (module (memory (import "shared" "m") 1 2)) "incompatible import type")')
w('(module $plain (memory (export "m") 1 2))')
w('(register "plain" $plain)')
w('(assert_unlinkable (module (memory (import "plain" "m") 1 2 shared)) "incompatible import type")')
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'atomics.wast'), 'w').write("\n".join(out) + "\n")
