;; A long-lived old generation mutated by short-lived nursery objects.
;; A table of 2^table_log2 = 131,072 records (the table itself is a 1 MiB
;; array of references, which wasmc allocates straight into the old
;; generation) is built once; each record holds a chain of up to 8 leaves
;; and a link to another record, about 20 MiB live in all. Then SIZE
;; steps each pick a record at random and
;;  * build a few temporary leaves from its chain and sum them (garbage at
;;    once),
;;  * prepend a new leaf to its chain, or restart the chain every 8th time
;;    (a young object stored into an old one: write barrier, remembered
;;    set; the replaced leaves die in the old generation),
;;  * every 16th step relink it to another record (old into old),
;;  * every 64th step replace the record itself by a new one (a young
;;    object stored into the big old table).
;; run() returns a checksum of the values seen and of the final table.
(module
  (type $leaf (struct (field $v i32) (field $next (ref null $leaf))))
  (type $rec (struct
    (field $id i32)
    (field $count (mut i32))
    (field $val (mut (ref null $leaf)))
    (field $link (mut (ref null $rec)))))
  (type $table (array (mut (ref null $rec))))

  (global $size i32 (i32.const 1500000))
  (global $table_log2 i32 (i32.const 17))
  (global $seed (mut i32) (i32.const 777))

  (func $rand (result i32)
    (global.set $seed (i32.add (i32.mul (global.get $seed) (i32.const 1103515245)) (i32.const 12345)))
    (i32.shr_u (global.get $seed) (i32.const 8)))

  (func $chain_sum (param $l (ref null $leaf)) (result i32)
    (local $s i32) (local $c (ref $leaf))
    (block $done
      (loop $l
        (local.set $c (br_on_null $done (local.get $l)))
        (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 5)) (struct.get $leaf $v (local.get $c))))
        (local.set $l (struct.get $leaf $next (local.get $c)))
        (br $l)))
    (local.get $s))

  ;; Temporary copies of the first three leaves of a chain, summed.
  (func $scratch (param $l (ref null $leaf)) (result i32)
    (local $t (ref null $leaf)) (local $k i32) (local $c (ref $leaf))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $k) (i32.const 3)))
        (local.set $c (br_on_null $done (local.get $l)))
        (local.set $t (struct.new $leaf (i32.mul (struct.get $leaf $v (local.get $c)) (i32.const 3)) (local.get $t)))
        (local.set $l (struct.get $leaf $next (local.get $c)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l)))
    (call $chain_sum (local.get $t)))

  (func $run (export "run") (result i32)
    (local $t (ref $table)) (local $i i32) (local $mask i32) (local $step i32)
    (local $r i32) (local $rec (ref $rec)) (local $n i32) (local $sum i32) (local $new (ref $rec))
    (local.set $mask (i32.sub (i32.shl (i32.const 1) (global.get $table_log2)) (i32.const 1)))
    (local.set $t (array.new_default $table (i32.add (local.get $mask) (i32.const 1))))
    ;; Build.
    (loop $build
      (array.set $table (local.get $t) (local.get $i)
        (struct.new $rec (local.get $i) (i32.const 1)
          (struct.new $leaf (local.get $i) (ref.null $leaf)) (ref.null $rec)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $build (i32.le_u (local.get $i) (local.get $mask))))
    (local.set $i (i32.const 0))
    (loop $link
      (struct.set $rec $link (ref.as_non_null (array.get $table (local.get $t) (local.get $i)))
        (array.get $table (local.get $t) (i32.and (i32.mul (local.get $i) (i32.const 7919)) (local.get $mask))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $link (i32.le_u (local.get $i) (local.get $mask))))
    ;; Mutate.
    (block $done
      (loop $steps
        (br_if $done (i32.ge_u (local.get $step) (global.get $size)))
        (local.set $r (call $rand))
        (local.set $i (i32.and (local.get $r) (local.get $mask)))
        (local.set $rec (ref.as_non_null (array.get $table (local.get $t) (local.get $i))))
        (local.set $sum (i32.add (local.get $sum) (call $scratch (struct.get $rec $val (local.get $rec)))))
        (local.set $n (i32.add (struct.get $rec $count (local.get $rec)) (i32.const 1)))
        (struct.set $rec $count (local.get $rec) (local.get $n))
        (struct.set $rec $val (local.get $rec)
          (struct.new $leaf (i32.add (local.get $step) (local.get $n))
            (if (result (ref null $leaf)) (i32.and (local.get $n) (i32.const 7))
              (then (struct.get $rec $val (local.get $rec)))
              (else (ref.null $leaf)))))
        (if (i32.eqz (i32.and (local.get $step) (i32.const 15)))
          (then
            (struct.set $rec $link (local.get $rec)
              (array.get $table (local.get $t) (i32.and (call $rand) (local.get $mask))))))
        (if (i32.eqz (i32.and (local.get $step) (i32.const 63)))
          (then
            (local.set $new (struct.new $rec (i32.add (struct.get $rec $id (local.get $rec)) (i32.const 1))
              (struct.get $rec $count (local.get $rec))
              (struct.get $rec $val (local.get $rec))
              (struct.get $rec $link (local.get $rec))))
            (array.set $table (local.get $t) (local.get $i) (local.get $new))
            (local.set $rec (local.get $new))))
        (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 3))
          (i32.xor (struct.get $leaf $v (ref.as_non_null (struct.get $rec $val (local.get $rec))))
                   (struct.get $rec $id (ref.as_non_null (struct.get $rec $link (local.get $rec)))))))
        (local.set $step (i32.add (local.get $step) (i32.const 1)))
        (br $steps)))
    ;; The final table.
    (local.set $i (i32.const 0))
    (loop $final
      (local.set $rec (ref.as_non_null (array.get $table (local.get $t) (local.get $i))))
      (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 7))
        (i32.add (call $chain_sum (struct.get $rec $val (local.get $rec)))
                 (struct.get $rec $id (ref.as_non_null (struct.get $rec $link (local.get $rec)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $final (i32.le_u (local.get $i) (local.get $mask))))
    (local.get $sum)))
