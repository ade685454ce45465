;; GC objects and references crossing into C: nodes held by the host as
;; roots while `churn` and `big` make the collector run (minor collections
;; move nursery objects, major ones move everything), i31, externrefs
;; carrying host pointers, a host import taking and returning one, and a
;; host import calling back into wasm (which collects) while the caller's
;; frame holds an object.
(module
  (type $node (struct (field $v (mut i32)) (field $next (mut (ref null $node)))))
  (type $arr (array (mut i32)))
  (import "env" "see" (func $see (param externref) (result externref)))
  (import "env" "callback" (func $callback (param i32)))
  (global $keep (mut externref) (ref.null extern))
  (table (export "refs") 2 externref)
  (func (export "make") (param i32) (result (ref null $node))
    (struct.new $node (local.get 0) (ref.null $node)))
  (func (export "cons") (param i32 (ref null $node)) (result (ref null $node))
    (struct.new $node (local.get 0) (local.get 1)))
  (func (export "value") (param (ref null $node)) (result i32)
    (struct.get $node $v (local.get 0)))
  (func (export "sum_list") (param $l (ref null $node)) (result i32)
    (local $s i32)
    (block $done
      (loop $next
        (br_if $done (ref.is_null (local.get $l)))
        (local.set $s (i32.add (local.get $s) (struct.get $node $v (local.get $l))))
        (local.set $l (struct.get $node $next (local.get $l)))
        (br $next)))
    (local.get $s))
  ;; `n` small garbage objects: minor collections.
  (func (export "churn") (param $n i32) (result i32)
    (local $i i32)
    (local $l (ref null $node))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; keep a short list alive across allocations, drop it now and then
        (local.set $l (struct.new $node (local.get $i)
          (if (result (ref null $node)) (i32.and (local.get $i) (i32.const 63))
            (then (local.get $l)) (else (ref.null $node)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))
  ;; `n` large garbage arrays (straight to the old generation): major collections.
  (func (export "big") (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (drop (array.new $arr (local.get $i) (i32.const 400000)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))
  (func (export "as_any") (param (ref null $node)) (result anyref) (local.get 0))
  (func (export "make_i31") (param i32) (result anyref) (ref.i31 (local.get 0)))
  (func (export "i31_get") (param anyref) (result i32) (i31.get_s (ref.cast i31ref (local.get 0))))
  (func (export "id_extern") (param externref) (result externref) (local.get 0))
  (func (export "keep") (param externref) (global.set $keep (local.get 0)))
  (func (export "kept") (result externref) (global.get $keep))
  (func (export "see") (param externref) (result externref) (call $see (local.get 0)))
  (func (export "node_extern") (param (ref null $node)) (result externref)
    (extern.convert_any (local.get 0)))
  (func (export "extern_value") (param externref) (result i32)
    (struct.get $node $v (ref.cast (ref $node) (any.convert_extern (local.get 0)))))
  (func (export "hold_across") (param $v i32) (result i32)
    (local $n (ref null $node))
    (local.set $n (struct.new $node (local.get $v) (ref.null $node)))
    (call $callback (local.get $v))
    (struct.get $node $v (local.get $n))))
