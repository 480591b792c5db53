// The CPU convolution layer under conv1d/conv2d/conv_transpose2d: float32
// convolutions and transposed convolutions through oneDNN (forward, gradient
// of the input, gradient of the weight and bias). No Tensors here: ops/conv.cpp
// checks arguments, computes the geometry and hands over contiguous buffers.
#pragma once

#include <array>
#include <cstdint>

namespace ember::cpu {

// One 2-d convolution; 1-d ones arrive with H = 1. N batch, C input channels,
// OC output channels, H x W input, OH x OW output, KH x KW kernel. Weights are
// PyTorch's layout: [OC, C / groups, KH, KW], or [C, OC / groups, KH, KW] when
// transposed. Paddings may differ per side (padding="same" with an even kernel).
struct ConvGeometry {
  int64_t N, C, H, W;
  int64_t OC, OH, OW;
  int64_t KH, KW;
  int64_t groups;
  bool transposed;
  std::array<int64_t, 2> stride, dilation, pad_begin, pad_end;
};

// All buffers are contiguous float32 (NCHW); bias may be null.
void conv_forward(const ConvGeometry& g, const float* input, const float* weight, const float* bias, float* out);
// The gradients whose buffers are not null (grad_bias only with grad_weight);
// grad_out is reordered once for both.
void conv_backward(const ConvGeometry& g, const float* input, const float* weight, const float* grad_out,
                   float* grad_input, float* grad_weight, float* grad_bias);

}  // namespace ember::cpu
