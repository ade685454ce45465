;; Arrays of references with copies: a growable vector of boxed numbers
;; (`$vec`: an array of references plus a length) used as a list would be.
;; Each of SIZE rounds:
;;  * pushes 1,000 new boxes, growing by doubling (array.new_default + array.copy
;;    into the new array);
;;  * inserts 100 boxes at pseudo-random positions and removes 100, shifting
;;    the tail with overlapping array.copy within the same array (towards
;;    higher indices to insert, lower ones to remove);
;;  * takes a slice into a fresh array (array.copy between arrays) and
;;    reverses it in place, and fills a scratch array with array.fill;
;;  * keeps the vector in a 16-slot history (an array of references), so
;;    each vector lives for 16 rounds: long enough to be promoted.
;; A 65,536-slot array (512 KiB, allocated once and promoted) also receives
;; a copy of each round's slice: array.copy from young into old, which
;; the barrier must record. run() returns a checksum of every round.
(module
  (type $box (struct (field $v i32)))
  (type $arr (array (mut (ref null $box))))
  (type $vec (struct (field $data (mut (ref $arr))) (field $len (mut i32))))
  (type $hist (array (mut (ref null $vec))))

  (global $size i32 (i32.const 10000))
  (global $seed (mut i32) (i32.const 4242))

  (func $rand (result i32)
    (global.set $seed (i32.add (i32.mul (global.get $seed) (i32.const 1103515245)) (i32.const 12345)))
    (i32.shr_u (global.get $seed) (i32.const 8)))

  (func $reserve (param $v (ref $vec)) (param $n i32)
    (local $old (ref $arr)) (local $new (ref $arr)) (local $cap i32)
    (local.set $old (struct.get $vec $data (local.get $v)))
    (local.set $cap (array.len (local.get $old)))
    (if (i32.le_u (local.get $n) (local.get $cap)) (then (return)))
    (loop $dbl
      (local.set $cap (i32.shl (local.get $cap) (i32.const 1)))
      (br_if $dbl (i32.gt_u (local.get $n) (local.get $cap))))
    (local.set $new (array.new_default $arr (local.get $cap)))
    (array.copy $arr $arr (local.get $new) (i32.const 0) (local.get $old) (i32.const 0)
      (struct.get $vec $len (local.get $v)))
    (struct.set $vec $data (local.get $v) (local.get $new)))

  (func $push (param $v (ref $vec)) (param $b (ref $box))
    (local $n i32)
    (local.set $n (struct.get $vec $len (local.get $v)))
    (call $reserve (local.get $v) (i32.add (local.get $n) (i32.const 1)))
    (array.set $arr (struct.get $vec $data (local.get $v)) (local.get $n) (local.get $b))
    (struct.set $vec $len (local.get $v) (i32.add (local.get $n) (i32.const 1))))

  ;; Insert at $at, shifting [at, len) up by one (overlapping copy).
  (func $insert (param $v (ref $vec)) (param $at i32) (param $b (ref $box))
    (local $n i32) (local $d (ref $arr))
    (local.set $n (struct.get $vec $len (local.get $v)))
    (call $reserve (local.get $v) (i32.add (local.get $n) (i32.const 1)))
    (local.set $d (struct.get $vec $data (local.get $v)))
    (array.copy $arr $arr (local.get $d) (i32.add (local.get $at) (i32.const 1))
      (local.get $d) (local.get $at) (i32.sub (local.get $n) (local.get $at)))
    (array.set $arr (local.get $d) (local.get $at) (local.get $b))
    (struct.set $vec $len (local.get $v) (i32.add (local.get $n) (i32.const 1))))

  ;; Remove the element at $at, shifting (at, len) down by one; returns it.
  (func $remove (param $v (ref $vec)) (param $at i32) (result (ref null $box))
    (local $n i32) (local $d (ref $arr)) (local $b (ref null $box))
    (local.set $n (i32.sub (struct.get $vec $len (local.get $v)) (i32.const 1)))
    (local.set $d (struct.get $vec $data (local.get $v)))
    (local.set $b (array.get $arr (local.get $d) (local.get $at)))
    (array.copy $arr $arr (local.get $d) (local.get $at)
      (local.get $d) (i32.add (local.get $at) (i32.const 1)) (i32.sub (local.get $n) (local.get $at)))
    (array.set $arr (local.get $d) (local.get $n) (ref.null $box))
    (struct.set $vec $len (local.get $v) (local.get $n))
    (local.get $b))

  (func $sum (param $a (ref $arr)) (param $from i32) (param $to i32) (result i32)
    (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $from) (local.get $to)))
        (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 3))
          (struct.get $box $v (ref.as_non_null (array.get $arr (local.get $a) (local.get $from))))))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br $l)))
    (local.get $s))

  (func $reverse (param $a (ref $arr))
    (local $i i32) (local $j i32) (local $t (ref null $box))
    (local.set $j (i32.sub (array.len (local.get $a)) (i32.const 1)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $i) (local.get $j)))
        (local.set $t (array.get $arr (local.get $a) (local.get $i)))
        (array.set $arr (local.get $a) (local.get $i) (array.get $arr (local.get $a) (local.get $j)))
        (array.set $arr (local.get $a) (local.get $j) (local.get $t))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $j (i32.sub (local.get $j) (i32.const 1)))
        (br $l))))

  (func $run (export "run") (result i32)
    (local $round i32) (local $i i32) (local $v (ref $vec)) (local $sum i32)
    (local $slice (ref $arr)) (local $big (ref $arr)) (local $hist (ref $hist))
    (local $scratch (ref $arr)) (local $n i32) (local $at i32) (local $removed i32)
    (local.set $big (array.new_default $arr (i32.const 65536)))
    (local.set $hist (array.new_default $hist (i32.const 16)))
    (block $done
      (loop $rounds
        (br_if $done (i32.ge_u (local.get $round) (global.get $size)))
        (local.set $v (struct.new $vec (array.new_default $arr (i32.const 4)) (i32.const 0)))
        ;; Push.
        (local.set $i (i32.const 0))
        (loop $push
          (call $push (local.get $v) (struct.new $box (i32.add (local.get $round) (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $push (i32.lt_u (local.get $i) (i32.const 1000))))
        ;; Insert and remove in the middle.
        (local.set $i (i32.const 0))
        (loop $mid
          (local.set $n (struct.get $vec $len (local.get $v)))
          (local.set $at (i32.rem_u (call $rand) (local.get $n)))
          (call $insert (local.get $v) (local.get $at) (struct.new $box (local.get $i)))
          (local.set $at (i32.rem_u (call $rand) (local.get $n)))
          (local.set $removed (i32.add (local.get $removed)
            (struct.get $box $v (ref.as_non_null (call $remove (local.get $v) (local.get $at))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $mid (i32.lt_u (local.get $i) (i32.const 100))))
        ;; A slice of 500 from a pseudo-random start, reversed.
        (local.set $at (i32.rem_u (call $rand) (i32.const 500)))
        (local.set $slice (array.new_default $arr (i32.const 500)))
        (array.copy $arr $arr (local.get $slice) (i32.const 0)
          (struct.get $vec $data (local.get $v)) (local.get $at) (i32.const 500))
        (call $reverse (local.get $slice))
        ;; Into the big old array, at a position that moves every round.
        (array.copy $arr $arr (local.get $big) (i32.and (i32.mul (local.get $round) (i32.const 509)) (i32.const 0xfe00))
          (local.get $slice) (i32.const 0) (i32.const 500))
        ;; A scratch array filled with one box.
        (local.set $scratch (array.new_default $arr (i32.const 256)))
        (array.fill $arr (local.get $scratch) (i32.const 0) (struct.new $box (local.get $round)) (i32.const 256))
        (array.set $hist (local.get $hist) (i32.and (local.get $round) (i32.const 15)) (local.get $v))
        (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 31))
          (i32.add (i32.add
            (call $sum (struct.get $vec $data (local.get $v)) (i32.const 0) (struct.get $vec $len (local.get $v)))
            (call $sum (local.get $slice) (i32.const 0) (i32.const 500)))
            (struct.get $box $v (ref.as_non_null (array.get $arr (local.get $scratch) (i32.const 255)))))))
        (local.set $round (i32.add (local.get $round) (i32.const 1)))
        (br $rounds)))
    ;; Shift the whole big array down and up by overlapping copies, then sum
    ;; what the rounds left in it (skipping empty slots).
    (array.copy $arr $arr (local.get $big) (i32.const 0) (local.get $big) (i32.const 1) (i32.const 65535))
    (array.copy $arr $arr (local.get $big) (i32.const 1) (local.get $big) (i32.const 0) (i32.const 65535))
    (local.set $i (i32.const 0))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (i32.const 65536)))
        (if (i32.eqz (ref.is_null (array.get $arr (local.get $big) (local.get $i))))
          (then (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 3))
            (struct.get $box $v (ref.as_non_null (array.get $arr (local.get $big) (local.get $i))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.add (local.get $sum) (local.get $removed))))
