;; GC objects holding v128: a struct with v128 fields between packed i8/i16
;; fields, arrays of v128 (array.new, array.new_default, array.fill,
;; array.copy between two arrays and of an array onto itself, overlapping
;; both ways, array.get/set), kept in globals and locals across thousands of
;; allocations (under the harness's GC stress run, a collection at each).

(module
  (type $arr (array (mut v128)))
  (type $s (struct (field (mut i8)) (field (mut v128)) (field (mut i16)) (field v128) (field (mut i8))))
  (type $tags (array i32))

  (global $a (mut (ref null $arr)) (ref.null $arr))
  (global $b (mut (ref null $arr)) (ref.null $arr))
  (global $s (mut (ref null $s)) (ref.null $s))

  ;; The value of tag t: lanes t, 3t, ~t, t ^ 0x5a5a5a5a.
  (func $val (param $t i32) (result v128)
    (i32x4.replace_lane 3
      (i32x4.replace_lane 2
        (i32x4.replace_lane 1 (i32x4.splat (local.get $t)) (i32.mul (local.get $t) (i32.const 3)))
        (i32.xor (local.get $t) (i32.const -1)))
      (i32.xor (local.get $t) (i32.const 0x5a5a5a5a))))

  (func $same (param v128 v128) (result i32)
    (i8x16.all_true (i8x16.eq (local.get 0) (local.get 1))))

  ;; Garbage: n arrays of v128 and n structs.
  (func $churn (param $n i32)
    (loop $next
      (drop (array.new $arr (call $val (local.get $n)) (i32.const 9)))
      (drop (struct.new $s (i32.const 1) (v128.const i64x2 -1 -1) (i32.const 2) (call $val (local.get $n)) (i32.const 3)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $next (i32.gt_s (local.get $n) (i32.const 0)))))

  (func (export "build")
    (local $a (ref $arr)) (local $i i32)
    (global.set $s (struct.new $s (i32.const 0x1ff) (call $val (i32.const 1000)) (i32.const 0x18001)
      (call $val (i32.const 2000)) (i32.const 0x7f)))
    (local.set $a (array.new $arr (call $val (i32.const 7)) (i32.const 32)))
    (call $churn (i32.const 300))
    (loop $set
      (array.set $arr (local.get $a) (local.get $i) (call $val (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $set (i32.lt_u (local.get $i) (i32.const 32))))
    (global.set $a (local.get $a))
    (call $churn (i32.const 300))
    (array.fill $arr (local.get $a) (i32.const 20) (call $val (i32.const 100)) (i32.const 4))
    (call $churn (i32.const 300))
    ;; onto itself, destination after the source: a[4..12) = a[0..8)
    (array.copy $arr $arr (local.get $a) (i32.const 4) (local.get $a) (i32.const 0) (i32.const 8))
    (call $churn (i32.const 300))
    ;; onto itself, destination before the source: a[13..23) = a[16..26)
    (array.copy $arr $arr (local.get $a) (i32.const 13) (local.get $a) (i32.const 16) (i32.const 10))
    (global.set $b (array.new_default $arr (i32.const 40)))
    (call $churn (i32.const 300))
    ;; between arrays: b[30..38) = a[0..8)
    (array.copy $arr $arr (global.get $b) (i32.const 30) (local.get $a) (i32.const 0) (i32.const 8))
    (struct.set $s 1 (global.get $s) (call $val (i32.const 3000)))
    (struct.set $s 0 (global.get $s) (i32.const 0x80))
    (call $churn (i32.const 300)))

  ;; 0 if every element and field is what build made, else a code naming
  ;; the first difference. A fresh struct is held in a local meanwhile.
  (func (export "check") (result i32)
    (local $i i32) (local $tags (ref $tags)) (local $s (ref $s)) (local $b (ref $arr))
    (local.set $s (struct.new $s (i32.const -1) (call $val (i32.const 77)) (i32.const -1) (call $val (i32.const 78)) (i32.const 5)))
    (call $churn (i32.const 500))
    (local.set $tags (array.new_fixed $tags 32
      (i32.const 0) (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 0) (i32.const 1) (i32.const 2) (i32.const 3)
      (i32.const 4) (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 12) (i32.const 16) (i32.const 17) (i32.const 18)
      (i32.const 19) (i32.const 100) (i32.const 100) (i32.const 100) (i32.const 100) (i32.const 24) (i32.const 25) (i32.const 100)
      (i32.const 24) (i32.const 25) (i32.const 26) (i32.const 27) (i32.const 28) (i32.const 29) (i32.const 30) (i32.const 31)))
    (loop $a
      (if (i32.eqz (call $same (array.get $arr (global.get $a) (local.get $i))
                               (call $val (array.get $tags (local.get $tags) (local.get $i)))))
        (then (return (i32.add (i32.const 100) (local.get $i)))))
      (call $churn (i32.const 20))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $a (i32.lt_u (local.get $i) (i32.const 32))))
    (local.set $b (ref.as_non_null (global.get $b)))
    (local.set $i (i32.const 0))
    (loop $b
      (if (i32.eqz (call $same (array.get $arr (local.get $b) (local.get $i))
                     (if (result v128) (i32.ge_u (local.get $i) (i32.const 30))
                       (then (if (result v128) (i32.lt_u (local.get $i) (i32.const 38))
                         (then (call $val (array.get $tags (local.get $tags) (i32.sub (local.get $i) (i32.const 30)))))
                         (else (v128.const i64x2 0 0))))
                       (else (v128.const i64x2 0 0)))))
        (then (return (i32.add (i32.const 200) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $b (i32.lt_u (local.get $i) (i32.const 40))))
    (if (i32.ne (array.len (local.get $b)) (i32.const 40)) (then (return (i32.const 300))))
    (if (i32.ne (struct.get_s $s 0 (global.get $s)) (i32.const -128)) (then (return (i32.const 301))))
    (if (i32.ne (struct.get_u $s 0 (global.get $s)) (i32.const 0x80)) (then (return (i32.const 302))))
    (if (i32.eqz (call $same (struct.get $s 1 (global.get $s)) (call $val (i32.const 3000)))) (then (return (i32.const 303))))
    (if (i32.ne (struct.get_s $s 2 (global.get $s)) (i32.const -32767)) (then (return (i32.const 304))))
    (if (i32.ne (struct.get_u $s 2 (global.get $s)) (i32.const 0x8001)) (then (return (i32.const 305))))
    (if (i32.eqz (call $same (struct.get $s 3 (global.get $s)) (call $val (i32.const 2000)))) (then (return (i32.const 306))))
    (if (i32.ne (struct.get_s $s 4 (global.get $s)) (i32.const 127)) (then (return (i32.const 307))))
    (if (i32.ne (struct.get_u $s 0 (local.get $s)) (i32.const 255)) (then (return (i32.const 308))))
    (if (i32.eqz (call $same (struct.get $s 1 (local.get $s)) (call $val (i32.const 77)))) (then (return (i32.const 309))))
    (if (i32.ne (struct.get_s $s 2 (local.get $s)) (i32.const -1)) (then (return (i32.const 310))))
    (if (i32.eqz (call $same (struct.get $s 3 (local.get $s)) (call $val (i32.const 78)))) (then (return (i32.const 311))))
    (if (i32.ne (struct.get_u $s 4 (local.get $s)) (i32.const 5)) (then (return (i32.const 312))))
    (i32.const 0))

  (func (export "a") (param i32) (result v128) (array.get $arr (global.get $a) (local.get 0)))
  (func (export "b") (param i32) (result v128) (array.get $arr (global.get $b) (local.get 0)))
  (func (export "s1") (result v128) (struct.get $s 1 (global.get $s)))
  (func (export "s3") (result v128) (struct.get $s 3 (global.get $s)))
)

(invoke "build")
(assert_return (invoke "check") (i32.const 0))
;; a few values spelled out: tag t is i32x4 t 3t ~t t^0x5a5a5a5a
(assert_return (invoke "a" (i32.const 0)) (v128.const i32x4 0 0 -1 0x5a5a5a5a))
(assert_return (invoke "a" (i32.const 11)) (v128.const i32x4 7 21 -8 0x5a5a5a5d))
(assert_return (invoke "a" (i32.const 13)) (v128.const i32x4 16 48 -17 0x5a5a5a4a))
(assert_return (invoke "a" (i32.const 23)) (v128.const i32x4 100 300 -101 0x5a5a5a3e))
(assert_return (invoke "b" (i32.const 29)) (v128.const i64x2 0 0))
(assert_return (invoke "b" (i32.const 37)) (v128.const i32x4 3 9 -4 0x5a5a5a59))
(assert_return (invoke "s1") (v128.const i32x4 3000 9000 -3001 0x5a5a51e2))
(assert_return (invoke "s3") (v128.const i32x4 2000 6000 -2001 0x5a5a5d8a))
(assert_trap (invoke "a" (i32.const 32)) "out of bounds array access")
;; the whole sequence again, from fresh objects
(invoke "build")
(assert_return (invoke "check") (i32.const 0))
