;; Deep recursion that allocates in every frame and keeps each object live
;; across the recursive call: under WASMC_GC_STRESS=1 every collection
;; walks all frames, so collecting at every allocation would be quadratic
;; in the depth (issue 17, defect 6). Exits 0 when every object survived
;; the collections with its contents; traps otherwise.
(module
  (type $box (struct (field $depth i32) (field $below (ref null $box))))

  ;; Builds a box per level; returns the sum of depths seen on the way back.
  (func $down (param $depth i32) (param $below (ref null $box)) (result i64)
    (local $mine (ref $box))
    (local.set $mine (struct.new $box (local.get $depth) (local.get $below)))
    (if (result i64) (i32.eqz (local.get $depth))
      (then (i64.const 0))
      (else
        (i64.add
          (call $down (i32.sub (local.get $depth) (i32.const 1)) (local.get $mine))
          ;; Read after the callee's allocations (and collections).
          (i64.extend_i32_u (struct.get $box $depth (local.get $mine)))))))

  (func (export "_start")
    ;; sum of 1..40000
    (if (i64.ne (call $down (i32.const 40000) (ref.null $box)) (i64.const 800020000))
      (then unreachable))))
