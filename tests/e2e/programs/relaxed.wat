;; Every relaxed SIMD instruction on the inputs where implementations may
;; differ (see tests/e2e/simd.rs for the expected output, derived from the
;; spec's deterministic profile). Each line: a 16-character label, then the
;; result as 32 hex digits, byte 15 first (so i32x4 lane 3 comes first).
;; Operands go through $o, a call, so that nothing is folded at compile time.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0: iovec; 16: the line; 256: hex digits; 1024: labels
  (data (i32.const 256) "0123456789abcdef")
  (data (i32.const 1024) "swizzle         trunc_f32_s a   trunc_f32_s b   trunc_f32_u a   trunc_f32_u b   trunc_f64_s a   trunc_f64_s b   trunc_f64_u a   trunc_f64_u b   madd f32        nmadd f32       madd f32 nan    madd f64        nmadd f64       laneselect i8   laneselect i16  laneselect i32  laneselect i64  min f32         max f32         min f64         max f64         q15mulr         dot             dot_add         ")
  (global $mask v128 (v128.const i8x16 0x80 0x7f 0x01 0xfe 0x55 0xaa 0x00 0xff 0x0f 0xf0 0x3c 0xc3 0x81 0x18 0x66 0x99))
  (global $da v128 (v128.const i8x16 -128 -128 127 127 -128 127 1 2 -1 -1 100 -100 0 5 -128 -128))
  (global $db v128 (v128.const i8x16 -128 -128 -128 -128 -1 -128 -1 -1 -128 -128 -128 127 7 -3 -128 127))

  (func $o (param v128) (result v128) (local.get 0))

  ;; Prints the label at $label, then $v in hex, byte 15 first.
  (func $line (param $label i32) (param $v v128)
    (local $i i32) (local $b i32)
    (v128.store (i32.const 16) (v128.load (local.get $label)))
    (v128.store (i32.const 128) (local.get $v))
    (loop $next
      (local.set $b (i32.load8_u (i32.sub (i32.const 143) (local.get $i))))
      (i32.store8 offset=32 (i32.shl (local.get $i) (i32.const 1))
        (i32.load8_u offset=256 (i32.shr_u (local.get $b) (i32.const 4))))
      (i32.store8 offset=33 (i32.shl (local.get $i) (i32.const 1))
        (i32.load8_u offset=256 (i32.and (local.get $b) (i32.const 15))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 16))))
    (i32.store8 (i32.const 64) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 49))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_start")
    (call $line (i32.const 1024) (i8x16.relaxed_swizzle (call $o (v128.const i8x16 0xa0 0xa1 0xa2 0xa3 0xa4 0xa5 0xa6 0xa7 0xa8 0xa9 0xaa 0xab 0xac 0xad 0xae 0xaf)) (call $o (v128.const i8x16 0 15 16 17 31 32 127 128 255 200 1 240 64 15 100 3))))
    (call $line (i32.const 1040) (i32x4.relaxed_trunc_f32x4_s (call $o (v128.const f32x4 nan inf -inf 3e9))))
    (call $line (i32.const 1056) (i32x4.relaxed_trunc_f32x4_s (call $o (v128.const f32x4 -2147483904 -2147483648 2147483520 -1.9))))
    (call $line (i32.const 1072) (i32x4.relaxed_trunc_f32x4_u (call $o (v128.const f32x4 nan inf -inf -0.9))))
    (call $line (i32.const 1088) (i32x4.relaxed_trunc_f32x4_u (call $o (v128.const f32x4 -1 4294967296 4294967040 0x1p-149))))
    (call $line (i32.const 1104) (i32x4.relaxed_trunc_f64x2_s_zero (call $o (v128.const f64x2 nan -1e300))))
    (call $line (i32.const 1120) (i32x4.relaxed_trunc_f64x2_s_zero (call $o (v128.const f64x2 2147483647.9 -2147483649))))
    (call $line (i32.const 1136) (i32x4.relaxed_trunc_f64x2_u_zero (call $o (v128.const f64x2 nan 4294967296))))
    (call $line (i32.const 1152) (i32x4.relaxed_trunc_f64x2_u_zero (call $o (v128.const f64x2 -inf 1.5))))
    (call $line (i32.const 1168) (f32x4.relaxed_madd (call $o (v128.const i32x4 0x3f800800 0x40000000 0x5f800000 0x80000000)) (call $o (v128.const i32x4 0x3f800800 0x40400000 0x5f800000 0x40a00000)) (call $o (v128.const i32x4 0xbf801000 0x3f800000 0xff000000 0x80000000))))
    (call $line (i32.const 1184) (f32x4.relaxed_nmadd (call $o (v128.const i32x4 0x3f800800 0x40000000 0x5f800000 0x80000000)) (call $o (v128.const i32x4 0x3f800800 0x40400000 0x5f800000 0x40a00000)) (call $o (v128.const i32x4 0x3f801000 0x3f800000 0x7f000000 0x00000000))))
    (call $line (i32.const 1200) (f32x4.relaxed_madd (call $o (v128.const i32x4 0x7f800000 0 0x7fc00000 0xffc00000)) (call $o (v128.const i32x4 0 0xff800000 0x3f800000 0x3f800000)) (call $o (v128.const f32x4 1 1 1 1))))
    (call $line (i32.const 1216) (f64x2.relaxed_madd (call $o (v128.const i64x2 0x3ff0000002000000 0x5ff0000000000000)) (call $o (v128.const i64x2 0x3ff0000002000000 0x5ff0000000000000)) (call $o (v128.const i64x2 0xbff0000004000000 0xffe0000000000000))))
    (call $line (i32.const 1232) (f64x2.relaxed_nmadd (call $o (v128.const i64x2 0x3ff0000002000000 0x5ff0000000000000)) (call $o (v128.const i64x2 0x3ff0000002000000 0x5ff0000000000000)) (call $o (v128.const i64x2 0x3ff0000004000000 0x7fe0000000000000))))
    (call $line (i32.const 1248) (i8x16.relaxed_laneselect (call $o (v128.const i8x16 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc)) (call $o (v128.const i8x16 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33)) (call $o (global.get $mask))))
    (call $line (i32.const 1264) (i16x8.relaxed_laneselect (call $o (v128.const i8x16 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc)) (call $o (v128.const i8x16 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33)) (call $o (global.get $mask))))
    (call $line (i32.const 1280) (i32x4.relaxed_laneselect (call $o (v128.const i8x16 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc)) (call $o (v128.const i8x16 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33)) (call $o (global.get $mask))))
    (call $line (i32.const 1296) (i64x2.relaxed_laneselect (call $o (v128.const i8x16 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc 0xcc)) (call $o (v128.const i8x16 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33 0x33)) (call $o (global.get $mask))))
    (call $line (i32.const 1312) (f32x4.relaxed_min (call $o (v128.const i32x4 0x7fc00000 0x3f800000 0 0x80000000)) (call $o (v128.const i32x4 0x3f800000 0xffc00000 0x80000000 0))))
    (call $line (i32.const 1328) (f32x4.relaxed_max (call $o (v128.const i32x4 0x7fc00000 0x3f800000 0 0x80000000)) (call $o (v128.const i32x4 0x3f800000 0xffc00000 0x80000000 0))))
    (call $line (i32.const 1344) (f64x2.relaxed_min (call $o (v128.const i64x2 0x7ff8000000000000 0x8000000000000000)) (call $o (v128.const f64x2 2 0))))
    (call $line (i32.const 1360) (f64x2.relaxed_max (call $o (v128.const i64x2 0 0x3ff0000000000000)) (call $o (v128.const i64x2 0x8000000000000000 0xfff8000000000000))))
    (call $line (i32.const 1376) (i16x8.relaxed_q15mulr_s (call $o (v128.const i16x8 -32768 -32768 32767 -32768 16384 -1 0x4000 12345)) (call $o (v128.const i16x8 -32768 32767 32767 1 16384 -1 -16384 -23456))))
    (call $line (i32.const 1392) (i16x8.relaxed_dot_i8x16_i7x16_s (call $o (global.get $da)) (call $o (global.get $db))))
    (call $line (i32.const 1408) (i32x4.relaxed_dot_i8x16_i7x16_add_s (call $o (global.get $da)) (call $o (global.get $db)) (call $o (v128.const i32x4 1 -1 0x7fffffff -0x80000000))))))
