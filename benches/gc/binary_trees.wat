;; Binary trees (the Benchmarks Game classic): a stretch tree of depth
;; SIZE+1, a long-lived tree of depth SIZE, then for d = 4, 6, ..., SIZE,
;; 2^(SIZE-d+4) trees of depth d built and checked. Nearly every object dies
;; young; the long-lived tree is promoted once and then only read.
;; run() returns a checksum of all node counts.
(module
  (type $tree (struct (field $l (ref null $tree)) (field $r (ref null $tree))))

  (global $size i32 (i32.const 17))

  (func $make (param $d i32) (result (ref $tree))
    (if (result (ref $tree)) (i32.eqz (local.get $d))
      (then (struct.new_default $tree))
      (else
        (local.set $d (i32.sub (local.get $d) (i32.const 1)))
        (struct.new $tree (call $make (local.get $d)) (call $make (local.get $d))))))

  (func $check (param $t (ref $tree)) (result i32)
    (local $l (ref null $tree))
    (local.set $l (struct.get $tree $l (local.get $t)))
    (if (result i32) (ref.is_null (local.get $l))
      (then (i32.const 1))
      (else
        (i32.add (i32.const 1)
          (i32.add (call $check (ref.as_non_null (local.get $l)))
                   (call $check (ref.as_non_null (struct.get $tree $r (local.get $t)))))))))

  (func $run (export "run") (result i32)
    (local $max i32) (local $d i32) (local $iters i32) (local $i i32)
    (local $check i32) (local $sum i32) (local $long (ref null $tree))
    (local.set $max (global.get $size))
    ;; Stretch tree.
    (local.set $sum (call $check (call $make (i32.add (local.get $max) (i32.const 1)))))
    (local.set $long (call $make (local.get $max)))
    (local.set $d (i32.const 4))
    (block $done
      (loop $depths
        (br_if $done (i32.gt_s (local.get $d) (local.get $max)))
        (local.set $iters (i32.shl (i32.const 1)
          (i32.add (i32.sub (local.get $max) (local.get $d)) (i32.const 4))))
        (local.set $check (i32.const 0))
        (local.set $i (i32.const 0))
        (loop $trees
          (local.set $check (i32.add (local.get $check)
            (call $check (call $make (local.get $d)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $trees (i32.lt_s (local.get $i) (local.get $iters))))
        ;; Mix the per-depth check in, position-dependently.
        (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 31)) (local.get $check)))
        (local.set $d (i32.add (local.get $d) (i32.const 2)))
        (br $depths)))
    (i32.add (i32.mul (local.get $sum) (i32.const 31))
      (call $check (ref.as_non_null (local.get $long))))))
