;; expect: unreachable
(module
  (func (export "_start") unreachable))
