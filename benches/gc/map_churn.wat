;; Map churn: a hash map from boxed keys to boxed values, kept in two
;; arrays of references (open addressing, linear probing). Keys are `$key`
;; structs, values are `$val` structs or i31refs, both stored as anyref and
;; recovered with casts; deleted slots hold a tombstone (i31 0). SIZE
;; operations on keys drawn from 0..32767: half insert-or-update (even
;; values in a new box, odd ones as i31refs), a quarter lookups, a quarter
;; deletes. The table doubles (rehash into fresh arrays) at 3/4 load
;; counting tombstones, and is dropped and restarted at capacity 16 every
;; 200,000 operations, so rehashes of every size keep happening. run()
;; returns a checksum of the lookups and the final contents.
(module
  (type $key (sub (struct (field $k i32) (field $hash i32))))
  (type $val (sub (struct (field $v (mut i32)))))
  (type $slots (array (mut anyref)))
  (type $map (struct
    (field $keys (mut (ref $slots)))
    (field $vals (mut (ref $slots)))
    (field $count (mut i32))
    (field $used (mut i32))))   ;; live entries + tombstones

  (global $size i32 (i32.const 8000000))
  (global $seed (mut i32) (i32.const 987654321))

  (func $rand (result i32)
    (global.set $seed (i32.add (i32.mul (global.get $seed) (i32.const 1103515245)) (i32.const 12345)))
    (i32.shr_u (global.get $seed) (i32.const 8)))

  (func $hash (param $k i32) (result i32)
    (i32.xor (i32.mul (local.get $k) (i32.const 0x9e3779b1))
             (i32.shr_u (i32.mul (local.get $k) (i32.const 0x9e3779b1)) (i32.const 15))))

  (func $new_map (param $cap i32) (result (ref $map))
    (struct.new $map
      (array.new_default $slots (local.get $cap))
      (array.new_default $slots (local.get $cap))
      (i32.const 0) (i32.const 0)))

;; Index of key $k's slot, or of the empty slot where it would go (the
  ;; first tombstone met, if $for_insert).
  (func $find (param $m (ref $map)) (param $k i32) (param $h i32) (param $for_insert i32) (result i32)
    (local $keys (ref $slots)) (local $mask i32) (local $i i32) (local $tomb i32) (local $s anyref)
    (local.set $keys (struct.get $map $keys (local.get $m)))
    (local.set $mask (i32.sub (array.len (local.get $keys)) (i32.const 1)))
    (local.set $i (i32.and (local.get $h) (local.get $mask)))
    (local.set $tomb (i32.const -1))
    (loop $probe
      (local.set $s (array.get $slots (local.get $keys) (local.get $i)))
      (if (ref.is_null (local.get $s))
        (then (return (select (local.get $tomb) (local.get $i)
          (i32.and (local.get $for_insert) (i32.ge_s (local.get $tomb) (i32.const 0)))))))
      (if (ref.test (ref $key) (local.get $s))
        (then
          (if (i32.eq (struct.get $key $k (ref.cast (ref $key) (local.get $s))) (local.get $k))
            (then (return (local.get $i)))))
        (else
          (if (i32.lt_s (local.get $tomb) (i32.const 0))
            (then (local.set $tomb (local.get $i))))))
      (local.set $i (i32.and (i32.add (local.get $i) (i32.const 1)) (local.get $mask)))
      (br $probe))
    (unreachable))

  ;; Rehash into fresh arrays: twice as large, or as large if tombstones
  ;; rather than live entries filled the table.
  (func $grow (param $m (ref $map))
    (local $old_keys (ref $slots)) (local $old_vals (ref $slots)) (local $n i32) (local $i i32)
    (local $cap i32) (local $k (ref $key)) (local $j i32)
    (local.set $old_keys (struct.get $map $keys (local.get $m)))
    (local.set $old_vals (struct.get $map $vals (local.get $m)))
    (local.set $n (array.len (local.get $old_keys)))
    (local.set $cap (select
      (i32.shl (local.get $n) (i32.const 1)) (local.get $n)
      (i32.ge_u (i32.mul (struct.get $map $count (local.get $m)) (i32.const 2)) (local.get $n))))
    (struct.set $map $keys (local.get $m) (array.new_default $slots (local.get $cap)))
    (struct.set $map $vals (local.get $m) (array.new_default $slots (local.get $cap)))
    (struct.set $map $used (local.get $m) (struct.get $map $count (local.get $m)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (drop (block $skip (result anyref)
          (local.set $k (br_on_cast_fail $skip anyref (ref $key)
            (array.get $slots (local.get $old_keys) (local.get $i))))
          (local.set $j (call $find (local.get $m) (struct.get $key $k (local.get $k))
            (struct.get $key $hash (local.get $k)) (i32.const 1)))
          (array.set $slots (struct.get $map $keys (local.get $m)) (local.get $j) (local.get $k))
          (array.set $slots (struct.get $map $vals (local.get $m)) (local.get $j)
            (array.get $slots (local.get $old_vals) (local.get $i)))
          (ref.null any)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))

  (func $value (param $v anyref) (result i32)
    (block $unboxed (result i32)
      (struct.get $val $v
        (block $boxed (result (ref $val))
          (br_on_cast $boxed anyref (ref $val) (local.get $v))
          (br $unboxed (i31.get_u (ref.cast (ref i31))))))))

  (func $put (param $m (ref $map)) (param $k i32) (param $v i32)
    (local $h i32) (local $i i32) (local $keys (ref $slots))
    (local.set $h (call $hash (local.get $k)))
    (local.set $i (call $find (local.get $m) (local.get $k) (local.get $h) (i32.const 1)))
    (local.set $keys (struct.get $map $keys (local.get $m)))
    (if (ref.test (ref $key) (array.get $slots (local.get $keys) (local.get $i)))
      (then
        ;; Update: add to the old value.
        (local.set $v (i32.and (i32.add (local.get $v)
            (call $value (array.get $slots (struct.get $map $vals (local.get $m)) (local.get $i))))
          (i32.const 0x3fffffff))))
      (else
        (if (ref.is_null (array.get $slots (local.get $keys) (local.get $i)))
          (then (struct.set $map $used (local.get $m)
            (i32.add (struct.get $map $used (local.get $m)) (i32.const 1)))))
        (struct.set $map $count (local.get $m) (i32.add (struct.get $map $count (local.get $m)) (i32.const 1)))
        (array.set $slots (local.get $keys) (local.get $i) (struct.new $key (local.get $k) (local.get $h)))))
    ;; Odd values are stored unboxed (i31), even ones in a new box.
    (array.set $slots (struct.get $map $vals (local.get $m)) (local.get $i)
      (if (result anyref) (i32.and (local.get $v) (i32.const 1))
        (then (ref.i31 (local.get $v)))
        (else (struct.new $val (local.get $v)))))
    (if (i32.ge_u (i32.mul (struct.get $map $used (local.get $m)) (i32.const 4))
                  (i32.mul (array.len (local.get $keys)) (i32.const 3)))
      (then (call $grow (local.get $m)))))

  ;; Value of $k (0 if absent); deletes the entry if $del.
  (func $get (param $m (ref $map)) (param $k i32) (param $del i32) (result i32)
    (local $i i32) (local $r i32)
    (local.set $i (call $find (local.get $m) (local.get $k) (call $hash (local.get $k)) (i32.const 0)))
    (if (i32.eqz (ref.test (ref $key) (array.get $slots (struct.get $map $keys (local.get $m)) (local.get $i))))
      (then (return (i32.const 0))))
    (local.set $r (call $value (array.get $slots (struct.get $map $vals (local.get $m)) (local.get $i))))
    (if (local.get $del)
      (then
        (array.set $slots (struct.get $map $keys (local.get $m)) (local.get $i) (ref.i31 (i32.const 0)))
        (array.set $slots (struct.get $map $vals (local.get $m)) (local.get $i) (ref.null any))
        (struct.set $map $count (local.get $m) (i32.sub (struct.get $map $count (local.get $m)) (i32.const 1)))))
    (local.get $r))

  (func $run (export "run") (result i32)
    (local $m (ref $map)) (local $i i32) (local $r i32) (local $k i32) (local $op i32) (local $sum i32)
    (local $keys (ref $slots))
    (local.set $m (call $new_map (i32.const 16)))
    (block $done
      (loop $ops
        (br_if $done (i32.ge_u (local.get $i) (global.get $size)))
        (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 200000)))
          (then
            (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 31))
              (struct.get $map $count (local.get $m))))
            (local.set $m (call $new_map (i32.const 16)))))
        (local.set $r (call $rand))
        (local.set $k (i32.and (local.get $r) (i32.const 0x7fff)))
        (local.set $op (i32.and (i32.shr_u (local.get $r) (i32.const 15)) (i32.const 3)))
        (if (i32.lt_u (local.get $op) (i32.const 2))
          (then (call $put (local.get $m) (local.get $k) (i32.and (local.get $i) (i32.const 0x3fffffff))))
          (else
            (local.set $sum (i32.add (local.get $sum)
              (call $get (local.get $m) (local.get $k) (i32.eq (local.get $op) (i32.const 3)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $ops)))
    ;; The final contents.
    (local.set $keys (struct.get $map $keys (local.get $m)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $slots
        (br_if $done (i32.ge_u (local.get $i) (array.len (local.get $keys))))
        (if (ref.test (ref $key) (array.get $slots (local.get $keys) (local.get $i)))
          (then
            (local.set $sum (i32.add (local.get $sum)
              (i32.xor
                (i32.mul (struct.get $key $k (ref.cast (ref $key) (array.get $slots (local.get $keys) (local.get $i))))
                         (i32.const 31))
                (call $value (array.get $slots (struct.get $map $vals (local.get $m)) (local.get $i))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $slots)))
    (i32.add (local.get $sum) (struct.get $map $count (local.get $m)))))
