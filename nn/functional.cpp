// nn::functional's layer functions (nn/functional.h); the losses are in nn/loss.cpp.
#include <ember/nn/functional.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

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

// A composite of recorded reductions and arithmetic: its gradient, and second
// derivative, come from theirs.
Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  const auto n = static_cast<int64_t>(normalized_shape.size());
  bool matches = input.defined() && n > 0 && input.dim() >= n;
  for (int64_t i = 0; matches && i < n; ++i) matches = input.size(input.dim() - n + i) == normalized_shape[i];
  EMBER_CHECK(matches, "layer_norm: Given normalized_shape={}, expected input with shape [*, {}], but got input of size{}",
              normalized_shape, fmt::join(normalized_shape.begin(), normalized_shape.end(), ", "),
              input.defined() ? input.shape() : Shape{});
  for (const Tensor* t : {&weight, &bias}) {
    EMBER_CHECK(!t->defined() || IntArrayRef(t->shape()) == normalized_shape,
                "layer_norm: expected weight and bias of shape {} (normalized_shape), got {}", normalized_shape,
                t->shape());
  }
  std::vector<int64_t> dims;
  for (int64_t i = input.dim() - n; i < input.dim(); ++i) dims.push_back(i);
  const Tensor mean = input.mean(dims, /*keepdim=*/true);
  const Tensor variance = input.var(dims, /*correction=*/0, /*keepdim=*/true);
  Tensor out = (input - mean) * rsqrt(variance + eps);
  if (weight.defined()) out = out * weight;
  if (bias.defined()) out = out + bias;
  return out;
}

}  // namespace ember::nn::functional
