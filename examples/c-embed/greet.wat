;; A small module for the C embedding example: it greets through a host
;; function the C program defines, computes, allocates inside itself, and
;; can trap.
(module
  (import "env" "print" (func $print (param i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (data (i32.const 16) "Hello, ")
  ;; A bump allocator, so the host can place data inside the guest.
  (func (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (local.get $p))
  (func (export "free") (param i32))
  ;; Prints "Hello, <name>!" through the host; returns its length.
  (func (export "greet") (param $name i32) (param $len i32) (result i32)
    (memory.copy (i32.const 23) (local.get $name) (local.get $len))
    (i32.store8 (i32.add (i32.const 23) (local.get $len)) (i32.const 33))
    (call $print (i32.const 16) (i32.add (local.get $len) (i32.const 8)))
    (i32.add (local.get $len) (i32.const 8)))
  (func (export "fib") (param $n i32) (result i64)
    (local $a i64) (local $b i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $b (i64.add (local.get $a) (local.tee $a (local.get $b))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $a)))
