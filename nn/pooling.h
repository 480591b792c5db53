// Pooling layers over [N, C, H, W] or [C, H, W], as torch.nn: MaxPool2d,
// AvgPool2d, AdaptiveAvgPool2d; forward is the op of ops/pool.cpp. Sizes are
// kept as given (one int, or one per dim) because torch's repr prints them so.
#pragma once

#include <ember/nn/module.h>
#include <ember/ops/ops.h>

#include <utility>

namespace ember::nn {

// Options are the op's MaxPoolOptions {.stride, .padding, .dilation, .ceil_mode}. torch's return_indices
// flag changes what forward returns, which a C++ forward cannot: forward_with_indices is that call instead
// (forward stays the single-tensor one that Sequential runs).
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(SpatialSize kernel_size, MaxPoolOptions options = {});
  Tensor forward(const Tensor& input) override;
  // The output and the int64 position h * W + w of each maximum within its input plane (for max_unpool).
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
  std::string extra_repr() const override;

  const SpatialSize kernel_size, stride;  // stride: kernel_size when not given
  const SpatialSize padding, dilation;
  const bool ceil_mode;
};

// Options are the op's AvgPoolOptions {.stride, .padding, .ceil_mode, .count_include_pad, .divisor_override}.
class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(SpatialSize kernel_size, AvgPoolOptions options = {});
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  const SpatialSize kernel_size, stride;  // stride: kernel_size when not given
  const SpatialSize padding;
  const bool ceil_mode, count_include_pad;
  const std::optional<int64_t> divisor_override;
};

// torch's None in output_size (keep that input size) is not offered: give the size.
class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(SpatialSize output_size) : output_size(std::move(output_size)) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  const SpatialSize output_size;
};

}  // namespace ember::nn
