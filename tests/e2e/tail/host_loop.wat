;; A state machine whose step tail-calls a host import (WASI args_sizes_get)
;; 10,000,000 times; execution continues correctly after every host return.
;; Then it tail-calls proc_exit, which never returns: exit status 7.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (global $count (mut i64) (i64.const 0))

  ;; state A: count, then tail-call the host; its errno (0) is our result.
  (func $state_a (param $i i32) (result i32)
    (global.set $count (i64.add (global.get $count) (i64.const 1)))
    (return_call $sizes (i32.const 64) (i32.const 68)))
  ;; state B: checks the host really wrote argc, then tail-calls it again.
  (func $state_b (param $i i32) (result i32)
    (if (i32.eqz (i32.load (i32.const 64))) (then unreachable))
    (global.set $count (i64.add (global.get $count) (i64.const 2)))
    (return_call $sizes (i32.const 64) (i32.const 68)))

  (func $finish (param $code i32)
    (i32.store (i32.const 16) (i32.const 32))
    (i32.store (i32.const 20) (i32.const 3))
    (i32.store (i32.const 32) (i32.const 0x0a6b6f)) ;; "ok\n"
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
    (return_call $exit (local.get $code)))

  (func (export "_start")
    (local $i i32) (local $err i32)
    (loop $next
      (local.set $err (i32.or (local.get $err)
        (if (result i32) (i32.and (local.get $i) (i32.const 1))
          (then (call $state_b (local.get $i)))
          (else (call $state_a (local.get $i))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 10000000))))
    ;; 5M * 1 + 5M * 2 = 15,000,000 and no host errors.
    (if (i32.or (local.get $err) (i64.ne (global.get $count) (i64.const 15000000))) (then unreachable))
    (call $finish (i32.const 7))
    unreachable))
