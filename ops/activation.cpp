// Activation functions: relu lives with the unary math (elementwise.cpp);
// here are the parameterised ones. Each forward is one functor of
// ops/functors.h; each backward a composite of differentiable ops (so second
// derivatives work).
#include <ember/ops/toolkit.h>

namespace ember {
namespace {

using namespace functors;
using autograd::TensorList;

// Records formula(grad, self) as the backward of out = activation(self).
template <class Formula>
Tensor record_activation(const char* op, const Tensor& self, const Tensor& out, const Formula& formula) {
  if (autograd::needs_grad(self)) {
    autograd::record(op, {self}, out, [self = autograd::save(self), formula](const Tensor& grad) {
      return TensorList{formula(grad, self.get())};
    });
  }
  return out;
}

constexpr double kInvSqrt2 = 0.70710678118654752440, kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kSqrt2OverPi = 0.79788456080286535588, kGeluCubic = 0.044715;

}  // namespace

Tensor leaky_relu(const Tensor& self, double negative_slope) {
  return record_activation("leaky_relu", self, detail::unary_op("leaky_relu", self, LeakyRelu{negative_slope}),
                           [negative_slope](const Tensor& grad, const Tensor& x) {
                             return where(gt(x, 0), grad, grad * negative_slope);
                           });
}

Tensor elu(const Tensor& self, double alpha) {
  return record_activation("elu", self, detail::unary_op("elu", self, Elu{alpha}),
                           [alpha](const Tensor& grad, const Tensor& x) {
                             return where(gt(x, 0), grad, grad * exp(x) * alpha);
                           });
}

// d gelu / dx = Phi(x) + x phi(x) (exact); for "tanh", the derivative of
// 0.5 x (1 + tanh(u)) with u = sqrt(2/pi) (x + 0.044715 x^3).
Tensor gelu(const Tensor& self, std::string_view approximate) {
  if (approximate == "none") {
    return record_activation("gelu", self, detail::unary_op("gelu", self, Gelu{}), [](const Tensor& grad, const Tensor& x) {
      const Tensor cdf = (erf(x * kInvSqrt2) + 1) * 0.5, pdf = exp(x * x * -0.5) * kInvSqrt2Pi;
      return grad * (cdf + x * pdf);
    });
  }
  EMBER_CHECK(approximate == "tanh", "gelu: expected approximate to be 'none' or 'tanh', got '{}'", approximate);
  return record_activation("gelu", self, detail::unary_op("gelu", self, GeluTanh{}), [](const Tensor& grad, const Tensor& x) {
    const Tensor t = tanh((x + x * x * x * kGeluCubic) * kSqrt2OverPi);
    const Tensor du = (x * x * (3 * kGeluCubic) + 1) * kSqrt2OverPi;
    return grad * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * du);
  });
}

Tensor silu(const Tensor& self) {
  return record_activation("silu", self, detail::unary_op("silu", self, Silu{}), [](const Tensor& grad, const Tensor& x) {
    const Tensor s = sigmoid(x);
    return grad * s * (x * (1 - s) + 1);
  });
}

// Linear above the threshold, so the gradient there is exactly 1 (as PyTorch).
Tensor softplus(const Tensor& self, double beta, double threshold) {
  EMBER_CHECK_VALUE(beta != 0, "softplus: expected a non-zero beta, got {}", beta);
  return record_activation("softplus", self, detail::unary_op("softplus", self, Softplus{beta, threshold}),
                           [beta, threshold](const Tensor& grad, const Tensor& x) {
                             const Tensor bx = x * beta;
                             return where(gt(bx, threshold), grad, grad * sigmoid(bx));
                           });
}

// The gradient passes strictly inside (min_val, max_val), as PyTorch's hardtanh.
Tensor hardtanh(const Tensor& self, double min_val, double max_val) {
  EMBER_CHECK_VALUE(min_val <= max_val, "hardtanh: expected min_val <= max_val, got min_val={} and max_val={}", min_val,
                    max_val);
  detail::check_defined("hardtanh", self);
  EMBER_CHECK(self.dtype() != kBool, "hardtanh: expected a numeric tensor, got bool");
  return record_activation("hardtanh", self, detail::unary_op("hardtanh", self, Clamp{min_val, max_val, true, true}),
                           [min_val, max_val](const Tensor& grad, const Tensor& x) {
                             return where(logical_and(gt(x, min_val), lt(x, max_val)), grad, 0.0);
                           });
}

}  // namespace ember
