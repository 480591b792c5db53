// Comparisons, logic and float predicates; every result is a bool tensor.
// Operands are promoted to their common dtype first (int 1 == float 1.0 is true).
#include <ember/autograd/grad_mode.h>
#include <ember/ops/toolkit.h>

namespace ember {

using namespace functors;

#define EMBER_COMPARE_OP(name, Functor, symbol)                                                                  \
  Tensor name(const Tensor& self, const Tensor& other) { return detail::promoted_binary_op(#name, self, other, Functor{}); } \
  Tensor name(const Tensor& self, const Scalar& other) { return detail::promoted_binary_op(#name, self, other, Functor{}); } \
  Tensor Tensor::name(const Tensor& other) const { return ember::name(*this, other); }                          \
  Tensor Tensor::name(const Scalar& other) const { return ember::name(*this, other); }                          \
  Tensor operator symbol(const Tensor& a, const Tensor& b) { return name(a, b); }                              \
  Tensor operator symbol(const Tensor& a, const Scalar& b) { return name(a, b); }
EMBER_COMPARE_OP(eq, Eq, ==)
EMBER_COMPARE_OP(ne, Ne, !=)
EMBER_COMPARE_OP(lt, Lt, <)
EMBER_COMPARE_OP(le, Le, <=)
EMBER_COMPARE_OP(gt, Gt, >)
EMBER_COMPARE_OP(ge, Ge, >=)
#undef EMBER_COMPARE_OP

Tensor logical_and(const Tensor& self, const Tensor& other) {
  return detail::promoted_binary_op("logical_and", self, other, LogicalAnd{});
}
Tensor logical_or(const Tensor& self, const Tensor& other) {
  return detail::promoted_binary_op("logical_or", self, other, LogicalOr{});
}
Tensor logical_not(const Tensor& self) { return detail::unary_op("logical_not", self, LogicalNot{}); }
Tensor isnan(const Tensor& self) { return detail::unary_op("isnan", self, IsNan{}); }
Tensor isinf(const Tensor& self) { return detail::unary_op("isinf", self, IsInf{}); }
Tensor isfinite(const Tensor& self) { return detail::unary_op("isfinite", self, IsFinite{}); }

Tensor isclose(const Tensor& self, const Tensor& other, double rtol, double atol, bool equal_nan) {
  EMBER_CHECK(self.dtype() == other.dtype(), "isclose: expected both inputs to have the same dtype, got {} and {}",
              self.dtype(), other.dtype());
  EMBER_CHECK(rtol >= 0 && atol >= 0, "isclose: expected non-negative rtol and atol, got rtol = {} and atol = {}",
              rtol, atol);
  NoGradGuard no_grad;  // a predicate: nothing to differentiate
  Tensor close = eq(self, other);
  if (self.dtype() == kBool) return close;
  if (equal_nan && is_floating_point(self.dtype())) close = close.logical_or(isnan(self).logical_and(isnan(other)));
  if (rtol == 0 && atol == 0) return close;
  // Integers compare in float64, as their difference may not fit their dtype.
  const DType as = is_floating_point(self.dtype()) ? self.dtype() : kFloat64;
  const Tensor a = self.to(as), b = other.to(as);
  const Tensor error = (a - b).abs(), allowed = b.abs() * rtol + atol;
  return close.logical_or(isfinite(error).logical_and(error.le(allowed)));
}

bool allclose(const Tensor& self, const Tensor& other, double rtol, double atol, bool equal_nan) {
  return isclose(self, other, rtol, atol, equal_nan).all().item<bool>();
}

bool equal(const Tensor& self, const Tensor& other) {
  NoGradGuard no_grad;
  return self.shape() == other.shape() && eq(self, other).all().item<bool>();
}

Tensor Tensor::logical_and(const Tensor& other) const { return ember::logical_and(*this, other); }
Tensor Tensor::logical_or(const Tensor& other) const { return ember::logical_or(*this, other); }
Tensor Tensor::logical_not() const { return ember::logical_not(*this); }
Tensor Tensor::isnan() const { return ember::isnan(*this); }
Tensor Tensor::isinf() const { return ember::isinf(*this); }
Tensor Tensor::isfinite() const { return ember::isfinite(*this); }

}  // namespace ember
