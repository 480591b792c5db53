// Shared test helpers: deterministic inputs in every layout the op tables
// sweep (contiguous, transposed, broadcast, 0-d, empty), comparisons against
// float64 references, and error-message checks.
#pragma once

#include <ember/ember.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace ember::testing {

// Deterministic values in [lo, hi): the same for a given (shape, seed), in any dtype.
inline std::vector<double> sample_values(int64_t n, double lo, double hi, uint64_t seed) {
  std::vector<double> v(static_cast<size_t>(n));
  uint64_t state = seed * 6364136223846793005ull + 1442695040888963407ull;
  for (auto& x : v) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    x = lo + (hi - lo) * static_cast<double>(state >> 11) / 9007199254740992.0;
  }
  return v;
}

// How a sample tensor is laid out in memory.
enum class Layout { Contiguous, Transposed };

// A tensor of `shape` with values from sample_values, in dtype. Transposed:
// built as the transpose of a contiguous tensor, so its strides are not row-major.
inline Tensor make_tensor(IntArrayRef shape, DType dtype, double lo = -2.0, double hi = 2.0, uint64_t seed = 1,
                          Layout layout = Layout::Contiguous) {
  std::vector<double> values = sample_values(numel_of(shape), lo, hi, seed);
  if (!is_floating_point(dtype)) {
    for (auto& x : values) x = std::floor(x);
  }
  Shape storage_shape(shape);
  if (layout == Layout::Transposed && shape.size() >= 2) std::swap(storage_shape[0], storage_shape[1]);
  Tensor t = from_blob(values.data(), storage_shape, kFloat64).clone().to(dtype);
  if (layout == Layout::Transposed && shape.size() >= 2) t = t.transpose(0, 1);
  return t;
}

inline std::vector<double> values_of(const Tensor& t) { return t.to_vector<double>(); }

// The keys of a state dict (or of named_parameters()/named_buffers()), in order.
inline std::vector<std::string> keys_of(const std::vector<std::pair<std::string, Tensor>>& state) {
  std::vector<std::string> keys;
  for (const auto& [name, tensor] : state) keys.push_back(name);
  return keys;
}

inline bool is_close(double actual, double expected, double rtol, double atol) {
  if (std::isnan(expected)) return std::isnan(actual);
  if (std::isinf(expected)) return actual == expected;
  return std::abs(actual - expected) <= atol + rtol * std::abs(expected);
}

// Elementwise closeness with NaN == NaN and inf == inf; one assertion per
// tensor, reporting the first element that differs and how many do.
inline void check_close(const Tensor& actual, const std::vector<double>& expected, double rtol = 1e-12,
                        double atol = 1e-12) {
  std::vector<double> got = values_of(actual);
  REQUIRE(got.size() == expected.size());
  size_t mismatches = 0, first = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (is_close(got[i], expected[i], rtol, atol)) continue;
    if (mismatches++ == 0) first = i;
  }
  std::string where = mismatches == 0 ? std::string("all close")
                                      : fmt::format("first at flat index {}: expected {}, got {} (rtol {}, atol {})",
                                                    first, expected[first], got[first], rtol, atol);
  INFO(mismatches << " of " << got.size() << " elements differ; " << where);
  CHECK(mismatches == 0);
}

inline void check_close(const Tensor& actual, const Tensor& expected, double rtol = 1e-12, double atol = 1e-12) {
  REQUIRE(actual.shape() == expected.shape());
  check_close(actual, values_of(expected), rtol, atol);
}

inline constexpr DType kAllDTypes[] = {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kUInt8, kBool};

// Row-major coordinates of flat index i in `shape`, and back: for naive reference loops.
using Coords = std::vector<int64_t>;
inline Coords unravel(int64_t i, IntArrayRef shape) {
  Coords c(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    c[d] = i % shape[d];
    i /= shape[d];
  }
  return c;
}
inline int64_t ravel(const Coords& c, IntArrayRef shape) {
  int64_t i = 0;
  for (size_t d = 0; d < shape.size(); ++d) i = i * shape[d] + c[d];
  return i;
}

// t's values in a non-contiguous view: the even elements along the last dim of
// a fresh tensor twice as wide (x[..., ::2]), whose odd elements are NaN (0 for
// integers), so that a kernel reading them as if contiguous shows. A leaf that
// requires grad when t does; 0-d and undefined tensors come back as they are.
inline Tensor every_other(const Tensor& t) {
  if (!t.defined() || t.dim() == 0) return t;
  Shape wide(t.shape());
  wide[wide.size() - 1] *= 2;
  const Tensor base = full(wide, is_floating_point(t.dtype()) ? NAN : 0.0, t.options());
  Tensor view = base.slice(-1, 0, std::nullopt, 2);
  {
    autograd::NoGradGuard no_grad;
    view.copy_(t.detach());
  }
  return t.requires_grad() ? view.requires_grad_() : view;
}

// fn must not care how its inputs are laid out: on every_other() copies of
// the inputs it gives the output it gives on contiguous copies, and the same
// gradients to every input that requires grad.
inline void check_layout_invariant(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                                   const std::vector<Tensor>& inputs, double rtol, double atol) {
  std::vector<Tensor> contiguous, strided;
  for (const Tensor& t : inputs) {
    Tensor c = t.defined() ? t.detach().clone() : t;
    if (t.defined() && t.requires_grad()) c.requires_grad_();
    contiguous.push_back(c);
    strided.push_back(every_other(c));
  }
  const Tensor expected = fn(contiguous), actual = fn(strided);
  {
    INFO("the output on strided inputs");
    check_close(actual, expected, rtol, atol);
  }
  if (!expected.requires_grad()) return;
  const Tensor cotangent = make_tensor(expected.shape(), expected.dtype(), -1, 1, 99);
  (expected * cotangent).sum().backward();
  (actual * cotangent).sum().backward();
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!contiguous[i].defined() || !contiguous[i].requires_grad()) continue;
    INFO("the gradient of input " << i << " when the inputs are strided");
    check_close(strided[i].grad(), contiguous[i].grad(), rtol, atol);
  }
}

// Tolerances for comparing a dtype's result with a float64 reference.
inline double rtol_for(DType dtype) {
  switch (dtype) {
    case kFloat16: return 2e-3;
    case kBFloat16: return 1.6e-2;
    case kFloat32: return 2e-6;
    default: return 1e-12;
  }
}

}  // namespace ember::testing

// REQUIRE_ERROR(expr, "text"): expr throws ember::Error whose message contains text.
#define REQUIRE_ERROR(expr, text) REQUIRE_THROWS_WITH((void)(expr), Catch::Contains(text))
