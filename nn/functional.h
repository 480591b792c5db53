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
// Convolution, pooling, batch norm (ops/conv.cpp, ops/pool.cpp, ops/norm.cpp) and constant padding, under their
// torch.nn.functional names.
using ember::adaptive_avg_pool2d;
using ember::avg_pool2d;
using ember::batch_norm;
using ember::conv1d;
using ember::conv2d;
using ember::conv_transpose1d;
using ember::conv_transpose2d;
using ember::max_pool2d;
using ember::max_pool2d_with_indices;
using ember::pad;

// y = x W^T + b for x [..., in_features], W [out_features, in_features], b [out_features] or undefined.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});
// Zeroes each element with probability p and scales the rest by 1 / (1 - p); the identity when !training.
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true);

// (x - mean) / sqrt(var + eps) * weight + bias over the trailing dims of normalized_shape
// (biased variance); weight and bias may be undefined.
Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);

// ---- layers defined beside their module (nn/<module>.cpp) ----
// nn/embedding.cpp: rows of weight [num_embeddings, embedding_dim] picked by int64 indices input [*] ->
// [*, embedding_dim]; the rows at padding_idx (negative counts from the end) get no gradient.
Tensor embedding(const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx = {});
// nn/bilinear.cpp: y = x1^T A x2 + b for input1 [*, in1], input2 [*, in2], weight [out, in1, in2], bias [out].
Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias = {});
// nn/normalization.cpp: input [N, C, *] normalised per sample over each of num_groups groups of C / num_groups
// channels (biased variance), then weight [C] and bias [C] per channel; weight and bias may be undefined.
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5);

// nn/attention.cpp, PyTorch 2.x's semantics (torch 1.13 has no such function).
struct ScaledDotProductAttentionOptions {
  // Broadcast to [..., L, S]. bool: true means the position takes part (PyTorch 2's rule, the opposite of
  // MultiheadAttention's masks); floating: added to the scores.
  Tensor attn_mask = {};
  double dropout_p = 0.0;   // applied to the attention weights whenever > 0, as PyTorch
  bool is_causal = false;   // query i attends to keys 0..i (the top-left L x S triangle); not with attn_mask
  std::optional<double> scale = {};  // 1 / sqrt(E) unless given
};
// softmax(q k^T * scale + mask) v for query [..., L, E], key [..., S, E], value [..., S, Ev] -> [..., L, Ev];
// leading dims broadcast.
Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const ScaledDotProductAttentionOptions& options = {});

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
