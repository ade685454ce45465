;; The harness runs scripts under a 4 GiB heap limit (tests/spec.rs), so
;; arrays whose byte size is 4 GiB or more can never fit: they trap with
;; "allocation size too large", before a collection is tried,
;; whichever path allocates them (inline `array.new_default`, `array.new`
;; with an initial value). Smaller arrays that exceed the default heap
;; limit still report "heap exhausted".
(module
  (type $bytes (array (mut i8)))
  (type $longs (array (mut i64)))
  (func (export "bytes_max") (result i32)
    (array.len (array.new_default $bytes (i32.const -1))))
  (func (export "longs_4g") (result i32)
    (array.len (array.new_default $longs (i32.const 0x20000000))))
  (func (export "longs_filled") (result i32)
    (array.len (array.new $longs (i64.const 7) (i32.const 0x20000000))))
  (func (export "small") (result i32)
    (array.len (array.new_default $bytes (i32.const 1000)))))
(assert_trap (invoke "bytes_max") "allocation size too large")
(assert_trap (invoke "longs_4g") "allocation size too large")
(assert_trap (invoke "longs_filled") "allocation size too large")
(assert_return (invoke "small") (i32.const 1000))
