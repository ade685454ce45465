;; A 4.8 GB array of references: more than Wasmtime's 32-bit GC heap holds,
;; allocated here like a native program's malloc would be (one object may
;; use the whole heap limit). Its untouched pages cost no memory, and it
;; stays in place while collections run around it.
(module
  (type $refs (array (mut anyref)))
  (type $box (struct (field i32)))
  (func (export "huge") (result i32)
    (local $a (ref $refs))
    (local $i i32)
    (local.set $a (array.new_default $refs (i32.const 600000000)))
    (array.set $refs (local.get $a) (i32.const 599999999)
      (struct.new $box (i32.const 42)))
    ;; Enough garbage for several minor and major collections.
    (loop $l
      (drop (array.new_default $refs (i32.const 1000)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
    (i32.add
      (array.len (local.get $a))
      (struct.get $box 0
        (ref.cast (ref $box) (array.get $refs (local.get $a) (i32.const 599999999)))))))
