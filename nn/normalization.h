// LayerNorm: normalises over the trailing `normalized_shape` dims (mean and
// biased variance), then scales and shifts per element (weight ones, bias zeros).
#pragma once

#include <ember/nn/module.h>

#include <vector>

namespace ember::nn {

struct LayerNormOptions {
  double eps = 1e-5;
  bool elementwise_affine = true;
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(std::vector<int64_t> normalized_shape, LayerNormOptions options = {});
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  const std::vector<int64_t> normalized_shape;
  const double eps;
  Tensor weight, bias;  // of normalized_shape; undefined without elementwise_affine
};

}  // namespace ember::nn
