;; expect: the calling module exports no memory
;; A host function (fd_write, with no memory to read from) fails when called
;; two calls deep: the backtrace starts at the import and names every caller.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (func $inner (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (nop))
  (func $middle (call $inner) (nop))
  (func (export "_start") (call $middle) (nop)))
