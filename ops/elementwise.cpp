// Elementwise arithmetic and math: add/sub/mul/div/pow, unary math, where,
// clamp, lerp, nan_to_num, masked_fill, and the arithmetic operators. Every op
// here is one functor of ops/functors.h run by the shared loop engine.
#include <ember/ops/toolkit.h>

#include <algorithm>
#include <limits>

namespace ember {
namespace {

using namespace functors;
using autograd::save;
using autograd::save_output;
using autograd::TensorList;

// What a unary op's backward formula reads besides the gradient.
enum class Saves { Input, Output, Nothing };
constexpr double kLn2 = 0.69314718055994530942;
constexpr double kTwoOverSqrtPi = 1.12837916709551257390;

// Records formula(grad, saved) as the backward of out = op(self); saved is
// self, out, or undefined, as `saves` says.
template <class Formula>
Tensor record_unary(const char* op, const Tensor& self, const Tensor& out, Saves saves, Formula formula) {
  if (!autograd::needs_grad(self)) return out;
  autograd::SavedTensor saved = saves == Saves::Input    ? autograd::save(self)
                                : saves == Saves::Output ? autograd::save_output(out)
                                                         : autograd::SavedTensor();
  autograd::record(op, {self}, out, [saved, formula](const Tensor& grad) {
    return TensorList{formula(grad, saved.get())};
  });
  return out;
}

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
  detail::fail(ErrorKind::Runtime,
               "div: expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{}'", *mode);
}

// True division is differentiable; the rounding modes are piecewise constant
// (gradient zero, as in PyTorch).
Tensor divide(const Tensor& self, const Tensor& other, DType result, Rounding rounding) {
  switch (rounding) {
    case Rounding::True: {
      Tensor out = detail::binary_op("div", self, other, detail::compute_dtype<Div>(result), Div{});
      if (autograd::needs_grad(self, other)) {
        autograd::record("div", {self, other}, out, [self = save(self), other = save(other)](const Tensor& grad) {
          const Tensor divisor = other.get();
          return TensorList{grad / divisor,
                            autograd::needs_input_grad(1) ? -grad * self.get() / (divisor * divisor) : Tensor()};
        });
      }
      return out;
    }
    case Rounding::Trunc:
    case Rounding::Floor: {
      check_integer_divisor("div", result, other);
      Tensor out = rounding == Rounding::Trunc ? detail::binary_op("div", self, other, result, DivTrunc{})
                                               : detail::binary_op("div", self, other, result, DivFloor{});
      if (autograd::needs_grad(self, other)) {
        autograd::record("div", {self, other}, out, [](const Tensor& grad) {
          return TensorList{zeros_like(grad), zeros_like(grad)};
        });
      }
      return out;
    }
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
  Tensor out = detail::promoted_binary_op("add", self, other, Add{alpha.to_double()});
  if (autograd::needs_grad(self, other)) {
    autograd::record("add", {self, other}, out, [alpha = alpha.to_double()](const Tensor& grad) {
      return TensorList{grad, alpha == 1.0 ? grad : grad * alpha};
    });
  }
  return out;
}
Tensor add(const Tensor& self, const Scalar& other) {
  Tensor out = detail::promoted_binary_op("add", self, other, Add{1.0});
  if (autograd::needs_grad(self)) {
    autograd::record("add", {self}, out, [](const Tensor& grad) { return TensorList{grad}; });
  }
  return out;
}
Tensor sub(const Tensor& self, const Tensor& other, const Scalar& alpha) {
  detail::check_defined("sub", self);
  detail::check_defined("sub", other);
  check_not_bool_sub(self, other.dtype());
  check_alpha("sub", result_type(self, other), alpha);
  Tensor out = detail::promoted_binary_op("sub", self, other, Add{-alpha.to_double()});
  if (autograd::needs_grad(self, other)) {
    autograd::record("sub", {self, other}, out, [alpha = alpha.to_double()](const Tensor& grad) {
      return TensorList{grad, grad * -alpha};
    });
  }
  return out;
}
Tensor sub(const Tensor& self, const Scalar& other) {
  detail::check_defined("sub", self);
  check_not_bool_sub(self, other.dtype());
  Tensor out = detail::promoted_binary_op("sub", self, other, Add{-1.0});
  if (autograd::needs_grad(self)) {
    autograd::record("sub", {self}, out, [](const Tensor& grad) { return TensorList{grad}; });
  }
  return out;
}
Tensor mul(const Tensor& self, const Tensor& other) {
  Tensor out = detail::promoted_binary_op("mul", self, other, Mul{});
  if (autograd::needs_grad(self, other)) {
    autograd::record("mul", {self, other}, out, [self = save(self), other = save(other)](const Tensor& grad) {
      return TensorList{autograd::needs_input_grad(0) ? grad * other.get() : Tensor(),
                        autograd::needs_input_grad(1) ? grad * self.get() : Tensor()};
    });
  }
  return out;
}
Tensor mul(const Tensor& self, const Scalar& other) {
  Tensor out = detail::promoted_binary_op("mul", self, other, Mul{});
  if (autograd::needs_grad(self)) {
    autograd::record("mul", {self}, out, [other](const Tensor& grad) { return TensorList{grad * other}; });
  }
  return out;
}

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
  if (autograd::needs_grad(*this, other)) {
    return detail::inplace_with_history("add_", *this, [&](const Tensor& x) { return ember::add(x, other, alpha); });
  }
  check_alpha("add_", dtype(), alpha);
  return detail::binary_op_("add_", *this, other, Add{alpha.to_double()});
}
Tensor& Tensor::add_(const Scalar& other) {
  if (autograd::needs_grad(*this)) {
    return detail::inplace_with_history("add_", *this, [&](const Tensor& x) { return ember::add(x, other); });
  }
  return detail::binary_op_("add_", *this, other, Add{1.0});
}
Tensor& Tensor::sub_(const Tensor& other, const Scalar& alpha) {
  detail::check_defined("sub_", other);
  if (autograd::needs_grad(*this, other)) {
    return detail::inplace_with_history("sub_", *this, [&](const Tensor& x) { return ember::sub(x, other, alpha); });
  }
  check_not_bool_sub(*this, other.dtype());
  check_alpha("sub_", dtype(), alpha);
  return detail::binary_op_("sub_", *this, other, Add{-alpha.to_double()});
}
Tensor& Tensor::sub_(const Scalar& other) {
  if (autograd::needs_grad(*this)) {
    return detail::inplace_with_history("sub_", *this, [&](const Tensor& x) { return ember::sub(x, other); });
  }
  check_not_bool_sub(*this, other.dtype());
  return detail::binary_op_("sub_", *this, other, Add{-1.0});
}
Tensor& Tensor::mul_(const Tensor& other) {
  if (autograd::needs_grad(*this, other)) {
    return detail::inplace_with_history("mul_", *this, [&](const Tensor& x) { return ember::mul(x, other); });
  }
  return detail::binary_op_("mul_", *this, other, Mul{});
}
Tensor& Tensor::mul_(const Scalar& other) {
  if (autograd::needs_grad(*this)) {
    return detail::inplace_with_history("mul_", *this, [&](const Tensor& x) { return ember::mul(x, other); });
  }
  return detail::binary_op_("mul_", *this, other, Mul{});
}
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
namespace {
// d(base^exponent)/d(exponent) = result * log(base), taken as 0 where base == 0
// and exponent >= 0 (the limit; log(0) would give NaN), as in PyTorch.
Tensor pow_exponent_grad(const Tensor& grad, const Tensor& base, const Tensor& exponent, const Tensor& result) {
  return where(logical_and(eq(base, 0), ge(exponent, 0)), 0.0, grad * result * log(base));
}
}  // namespace

Tensor pow(const Tensor& self, const Tensor& exponent) {
  Tensor out = detail::promoted_binary_op("pow", self, exponent, Pow{});
  if (autograd::needs_grad(self, exponent)) {
    autograd::record("pow", {self, exponent}, out,
                     [self = save(self), exponent = save(exponent), result = save_output(out)](const Tensor& grad) {
                       const Tensor base = self.get(), power = exponent.get();
                       return TensorList{
                           autograd::needs_input_grad(0) ? grad * power * pow(base, power - 1) : Tensor(),
                           autograd::needs_input_grad(1) ? pow_exponent_grad(grad, base, power, result.get()) : Tensor()};
                     });
  }
  return out;
}
namespace {
// As PyTorch, an error rather than 2 ** -1 truncated to 0.
void check_integer_power(const char* op, const Tensor& self, const Scalar& exponent) {
  detail::check_defined(op, self);
  EMBER_CHECK(self.is_floating_point() || exponent.is_floating_point() || exponent.to_int() >= 0,
              "{}: integers to negative integer powers are not allowed (base dtype {}, exponent {})", op, self.dtype(),
              exponent.to_int());
}
}  // namespace

Tensor pow(const Tensor& self, const Scalar& exponent) {
  check_integer_power("pow", self, exponent);
  Tensor out = detail::promoted_binary_op("pow", self, exponent, Pow{});
  if (autograd::needs_grad(self)) {
    autograd::record("pow", {self}, out, [self = save(self), exponent](const Tensor& grad) {
      if (exponent.to_double() == 0.0) return TensorList{zeros_like(grad)};
      return TensorList{grad * exponent * pow(self.get(), exponent.to_double() - 1.0)};
    });
  }
  return out;
}
Tensor pow(const Scalar& self, const Tensor& exponent) {
  detail::check_defined("pow", exponent);
  DType dtype = result_type(exponent, self);
  Tensor base = detail::wrap_scalar(self, dtype, exponent.device());
  Tensor out = detail::binary_op("pow", base, exponent, dtype, Pow{});
  if (autograd::needs_grad(exponent)) {
    autograd::record("pow", {exponent}, out,
                     [base, exponent = save(exponent), result = save_output(out)](const Tensor& grad) {
                       return TensorList{pow_exponent_grad(grad, base, exponent.get(), result.get())};
                     });
  }
  return out;
}
Tensor Tensor::pow(const Tensor& exponent) const { return ember::pow(*this, exponent); }
Tensor Tensor::pow(const Scalar& exponent) const { return ember::pow(*this, exponent); }
Tensor& Tensor::pow_(const Scalar& exponent) {
  check_integer_power("pow_", *this, exponent);  // in place too: it computed [1, 0, 0] for [1, 2, 3].pow_(-2)
  if (autograd::needs_grad(*this)) {
    return detail::inplace_with_history("pow_", *this, [&](const Tensor& x) { return ember::pow(x, exponent); });
  }
  return detail::binary_op_("pow_", *this, exponent, Pow{});
}

namespace {
// The gradient goes to the winner; on a tie each side gets half (PyTorch's rule).
template <class F>
Tensor extreme_of_two(const char* op, const Tensor& self, const Tensor& other, const F& functor, bool is_max) {
  Tensor out = detail::promoted_binary_op(op, self, other, functor);
  if (autograd::needs_grad(self, other)) {
    autograd::record(op, {self, other}, out, [self = save(self), other = save(other), is_max](const Tensor& grad) {
      const Tensor a = self.get(), b = other.get();
      const Tensor a_wins = is_max ? gt(a, b) : lt(a, b), b_wins = is_max ? gt(b, a) : lt(b, a);
      const Tensor half = where(eq(a, b), grad * 0.5, 0.0);
      return TensorList{where(a_wins, grad, half), where(b_wins, grad, half)};
    });
  }
  return out;
}
}  // namespace

Tensor maximum(const Tensor& self, const Tensor& other) {
  return extreme_of_two("maximum", self, other, Maximum{}, /*is_max=*/true);
}
Tensor minimum(const Tensor& self, const Tensor& other) {
  return extreme_of_two("minimum", self, other, Minimum{}, /*is_max=*/false);
}
Tensor Tensor::maximum(const Tensor& other) const { return ember::maximum(*this, other); }
Tensor Tensor::minimum(const Tensor& other) const { return ember::minimum(*this, other); }

// ---- lerp, where, clamp, nan_to_num, masked_fill ----
Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight) {
  for (const Tensor* t : {&self, &end, &weight}) detail::check_defined("lerp", *t);
  EMBER_CHECK(self.is_floating_point() && self.dtype() == end.dtype() && self.dtype() == weight.dtype(),
              "lerp: expected start, end and weight of one floating point dtype, got {}, {} and {}", self.dtype(),
              end.dtype(), weight.dtype());
  Tensor out = ternary_op("lerp", self, end, weight, self.dtype(), Lerp{});
  if (autograd::needs_grad(self, end, weight)) {
    autograd::record("lerp", {self, end, weight}, out,
                     [self = save(self), end = save(end), weight = save(weight)](const Tensor& grad) {
                       const Tensor w = weight.get();
                       return TensorList{grad * (1 - w), grad * w,
                                         autograd::needs_input_grad(2) ? grad * (end.get() - self.get()) : Tensor()};
                     });
  }
  return out;
}
Tensor lerp(const Tensor& self, const Tensor& end, const Scalar& weight) {
  detail::check_defined("lerp", self);
  return lerp(self, end, detail::wrap_scalar(weight, self.dtype(), self.device()));
}
Tensor Tensor::lerp(const Tensor& end, const Scalar& weight) const { return ember::lerp(*this, end, weight); }
Tensor Tensor::lerp(const Tensor& end, const Tensor& weight) const { return ember::lerp(*this, end, weight); }

Tensor where(const Tensor& condition, const Tensor& self, const Tensor& other) {
  for (const Tensor* t : {&condition, &self, &other}) detail::check_defined("where", *t);
  EMBER_CHECK(condition.dtype() == kBool, "where: expected condition to be a bool tensor, got {}",
              condition.dtype());
  DType dtype = result_type(self, other);
  Tensor a = detail::cast_if_needed(self, dtype), b = detail::cast_if_needed(other, dtype);
  Tensor out = ternary_op("where", condition, a, b, dtype, Where{});
  if (autograd::needs_grad(a, b)) {
    autograd::record("where", {condition, a, b}, out, [condition](const Tensor& grad) {
      return TensorList{Tensor(), where(condition, grad, 0.0), where(condition, 0.0, grad)};
    });
  }
  return out;
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
  Tensor out = detail::unary_op("clamp", detail::cast_if_needed(self, clamp_dtype(self, min, max)), functor);
  if (autograd::needs_grad(self)) {
    // The gradient passes where min <= self <= max (both bounds inclusive, as PyTorch).
    autograd::record("clamp", {self}, out, [self = save(self), min, max](const Tensor& grad) {
      const Tensor x = self.get();
      Tensor inside = min ? ge(x, *min) : ones_like(x, kBool);
      if (max) inside = logical_and(inside, le(x, *max));
      return TensorList{where(inside, grad, 0.0)};
    });
  }
  return out;
}
Tensor clamp(const Tensor& self, const Tensor& min, const Tensor& max) {
  for (const Tensor* t : {&self, &min, &max}) detail::check_defined("clamp", *t);
  DType dtype = ResultType().add(self).add(min).add(max).get();
  Tensor x = detail::cast_if_needed(self, dtype), lo = detail::cast_if_needed(min, dtype);
  Tensor hi = detail::cast_if_needed(max, dtype);
  Tensor out = ternary_op("clamp", x, lo, hi, dtype, ClampTensor{});
  if (autograd::needs_grad(x, lo, hi)) {
    autograd::record("clamp", {x, lo, hi}, out, [x = save(x), lo = save(lo), hi = save(hi)](const Tensor& grad) {
      const Tensor v = x.get(), low = lo.get(), high = hi.get();
      return TensorList{where(logical_and(ge(v, low), le(v, high)), grad, 0.0), where(lt(v, low), grad, 0.0),
                        where(gt(v, high), grad, 0.0)};
    });
  }
  return out;
}
Tensor Tensor::clamp(std::optional<Scalar> min, std::optional<Scalar> max) const { return ember::clamp(*this, min, max); }
Tensor& Tensor::clamp_(std::optional<Scalar> min, std::optional<Scalar> max) {
  detail::check_defined("clamp_", *this);
  if (autograd::needs_grad(*this)) {
    return detail::inplace_with_history("clamp_", *this, [&](const Tensor& x) { return ember::clamp(x, min, max); });
  }
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
    Tensor out =
        detail::unary_op("nan_to_num", self, NanToNum{nan.value_or(0.0), posinf.value_or(hi), neginf.value_or(-hi)});
    // Replaced values get no gradient.
    return record_unary("nan_to_num", self, out, Saves::Input,
                        [](const Tensor& grad, const Tensor& x) { return grad * isfinite(x); });
  });
}
Tensor Tensor::nan_to_num(std::optional<double> nan, std::optional<double> posinf, std::optional<double> neginf) const {
  return ember::nan_to_num(*this, nan, posinf, neginf);
}

namespace {
// A RuntimeError for a mask of another dtype, as PyTorch's (it is a wrong value, not a wrong Python type).
void check_mask(const Tensor& self, const Tensor& mask) {
  detail::check_defined("masked_fill", self);
  detail::check_defined("masked_fill", mask);
  EMBER_CHECK(mask.dtype() == kBool, "masked_fill: expected a bool mask, got {}", mask.dtype());
  Shape shape = broadcast_shapes("masked_fill", self.shape(), mask.shape());
  EMBER_CHECK(shape == self.shape(), "masked_fill: expected a mask that broadcasts to the input's shape {}, got {}",
              self.shape(), mask.shape());
}
}  // namespace

Tensor masked_fill(const Tensor& self, const Tensor& mask, const Scalar& value) {
  check_mask(self, mask);
  return where(mask, detail::wrap_scalar(value, self.dtype(), self.device()), self);
}
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value) {
  check_mask(self, mask);
  detail::check_defined("masked_fill", value);
  EMBER_CHECK(value.dim() == 0, "masked_fill: expected a 0-dimensional value tensor, got {} dimension(s)",
              value.dim());
  // Through where, value gets its gradient (grad summed where mask is set), as PyTorch's; a CPU value
  // may fill a CUDA tensor, as a number would.
  return where(mask, detail::cast_if_needed(value, self.dtype()).to(self.device()), self);
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
  Tensor out = detail::unary_op("neg", self, Neg{});
  if (autograd::needs_grad(self)) {
    autograd::record("neg", {self}, out, [](const Tensor& grad) { return TensorList{-grad}; });
  }
  return out;
}
Tensor& Tensor::neg_() {
  detail::check_defined("neg_", *this);
  EMBER_CHECK(dtype() != kBool, "neg_: negation on a bool tensor is not supported; use logical_not()");
  if (autograd::needs_grad(*this)) {
    return detail::inplace_with_history("neg_", *this, [](const Tensor& x) { return ember::neg(x); });
  }
  return detail::unary_op_("neg_", *this, Neg{});
}
Tensor Tensor::neg() const { return ember::neg(*this); }


// One line per op: name, functor, what the formula saves, and the formula
// d(self) = f(grad, saved). Bool inputs pass through the integer-preserving
// ops unchanged (abs, sign, floor, ...).
#define EMBER_UNARY_OP(name, Functor, saves, ...)                                                             \
  Tensor name(const Tensor& self) {                                                                         \
    detail::check_defined(#name, self);                                                                     \
    if (Functor::dtypes == DTypes::Numeric && self.dtype() == kBool) return clone(self);                    \
    return record_unary(#name, self, detail::unary_op(#name, self, Functor{}), Saves::saves, __VA_ARGS__);  \
  }                                                                                                         \
  Tensor Tensor::name() const { return ember::name(*this); }                                                \
  Tensor& Tensor::name##_() {                                                                               \
    if (Functor::dtypes == DTypes::Numeric && dtype() == kBool) return *this;                               \
    if (autograd::needs_grad(*this)) {                                                                      \
      return detail::inplace_with_history(#name "_", *this, [](const Tensor& x) { return ember::name(x); }); \
    }                                                                                                       \
    return detail::unary_op_(#name "_", *this, Functor{});                                                  \
  }
// Piecewise constant: the gradient is zero (as in PyTorch).
#define EMBER_STEP_OP(name, Functor) \
  EMBER_UNARY_OP(name, Functor, Nothing, [](const Tensor& grad, const Tensor&) { return zeros_like(grad); })

EMBER_UNARY_OP(abs, Abs, Input, [](const Tensor& grad, const Tensor& self) { return grad * sign(self); })
EMBER_UNARY_OP(exp, Exp, Output, [](const Tensor& grad, const Tensor& result) { return grad * result; })
EMBER_UNARY_OP(exp2, Exp2, Output, [](const Tensor& grad, const Tensor& result) { return grad * result * kLn2; })
EMBER_UNARY_OP(log, Log, Input, [](const Tensor& grad, const Tensor& self) { return grad / self; })
EMBER_UNARY_OP(log2, Log2, Input, [](const Tensor& grad, const Tensor& self) { return grad / (self * kLn2); })
EMBER_UNARY_OP(log1p, Log1p, Input, [](const Tensor& grad, const Tensor& self) { return grad / (self + 1); })
EMBER_UNARY_OP(expm1, Expm1, Output, [](const Tensor& grad, const Tensor& result) { return grad * (result + 1); })
EMBER_UNARY_OP(sqrt, Sqrt, Output, [](const Tensor& grad, const Tensor& result) { return grad / (result * 2); })
EMBER_UNARY_OP(rsqrt, Rsqrt, Output,
               [](const Tensor& grad, const Tensor& result) { return grad * result * result * result * -0.5; })
EMBER_UNARY_OP(sin, Sin, Input, [](const Tensor& grad, const Tensor& self) { return grad * cos(self); })
EMBER_UNARY_OP(cos, Cos, Input, [](const Tensor& grad, const Tensor& self) { return grad * -sin(self); })
EMBER_UNARY_OP(tan, Tan, Output, [](const Tensor& grad, const Tensor& result) { return grad * (result * result + 1); })
EMBER_UNARY_OP(tanh, Tanh, Output, [](const Tensor& grad, const Tensor& result) { return grad * (1 - result * result); })
EMBER_UNARY_OP(sigmoid, Sigmoid, Output,
               [](const Tensor& grad, const Tensor& result) { return grad * result * (1 - result); })
EMBER_UNARY_OP(reciprocal, Reciprocal, Output,
               [](const Tensor& grad, const Tensor& result) { return -grad * result * result; })
EMBER_UNARY_OP(erf, Erf, Input,
               [](const Tensor& grad, const Tensor& self) { return grad * exp(-self * self) * kTwoOverSqrtPi; })
EMBER_UNARY_OP(relu, Relu, Output, [](const Tensor& grad, const Tensor& result) { return where(result > 0, grad, 0.0); })
EMBER_STEP_OP(sign, Sign)
EMBER_STEP_OP(floor, Floor)
EMBER_STEP_OP(ceil, Ceil)
EMBER_STEP_OP(round, Round)
EMBER_STEP_OP(trunc, Trunc)
#undef EMBER_STEP_OP
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
