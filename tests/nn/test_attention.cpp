// Tests nn/attention.cpp: F::scaled_dot_product_attention (against softmax(q k^T
// * scale + mask) v written out in torch 1.13, float64) and MultiheadAttention
// (against torch 1.13's module) from tests/nn/make_layers_golden.py: values,
// gradients, masks of every kind, gradcheck, init, printing, state_dict keys, errors.
#include "golden_inputs.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;
namespace golden = layers_golden;

namespace {

// The script's mha(): MultiheadAttention(8, 2, options) in float64 with its parameters set from samples.
std::shared_ptr<nn::MultiheadAttention> make_mha(nn::MultiheadAttentionOptions options = {}) {
  options.dtype = kFloat64;
  auto m = std::make_shared<nn::MultiheadAttention>(8, 2, options);
  if (m->in_proj_weight.defined()) {
    m->in_proj_weight.set_data(sample({24, 8}, 20, 0.5));
  } else {
    m->q_proj_weight.set_data(sample(m->q_proj_weight.shape(), 27, 0.5));
    m->k_proj_weight.set_data(sample(m->k_proj_weight.shape(), 28, 0.5));
    m->v_proj_weight.set_data(sample(m->v_proj_weight.shape(), 29, 0.5));
  }
  if (m->in_proj_bias.defined()) {
    m->in_proj_bias.set_data(sample({24}, 21, 0.2));
    m->out_proj->bias.set_data(sample({8}, 23, 0.2));
  }
  m->out_proj->weight.set_data(sample({8, 8}, 22, 0.5));
  if (m->bias_k.defined()) {
    m->bias_k.set_data(sample({1, 1, 8}, 31));
    m->bias_v.set_data(sample({1, 1, 8}, 32));
  }
  return m;
}

Tensor key_padding() { return tensor({{false, false, false, true}, {false, true, false, false}}); }
Tensor attn_bool() {
  return tensor({{false, false, true, true}, {false, false, false, true}, {false, false, false, false}});
}

}  // namespace

TEST_CASE("scaled_dot_product_attention matches softmax(q k^T / sqrt(E) + mask) v", "[nn][attention]") {
  Tensor q = sample_leaf({2, 3, 4}, 13), k = sample_leaf({2, 5, 4}, 14), v = sample_leaf({2, 5, 6}, 15);
  Tensor out = F::scaled_dot_product_attention(q, k, v);
  CHECK(out.shape() == Shape{2, 3, 6});
  check_golden(out, golden::sdpa_out);
  weighted_sum(out, 16).backward();
  check_golden(q.grad(), golden::sdpa_grad_query);
  check_golden(k.grad(), golden::sdpa_grad_key);
  check_golden(v.grad(), golden::sdpa_grad_value);

  const Tensor keep = tensor({{true, false, true, true, false}, {true, true, false, true, true},
                              {false, true, true, false, true}});
  check_golden(F::scaled_dot_product_attention(q, k, v, {.attn_mask = keep}), golden::sdpa_bool_mask_out);
  check_golden(F::scaled_dot_product_attention(q, k, v, {.attn_mask = sample({2, 1, 5}, 17)}),
               golden::sdpa_float_mask_out);
  check_golden(F::scaled_dot_product_attention(q, k, v, {.is_causal = true}), golden::sdpa_causal_out);
  check_golden(F::scaled_dot_product_attention(q, k, v, {.scale = 0.3}), golden::sdpa_scale_out);
  // is_causal is the bool mask of the top-left triangle.
  check_close(F::scaled_dot_product_attention(q, k, v, {.is_causal = true}),
              F::scaled_dot_product_attention(q, k, v, {.attn_mask = ones({3, 5}, kBool).tril()}), 0, 0);
}

TEST_CASE("scaled_dot_product_attention: heads, broadcasting, dropout, gradcheck", "[nn][attention]") {
  // [N, H, L, E] is each head on its own; key and value broadcast over heads.
  const Tensor q = sample({2, 2, 3, 4}, 1), k = sample({2, 1, 5, 4}, 2), v = sample({2, 1, 5, 3}, 3);
  const Tensor out = F::scaled_dot_product_attention(q, k, v);
  CHECK(out.shape() == Shape{2, 2, 3, 3});
  for (int64_t n = 0; n < 2; ++n) {
    for (int64_t h = 0; h < 2; ++h) {
      check_close(out[n][h], F::scaled_dot_product_attention(q[n][h], k[n][0], v[n][0]), 1e-12, 1e-12);
    }
  }
  CHECK(F::scaled_dot_product_attention(q, k, v, {.attn_mask = sample({2, 1, 1, 5}, 4)}).shape() == Shape{2, 2, 3, 3});
  // dropout_p applies to the weights: 1 drops them all, 0.5 changes the result.
  check_close(F::scaled_dot_product_attention(q, k, v, {.dropout_p = 1.0}), zeros({2, 2, 3, 3}, kFloat64), 0, 0);
  manual_seed(0);
  CHECK((F::scaled_dot_product_attention(q, k, v, {.dropout_p = 0.5}) - out).abs().max().item<double>() > 1e-3);

  auto leaves = [] { return autograd::TensorList{sample_leaf({2, 3, 4}, 1), sample_leaf({2, 5, 4}, 2),
                                                 sample_leaf({2, 5, 3}, 3)}; };
  const Tensor float_mask = sample({3, 5}, 4);
  CHECK(autograd::gradcheck(
      [&](const autograd::TensorList& in) {
        return F::scaled_dot_product_attention(in[0], in[1], in[2], {.attn_mask = float_mask});
      },
      leaves()));
  CHECK(autograd::gradcheck(
      [](const autograd::TensorList& in) {
        return F::scaled_dot_product_attention(in[0], in[1], in[2], {.is_causal = true});
      },
      leaves()));
  CHECK(autograd::gradgradcheck(
      [](const autograd::TensorList& in) { return F::scaled_dot_product_attention(in[0], in[1], in[2]); }, leaves()));
  // The float mask is differentiable too (it is added to the scores).
  CHECK(autograd::gradcheck(
      [](const autograd::TensorList& in) {
        return F::scaled_dot_product_attention(in[0], in[1], in[2], {.attn_mask = in[3]});
      },
      {sample_leaf({3, 4}, 1), sample_leaf({5, 4}, 2), sample_leaf({5, 3}, 3), sample_leaf({3, 5}, 4)}));
}

TEST_CASE("scaled_dot_product_attention errors", "[nn][attention]") {
  const Tensor q = zeros({2, 3, 4}), k = zeros({2, 5, 4}), v = zeros({2, 5, 6});
  REQUIRE_ERROR(F::scaled_dot_product_attention(q, zeros({2, 5, 3}), v),
                "scaled_dot_product_attention: expected query [..., L, E], key [..., S, E] and value [..., S, Ev], got "
                "[2, 3, 4], [2, 5, 3] and [2, 5, 6]");
  REQUIRE_ERROR(F::scaled_dot_product_attention(q, k, zeros({2, 4, 6})),
                "scaled_dot_product_attention: expected query [..., L, E], key [..., S, E] and value [..., S, Ev]");
  REQUIRE_ERROR(F::scaled_dot_product_attention(zeros({4}), k, v),
                "scaled_dot_product_attention: expected query [..., L, E], key [..., S, E] and value [..., S, Ev] of at "
                "least 2 dimensions, got [4], [2, 5, 4] and [2, 5, 6]");
  REQUIRE_ERROR(F::scaled_dot_product_attention(q, k, v, {.attn_mask = zeros({3, 4})}),
                "scaled_dot_product_attention: expected an attn_mask that broadcasts to the scores [2, 3, 5], got [3, 4]");
  REQUIRE_ERROR(F::scaled_dot_product_attention(q, k, v, {.attn_mask = zeros({3, 5}, kInt64)}),
                "scaled_dot_product_attention: expected a bool or floating attn_mask, got int64");
  REQUIRE_ERROR(F::scaled_dot_product_attention(q, k, v, {.attn_mask = zeros({3, 5}), .is_causal = true}),
                "scaled_dot_product_attention: expected attn_mask or is_causal, not both");
  REQUIRE_ERROR(F::scaled_dot_product_attention(q, k, v, {.dropout_p = 1.5}),
                "scaled_dot_product_attention: expected 0 <= dropout_p <= 1, got 1.5");
}

TEST_CASE("MultiheadAttention matches torch: output, weights and every gradient", "[nn][attention]") {
  auto m = make_mha();
  Tensor q = sample_leaf({3, 2, 8}, 24), k = sample_leaf({4, 2, 8}, 25), v = sample_leaf({4, 2, 8}, 26);
  auto [out, weights] = m->forward(q, k, v);
  CHECK(out.shape() == Shape{3, 2, 8});
  CHECK(weights.shape() == Shape{2, 3, 4});
  check_golden(out, golden::mha_out);
  check_golden(weights, golden::mha_weights);
  (weighted_sum(out, 33) + weighted_sum(weights, 34)).backward();
  check_golden(q.grad(), golden::mha_grad_query);
  check_golden(k.grad(), golden::mha_grad_key);
  check_golden(v.grad(), golden::mha_grad_value);
  check_golden(m->in_proj_weight.grad(), golden::mha_grad_in_proj_weight);
  check_golden(m->in_proj_bias.grad(), golden::mha_grad_in_proj_bias);
  check_golden(m->out_proj->weight.grad(), golden::mha_grad_out_proj_weight);
  check_golden(m->out_proj->bias.grad(), golden::mha_grad_out_proj_bias);
  // need_weights = false: the same output, no weights.
  auto [alone, none] = m->forward(q, k, v, {.need_weights = false});
  check_close(alone, out, 0, 0);
  CHECK_FALSE(none.defined());
}

TEST_CASE("MultiheadAttention masks, batch_first, kdim/vdim, unbatched, bias_kv and zero_attn match torch",
          "[nn][attention]") {
  {
    auto m = make_mha({.batch_first = true});
    auto [out, weights] = m->forward(sample({2, 3, 8}, 24), sample({2, 4, 8}, 25), sample({2, 4, 8}, 26),
                                     {.key_padding_mask = key_padding(), .attn_mask = attn_bool(),
                                      .average_attn_weights = false});
    CHECK(out.shape() == Shape{2, 3, 8});
    CHECK(weights.shape() == Shape{2, 2, 3, 4});
    check_golden(out, golden::mha_bool_masks_out);
    check_golden(weights, golden::mha_bool_masks_weights);
    // A float mask of -inf where the bool one is true is the same mask.
    const Tensor as_float = zeros({3, 4}, kFloat64).masked_fill(attn_bool(), -INFINITY);
    auto [same, same_weights] = m->forward(sample({2, 3, 8}, 24), sample({2, 4, 8}, 25), sample({2, 4, 8}, 26),
                                           {.key_padding_mask = key_padding(), .attn_mask = as_float,
                                            .average_attn_weights = false});
    check_close(same, out, 1e-14, 1e-14);
  }
  {
    auto m = make_mha({.kdim = 5, .vdim = 6});
    CHECK_FALSE(m->in_proj_weight.defined());
    Tensor q = sample({3, 2, 8}, 24), k = sample_leaf({4, 2, 5}, 25), v = sample_leaf({4, 2, 6}, 26);
    auto [out, weights] = m->forward(q, k, v, {.key_padding_mask = key_padding(), .attn_mask = sample({4, 3, 4}, 30)});
    check_golden(out, golden::mha_kv_dims_out);
    check_golden(weights, golden::mha_kv_dims_weights);
    weighted_sum(out, 33).backward();
    check_golden(k.grad(), golden::mha_kv_dims_grad_key);
    check_golden(v.grad(), golden::mha_kv_dims_grad_value);
    check_golden(m->q_proj_weight.grad(), golden::mha_kv_dims_grad_q_proj_weight);
    check_golden(m->k_proj_weight.grad(), golden::mha_kv_dims_grad_k_proj_weight);
    check_golden(m->v_proj_weight.grad(), golden::mha_kv_dims_grad_v_proj_weight);
  }
  {
    auto m = make_mha();
    auto [out, weights] = m->forward(sample({3, 8}, 24), sample({4, 8}, 25), sample({4, 8}, 26),
                                     {.key_padding_mask = tensor({false, true, false, false}),
                                      .attn_mask = sample({3, 4}, 35)});
    CHECK(out.shape() == Shape{3, 8});
    CHECK(weights.shape() == Shape{3, 4});
    check_golden(out, golden::mha_unbatched_out);
    check_golden(weights, golden::mha_unbatched_weights);
  }
  {
    auto m = make_mha({.add_bias_kv = true, .add_zero_attn = true});
    auto [out, weights] = m->forward(sample({3, 2, 8}, 24), sample({4, 2, 8}, 25), sample({4, 2, 8}, 26),
                                     {.key_padding_mask = key_padding(), .attn_mask = attn_bool()});
    CHECK(weights.shape() == Shape{2, 3, 6});
    check_golden(out, golden::mha_bias_kv_out);
    check_golden(weights, golden::mha_bias_kv_weights);
    weighted_sum(out, 33).backward();
    check_golden(m->bias_k.grad(), golden::mha_bias_kv_grad_bias_k);
    check_golden(m->bias_v.grad(), golden::mha_bias_kv_grad_bias_v);
  }
}

TEST_CASE("MultiheadAttention: gradcheck, dropout in train and eval", "[nn][attention]") {
  auto m = make_mha({.add_bias_kv = true, .kdim = 5, .vdim = 6});
  const Tensor mask = tensor({{false, true}, {false, false}});
  CHECK(autograd::gradcheck(
      [&](const autograd::TensorList& in) {
        auto [out, weights] = m->forward(in[0], in[1], in[2], {.key_padding_mask = tensor({{false, false}, {true, false}}),
                                                               .attn_mask = mask});
        return out.sum() + (weights * weights).sum();
      },
      {sample_leaf({2, 2, 8}, 1), sample_leaf({2, 2, 5}, 2), sample_leaf({2, 2, 6}, 3)}));
  auto dropping = make_mha({.dropout = 0.5});
  const Tensor q = sample({3, 2, 8}, 24), k = sample({4, 2, 8}, 25), v = sample({4, 2, 8}, 26);
  // Training: the returned weights are those after dropout, as torch 1.13 returns them.
  manual_seed(0);
  const Tensor trained_weights = dropping->forward(q, k, v).attn_weights;
  const Tensor weights = make_mha()->forward(q, k, v).attn_weights;
  CHECK((trained_weights - weights).abs().max().item<double>() > 1e-3);
  dropping->eval();
  check_golden(dropping->forward(q, k, v).output, golden::mha_out);
}

TEST_CASE("MultiheadAttention: init, printing, state_dict keys", "[nn][attention]") {
  manual_seed(0);
  nn::MultiheadAttention m(64, 4);
  CHECK(m.head_dim == 16);
  CHECK(m.in_proj_weight.shape() == Shape{192, 64});
  const double bound = std::sqrt(6.0 / (64 + 192));  // xavier_uniform_ over [3E, E]
  CHECK(m.in_proj_weight.abs().max().item<double>() <= bound);
  CHECK(m.in_proj_weight.abs().max().item<double>() > 0.95 * bound);
  check_close(m.in_proj_bias, zeros({192}), 0, 0);
  check_close(m.out_proj->bias, zeros({64}), 0, 0);
  CHECK(m.out_proj->weight.abs().max().item<double>() <= 1.0 / std::sqrt(64.0));  // Linear's own init
  // Expected text and keys from torch 1.13: print(nn.MultiheadAttention(8, 2)), its state_dict().keys(), and
  // those of nn.MultiheadAttention(8, 2, kdim=5, vdim=6, bias=False, add_bias_kv=True).
  nn::MultiheadAttention packed(8, 2);
  CHECK(packed.str() ==
        "MultiheadAttention(\n"
        "  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n"
        ")");
  CHECK(keys_of(packed.state_dict()) ==
        std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"});
  nn::MultiheadAttention separate(8, 2, {.bias = false, .add_bias_kv = true, .kdim = 5, .vdim = 6});
  CHECK(separate.str() ==
        "MultiheadAttention(\n"
        "  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=False)\n"
        ")");
  CHECK(keys_of(separate.state_dict()) == std::vector<std::string>{"q_proj_weight", "k_proj_weight", "v_proj_weight",
                                                                   "bias_k", "bias_v", "out_proj.weight"});
  CHECK(separate.k_proj_weight.shape() == Shape{8, 5});
  CHECK(separate.v_proj_weight.shape() == Shape{8, 6});
  CHECK(separate.bias_k.shape() == Shape{1, 1, 8});
}

TEST_CASE("MultiheadAttention errors name the module and the shapes", "[nn][attention]") {
  nn::MultiheadAttention m(8, 2);
  const Tensor q = zeros({3, 2, 8}), k = zeros({4, 2, 8});
  REQUIRE_ERROR(m(zeros({3, 2, 7}), k, k),
                "MultiheadAttention: expected query.size(-1) == embed_dim = 8, got shape [3, 2, 7]");
  REQUIRE_ERROR(m(q, zeros({4, 2, 5}), k), "MultiheadAttention: expected key.size(-1) == kdim = 8, got shape [4, 2, 5]");
  REQUIRE_ERROR(m(q, k, zeros({4, 2, 6})), "MultiheadAttention: expected value.size(-1) == vdim = 8, got shape [4, 2, 6]");
  REQUIRE_ERROR(m(zeros({1, 3, 2, 8}), k, k),
                "MultiheadAttention: expected a batched 3-d or unbatched 2-d query, got shape [1, 3, 2, 8]");
  REQUIRE_ERROR(m(q, zeros({4, 8}), zeros({4, 8})),
                "MultiheadAttention: expected key and value of 3 dimensions, as query [3, 2, 8], got key [4, 8] and "
                "value [4, 8]");
  REQUIRE_ERROR(m(q, k, zeros({5, 2, 8})),
                "MultiheadAttention: expected key and value with the same sequence length and query's batch size");
  REQUIRE_ERROR(m(q, zeros({4, 3, 8}), zeros({4, 3, 8})),
                "MultiheadAttention: expected key and value with the same sequence length and query's batch size");
  REQUIRE_ERROR(m(q, k, k, {.attn_mask = zeros({3, 5})}),
                "MultiheadAttention: expected an attn_mask of shape [3, 4] or [4, 3, 4], got [3, 5]");
  REQUIRE_ERROR(m(q, k, k, {.attn_mask = zeros({2, 3, 4})}),
                "MultiheadAttention: expected an attn_mask of shape [3, 4] or [4, 3, 4], got [2, 3, 4]");
  REQUIRE_ERROR(m(q, k, k, {.attn_mask = zeros({3, 4}, kInt64)}),
                "MultiheadAttention: expected a bool or floating attn_mask, got int64");
  REQUIRE_ERROR(m(q, k, k, {.key_padding_mask = zeros({4, 2}, kBool)}),
                "MultiheadAttention: expected a key_padding_mask of shape [2, 4], got [4, 2]");
  REQUIRE_ERROR(m(zeros({3, 8}), zeros({4, 8}), zeros({4, 8}), {.key_padding_mask = zeros({1, 4}, kBool)}),
                "MultiheadAttention: expected a key_padding_mask of shape [4], got [1, 4]");
  REQUIRE_ERROR(m.forward(q), "MultiheadAttention: this module has no single-tensor forward");
  REQUIRE_ERROR(nn::MultiheadAttention(8, 3),
                "MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim=8 and num_heads=3");
  REQUIRE_ERROR(nn::MultiheadAttention(8, 0), "MultiheadAttention: expected positive embed_dim, num_heads, kdim and vdim");
  REQUIRE_ERROR(nn::MultiheadAttention(8, 2, {.dropout = 2.0}),
                "MultiheadAttention: dropout probability has to be between 0 and 1, but got 2");
  // In a model, the message says where the module sits.
  struct Block : nn::Module {
    std::shared_ptr<nn::MultiheadAttention> attn = register_module("attn", std::make_shared<nn::MultiheadAttention>(8, 2));
  } block;
  REQUIRE_ERROR(block.attn->forward(zeros({3, 2, 7}), k, k),
                "attn (MultiheadAttention): expected query.size(-1) == embed_dim = 8, got shape [3, 2, 7]");
}
