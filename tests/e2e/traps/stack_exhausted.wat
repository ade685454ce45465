;; expect: call stack exhausted
(module
  (func $r (param i64) (result i64) (i64.add (call $r (local.get 0)) (i64.const 1))) (func (export "_start") (drop (call $r (i64.const 0)))))
