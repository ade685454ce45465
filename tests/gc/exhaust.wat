;; expect: out of memory: GC heap exhausted
;; Keeps every list node alive until the heap limit is reached.
(module
  (type $node (struct (field (mut (ref null $node))) (field i64) (field i64)))
  (func (export "_start")
    (local $list (ref null $node))
    (loop $l
      (local.set $list (struct.new $node (local.get $list) (i64.const 1) (i64.const 2)))
      (br $l))))
