;; expect: undefined element: out of bounds table access
(module
  (type $t (func)) (table 2 funcref) (func (export "_start") (call_indirect (type $t) (i32.const 7))))
