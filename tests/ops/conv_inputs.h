// The inputs of tests/ops/conv_golden.h, computed as make_conv_golden.py's
// fill() does (shared by test_conv.cpp and test_pool.cpp).
#pragma once

#include <ember/ember.h>

namespace ember::testing {

// amplitude * sin (or cos)(i * scale + shift) over the flat index i, in float64, then dtype.
inline Tensor golden_fill(IntArrayRef shape, double scale, double shift, double amplitude, bool cosine, DType dtype) {
  Tensor t = arange(numel_of(shape), kFloat64) * scale + shift;
  t = (cosine ? t.cos() : t.sin()) * amplitude;
  return t.reshape(shape).to(dtype);
}

inline Tensor golden_input(IntArrayRef shape, DType dtype) { return golden_fill(shape, 0.37, 0.1, 1.0, false, dtype); }
// The gradient of the goldens is of sum(out * golden_cotangent(out)).
inline Tensor golden_cotangent(const Tensor& out) { return golden_fill(out.shape(), 0.11, 0.3, 1.0, false, out.dtype()); }

}  // namespace ember::testing
