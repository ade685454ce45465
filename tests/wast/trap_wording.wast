;; Trap messages hold the spec's words and the words other engines' test
;; suites match by substring (issue 17, defect 4): the same traps asserted
;; both ways.
(module
  (type $t (func))
  (type $a (array (mut i8)))
  (type $s (struct (field i32)))
  (table 2 funcref)
  (func (export "call_oob") (call_indirect (type $t) (i32.const 7)))
  (func (export "copy_null")
    (array.copy $a $a (ref.null $a) (i32.const 0) (array.new_default $a (i32.const 1)) (i32.const 0) (i32.const 1)))
  (func (export "get_null") (result i32) (struct.get $s 0 (ref.null $s)))
  (func (export "i31_null") (result i32) (i31.get_s (ref.null i31))))

(assert_trap (invoke "call_oob") "undefined element")
(assert_trap (invoke "call_oob") "out of bounds")
(assert_trap (invoke "copy_null") "null array reference")
(assert_trap (invoke "copy_null") "null reference")
(assert_trap (invoke "get_null") "null structure reference")
(assert_trap (invoke "get_null") "null reference")
(assert_trap (invoke "i31_null") "null i31 reference")
(assert_trap (invoke "i31_null") "null reference")
