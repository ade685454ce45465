;; Cyclic object graphs built and dropped 10,000,000 times. Every 1000th
;; ring is kept in a global until the next one replaces it, so cycles
;; survive into the old generation and must be reclaimed there too.
;; Prints "ok <checksum>" and must run in bounded memory.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (type $node (struct (field $id i32) (field $next (mut (ref null $node)))))
  (global $kept (mut (ref null $node)) (ref.null $node))

  (func $ring (param $id i32) (result (ref $node))
    (local $a (ref $node)) (local $b (ref $node)) (local $c (ref $node))
    (local.set $a (struct.new $node (local.get $id) (ref.null $node)))
    (local.set $b (struct.new $node (i32.add (local.get $id) (i32.const 1)) (local.get $a)))
    (local.set $c (struct.new $node (i32.add (local.get $id) (i32.const 2)) (local.get $b)))
    (struct.set $node $next (local.get $a) (local.get $c))
    (local.get $a))

  (func (export "_start")
    (local $i i32) (local $sum i32) (local $r (ref $node))
    (loop $l
      (local.set $r (call $ring (local.get $i)))
      ;; Walk the cycle: a -> c -> b -> a.
      (local.set $sum (i32.add (local.get $sum)
        (struct.get $node $id (ref.as_non_null (struct.get $node $next (ref.as_non_null
          (struct.get $node $next (local.get $r))))))))
      (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 1000)))
        (then (global.set $kept (local.get $r))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10000000))))
    ;; "ok " then the checksum in hex.
    (i32.store (i32.const 100) (i32.const 0x20206b6f))
    (call $hex (local.get $sum) (i32.const 103))
    (i32.store8 (i32.const 111) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 12))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $hex (param $v i32) (param $at i32)
    (local $k i32) (local $d i32)
    (loop $l
      (local.set $d (i32.and (i32.shr_u (local.get $v) (i32.sub (i32.const 28) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 15)))
      (i32.store8 (i32.add (local.get $at) (local.get $k))
        (i32.add (local.get $d) (select (i32.const 48) (i32.const 87) (i32.lt_u (local.get $d) (i32.const 10)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $k) (i32.const 8))))))
