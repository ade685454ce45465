;; A second module for the two-modules test: its own memory and state, and
;; an export named like one of calc's (`add`) that does something else.
(module
  (memory (export "memory") 1)
  (global $n (mut i32) (i32.const 0))
  (func (export "inc") (result i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (global.get $n))
  (func (export "put") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "get") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "add") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1))))
