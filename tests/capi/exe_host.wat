;; An executable whose non-WASI imports are C functions (exe_host.c), linked
;; by `wasmc build exe_host.wat exe_host.c`: prints "host says 41", exits 42.
(module
  (import "env" "get_answer" (func $get (result i32)))
  (import "env" "say_it" (func $say (param i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $say (i32.sub (call $get) (i32.const 1)))
    (call $exit (call $get))))
