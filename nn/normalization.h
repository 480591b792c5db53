// LayerNorm: normalises over the trailing `normalized_shape` dims (mean and
// biased variance), then scales and shifts per element (weight ones, bias zeros).
// GroupNorm: normalises each of num_groups groups of channels of [N, C, *] per
// sample, then scales and shifts per channel (weight ones, bias zeros).
// BatchNorm1d/2d: normalise each channel over the batch (and spatial dims) in
// training, keeping running statistics for eval mode (ops/norm.cpp).
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

struct BatchNormOptions {
  double eps = 1e-5;
  std::optional<double> momentum = 0.1;  // none: a cumulative average over num_batches_tracked
  bool affine = true;
  bool track_running_stats = true;
  std::optional<DType> dtype = {};
  std::optional<Device> device = {};
};

// The layer behind BatchNorm1d and BatchNorm2d, which differ in the input dims they take.
class BatchNorm : public Module {
 public:
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  void reset_running_stats();

  const int64_t num_features;
  const double eps;
  const std::optional<double> momentum;
  Tensor weight, bias;                                        // [num_features]; undefined without affine
  Tensor running_mean, running_var, num_batches_tracked;  // undefined without track_running_stats

 protected:
  BatchNorm(int64_t num_features, BatchNormOptions options, std::vector<int64_t> input_dims);

 private:
  std::vector<int64_t> input_dims_;
};

// input [N, C] or [N, C, L].
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, BatchNormOptions options = {});
};

// input [N, C, H, W].
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, BatchNormOptions options = {});
};

}  // namespace ember::nn
