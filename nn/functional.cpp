// nn::functional's layer functions (nn/functional.h); the losses are in nn/loss.cpp.
#include <ember/nn/functional.h>

namespace ember::nn::functional {

// A 2-d input with a bias is one addmm (the bias fused into the GEMM); anything else matmul + add.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  EMBER_CHECK(input.defined() && weight.defined() && weight.dim() == 2,
              "linear: expected an input and a 2-d weight, got input {} and weight {}",
              input.defined() ? input.shape() : Shape{}, weight.defined() ? weight.shape() : Shape{});
  EMBER_CHECK(input.dim() >= 1 && input.size(-1) == weight.size(1),
              "linear: expected input.shape[-1] == weight.shape[1], got input {} and weight {}", input.shape(),
              weight.shape());
  EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == weight.size(0)),
              "linear: expected a bias of shape [{}], got {}", weight.size(0), bias.shape());
  if (input.dim() == 2 && bias.defined()) return addmm(bias, input, weight.t());
  Tensor out = matmul(input, weight.t());
  return bias.defined() ? out + bias : out;
}

Tensor dropout(const Tensor& input, double p, bool training) {
  EMBER_CHECK_VALUE(p >= 0.0 && p <= 1.0, "dropout: dropout probability has to be between 0 and 1, but got {}", p);
  if (!training || p == 0.0) return input;
  if (p == 1.0) return input * zeros_like(input);
  // The mask is data, not a function of input: its values are not differentiated.
  const Tensor keep = bernoulli(input.detach(), 1.0 - p);
  return input * keep * (1.0 / (1.0 - p));
}

}  // namespace ember::nn::functional
