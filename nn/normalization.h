// LayerNorm: normalises over the trailing `normalized_shape` dims (mean and
// biased variance), then scales and shifts per element (weight ones, bias zeros).
// GroupNorm: normalises each of num_groups groups of channels of [N, C, *] per
// sample, then scales and shifts per channel (weight ones, bias zeros).
#pragma once

#include <ember/nn/module.h>

#include <optional>
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

struct GroupNormOptions {
  double eps = 1e-5;
  bool affine = true;
  std::optional<DType> dtype = {};
  std::optional<Device> device = {};
};

class GroupNorm : public Module {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, GroupNormOptions options = {});
  // input [N, num_channels, *].
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  const int64_t num_groups, num_channels;
  const double eps;
  Tensor weight, bias;  // [num_channels]; undefined without affine
};

}  // namespace ember::nn
