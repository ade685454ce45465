;; List churn: SIZE rounds, each building a 400-element linked list of
;; pseudo-random numbers and running functional list code over it: reverse,
;; map, filter and a merge sort that allocates (split into two new lists,
;; merge into a new list). Each round's sorted list is kept in a ring of 32
;; slots until 32 rounds later, so some lists survive minor collections and
;; die in the old generation. run() returns a checksum of every round's
;; results and of the lists still kept at the end.
(module
  (type $cons (struct (field $v i32) (field $next (ref null $cons))))
  (type $ring (array (mut (ref null $cons))))

  (global $size i32 (i32.const 15000))
  (global $seed (mut i32) (i32.const 12345))

  (func $rand (result i32)
    (global.set $seed (i32.add (i32.mul (global.get $seed) (i32.const 1103515245)) (i32.const 12345)))
    (i32.shr_u (global.get $seed) (i32.const 8)))

  (func $build (param $n i32) (result (ref null $cons))
    (local $l (ref null $cons))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $l (struct.new $cons (i32.and (call $rand) (i32.const 0xffff)) (local.get $l)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $l))

  (func $reverse (param $l (ref null $cons)) (result (ref null $cons))
    (local $out (ref null $cons)) (local $c (ref $cons))
    (block $done
      (loop $l
        (local.set $c (br_on_null $done (local.get $l)))
        (local.set $out (struct.new $cons (struct.get $cons $v (local.get $c)) (local.get $out)))
        (local.set $l (struct.get $cons $next (local.get $c)))
        (br $l)))
    (local.get $out))

  ;; map v -> 3v + 1 (recursive, not tail: exercises stack roots)
  (func $map (param $l (ref null $cons)) (result (ref null $cons))
    (local $c (ref $cons))
    (local.set $c (block $nonnull (result (ref $cons))
      (br_on_non_null $nonnull (local.get $l))
      (return (ref.null $cons))))
    (struct.new $cons
      (i32.add (i32.mul (struct.get $cons $v (local.get $c)) (i32.const 3)) (i32.const 1))
      (call $map (struct.get $cons $next (local.get $c)))))

  ;; keep values whose bit 1 is clear, in reverse order
  (func $filter (param $l (ref null $cons)) (result (ref null $cons))
    (local $out (ref null $cons)) (local $c (ref $cons))
    (block $done
      (loop $l
        (local.set $c (br_on_null $done (local.get $l)))
        (if (i32.eqz (i32.and (struct.get $cons $v (local.get $c)) (i32.const 2)))
          (then (local.set $out (struct.new $cons (struct.get $cons $v (local.get $c)) (local.get $out)))))
        (local.set $l (struct.get $cons $next (local.get $c)))
        (br $l)))
    (local.get $out))

  (func $length (param $l (ref null $cons)) (result i32)
    (local $n i32)
    (block $done
      (loop $l
        (br_on_null $done (local.get $l))
        (local.set $l (struct.get $cons $next))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $n))

  (func $sum (param $l (ref null $cons)) (result i32)
    (local $s i32) (local $c (ref $cons))
    (block $done
      (loop $l
        (local.set $c (br_on_null $done (local.get $l)))
        (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 7)) (struct.get $cons $v (local.get $c))))
        (local.set $l (struct.get $cons $next (local.get $c)))
        (br $l)))
    (local.get $s))

  ;; Every other element (from the first, or from the second if $skip).
  (func $alternate (param $l (ref null $cons)) (param $skip i32) (result (ref null $cons))
    (local $out (ref null $cons)) (local $c (ref $cons)) (local $take i32)
    (local.set $take (i32.eqz (local.get $skip)))
    (block $done
      (loop $l
        (local.set $c (br_on_null $done (local.get $l)))
        (if (local.get $take)
          (then (local.set $out (struct.new $cons (struct.get $cons $v (local.get $c)) (local.get $out)))))
        (local.set $take (i32.eqz (local.get $take)))
        (local.set $l (struct.get $cons $next (local.get $c)))
        (br $l)))
    (local.get $out))

  (func $merge (param $a (ref null $cons)) (param $b (ref null $cons)) (result (ref null $cons))
    (local $ca (ref $cons)) (local $cb (ref $cons))
    (local.set $ca (block $nn (result (ref $cons)) (br_on_non_null $nn (local.get $a)) (return (local.get $b))))
    (local.set $cb (block $nn (result (ref $cons)) (br_on_non_null $nn (local.get $b)) (return (local.get $a))))
    (if (result (ref null $cons))
        (i32.le_u (struct.get $cons $v (local.get $ca)) (struct.get $cons $v (local.get $cb)))
      (then (struct.new $cons (struct.get $cons $v (local.get $ca))
              (call $merge (struct.get $cons $next (local.get $ca)) (local.get $cb))))
      (else (struct.new $cons (struct.get $cons $v (local.get $cb))
              (call $merge (local.get $ca) (struct.get $cons $next (local.get $cb)))))))

  (func $sort (param $l (ref null $cons)) (result (ref null $cons))
    (if (i32.lt_u (call $length (local.get $l)) (i32.const 2))
      (then (return (local.get $l))))
    (call $merge
      (call $sort (call $alternate (local.get $l) (i32.const 0)))
      (call $sort (call $alternate (local.get $l) (i32.const 1)))))

  (func $run (export "run") (result i32)
    (local $ring (ref $ring)) (local $i i32) (local $sum i32)
    (local $l (ref null $cons)) (local $s (ref null $cons))
    (local.set $ring (array.new_default $ring (i32.const 32)))
    (block $done
      (loop $rounds
        (br_if $done (i32.ge_u (local.get $i) (global.get $size)))
        (local.set $l (call $build (i32.const 400)))
        (local.set $l (call $map (call $reverse (local.get $l))))
        (local.set $s (call $sort (call $filter (local.get $l))))
        (array.set $ring (local.get $ring) (i32.and (local.get $i) (i32.const 31)) (local.get $s))
        (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 31))
          (i32.add (call $sum (local.get $s)) (call $length (local.get $l)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rounds)))
    (local.set $i (i32.const 0))
    (loop $kept
      (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 31))
        (call $sum (array.get $ring (local.get $ring) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $kept (i32.lt_u (local.get $i) (i32.const 32))))
    (local.get $sum)))
