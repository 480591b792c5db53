// The inputs of tests/nn/make_layers_golden.py, rebuilt in C++: sample(shape,
// seed, scale) is sin(seed + 1.37 i) * scale over the flat index i, in float64,
// exactly as the script builds them; and the comparison with its values.
#pragma once

#include "harness.h"
#include "layers_golden.h"

#include <cmath>
#include <vector>

namespace ember::testing {

inline Tensor sample(IntArrayRef shape, int seed, double scale = 0.8) {
  std::vector<double> values(static_cast<size_t>(numel_of(shape)));
  for (size_t i = 0; i < values.size(); ++i) values[i] = std::sin(seed + 1.37 * static_cast<double>(i)) * scale;
  return from_blob(values.data(), shape, kFloat64).clone();
}

inline Tensor sample_leaf(IntArrayRef shape, int seed, double scale = 0.8) {
  return sample(shape, seed, scale).requires_grad_();
}

// sum(out * sample(out.shape, seed)): the scalar whose gradients the script records.
inline Tensor weighted_sum(const Tensor& out, int seed) { return (out * sample(out.shape(), seed)).sum(); }

// Float64 against torch 1.13's float64: only the order of the arithmetic differs.
inline void check_golden(const Tensor& actual, const std::vector<double>& expected) {
  check_close(actual, expected, 1e-10, 1e-12);
}

}  // namespace ember::testing
