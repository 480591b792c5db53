// MultiheadAttention, as torch.nn.MultiheadAttention in 1.13: the same
// parameter names, initialisation, mask conventions and returned weights.
// F::scaled_dot_product_attention (nn/functional.h) is defined beside it, in nn/attention.cpp.
#pragma once

#include <ember/nn/linear.h>
#include <ember/nn/module.h>

#include <memory>
#include <optional>

namespace ember::nn {

// torch's class for MultiheadAttention's out_proj (a Linear that dynamic quantization leaves alone): a
// Linear under torch's name, so that the module prints as torch prints it.
class NonDynamicallyQuantizableLinear : public Linear {
 public:
  using Linear::Linear;
};

struct MultiheadAttentionOptions {
  double dropout = 0.0;                // on the attention weights, while training
  bool bias = true;                    // in_proj_bias and out_proj.bias
  bool add_bias_kv = false;            // bias_k, bias_v [1, 1, embed_dim]: one more key and value per sequence
  bool add_zero_attn = false;          // one more all-zero key and value per sequence, after the projections
  std::optional<int64_t> kdim = {};    // key's features; embed_dim unless given
  std::optional<int64_t> vdim = {};    // value's features; embed_dim unless given
  bool batch_first = false;            // [N, L, E] rather than [L, N, E] for inputs and output
  std::optional<DType> dtype = {};
  std::optional<Device> device = {};
};

// Masks follow torch 1.13's MultiheadAttention: bool true (or uint8 nonzero) means "masked out", a floating
// mask is added to the scores.
struct MultiheadAttentionForwardOptions {
  Tensor key_padding_mask = {};  // [N, S] ([S] unbatched)
  bool need_weights = true;
  Tensor attn_mask = {};         // [L, S], or [N * num_heads, L, S] ([num_heads, L, S] unbatched)
  bool average_attn_weights = true;
};

struct MultiheadAttentionOutput {
  Tensor output;        // [L, N, E] ([N, L, E] batch_first, [L, E] unbatched)
  Tensor attn_weights;  // [N, L, S] averaged over heads, or [N, num_heads, L, S]; undefined unless need_weights
};

class MultiheadAttention : public Module {
 public:
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, MultiheadAttentionOptions options = {});
  // query [L, N, E], key [S, N, kdim], value [S, N, vdim] (batch first: N leading; unbatched: no N).
  MultiheadAttentionOutput forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                   const MultiheadAttentionForwardOptions& options = {});
  MultiheadAttentionOutput operator()(const Tensor& query, const Tensor& key, const Tensor& value,
                                      const MultiheadAttentionForwardOptions& options = {}) {
    return forward(query, key, value, options);
  }
  // Three inputs: the single-tensor forward of Module (for containers) stays unimplemented.
  using Module::forward;
  // xavier_uniform_ for the input projections, zeros for the biases, xavier_normal_ for bias_k and bias_v.
  void reset_parameters();

  const int64_t embed_dim, kdim, vdim, num_heads, head_dim;
  const double dropout;
  const bool batch_first, add_zero_attn;
  // in_proj_weight [3 * embed_dim, embed_dim] when kdim == vdim == embed_dim; otherwise q_proj_weight
  // [embed_dim, embed_dim], k_proj_weight [embed_dim, kdim] and v_proj_weight [embed_dim, vdim].
  Tensor in_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight;
  Tensor in_proj_bias;    // [3 * embed_dim], undefined without bias
  Tensor bias_k, bias_v;  // [1, 1, embed_dim], undefined without add_bias_kv
  std::shared_ptr<NonDynamicallyQuantizableLinear> out_proj;
};

}  // namespace ember::nn
