;; expect: out of bounds memory access
(module
  (memory 1) (func (export "_start") (drop (i32.load (i32.const 65534)))))
