// Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d as torch.nn: weight and bias
// initialised as PyTorch, forward through the ops of ops/conv.cpp. One base,
// ConvNd, holds the sizes, the parameters, their init and the repr; each class
// adds only its op. No padding_mode option: ember pads with zeros only, and an
// option that accepted "reflect" and ignored it would silently change a model.
#pragma once

#include <ember/nn/module.h>
#include <ember/ops/ops.h>

#include <optional>

namespace ember::nn {

// Conv1d and Conv2d, PyTorch's argument order (less padding_mode).
struct ConvNdOptions {
  SpatialSize stride = 1;
  ConvPadding padding = 0;  // one size, one per dim, or kSame / kValid (torch's padding='same' / 'valid')
  SpatialSize dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  std::optional<DType> dtype = {};
  std::optional<Device> device = {};
};

// ConvTranspose1d and ConvTranspose2d, PyTorch's argument order (less padding_mode).
struct ConvTransposeNdOptions {
  SpatialSize stride = 1;
  SpatialSize padding = 0;
  SpatialSize output_padding = 0;
  int64_t groups = 1;
  bool bias = true;
  SpatialSize dilation = 1;
  std::optional<DType> dtype = {};
  std::optional<Device> device = {};
};

// What the convolutions share (torch's _ConvNd). Sizes are per spatial dim, as torch stores them.
class ConvNd : public Module {
 public:
  std::string extra_repr() const override;
  // kaiming_uniform_(a = sqrt(5)) on weight, uniform(+-1/sqrt(fan_in)) on bias, as PyTorch.
  void reset_parameters();

  const int64_t in_channels, out_channels;
  const Shape kernel_size, stride, padding, dilation;
  const Shape output_padding;  // zeros for Conv1d/Conv2d
  // kSame / kValid when padding was given so (then `padding` holds zeros and the op computes it).
  const std::optional<PaddingMode> padding_preset;
  const int64_t groups;
  const bool transposed;
  Tensor weight;  // [out_channels, in_channels / groups, k...]; transposed: [in_channels, out_channels / groups, k...]
  Tensor bias;    // [out_channels], undefined without bias

 protected:
  ConvNd(const char* name, int64_t spatial_dims, int64_t in_channels, int64_t out_channels,
         const SpatialSize& kernel_size, const ConvNdOptions& options);
  ConvNd(const char* name, int64_t spatial_dims, int64_t in_channels, int64_t out_channels,
         const SpatialSize& kernel_size, const ConvTransposeNdOptions& options);
  // The op options of this module's sizes.
  ConvOptions conv_options() const;
  ConvTransposeOptions conv_transpose_options() const;

 private:
  struct Sizes;
  explicit ConvNd(const Sizes& sizes);
};

// input [N, in_channels, L] or [in_channels, L].
class Conv1d : public ConvNd {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, SpatialSize kernel_size, ConvNdOptions options = {});
  Tensor forward(const Tensor& input) override;
};

// input [N, in_channels, H, W] or [in_channels, H, W].
class Conv2d : public ConvNd {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, SpatialSize kernel_size, ConvNdOptions options = {});
  Tensor forward(const Tensor& input) override;
};

// The gradient of Conv1d as a layer. torch's forward(input, output_size) is not offered: use output_padding.
class ConvTranspose1d : public ConvNd {
 public:
  ConvTranspose1d(int64_t in_channels, int64_t out_channels, SpatialSize kernel_size,
                  ConvTransposeNdOptions options = {});
  Tensor forward(const Tensor& input) override;
};

// The gradient of Conv2d as a layer. torch's forward(input, output_size) is not offered: use output_padding.
class ConvTranspose2d : public ConvNd {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, SpatialSize kernel_size,
                  ConvTransposeNdOptions options = {});
  Tensor forward(const Tensor& input) override;
};

}  // namespace ember::nn
