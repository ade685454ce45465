;; GC regressions: each failure other engines have shipped, as assertions.
;; Run normally and with WASMC_GC_STRESS=1 (a collection at every
;; allocation, heap verified after each) by tests/e2e/gc.rs.

;; array.copy of an array onto itself, overlapping, both directions, for
;; reference, i31 and packed element types.
(module
  (type $box (struct (field i32)))
  (type $refs (array (mut (ref null $box))))
  (type $i31s (array (mut i31ref)))
  (type $bytes (array (mut i8)))
  (type $shorts (array (mut i16)))

  (func $refs (param $n i32) (result (ref $refs))
    (local $a (ref $refs)) (local $i i32)
    (local.set $a (array.new_default $refs (local.get $n)))
    (loop $l
      (array.set $refs (local.get $a) (local.get $i) (struct.new $box (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $a))
  (func $sum_refs (param $a (ref $refs)) (result i32)
    (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 31))
        (struct.get $box 0 (array.get $refs (local.get $a) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (array.len (local.get $a)))))
    (local.get $s))
  ;; [0..8) copied onto [2..10) (forward overlap) and back.
  (func (export "refs_forward") (result i32)
    (local $a (ref $refs))
    (local.set $a (call $refs (i32.const 10)))
    (array.copy $refs $refs (local.get $a) (i32.const 2) (local.get $a) (i32.const 0) (i32.const 8))
    (call $sum_refs (local.get $a)))
  (func (export "refs_backward") (result i32)
    (local $a (ref $refs))
    (local.set $a (call $refs (i32.const 10)))
    (array.copy $refs $refs (local.get $a) (i32.const 0) (local.get $a) (i32.const 2) (i32.const 8))
    (call $sum_refs (local.get $a)))
  ;; After the copy every element is still a live, valid object even
  ;; across many collections.
  (func (export "refs_survive") (result i32)
    (local $a (ref $refs)) (local $i i32)
    (local.set $a (call $refs (i32.const 10)))
    (array.copy $refs $refs (local.get $a) (i32.const 1) (local.get $a) (i32.const 0) (i32.const 9))
    (loop $l
      (drop (array.new_default $refs (i32.const 1000)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 2000))))
    (call $sum_refs (local.get $a)))

  (func (export "i31_forward") (result i32)
    (local $a (ref $i31s))
    (local.set $a (array.new_fixed $i31s 5 (ref.i31 (i32.const 1)) (ref.i31 (i32.const 2))
      (ref.i31 (i32.const 3)) (ref.i31 (i32.const 4)) (ref.i31 (i32.const 5))))
    (array.copy $i31s $i31s (local.get $a) (i32.const 1) (local.get $a) (i32.const 0) (i32.const 4))
    ;; 1 1 2 3 4
    (i32.add (i32.mul (i31.get_s (array.get $i31s (local.get $a) (i32.const 4))) (i32.const 10))
             (i31.get_s (array.get $i31s (local.get $a) (i32.const 1)))))
  (func (export "i31_backward") (result i32)
    (local $a (ref $i31s))
    (local.set $a (array.new_fixed $i31s 5 (ref.i31 (i32.const 1)) (ref.i31 (i32.const 2))
      (ref.i31 (i32.const 3)) (ref.i31 (i32.const 4)) (ref.i31 (i32.const -5))))
    (array.copy $i31s $i31s (local.get $a) (i32.const 0) (local.get $a) (i32.const 1) (i32.const 4))
    ;; 2 3 4 -5 -5
    (i32.add (i32.mul (i31.get_s (array.get $i31s (local.get $a) (i32.const 0))) (i32.const 10))
             (i31.get_s (array.get $i31s (local.get $a) (i32.const 3)))))

  (func (export "bytes") (param $dst i32) (param $src i32) (result i32)
    (local $a (ref $bytes))
    (local.set $a (array.new_data $bytes $d (i32.const 0) (i32.const 8)))
    (array.copy $bytes $bytes (local.get $a) (local.get $dst) (local.get $a) (local.get $src) (i32.const 5))
    (i32.add
      (i32.mul (array.get_u $bytes (local.get $a) (i32.const 2)) (i32.const 1000))
      (array.get_s $bytes (local.get $a) (i32.const 6))))
  (func (export "shorts") (param $dst i32) (param $src i32) (result i32)
    (local $a (ref $shorts))
    (local.set $a (array.new_fixed $shorts 6 (i32.const 1) (i32.const 2) (i32.const 3)
      (i32.const 4) (i32.const 5) (i32.const -6)))
    (array.copy $shorts $shorts (local.get $a) (local.get $dst) (local.get $a) (local.get $src) (i32.const 4))
    (i32.add (i32.mul (array.get_s $shorts (local.get $a) (i32.const 0)) (i32.const 100))
             (array.get_s $shorts (local.get $a) (i32.const 5))))
  (data $d "\01\02\03\04\05\06\07\f8")
)
;; forward: 0 1 0 1 2 3 4 5 6 7 ; backward: 2 3 4 5 6 7 8 9 8 9
;; (hash: s = s * 31 + v over the elements, in i32 arithmetic)
(assert_return (invoke "refs_forward") (i32.const -859797755))
(assert_return (invoke "refs_backward") (i32.const 1476888837))
;; copy [0,9) to [1,10): 0 0 1 2 3 4 5 6 7 8
(assert_return (invoke "refs_survive") (i32.const -687413116))
(assert_return (invoke "i31_forward") (i32.const 41))
(assert_return (invoke "i31_backward") (i32.const 15))
;; bytes 1..8 (8 is -8): copy [0,5) to [2,7): 1 2 1 2 3 4 5 -8
(assert_return (invoke "bytes" (i32.const 2) (i32.const 0)) (i32.const 1005))
;; copy [2,7) to [0,5): 3 4 5 6 7 6 7 -8
(assert_return (invoke "bytes" (i32.const 0) (i32.const 2)) (i32.const 5007))
;; shorts 1 2 3 4 5 -6: copy [0,4) to [2,6): 1 2 1 2 3 4
(assert_return (invoke "shorts" (i32.const 2) (i32.const 0)) (i32.const 104))
;; copy [2,6) to [0,4): 3 4 5 -6 5 -6
(assert_return (invoke "shorts" (i32.const 0) (i32.const 2)) (i32.const 294))

;; i31 values stored into anyref and externref fields, globals and tables.
(module
  (type $holder (struct (field (mut anyref)) (field (mut externref))))
  (global $g (mut anyref) (ref.i31 (i32.const 7)))
  (global $ge (mut externref) (extern.convert_any (ref.i31 (i32.const -9))))
  (table $t 4 anyref)
  (table $te 4 externref)
  (func $churn (local $i i32)
    (loop $l
      (drop (struct.new $holder (ref.null any) (ref.null extern)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100000)))))
  (func (export "fields") (result i32)
    (local $h (ref $holder))
    (local.set $h (struct.new $holder (ref.i31 (i32.const 42)) (extern.convert_any (ref.i31 (i32.const -3)))))
    (call $churn)
    (i32.add
      (i31.get_s (ref.cast i31ref (struct.get $holder 0 (local.get $h))))
      (i31.get_s (ref.cast i31ref (any.convert_extern (struct.get $holder 1 (local.get $h)))))))
  (func (export "globals") (result i32)
    (call $churn)
    (global.set $g (ref.i31 (i32.const 1000)))
    (call $churn)
    (i32.add (i31.get_u (ref.cast i31ref (global.get $g)))
             (i31.get_s (ref.cast i31ref (any.convert_extern (global.get $ge))))))
  (func (export "tables") (result i32)
    (table.set $t (i32.const 1) (ref.i31 (i32.const 5)))
    (table.set $te (i32.const 2) (extern.convert_any (ref.i31 (i32.const 6))))
    (table.set $t (i32.const 3) (struct.new $holder (ref.i31 (i32.const 8)) (ref.null extern)))
    (call $churn)
    (i32.add (i32.add
      (i31.get_s (ref.cast i31ref (table.get $t (i32.const 1))))
      (i31.get_s (ref.cast i31ref (any.convert_extern (table.get $te (i32.const 2))))))
      (i31.get_s (ref.cast i31ref (struct.get $holder 0 (ref.cast (ref $holder) (table.get $t (i32.const 3))))))))
  (func (export "is_i31") (param anyref) (result i32) (ref.test (ref i31) (local.get 0)))
)
(assert_return (invoke "fields") (i32.const 39))
(assert_return (invoke "globals") (i32.const 991))
(assert_return (invoke "tables") (i32.const 19))
(assert_return (invoke "is_i31" (ref.null any)) (i32.const 0))

;; References live across calls that collect: loops keep structs, arrays
;; and i31s in locals and on the operand stack while every call allocates.
(module
  (type $node (struct (field $v i32) (field $next (mut (ref null $node)))))
  (type $vec (array (mut i32)))
  (func $garbage (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (drop (struct.new $node (local.get $i) (ref.null $node)))
      (drop (array.new_default $vec (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $n))
  (func (export "live_across_calls") (result i32)
    (local $list (ref null $node)) (local $i i32) (local $sum i32) (local $v (ref $vec))
    (local.set $v (array.new $vec (i32.const 3) (i32.const 8)))
    (loop $build
      ;; The new node, the old list and $v are live across $garbage.
      (local.set $list (struct.new $node
        (i32.add (local.get $i) (call $garbage (i32.const 200)))
        (local.get $list)))
      (array.set $vec (local.get $v) (i32.and (local.get $i) (i32.const 7))
        (i32.add (array.get $vec (local.get $v) (i32.and (local.get $i) (i32.const 7))) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $build (i32.lt_u (local.get $i) (i32.const 500))))
    (loop $walk
      (local.set $sum (i32.add (local.get $sum) (struct.get $node $v (ref.as_non_null (local.get $list)))))
      (local.set $list (struct.get $node $next (ref.as_non_null (local.get $list))))
      (br_if $walk (i32.eqz (ref.is_null (local.get $list)))))
    ;; sum of (i + 200) for i < 500 (224750), plus v[0] = 3 + 63 increments.
    (i32.add (local.get $sum) (i32.add
      (array.get $vec (local.get $v) (i32.const 0))
      (i32.mul (array.get $vec (local.get $v) (i32.const 7)) (i32.const 0)))))
  ;; A value on the operand stack (not in a local) across a collecting call.
  (func (export "operand_stack") (result i32)
    (struct.get $node $v
      (struct.new $node (i32.const 11) (ref.null $node)))
    (struct.get $node $v
      (struct.new $node (call $garbage (i32.const 5000)) (ref.null $node)))
    (i32.add))
)
(assert_return (invoke "live_across_calls") (i32.const 224816))
(assert_return (invoke "operand_stack") (i32.const 5011))
