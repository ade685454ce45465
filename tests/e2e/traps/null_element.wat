;; expect: uninitialized element
(module
  (type $t (func)) (table 2 funcref) (func (export "_start") (call_indirect (type $t) (i32.const 1))))
