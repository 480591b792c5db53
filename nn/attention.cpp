// F::scaled_dot_product_attention and MultiheadAttention (nn/attention.h):
// composites of matmul, softmax and dropout, so their gradients (and second
// derivatives) come from those ops. No fused kernel here.
#include <ember/nn/attention.h>
#include <ember/nn/functional.h>
#include <ember/nn/init.h>

#include <fmt/format.h>

#include <cmath>

namespace ember::nn {
namespace {

Shape shape_of(const Tensor& t) { return t.defined() ? t.shape() : Shape{}; }

// Can `mask` broadcast to `target` without growing it (no more dims, each dim 1 or equal)?
bool broadcasts_to(IntArrayRef mask, IntArrayRef target) {
  if (mask.size() > target.size()) return false;
  for (size_t i = 1; i <= mask.size(); ++i) {
    const int64_t m = mask[mask.size() - i], t = target[target.size() - i];
    if (m != 1 && m != t) return false;
  }
  return true;
}

// softmax(query key^T * scale + additive_mask) for query [..., L, E], key [..., S, E], then dropout: the
// attention weights [..., L, S]. additive_mask may be undefined.
Tensor attention_weights(const Tensor& query, const Tensor& key, const Tensor& additive_mask, double scale,
                         double dropout_p) {
  Tensor scores = matmul(query * scale, key.transpose(-2, -1));
  if (additive_mask.defined()) scores = scores + additive_mask;
  const Tensor weights = softmax(scores, -1);
  return dropout_p > 0.0 ? functional::dropout(weights, dropout_p, /*training=*/true) : weights;
}

// A mask in `dtype`'s additive form: floating masks as they are, bool ones 0 where `keep_when` and -inf elsewhere.
Tensor additive_mask(const Tensor& mask, bool keep_when, DType dtype) {
  if (is_floating_point(mask.dtype())) return mask;
  const Tensor keep = keep_when ? mask.to(kBool) : logical_not(mask.to(kBool));
  return zeros(mask.shape(), TensorOptions{dtype, mask.device()}).masked_fill(logical_not(keep), -INFINITY);
}

}  // namespace

namespace functional {

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const ScaledDotProductAttentionOptions& options) {
  EMBER_CHECK(query.defined() && key.defined() && value.defined() && query.dim() >= 2 && key.dim() >= 2 &&
                  value.dim() >= 2,
              "scaled_dot_product_attention: expected query [..., L, E], key [..., S, E] and value [..., S, Ev] of at "
              "least 2 dimensions, got {}, {} and {}",
              shape_of(query), shape_of(key), shape_of(value));
  EMBER_CHECK(query.size(-1) == key.size(-1) && key.size(-2) == value.size(-2),
              "scaled_dot_product_attention: expected query [..., L, E], key [..., S, E] and value [..., S, Ev], got "
              "{}, {} and {}",
              query.shape(), key.shape(), value.shape());
  EMBER_CHECK_VALUE(options.dropout_p >= 0.0 && options.dropout_p <= 1.0,
                    "scaled_dot_product_attention: expected 0 <= dropout_p <= 1, got {}", options.dropout_p);
  EMBER_CHECK(!(options.is_causal && options.attn_mask.defined()),
              "scaled_dot_product_attention: expected attn_mask or is_causal, not both (is_causal is its own mask)");
  const int64_t L = query.size(-2), S = key.size(-2);
  Tensor mask;
  if (options.attn_mask.defined()) {
    const Tensor& given = options.attn_mask;
    EMBER_CHECK(given.dtype() == kBool || is_floating_point(given.dtype()),
                "scaled_dot_product_attention: expected a bool or floating attn_mask, got {}", given.dtype());
    // The scores' shape: the broadcast leading dims of query and key, then [L, S].
    Shape query_batch = query.shape(), key_batch = key.shape();
    query_batch.resize(query_batch.size() - 2);
    key_batch.resize(key_batch.size() - 2);
    Shape batch = broadcast_shapes("scaled_dot_product_attention", query_batch, key_batch);
    batch.push_back(L);
    batch.push_back(S);
    EMBER_CHECK(broadcasts_to(given.shape(), batch),
                "scaled_dot_product_attention: expected an attn_mask that broadcasts to the scores {}, got {}", batch,
                given.shape());
    mask = additive_mask(given, /*keep_when=*/true, query.dtype());
  } else if (options.is_causal) {
    mask = additive_mask(ones({L, S}, TensorOptions{kBool, query.device()}).tril(), /*keep_when=*/true, query.dtype());
  }
  const double scale = options.scale.value_or(1.0 / std::sqrt(static_cast<double>(query.size(-1))));
  return matmul(attention_weights(query, key, mask, scale, options.dropout_p), value);
}

}  // namespace functional

MultiheadAttention::MultiheadAttention(int64_t embed_dim, int64_t num_heads, MultiheadAttentionOptions options)
    : embed_dim(embed_dim),
      kdim(options.kdim.value_or(embed_dim)),
      vdim(options.vdim.value_or(embed_dim)),
      num_heads(num_heads),
      head_dim(num_heads > 0 ? embed_dim / num_heads : 0),
      dropout(options.dropout),
      batch_first(options.batch_first),
      add_zero_attn(options.add_zero_attn) {
  EMBER_CHECK_VALUE(embed_dim > 0 && num_heads > 0 && kdim > 0 && vdim > 0,
                    "MultiheadAttention: expected positive embed_dim, num_heads, kdim and vdim, got {}, {}, {} and {}",
                    embed_dim, num_heads, kdim, vdim);
  EMBER_CHECK_VALUE(head_dim * num_heads == embed_dim,
                    "MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim={} and num_heads={}",
                    embed_dim, num_heads);
  EMBER_CHECK_VALUE(dropout >= 0.0 && dropout <= 1.0,
                    "MultiheadAttention: dropout probability has to be between 0 and 1, but got {}", dropout);
  const TensorOptions tensor_options{options.dtype.value_or(kFloat32), options.device.value_or(Device(kCPU))};
  // Registered in torch's order (the state dict's keys follow it); absent ones are undefined.
  const bool packed = kdim == embed_dim && vdim == embed_dim;
  in_proj_weight = register_parameter("in_proj_weight", packed ? empty({3 * embed_dim, embed_dim}, tensor_options)
                                                               : Tensor());
  q_proj_weight = register_parameter("q_proj_weight", packed ? Tensor() : empty({embed_dim, embed_dim}, tensor_options));
  k_proj_weight = register_parameter("k_proj_weight", packed ? Tensor() : empty({embed_dim, kdim}, tensor_options));
  v_proj_weight = register_parameter("v_proj_weight", packed ? Tensor() : empty({embed_dim, vdim}, tensor_options));
  in_proj_bias = register_parameter("in_proj_bias", options.bias ? empty({3 * embed_dim}, tensor_options) : Tensor());
  out_proj = register_module("out_proj", std::make_shared<NonDynamicallyQuantizableLinear>(
                                             embed_dim, embed_dim,
                                             LinearOptions{.bias = options.bias, .dtype = options.dtype,
                                                           .device = options.device}));
  bias_k = register_parameter("bias_k", options.add_bias_kv ? empty({1, 1, embed_dim}, tensor_options) : Tensor());
  bias_v = register_parameter("bias_v", options.add_bias_kv ? empty({1, 1, embed_dim}, tensor_options) : Tensor());
  reset_parameters();
}

void MultiheadAttention::reset_parameters() {
  for (Tensor* weight : {&in_proj_weight, &q_proj_weight, &k_proj_weight, &v_proj_weight}) {
    if (weight->defined()) init::xavier_uniform_(*weight);
  }
  if (in_proj_bias.defined()) {
    init::zeros_(in_proj_bias);
    init::zeros_(out_proj->bias);
  }
  if (bias_k.defined()) init::xavier_normal_(bias_k);
  if (bias_v.defined()) init::xavier_normal_(bias_v);
}

// Follows torch 1.13's F.multi_head_attention_forward step by step: the heads are laid out
// [N * num_heads, L, head_dim], the layout of its 3-d attn_mask.
MultiheadAttentionOutput MultiheadAttention::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                                     const MultiheadAttentionForwardOptions& options) {
  const Tensor& key_padding_mask = options.key_padding_mask;
  const Tensor& attn_mask = options.attn_mask;
  EMBER_CHECK(query.defined() && key.defined() && value.defined() && (query.dim() == 3 || query.dim() == 2),
              "{}: expected a batched 3-d or unbatched 2-d query, got shape {}", where(), shape_of(query));
  const bool batched = query.dim() == 3;
  EMBER_CHECK(key.dim() == query.dim() && value.dim() == query.dim(),
              "{}: expected key and value of {} dimensions, as query {}, got key {} and value {}", where(), query.dim(),
              query.shape(), key.shape(), value.shape());
  EMBER_CHECK(query.size(-1) == embed_dim, "{}: expected query.size(-1) == embed_dim = {}, got shape {}", where(),
              embed_dim, query.shape());
  EMBER_CHECK(key.size(-1) == kdim, "{}: expected key.size(-1) == kdim = {}, got shape {}", where(), kdim, key.shape());
  EMBER_CHECK(value.size(-1) == vdim, "{}: expected value.size(-1) == vdim = {}, got shape {}", where(), vdim,
              value.shape());
  // To torch's [L, N, E] layout.
  auto to_seq_first = [&](const Tensor& t) {
    if (!batched) return t.unsqueeze(1);
    return batch_first ? t.transpose(0, 1) : t;
  };
  const Tensor q_in = to_seq_first(query), k_in = to_seq_first(key), v_in = to_seq_first(value);
  const int64_t L = q_in.size(0), N = q_in.size(1), S = k_in.size(0), E = embed_dim, H = num_heads;
  EMBER_CHECK(k_in.size(0) == v_in.size(0) && k_in.size(1) == N && v_in.size(1) == N,
              "{}: expected key and value with the same sequence length and query's batch size, got query {}, key {} "
              "and value {}",
              where(), query.shape(), key.shape(), value.shape());

  // Masks to one additive float mask, broadcast against the scores [N * H, L, S].
  const DType dtype = query.dtype();
  auto check_mask_dtype = [&](const Tensor& mask, const char* name) {
    EMBER_CHECK(mask.dtype() == kBool || mask.dtype() == kUInt8 || is_floating_point(mask.dtype()),
                "{}: expected a bool or floating {}, got {}", where(), name, mask.dtype());
  };
  Tensor mask;  // [1 or N * H, L or 1, S]
  if (attn_mask.defined()) {
    check_mask_dtype(attn_mask, "attn_mask");
    const bool as_2d = attn_mask.dim() == 2 && attn_mask.shape() == Shape{L, S};
    const bool as_3d = attn_mask.dim() == 3 && attn_mask.shape() == Shape{N * H, L, S};
    EMBER_CHECK(as_2d || as_3d, "{}: expected an attn_mask of shape [{}, {}] or [{}, {}, {}], got {}", where(), L, S,
                batched ? N * H : H, L, S, attn_mask.shape());
    mask = additive_mask(as_2d ? attn_mask.unsqueeze(0) : attn_mask, /*keep_when=*/false, dtype);
  }
  if (key_padding_mask.defined()) {
    check_mask_dtype(key_padding_mask, "key_padding_mask");
    const Shape expected = batched ? Shape{N, S} : Shape{S};
    EMBER_CHECK(key_padding_mask.shape() == expected, "{}: expected a key_padding_mask of shape {}, got {}", where(),
                expected, key_padding_mask.shape());
    const Tensor padding = additive_mask(key_padding_mask, /*keep_when=*/false, dtype)
                               .reshape({N, 1, 1, S})
                               .expand({N, H, 1, S})
                               .reshape({N * H, 1, S});
    mask = mask.defined() ? mask + padding : padding;
  }

  // The input projections: q [L, N, E], k [S, N, E], v [S, N, E].
  std::vector<Tensor> biases{Tensor(), Tensor(), Tensor()};
  if (in_proj_bias.defined()) biases = in_proj_bias.chunk(3);
  std::vector<Tensor> weights{q_proj_weight, k_proj_weight, v_proj_weight};
  if (in_proj_weight.defined()) weights = in_proj_weight.chunk(3);
  Tensor q = functional::linear(q_in, weights[0], biases[0]);
  Tensor k = functional::linear(k_in, weights[1], biases[1]);
  Tensor v = functional::linear(v_in, weights[2], biases[2]);

  // One more key and value per sequence: bias_k and bias_v, then zeros; the masks let them take part.
  auto pad_mask = [&] {
    if (mask.defined()) mask = cat({mask, zeros({mask.size(0), mask.size(1), 1}, mask.options())}, 2);
  };
  if (bias_k.defined()) {
    k = cat({k, bias_k.expand({1, N, E})}, 0);
    v = cat({v, bias_v.expand({1, N, E})}, 0);
    pad_mask();
  }
  // Heads: [L, N, E] -> [N * H, L, head_dim].
  auto split_heads = [&](const Tensor& t) { return t.reshape({t.size(0), N * H, head_dim}).transpose(0, 1); };
  q = split_heads(q);
  k = split_heads(k);
  v = split_heads(v);
  if (add_zero_attn) {
    k = cat({k, zeros({N * H, 1, head_dim}, k.options())}, 1);
    v = cat({v, zeros({N * H, 1, head_dim}, v.options())}, 1);
    pad_mask();
  }
  const int64_t keys = k.size(1);  // S, plus what was added

  const double p = is_training() ? dropout : 0.0;
  const Tensor attention = attention_weights(q, k, mask, 1.0 / std::sqrt(static_cast<double>(head_dim)), p);
  Tensor out = matmul(attention, v).transpose(0, 1).reshape({L * N, E});
  out = out_proj->forward(out).reshape({L, N, E});
  if (!batched) out = out.squeeze(1);
  else if (batch_first) out = out.transpose(0, 1);

  Tensor returned_weights;
  if (options.need_weights) {
    returned_weights = attention.reshape({N, H, L, keys});
    if (options.average_attn_weights) returned_weights = returned_weights.sum({1}) / static_cast<double>(H);
    if (!batched) returned_weights = returned_weights.squeeze(0);
  }
  return {out, returned_weights};
}

}  // namespace ember::nn
