;; A 1.25 GiB GC array, more than the old 1 GiB default heap limit: it must
;; be allocated like a native program's malloc would be (issue 17, defect 3).
(module
  (type $bytes (array (mut i8)))
  (func (export "big") (result i32)
    (local $a (ref $bytes))
    (local.set $a (array.new_default $bytes (i32.const 0x50000000)))
    (array.set $bytes (local.get $a) (i32.const 0x4fffffff) (i32.const 42))
    (i32.add (array.len (local.get $a))
             (array.get_u $bytes (local.get $a) (i32.const 0x4fffffff)))))
