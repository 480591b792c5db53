// The fixed problem of the golden tests (tests/optim/make_golden.py builds the
// same one in PyTorch): a small tanh regression over parameters W, b, s, plus
// `unused`, which never gets a gradient.
#pragma once

#include "golden.h"
#include "harness.h"

#include <vector>

namespace ember::testing {

struct Problem {
  Tensor w, b, s, unused, x, y;

  explicit Problem(DType dtype = kFloat64)
      : w(values(golden::W0, {3, 4}, dtype).requires_grad_()),
        b(values(golden::B0, {3}, dtype).requires_grad_()),
        s(values(golden::S0, {2, 2}, dtype).requires_grad_()),
        unused(values(golden::UNUSED0, {2}, dtype).requires_grad_()),
        x(values(golden::X, {5, 4}, dtype)),
        y(values(golden::Y, {5, 3}, dtype)) {}

  std::vector<Tensor> params() const { return {w, b, s, unused}; }

  Tensor loss() const {
    const Tensor fit = (tanh(matmul(x, w.t()) + b) - y).pow(2).mean();
    return fit + 0.05 * s.pow(4).sum() + 0.1 * (s * w.slice(0, 0, 2).slice(1, 0, 2)).sum();
  }

  // W, b, s, unused flattened, as golden.h stores a step.
  std::vector<double> flat() const {
    std::vector<double> out;
    for (const Tensor& p : params()) {
      std::vector<double> v = p.to_vector<double>();
      out.insert(out.end(), v.begin(), v.end());
    }
    return out;
  }

  static Tensor values(const std::vector<double>& v, IntArrayRef shape, DType dtype) {
    return from_blob(const_cast<double*>(v.data()), shape, kFloat64).clone().to(dtype);
  }
};

// Every element within rtol (relative) or atol; one assertion, naming the first miss.
inline void check_step(const std::vector<double>& actual, const std::vector<double>& expected, double rtol,
                       double atol) {
  REQUIRE(actual.size() == expected.size());
  size_t misses = 0, first = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (!is_close(actual[i], expected[i], rtol, atol) && misses++ == 0) first = i;
  }
  INFO(misses << " of " << actual.size() << " values differ"
              << (misses ? fmt::format("; first at {}: expected {}, got {}", first, expected[first], actual[first])
                         : std::string()));
  CHECK(misses == 0);
}

}  // namespace ember::testing
