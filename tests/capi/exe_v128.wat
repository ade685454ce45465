;; An executable whose C imports (exe_v128.c) take and return v128
;; (wasmc_v128_t by value), two where an ABI passes the v128 on the stack
;; (see compiler/src/emit/c_abi.rs). Prints exe_v128.expected. Built for
;; each target by the cross tests (riscv64 with --cpu rv64gcv).
(module
  (import "env" "mix" (func $mix (param v128 i32) (result v128)))
  ;; x86_64: the caller and four integers leave one register (r9).
  (import "env" "edge6" (func $edge6 (param i32 i32 i32 i32 v128 f64 i32 v128) (result v128)))
  ;; aarch64, riscv64: the caller and six integers leave one register.
  (import "env" "edge8" (func $edge8 (param i64 i64 i64 i64 i64 i64 v128 i64) (result v128 i32)))
  (import "env" "show" (func $show (param v128)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $a v128) (local $b v128) (local $n i32)
    (local.set $a (v128.const i32x4 1 2 3 0xffffffff))
    (local.set $b (v128.const i32x4 10 20 30 2))
    (call $show (call $mix (local.get $a) (i32.const 100)))
    (call $show (call $edge6 (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (local.get $a)
                             (f64.const 0.5) (i32.const 5) (local.get $b)))
    (call $edge8 (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5) (i64.const 6)
                 (local.get $a) (i64.const 7))
    (local.set $n)
    (call $show)
    (call $show (i32x4.splat (local.get $n)))))
