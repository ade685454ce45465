;; GC references held in a wasm frame across allocations made by each kind
;; of allocating builtin (struct.new, array.new_data): a moving collection
;; must find and update them. Run with WASMC_GC_STRESS=1 (a collection at
;; every allocation). Exit status 0 when every reference read back is right.
;; Regression: on aarch64 the stack walk took the caller's SP to be the
;; builtin's frame pointer + 16, wrong for builtins that save registers
;; (array_new_data), and on riscv64 it read the runtime's frame records at
;; the x86_64/aarch64 place; both crashed or read moved objects.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (type $s (struct (field (mut i32))))
  (type $a (array (mut i32)))
  (data $d "\01\00\00\00\02\00\00\00\03\00\00\00")
  (memory 1)
  (func $keep (param $n i32) (result i32)
    (local $x (ref null $s)) (local $y (ref null $s)) (local $z (ref null $a))
    (local.set $x (struct.new $s (i32.const 42)))
    (local.set $y (struct.new $s (local.get $n)))
    (local.set $z (array.new_data $a $d (i32.const 0) (i32.const 3)))
    (drop (array.new_data $a $d (i32.const 4) (i32.const 2)))
    (drop (struct.new $s (i32.const 7)))
    (drop (array.new_data $a $d (i32.const 0) (i32.const 1)))
    ;; 42 + n + 3
    (i32.add (i32.add (struct.get $s 0 (local.get $x)) (struct.get $s 0 (local.get $y)))
             (array.get $a (local.get $z) (i32.const 2))))
  (func (export "_start")
    (local $i i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (call $keep (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
    ;; sum of (45 + i) for i < 100 = 4500 + 4950
    (call $exit (i32.ne (local.get $sum) (i32.const 9450)))))
