// Activation functions: relu lives with the unary math (elementwise.cpp);
// here are the parameterised ones. Each is one functor of ops/functors.h.
#include <ember/ops/elementwise_util.h>

namespace ember {

using namespace functors;

Tensor leaky_relu(const Tensor& self, double negative_slope) {
  return detail::unary_op("leaky_relu", self, LeakyRelu{negative_slope});
}

Tensor elu(const Tensor& self, double alpha) { return detail::unary_op("elu", self, Elu{alpha}); }

Tensor gelu(const Tensor& self, std::string_view approximate) {
  if (approximate == "none") return detail::unary_op("gelu", self, Gelu{});
  EMBER_CHECK_VALUE(approximate == "tanh", "gelu: expected approximate to be 'none' or 'tanh', got '{}'", approximate);
  return detail::unary_op("gelu", self, GeluTanh{});
}

Tensor silu(const Tensor& self) { return detail::unary_op("silu", self, Silu{}); }

Tensor softplus(const Tensor& self, double beta, double threshold) {
  EMBER_CHECK_VALUE(beta != 0, "softplus: expected a non-zero beta, got {}", beta);
  return detail::unary_op("softplus", self, Softplus{beta, threshold});
}

Tensor hardtanh(const Tensor& self, double min_val, double max_val) {
  EMBER_CHECK_VALUE(min_val <= max_val, "hardtanh: expected min_val <= max_val, got min_val={} and max_val={}", min_val,
                    max_val);
  detail::check_defined("hardtanh", self);
  EMBER_CHECK_TYPE(self.dtype() != kBool, "hardtanh: expected a numeric tensor, got bool");
  return detail::unary_op("hardtanh", self, Clamp{min_val, max_val, true, true});
}

}  // namespace ember
