// Elementwise arithmetic and math: add/sub/mul/div/pow, unary math, where,
// clamp, lerp, nan_to_num, masked_fill, and the arithmetic operators. Every op
// here is one functor of ops/functors.h run by the shared loop engine.
#include <ember/ops/elementwise_util.h>

#include <algorithm>
#include <limits>

namespace ember {
namespace {

using namespace functors;

void check_alpha(const char* op, DType result, const Scalar& alpha) {
  EMBER_CHECK(is_floating_point(result) || !alpha.is_floating_point(),
              "{}: for integral input tensors, argument alpha must not be a floating point number, got {}", op,
              alpha.to_double());
}

void check_not_bool_sub(const Tensor& self, DType other) {
  EMBER_CHECK(!(self.dtype() == kBool && other == kBool),
              "sub: subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
              "`logical_xor()` operator instead.");
}

// Integer division by zero has no result (and would trap): reject it up front, as PyTorch does.
void check_integer_divisor(const char* op, DType dtype, const Tensor& divisor) {
  if (is_floating_point(dtype)) return;
  Tensor values = divisor.to(Device(kCPU), kInt64).contiguous();
  const int64_t* p = values.data_ptr<int64_t>();
  EMBER_CHECK(std::find(p, p + values.numel(), 0) == p + values.numel(),
              "{}: ZeroDivisionError: integer division by zero (divisor of dtype {})", op, divisor.dtype());
}

enum class Rounding { True, Trunc, Floor };
Rounding parse_rounding(std::optional<std::string_view> mode) {
  if (!mode) return Rounding::True;
  if (*mode == "trunc") return Rounding::Trunc;
  if (*mode == "floor") return Rounding::Floor;
  detail::fail(ErrorKind::Value,
               "div: expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{}'", *mode);
}

Tensor divide(const Tensor& self, const Tensor& other, DType result, Rounding rounding) {
  switch (rounding) {
    case Rounding::True: return detail::binary_op("div", self, other, detail::compute_dtype<Div>(result), Div{});
    case Rounding::Trunc:
      check_integer_divisor("div", result, other);
      return detail::binary_op("div", self, other, result, DivTrunc{});
    case Rounding::Floor:
      check_integer_divisor("div", result, other);
      return detail::binary_op("div", self, other, result, DivFloor{});
  }
  return {};
}

Tensor ternary_op(const char* op, const Tensor& a, const Tensor& b, const Tensor& c, DType dtype, auto functor) {
  detail::check_same_device(op, a, b);
  detail::check_same_device(op, a, c);
  Shape shape = broadcast_shapes(op, broadcast_shapes(op, a.shape(), b.shape()), c.shape());
  Tensor out = empty(shape, {dtype, a.device()});
  detail::run_elementwise(op, out, {&a, &b, &c}, dtype, functor);
  return out;
}

}  // namespace

// ---- add, sub, mul, div ----
Tensor add(const Tensor& self, const Tensor& other, const Scalar& alpha) {
  detail::check_defined("add", self);
  detail::check_defined("add", other);
  check_alpha("add", result_type(self, other), alpha);
  return detail::promoted_binary_op("add", self, other, Add{alpha.to_double()});
}
Tensor add(const Tensor& self, const Scalar& other) { return detail::promoted_binary_op("add", self, other, Add{1.0}); }
Tensor sub(const Tensor& self, const Tensor& other, const Scalar& alpha) {
  detail::check_defined("sub", self);
  detail::check_defined("sub", other);
  check_not_bool_sub(self, other.dtype());
  check_alpha("sub", result_type(self, other), alpha);
  return detail::promoted_binary_op("sub", self, other, Add{-alpha.to_double()});
}
Tensor sub(const Tensor& self, const Scalar& other) {
  detail::check_defined("sub", self);
  check_not_bool_sub(self, other.dtype());
  return detail::promoted_binary_op("sub", self, other, Add{-1.0});
}
Tensor mul(const Tensor& self, const Tensor& other) { return detail::promoted_binary_op("mul", self, other, Mul{}); }
Tensor mul(const Tensor& self, const Scalar& other) { return detail::promoted_binary_op("mul", self, other, Mul{}); }

Tensor div(const Tensor& self, const Tensor& other, std::optional<std::string_view> rounding_mode) {
  detail::check_defined("div", self);
  detail::check_defined("div", other);
  detail::check_same_device("div", self, other);
  return divide(self, other, result_type(self, other), parse_rounding(rounding_mode));
}
Tensor div(const Tensor& self, const Scalar& other, std::optional<std::string_view> rounding_mode) {
  detail::check_defined("div", self);
  DType result = result_type(self, other);
  return divide(self, detail::wrap_scalar(other, result, self.device()), result, parse_rounding(rounding_mode));
}

Tensor& Tensor::add_(const Tensor& other, const Scalar& alpha) {
  check_alpha("add_", dtype(), alpha);
  return detail::binary_op_("add_", *this, other, Add{alpha.to_double()});
}
Tensor& Tensor::add_(const Scalar& other) { return detail::binary_op_("add_", *this, other, Add{1.0}); }
Tensor& Tensor::sub_(const Tensor& other, const Scalar& alpha) {
  detail::check_defined("sub_", other);
  check_not_bool_sub(*this, other.dtype());
  check_alpha("sub_", dtype(), alpha);
  return detail::binary_op_("sub_", *this, other, Add{-alpha.to_double()});
}
Tensor& Tensor::sub_(const Scalar& other) {
  check_not_bool_sub(*this, other.dtype());
  return detail::binary_op_("sub_", *this, other, Add{-1.0});
}
Tensor& Tensor::mul_(const Tensor& other) { return detail::binary_op_("mul_", *this, other, Mul{}); }
Tensor& Tensor::mul_(const Scalar& other) { return detail::binary_op_("mul_", *this, other, Mul{}); }
Tensor& Tensor::div_(const Tensor& other, std::optional<std::string_view> rounding_mode) {
  detail::check_defined("div_", *this);
  Tensor result = ember::div(*this, other, rounding_mode);
  detail::check_inplace("div_", *this, result.dtype(), result.shape());
  return copy_(result);
}
Tensor& Tensor::div_(const Scalar& other, std::optional<std::string_view> rounding_mode) {
  detail::check_defined("div_", *this);
  Tensor result = ember::div(*this, other, rounding_mode);
  detail::check_inplace("div_", *this, result.dtype(), result.shape());
  return copy_(result);
}

Tensor Tensor::add(const Tensor& other, const Scalar& alpha) const { return ember::add(*this, other, alpha); }
Tensor Tensor::add(const Scalar& other) const { return ember::add(*this, other); }
Tensor Tensor::sub(const Tensor& other, const Scalar& alpha) const { return ember::sub(*this, other, alpha); }
Tensor Tensor::sub(const Scalar& other) const { return ember::sub(*this, other); }
Tensor Tensor::mul(const Tensor& other) const { return ember::mul(*this, other); }
Tensor Tensor::mul(const Scalar& other) const { return ember::mul(*this, other); }
Tensor Tensor::div(const Tensor& other, std::optional<std::string_view> mode) const {
  return ember::div(*this, other, mode);
}
Tensor Tensor::div(const Scalar& other, std::optional<std::string_view> mode) const {
  return ember::div(*this, other, mode);
}

// ---- pow, maximum, minimum ----
Tensor pow(const Tensor& self, const Tensor& exponent) {
  return detail::promoted_binary_op("pow", self, exponent, Pow{});
}
Tensor pow(const Tensor& self, const Scalar& exponent) {
  detail::check_defined("pow", self);
  EMBER_CHECK(self.is_floating_point() || exponent.is_floating_point() || exponent.to_int() >= 0,
              "pow: integers to negative integer powers are not allowed (base dtype {}, exponent {})", self.dtype(),
              exponent.to_int());
  return detail::promoted_binary_op("pow", self, exponent, Pow{});
}
Tensor pow(const Scalar& self, const Tensor& exponent) {
  detail::check_defined("pow", exponent);
  DType dtype = result_type(exponent, self);
  return detail::binary_op("pow", detail::wrap_scalar(self, dtype, exponent.device()), exponent, dtype, Pow{});
}
Tensor Tensor::pow(const Tensor& exponent) const { return ember::pow(*this, exponent); }
Tensor Tensor::pow(const Scalar& exponent) const { return ember::pow(*this, exponent); }
Tensor& Tensor::pow_(const Scalar& exponent) { return detail::binary_op_("pow_", *this, exponent, Pow{}); }

Tensor maximum(const Tensor& self, const Tensor& other) {
  return detail::promoted_binary_op("maximum", self, other, Maximum{});
}
Tensor minimum(const Tensor& self, const Tensor& other) {
  return detail::promoted_binary_op("minimum", self, other, Minimum{});
}
Tensor Tensor::maximum(const Tensor& other) const { return ember::maximum(*this, other); }
Tensor Tensor::minimum(const Tensor& other) const { return ember::minimum(*this, other); }

// ---- lerp, where, clamp, nan_to_num, masked_fill ----
Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight) {
  for (const Tensor* t : {&self, &end, &weight}) detail::check_defined("lerp", *t);
  EMBER_CHECK(self.is_floating_point() && self.dtype() == end.dtype() && self.dtype() == weight.dtype(),
              "lerp: expected start, end and weight of one floating point dtype, got {}, {} and {}", self.dtype(),
              end.dtype(), weight.dtype());
  return ternary_op("lerp", self, end, weight, self.dtype(), Lerp{});
}
Tensor lerp(const Tensor& self, const Tensor& end, const Scalar& weight) {
  detail::check_defined("lerp", self);
  return lerp(self, end, detail::wrap_scalar(weight, self.dtype(), self.device()));
}
Tensor Tensor::lerp(const Tensor& end, const Scalar& weight) const { return ember::lerp(*this, end, weight); }
Tensor Tensor::lerp(const Tensor& end, const Tensor& weight) const { return ember::lerp(*this, end, weight); }

Tensor where(const Tensor& condition, const Tensor& self, const Tensor& other) {
  for (const Tensor* t : {&condition, &self, &other}) detail::check_defined("where", *t);
  EMBER_CHECK_TYPE(condition.dtype() == kBool, "where: expected condition to be a bool tensor, got {}",
                   condition.dtype());
  DType dtype = result_type(self, other);
  Tensor a = detail::cast_if_needed(self, dtype), b = detail::cast_if_needed(other, dtype);
  return ternary_op("where", condition, a, b, dtype, Where{});
}
Tensor where(const Tensor& condition, const Tensor& self, const Scalar& other) {
  detail::check_defined("where", self);
  return where(condition, self, detail::wrap_scalar(other, result_type(self, other), self.device()));
}
Tensor where(const Tensor& condition, const Scalar& self, const Tensor& other) {
  detail::check_defined("where", other);
  return where(condition, detail::wrap_scalar(self, result_type(other, self), other.device()), other);
}
Tensor Tensor::where(const Tensor& condition, const Tensor& other) const { return ember::where(condition, *this, other); }

namespace {
Clamp make_clamp(const char* op, std::optional<Scalar> min, std::optional<Scalar> max) {
  EMBER_CHECK(min || max, "{}: at least one of 'min' or 'max' must not be None", op);
  return Clamp{min ? min->to_double() : 0.0, max ? max->to_double() : 0.0, min.has_value(), max.has_value()};
}
DType clamp_dtype(const Tensor& self, std::optional<Scalar> min, std::optional<Scalar> max) {
  ResultType rt;
  rt.add(self);
  if (min) rt.add(*min);
  if (max) rt.add(*max);
  return rt.get();
}
}  // namespace

Tensor clamp(const Tensor& self, std::optional<Scalar> min, std::optional<Scalar> max) {
  detail::check_defined("clamp", self);
  Clamp functor = make_clamp("clamp", min, max);
  return detail::unary_op("clamp", detail::cast_if_needed(self, clamp_dtype(self, min, max)), functor);
}
Tensor clamp(const Tensor& self, const Tensor& min, const Tensor& max) {
  for (const Tensor* t : {&self, &min, &max}) detail::check_defined("clamp", *t);
  DType dtype = ResultType().add(self).add(min).add(max).get();
  return ternary_op("clamp", detail::cast_if_needed(self, dtype), detail::cast_if_needed(min, dtype),
                    detail::cast_if_needed(max, dtype), dtype, ClampTensor{});
}
Tensor Tensor::clamp(std::optional<Scalar> min, std::optional<Scalar> max) const { return ember::clamp(*this, min, max); }
Tensor& Tensor::clamp_(std::optional<Scalar> min, std::optional<Scalar> max) {
  detail::check_defined("clamp_", *this);
  detail::check_inplace("clamp_", *this, clamp_dtype(*this, min, max), shape());
  return detail::unary_op_("clamp_", *this, make_clamp("clamp_", min, max));
}

Tensor nan_to_num(const Tensor& self, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  detail::check_defined("nan_to_num", self);
  if (!self.is_floating_point()) return clone(self);
  return dispatch_dtype<DTypes::Floating>("nan_to_num", self.dtype(), [&]<class T>() {
    // Defaults: the dtype's largest and lowest finite values, as PyTorch.
    double hi = static_cast<double>(static_cast<opmath_t<T>>(std::numeric_limits<T>::max()));
    if constexpr (std::is_same_v<T, Half>) hi = 65504.0;
    if constexpr (std::is_same_v<T, BFloat16>) hi = 3.3895313892515355e38;
    return detail::unary_op("nan_to_num", self, NanToNum{nan.value_or(0.0), posinf.value_or(hi), neginf.value_or(-hi)});
  });
}
Tensor Tensor::nan_to_num(std::optional<double> nan, std::optional<double> posinf, std::optional<double> neginf) const {
  return ember::nan_to_num(*this, nan, posinf, neginf);
}

Tensor masked_fill(const Tensor& self, const Tensor& mask, const Scalar& value) {
  detail::check_defined("masked_fill", self);
  detail::check_defined("masked_fill", mask);
  EMBER_CHECK_TYPE(mask.dtype() == kBool, "masked_fill: expected a bool mask, got {}", mask.dtype());
  Shape shape = broadcast_shapes("masked_fill", self.shape(), mask.shape());
  EMBER_CHECK(shape == self.shape(), "masked_fill: expected a mask that broadcasts to the input's shape {}, got {}",
              self.shape(), mask.shape());
  return where(mask, detail::wrap_scalar(value, self.dtype(), self.device()), self);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& value) const { return ember::masked_fill(*this, mask, value); }
Tensor& Tensor::masked_fill_(const Tensor& mask, const Scalar& value) {
  return copy_(ember::masked_fill(*this, mask, value));
}

// ---- unary math ----
Tensor neg(const Tensor& self) {
  detail::check_defined("neg", self);
  EMBER_CHECK(self.dtype() != kBool,
              "neg: negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, "
              "use the `~` or `logical_not()` operator instead.");
  return detail::unary_op("neg", self, Neg{});
}
Tensor& Tensor::neg_() {
  detail::check_defined("neg_", *this);
  EMBER_CHECK(dtype() != kBool, "neg_: negation on a bool tensor is not supported; use logical_not()");
  return detail::unary_op_("neg_", *this, Neg{});
}
Tensor Tensor::neg() const { return ember::neg(*this); }

// Bool inputs pass through the integer-preserving ops unchanged (abs, sign, floor, ...).
#define EMBER_UNARY_OP(name, Functor)                                                               \
  Tensor name(const Tensor& self) {                                                                 \
    detail::check_defined(#name, self);                                                             \
    if (Functor::dtypes == DTypes::Numeric && self.dtype() == kBool) return clone(self);            \
    return detail::unary_op(#name, self, Functor{});                                                \
  }                                                                                                 \
  Tensor Tensor::name() const { return ember::name(*this); }                                        \
  Tensor& Tensor::name##_() {                                                                       \
    if (Functor::dtypes == DTypes::Numeric && dtype() == kBool) return *this;                       \
    return detail::unary_op_(#name "_", *this, Functor{});                                          \
  }
EMBER_UNARY_OP(abs, Abs)
EMBER_UNARY_OP(sign, Sign)
EMBER_UNARY_OP(exp, Exp)
EMBER_UNARY_OP(exp2, Exp2)
EMBER_UNARY_OP(log, Log)
EMBER_UNARY_OP(log2, Log2)
EMBER_UNARY_OP(log1p, Log1p)
EMBER_UNARY_OP(expm1, Expm1)
EMBER_UNARY_OP(sqrt, Sqrt)
EMBER_UNARY_OP(rsqrt, Rsqrt)
EMBER_UNARY_OP(sin, Sin)
EMBER_UNARY_OP(cos, Cos)
EMBER_UNARY_OP(tan, Tan)
EMBER_UNARY_OP(tanh, Tanh)
EMBER_UNARY_OP(sigmoid, Sigmoid)
EMBER_UNARY_OP(floor, Floor)
EMBER_UNARY_OP(ceil, Ceil)
EMBER_UNARY_OP(round, Round)
EMBER_UNARY_OP(trunc, Trunc)
EMBER_UNARY_OP(reciprocal, Reciprocal)
EMBER_UNARY_OP(relu, Relu)
#undef EMBER_UNARY_OP

// ---- operators ----
Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator+(const Tensor& a, const Scalar& b) { return add(a, b); }
Tensor operator+(const Scalar& a, const Tensor& b) { return add(b, a); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator-(const Tensor& a, const Scalar& b) { return sub(a, b); }
Tensor operator-(const Scalar& a, const Tensor& b) {
  detail::check_defined("sub", b);
  return sub(detail::wrap_scalar(a, result_type(b, a), b.device()), b);
}
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator*(const Tensor& a, const Scalar& b) { return mul(a, b); }
Tensor operator*(const Scalar& a, const Tensor& b) { return mul(b, a); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator/(const Tensor& a, const Scalar& b) { return div(a, b); }
Tensor operator/(const Scalar& a, const Tensor& b) {
  detail::check_defined("div", b);
  return div(detail::wrap_scalar(a, result_type(b, a), b.device()), b);
}
Tensor operator-(const Tensor& a) { return neg(a); }
Tensor& operator+=(Tensor& a, const Tensor& b) { return a.add_(b); }
Tensor& operator+=(Tensor& a, const Scalar& b) { return a.add_(b); }
Tensor& operator-=(Tensor& a, const Tensor& b) { return a.sub_(b); }
Tensor& operator-=(Tensor& a, const Scalar& b) { return a.sub_(b); }
Tensor& operator*=(Tensor& a, const Tensor& b) { return a.mul_(b); }
Tensor& operator*=(Tensor& a, const Scalar& b) { return a.mul_(b); }
Tensor& operator/=(Tensor& a, const Tensor& b) { return a.div_(b); }
Tensor& operator/=(Tensor& a, const Scalar& b) { return a.div_(b); }

}  // namespace ember
