;; WASI per instance: arguments, environment, granted directories, exit,
;; and `_initialize` (run once at instantiation).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $envs (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (global $inits (export "inits") (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $inits (i32.add (global.get $inits) (i32.const 1))))
  (func (export "argc") (result i32) (drop (call $args (i32.const 0) (i32.const 4))) (i32.load (i32.const 0)))
  (func (export "envc") (result i32) (drop (call $envs (i32.const 0) (i32.const 4))) (i32.load (i32.const 0)))
  (func (export "preopen") (param i32) (result i32) (call $prestat (local.get 0) (i32.const 16)))
  (func (export "quit") (param i32) (call $exit (local.get 0))))
