// LayerNorm (nn/normalization.h).
#include <ember/nn/functional.h>
#include <ember/nn/normalization.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ember::nn {

LayerNorm::LayerNorm(std::vector<int64_t> normalized_shape, LayerNormOptions options)
    : normalized_shape(std::move(normalized_shape)), eps(options.eps) {
  for (int64_t size : this->normalized_shape) {
    EMBER_CHECK_VALUE(size > 0, "LayerNorm: expected positive sizes in normalized_shape, got {}",
                      Shape(this->normalized_shape));
  }
  weight = register_parameter("weight", options.elementwise_affine ? ones(this->normalized_shape) : Tensor());
  bias = register_parameter("bias", options.elementwise_affine ? zeros(this->normalized_shape) : Tensor());
}

Tensor LayerNorm::forward(const Tensor& input) {
  return functional::layer_norm(input, normalized_shape, weight, bias, eps);
}

// As torch: "(10,)" for one dim, "(3, 4)" for more.
std::string LayerNorm::extra_repr() const {
  const std::string shape = normalized_shape.size() == 1 ? fmt::format("({},)", normalized_shape[0])
                                                         : fmt::format("({})", fmt::join(normalized_shape, ", "));
  return fmt::format("{}, eps={}, elementwise_affine={}", shape, eps == 1e-5 ? "1e-05" : fmt::format("{}", eps),
                     weight.defined() ? "True" : "False");
}

}  // namespace ember::nn
