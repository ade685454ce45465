;; even/odd mutual recursion N deep through return_call, return_call_indirect
;; and return_call_ref; prints "<mode> <n> <even?>" for N from argv[1].
(module
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (type $pred (func (param i64) (result i32)))
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $even_i $odd_i)
  (elem declare func $even_r $odd_r)

  (func $even (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n)) (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get $n) (i64.const 1))))))
  (func $odd (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n)) (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get $n) (i64.const 1))))))

  (func $even_i (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n)) (then (i32.const 1))
      (else (return_call_indirect $t (type $pred) (i64.sub (local.get $n) (i64.const 1)) (i32.const 1)))))
  (func $odd_i (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n)) (then (i32.const 0))
      (else (return_call_indirect $t (type $pred) (i64.sub (local.get $n) (i64.const 1)) (i32.const 0)))))

  (func $even_r (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n)) (then (i32.const 1))
      (else (return_call_ref $pred (i64.sub (local.get $n) (i64.const 1)) (ref.func $odd_r)))))
  (func $odd_r (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n)) (then (i32.const 0))
      (else (return_call_ref $pred (i64.sub (local.get $n) (i64.const 1)) (ref.func $even_r)))))

  ;; Decimal digits of argv[1] (argv buffer at 1024, strings at 2048).
  (func $arg_n (result i64)
    (local $p i32) (local $n i64) (local $c i32)
    (drop (call $args_get (i32.const 1024) (i32.const 2048)))
    (local.set $p (i32.load (i32.const 1028)))
    (block $done (loop $next
      (local.set $c (i32.load8_u (local.get $p)))
      (br_if $done (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 0)))
      (br_if $done (i32.gt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 9)))
      (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 10)) (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 48)))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $next)))
    (local.get $n))

  ;; Prints "<tag> <digit>\n".
  (func $print (param $tag i32) (param $bit i32)
    (i32.store8 (i32.const 0) (local.get $tag))
    (i32.store8 (i32.const 1) (i32.const 32))
    (i32.store8 (i32.const 2) (i32.add (i32.const 48) (local.get $bit)))
    (i32.store8 (i32.const 3) (i32.const 10))
    (i32.store (i32.const 16) (i32.const 0))
    (i32.store (i32.const 20) (i32.const 4))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))

  (func (export "_start")
    (local $n i64)
    (local.set $n (call $arg_n))
    (call $print (i32.const 100) (call $even (local.get $n)))      ;; 'd' direct
    (call $print (i32.const 105) (call $even_i (local.get $n)))    ;; 'i' indirect
    (call $print (i32.const 114) (call $even_r (local.get $n)))))  ;; 'r' ref
