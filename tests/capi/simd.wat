;; v128 through the C API: typed wrappers (through wasmc_call_raw for
;; functions of numbers, wasmc_call_index with a reference), wasmc_instance_call,
;; v128 globals, and host imports taking and returning wasmc_v128_t by
;; value, two of them where an ABI passes the v128 on the stack (see
;; compiler/src/emit/c_abi.rs).
(module
  (import "env" "mix" (func $mix (param v128 i32) (result v128)))
  ;; x86_64: the caller and four integers leave one register (r9): the
  ;; first v128 goes to the stack and the i32 after it takes r9.
  (import "env" "edge6" (func $edge6 (param i32 i32 i32 i32 v128 f64 i32 v128) (result v128)))
  ;; aarch64, riscv64: the caller and six integers leave one register; two
  ;; results, so pointers to them are appended.
  (import "env" "edge8" (func $edge8 (param i64 i64 i64 i64 i64 i64 v128 i64) (result v128 i32)))
  (global $bias (export "bias") (mut v128) (v128.const i32x4 1 2 3 4))
  (global (export "fixed") v128 (v128.const i64x2 -1 7))
  (func (export "add4") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
  (func (export "add_bias") (param v128) (result v128) (i32x4.add (local.get 0) (global.get $bias)))
  (func (export "swap") (param v128 i32 v128) (result v128 i32 v128) (local.get 2) (local.get 1) (local.get 0))
  (func (export "tag") (param v128 externref) (result externref v128) (local.get 1) (local.get 0))
  (func (export "call_mix") (param v128 i32) (result v128) (call $mix (local.get 0) (local.get 1)))
  (func (export "call_edges") (param v128 v128) (result v128 v128 i32)
    (call $edge6 (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (local.get 0) (f64.const 0.5)
                 (i32.const 5) (local.get 1))
    (call $edge8 (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5) (i64.const 6)
                 (local.get 0) (i64.const 7))))
