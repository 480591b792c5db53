// ember::nn::functional (F): the stateless forms of the layers and the
// losses. Activations are the ops of ops/ops.h (relu, gelu, softmax, ...),
// available here too so that `namespace F = ember::nn::functional` reads as
// in PyTorch. Every function is differentiable (composites of recorded ops).
#pragma once

#include <ember/ops/ops.h>

#include <optional>

namespace ember::nn::functional {

using ember::elu;
using ember::gelu;
using ember::hardtanh;
using ember::leaky_relu;
using ember::log_softmax;
using ember::relu;
using ember::sigmoid;
using ember::silu;
using ember::softmax;
using ember::softplus;
using ember::tanh;

// y = x W^T + b for x [..., in_features], W [out_features, in_features], b [out_features] or undefined.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});
// Zeroes each element with probability p and scales the rest by 1 / (1 - p); the identity when !training.
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true);

// (x - mean) / sqrt(var + eps) * weight + bias over the trailing dims of normalized_shape
// (biased variance); weight and bias may be undefined.
Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);

// ---- losses (nn/loss.cpp) ----
enum class Reduction { None, Mean, Sum };

struct CrossEntropyOptions {
  Tensor weight = {};  // [C] per-class weights
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::Mean;
  double label_smoothing = 0.0;
};
// input [N, C] (or [N, C, d...], or [C]) logits; target: int64 class indices [N] (or [N, d...], or []),
// or floating class probabilities of input's shape.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& options = {});

struct NLLLossOptions {
  Tensor weight = {};
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::Mean;
};
// input: log-probabilities [N, C] (or [N, C, d...], or [C]); target: int64 class indices.
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossOptions& options = {});

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
                      double beta = 1.0);
// input: probabilities in [0, 1]; each log is clamped at -100, as PyTorch.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                            Reduction reduction = Reduction::Mean);
// input: logits (numerically stable); pos_weight [C] weighs the positive term.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                        const Tensor& pos_weight = {}, Reduction reduction = Reduction::Mean);
enum class KLDivReduction { None, Mean, Sum, BatchMean };
// input: log-probabilities; target: probabilities (log-probabilities with log_target).
Tensor kl_div(const Tensor& input, const Tensor& target, KLDivReduction reduction = KLDivReduction::Mean,
              bool log_target = false);

}  // namespace ember::nn::functional
