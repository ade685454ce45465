;; expect: the calling module exports no memory
;; A host function (fd_write, with no memory to read from) fails after being
;; reached by return_call: the trap is reported and the exit status is 134.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (func $write_tail (param i32) (result i32)
    (return_call $fd_write (local.get 0) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "_start") (drop (call $write_tail (i32.const 1)))))
