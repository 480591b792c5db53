// Tests nn/embedding.cpp: F::embedding and nn::Embedding against torch 1.13's
// values and gradients (tests/nn/make_layers_golden.py), the padding row,
// initialisation, from_pretrained, printing and the errors.
#include "golden_inputs.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;
namespace golden = layers_golden;

namespace {
Tensor golden_index() { return tensor({{1, 7, 7}, {9, 0, 2}}); }
}  // namespace

TEST_CASE("embedding matches torch: values, and the weight gradient without the padding row", "[nn][embedding]") {
  Tensor weight = sample_leaf({10, 3}, 1);
  Tensor out = F::embedding(golden_index(), weight, 0);
  CHECK(out.shape() == Shape{2, 3, 3});
  check_golden(out, golden::embedding_out);
  weighted_sum(out, 2).backward();
  check_golden(weight.grad(), golden::embedding_grad_weight);
  check_close(weight.grad()[0], zeros({3}, kFloat64), 0, 0);  // index 0 was looked up, but is padding
  // Negative padding_idx counts from the end: -10 is row 0.
  Tensor again = sample_leaf({10, 3}, 1);
  weighted_sum(F::embedding(golden_index(), again, -10), 2).backward();
  check_golden(again.grad(), golden::embedding_grad_weight);
  // Without padding_idx, row 0 gets its gradient.
  Tensor plain = sample_leaf({10, 3}, 1);
  weighted_sum(F::embedding(golden_index(), plain), 2).backward();
  CHECK(plain.grad()[0].abs().sum().item<double>() > 0.1);
}

TEST_CASE("embedding: any index shape, gradcheck", "[nn][embedding]") {
  const Tensor weight = sample({5, 2}, 3);
  CHECK(F::embedding(tensor(int64_t{3}), weight).shape() == Shape{2});
  check_close(F::embedding(tensor(int64_t{3}), weight), weight[3]);
  CHECK(F::embedding(zeros({2, 0, 4}, kInt64), weight).shape() == Shape{2, 0, 4, 2});
  CHECK(F::embedding(tensor({{{4}}, {{1}}}), weight).shape() == Shape{2, 1, 1, 2});
  check_close(F::embedding(tensor({4, 1}, kInt32), weight), weight.index_select(0, tensor({4, 1})));
  const Tensor index = tensor({{0, 2, 2}, {4, 3, 0}});
  // The padding row's gradient is zero by design, which finite differences would contradict: gradcheck
  // without it, and with a padding_idx the index does not use (the masked path).
  CHECK(autograd::gradcheck([&](const autograd::TensorList& in) { return F::embedding(index, in[0]); },
                            {sample_leaf({5, 2}, 3)}));
  CHECK(autograd::gradcheck([&](const autograd::TensorList& in) { return F::embedding(index, in[0], 1); },
                            {sample_leaf({5, 2}, 3)}));
  CHECK(autograd::gradgradcheck([&](const autograd::TensorList& in) { return F::embedding(index, in[0]) * in[0].sum(); },
                                {sample_leaf({5, 2}, 3)}));
}

TEST_CASE("embedding gives the same rows and weight gradient for strided indices and weights", "[nn][embedding]") {
  const Tensor index = tensor({{0, 3, 1}, {3, 3, 2}});
  for (std::optional<int64_t> padding_idx : {std::optional<int64_t>(), std::optional<int64_t>(3)}) {
    check_layout_invariant(
        [padding_idx](const std::vector<Tensor>& in) { return F::embedding(in[0], in[1], padding_idx); },
        {index, make_tensor({4, 5}, kFloat64, -1, 1, 1).requires_grad_()}, 1e-12, 1e-12);
  }
}

TEST_CASE("Embedding: init, padding row, from_pretrained, printing, state_dict", "[nn][embedding]") {
  manual_seed(0);
  nn::Embedding big(1000, 50);
  CHECK(std::abs(big.weight.mean().item<double>()) < 0.02);          // normal(0, 1)
  CHECK(std::abs(big.weight.std().item<double>() - 1.0) < 0.02);
  nn::Embedding padded(10, 3, {.padding_idx = -1});
  CHECK(padded.padding_idx == 9);
  check_close(padded.weight[9], zeros({3}), 0, 0);
  CHECK(padded.weight[8].abs().sum().item<double>() > 0);
  padded.forward(tensor({9, 8, 9})).sum().backward();
  check_close(padded.weight.grad()[9], zeros({3}), 0, 0);
  check_close(padded.weight.grad()[8], ones({3}), 0, 0);
  // Expected text from torch 1.13: print(nn.Embedding(10, 3)), print(nn.Embedding(10, 3, padding_idx=-1)).
  CHECK(nn::Embedding(10, 3).str() == "Embedding(10, 3)");
  CHECK(padded.str() == "Embedding(10, 3, padding_idx=9)");
  CHECK(padded.state_dict().size() == 1);
  CHECK(padded.state_dict()[0].first == "weight");

  const Tensor table = sample({4, 2}, 5);
  nn::Embedding frozen = nn::Embedding::from_pretrained(table, /*freeze=*/true, 1);
  CHECK(frozen.weight.is_alias_of(table));
  CHECK_FALSE(frozen.weight.requires_grad());
  CHECK(frozen.str() == "Embedding(4, 2, padding_idx=1)");
  check_close(frozen.forward(tensor({1})), table[1].unsqueeze(0));  // the padding row keeps its values, as torch
  const Tensor pretrained = sample({4, 2}, 5);
  nn::Embedding trained = nn::Embedding::from_pretrained(pretrained, /*freeze=*/false);
  CHECK(trained.weight.requires_grad());
  CHECK(trained.weight.is_leaf());
  CHECK_FALSE(pretrained.requires_grad());  // the caller's tensor is left as it was
  CHECK(trained.parameters().size() == 1);
}

TEST_CASE("embedding errors name the index and num_embeddings", "[nn][embedding]") {
  const Tensor weight = sample({5, 2}, 3);
  REQUIRE_ERROR(F::embedding(tensor({1, 5}), weight),
                "embedding: index 5 is out of range for num_embeddings = 5 (expected 0 <= index < 5)");
  REQUIRE_ERROR(F::embedding(tensor({-1, 2}), weight), "embedding: index -1 is out of range for num_embeddings = 5");
  REQUIRE_ERROR(nn::Embedding(5, 2).forward(tensor({7})), "embedding: index 7 is out of range for num_embeddings = 5");
  REQUIRE_ERROR(F::embedding(tensor({1.0}), weight), "embedding: expected an index tensor of dtype int64 (or int32), got float32");
  REQUIRE_ERROR(F::embedding(tensor({1}), zeros({5})),
                "embedding: expected an index tensor and a 2-d weight [num_embeddings, embedding_dim], got weight [5]");
  REQUIRE_ERROR(F::embedding(tensor({1}), weight, 5),
                "embedding: padding_idx must be within num_embeddings: expected -5 <= padding_idx < 5, got 5");
  REQUIRE_ERROR(nn::Embedding(5, 2, {.padding_idx = -6}),
                "Embedding: padding_idx must be within num_embeddings: expected -5 <= padding_idx < 5, got -6");
  REQUIRE_ERROR(nn::Embedding(-1, 2), "Embedding: expected non-negative num_embeddings and embedding_dim, got -1 and 2");
  REQUIRE_ERROR(nn::Embedding::from_pretrained(zeros({3})),
                "Embedding.from_pretrained: expected embeddings of 2 dimensions [num_embeddings, embedding_dim], got [3]");
}
