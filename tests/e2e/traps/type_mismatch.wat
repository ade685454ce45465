;; expect: indirect call type mismatch
(module
  (type $t (func)) (table funcref (elem $f)) (func $f (param i32)) (func (export "_start") (call_indirect (type $t) (i32.const 0))))
