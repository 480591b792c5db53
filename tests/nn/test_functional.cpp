// Tests nn/functional.cpp and nn/loss.cpp: every loss and reduction against
// values from torch 1.13 (the inputs are spelled out; the script was
//   import torch.nn.functional as F; F.cross_entropy(x, t, ...), ... in float64),
// gradients by gradcheck, and the error messages.
#include "harness.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;

namespace {
Tensor logits() { return tensor({{1.0, 2.0, 0.5}, {0.1, -1.0, 3.0}, {0.0, 0.0, 0.0}, {2.0, 1.0, -2.0}}, kFloat64); }
Tensor classes() { return tensor({0, 2, 1, 2}); }
Tensor class_weight() { return tensor({1.0, 2.0, 0.5}, kFloat64); }
}  // namespace

TEST_CASE("cross_entropy matches torch for every option", "[nn][loss]") {
  const Tensor x = logits(), t = classes(), w = class_weight();
  const Tensor with_ignored = tensor({0, -100, 1, 2});
  check_close(F::cross_entropy(x, t), {1.7400794832510043});
  check_close(F::cross_entropy(x, t, {.reduction = F::Reduction::Sum}), {6.960317933004017});
  check_close(F::cross_entropy(x, t, {.reduction = F::Reduction::None}),
              {1.464368784107945, 0.07077421896049133, 1.0986122886681098, 4.32656264126747});
  check_close(F::cross_entropy(x, t, {.weight = w}), {1.4650654478895364});
  check_close(F::cross_entropy(x, with_ignored), {2.2965145713478416});
  check_close(F::cross_entropy(x, t, {.label_smoothing = 0.1}), {1.7350794832510041});
  check_close(F::cross_entropy(x, t, {.weight = w, .label_smoothing = 0.2}), {1.5639042377368635});
  check_close(F::cross_entropy(x, with_ignored, {.weight = w, .label_smoothing = 0.2}), {1.5668933177921358});
  check_close(F::cross_entropy(x, t, {.reduction = F::Reduction::None, .label_smoothing = 0.1}),
              {1.447702117441278, 0.30077421896049134, 1.0986122886681098, 4.093229307934137});
  // Class probabilities (softmax of fixed scores, computed here as torch did).
  const Tensor probs = softmax(tensor({{0.2, 0.3, 0.5}, {1.0, 2.0, 3.0}, {0.0, 0.0, 1.0}, {5.0, 1.0, 1.0}}, kFloat64), 1);
  check_close(F::cross_entropy(x, probs), {1.0410341124466347}, 1e-12);
  check_close(F::cross_entropy(x, probs, {.weight = w, .label_smoothing = 0.1}), {1.2766524825520975}, 1e-12);
  // Spatial targets ([N, C, d] with [N, d]) and an unbatched input ([C] with []).
  const Tensor x3 = arange(24, kFloat64).reshape({2, 3, 4}).sin();
  check_close(F::cross_entropy(x3, tensor({{0, 1, 2, 1}, {2, 2, 0, 1}})), {1.1070728779410623}, 1e-12);
  check_close(F::cross_entropy(x[1], tensor(int64_t{2})), {0.07077421896049133}, 1e-12);
  check_close(F::nll_loss(log_softmax(x, 1), t, {.weight = w, .reduction = F::Reduction::Sum}), {5.860261791558146},
              1e-12);
}

TEST_CASE("regression and binary losses match torch", "[nn][loss]") {
  const Tensor a = tensor({0.5, -1.0, 2.0, 3.5}, kFloat64), b = tensor({1.0, 0.0, 2.5, 1.0}, kFloat64);
  check_close(F::mse_loss(a, b), {1.9375});
  check_close(F::l1_loss(a, b), {1.125});
  check_close(F::smooth_l1_loss(a, b, F::Reduction::Mean, 0.7), {0.7892857142857143});
  check_close(F::mse_loss(a, b, F::Reduction::None), {0.25, 1.0, 0.25, 6.25});
  const Tensor p = tensor({0.1, 0.9, 0.5, 0.0}, kFloat64), target = tensor({0.0, 1.0, 1.0, 1.0}, kFloat64);
  check_close(F::binary_cross_entropy(p, target), {25.2259670529689}, 1e-12);  // log(0) clamped at -100
  check_close(F::binary_cross_entropy_with_logits(a, target, {}, tensor({2.0, 1.0, 0.5, 3.0}, kFloat64)),
              {0.6100134830094194}, 1e-12);
  const Tensor log_p = log_softmax(a, 0);
  check_close(F::kl_div(log_p, tensor({0.1, 0.0, 0.6, 0.3}, kFloat64), F::KLDivReduction::BatchMean),
              {0.13801372617492869}, 1e-12);
  check_close(F::kl_div(log_p, tensor({0.1, 0.2, 0.4, 0.3}, kFloat64).log(), F::KLDivReduction::Sum,
                        /*log_target=*/true),
              {0.7701464037228269}, 1e-12);
}

TEST_CASE("losses are differentiable: gradcheck", "[nn][loss]") {
  const Tensor t = classes(), w = class_weight();
  auto leaf = [](Tensor x) { return x.requires_grad_(); };
  CHECK(autograd::gradcheck([&](const autograd::TensorList& in) { return F::cross_entropy(in[0], t, {.weight = w}); },
                            {leaf(logits())}));
  CHECK(autograd::gradcheck(
      [&](const autograd::TensorList& in) { return F::cross_entropy(in[0], t, {.label_smoothing = 0.3}); },
      {leaf(logits())}));
  const Tensor probs = softmax(logits() * 0.5, 1);
  CHECK(autograd::gradcheck([&](const autograd::TensorList& in) { return F::cross_entropy(in[0], in[1]); },
                            {leaf(logits()), leaf(probs.clone())}));
  const Tensor a = tensor({0.5, -1.0, 2.0, 3.5}, kFloat64), b = tensor({1.0, 0.0, 2.5, 1.0}, kFloat64);
  CHECK(autograd::gradcheck(
      [](const autograd::TensorList& in) { return F::smooth_l1_loss(in[0], in[1], F::Reduction::Sum, 0.7); },
      {leaf(a.clone()), leaf(b.clone())}));
  CHECK(autograd::gradcheck(
      [](const autograd::TensorList& in) { return F::binary_cross_entropy_with_logits(in[0], in[1]); },
      {leaf(a.clone()), leaf(sigmoid(b))}));
  CHECK(autograd::gradcheck([](const autograd::TensorList& in) { return F::binary_cross_entropy(in[0], in[1]); },
                            {leaf(tensor({0.2, 0.7, 0.4}, kFloat64)), leaf(tensor({0.0, 1.0, 0.3}, kFloat64))}));
  CHECK(autograd::gradcheck(
      [](const autograd::TensorList& in) { return F::linear(in[0], in[1], in[2]); },
      {leaf(make_tensor({2, 3, 4}, kFloat64)), leaf(make_tensor({5, 4}, kFloat64)), leaf(make_tensor({5}, kFloat64))}));
  CHECK(autograd::gradcheck([](const autograd::TensorList& in) { return F::linear(in[0], in[1], in[2]); },
                            {leaf(make_tensor({3, 4}, kFloat64, -2, 2, 2, Layout::Transposed)),
                             leaf(make_tensor({5, 4}, kFloat64)), leaf(make_tensor({5}, kFloat64))}));
}

// x[..., ::2] and w[::2] views of every operand: per-feature parameters must not be assumed contiguous.
TEST_CASE("linear, layer_norm and the weighted losses give the same values and gradients on strided tensors",
          "[nn][loss]") {
  for (DType dtype : {kFloat32, kFloat64}) {
    INFO(dtype);
    const double tol = dtype == kFloat32 ? 1e-5 : 1e-12;
    auto leaf = [dtype](IntArrayRef shape, uint64_t seed, double lo = -1, double hi = 1) {
      return make_tensor(shape, dtype, lo, hi, seed).requires_grad_();
    };
    const auto linear = [](const std::vector<Tensor>& in) { return F::linear(in[0], in[1], in[2]); };
    check_layout_invariant(linear, {leaf({3, 4}, 1), leaf({5, 4}, 2), leaf({5}, 3)}, tol, tol);
    check_layout_invariant(linear, {leaf({2, 3, 4}, 1), leaf({5, 4}, 2), leaf({5}, 3)}, tol, tol);
    check_layout_invariant([](const std::vector<Tensor>& in) { return F::layer_norm(in[0], {3, 4}, in[1], in[2]); },
                           {leaf({2, 3, 4}, 4), leaf({3, 4}, 5), leaf({3, 4}, 6)}, tol, tol);
    const Tensor target = tensor({{0, 2}, {1, 2}});
    check_layout_invariant(
        [](const std::vector<Tensor>& in) {
          return F::cross_entropy(in[0], in[1], {.weight = in[2], .label_smoothing = 0.1});
        },
        {leaf({2, 3, 2}, 7), target, leaf({3}, 8, 0.5, 2)}, tol, tol);
    check_layout_invariant(
        [](const std::vector<Tensor>& in) { return F::nll_loss(in[0], in[1], {.weight = in[2]}); },
        {leaf({2, 3, 2}, 9), target, leaf({3}, 10, 0.5, 2)}, tol, tol);
    check_layout_invariant(
        [](const std::vector<Tensor>& in) { return F::binary_cross_entropy(in[0], in[1], in[2]); },
        {leaf({3, 4}, 11, 0.1, 0.9), leaf({3, 4}, 12, 0, 1), leaf({4}, 13, 0.5, 2)}, tol, tol);
    check_layout_invariant(
        [](const std::vector<Tensor>& in) {
          return F::binary_cross_entropy_with_logits(in[0], in[1], in[2], in[3], F::Reduction::None);
        },
        {leaf({3, 4}, 14), leaf({3, 4}, 15, 0, 1), leaf({4}, 16, 0.5, 2), leaf({4}, 17, 0.5, 2)}, tol, tol);
  }
}

TEST_CASE("loss errors name the problem", "[nn][loss]") {
  const Tensor x = logits();
  REQUIRE_ERROR(F::cross_entropy(x, tensor({0, 1, 3, 2})),
                "cross_entropy: target 3 is out of bounds for 3 classes (expected 0 <= target < 3, or ignore_index -100)");
  REQUIRE_ERROR(F::cross_entropy(x, tensor({0, 1, 2, 2}, kInt32)),
                "cross_entropy: expected a target of class indices of dtype int64, got int32");
  REQUIRE_ERROR(F::cross_entropy(x, tensor({0, 1, 2})),  // a ValueError, as torch's
                "cross_entropy: Expected input batch_size (4) to match target batch_size (3).");
  REQUIRE_ERROR(F::cross_entropy(x, tensor({{0}, {1}, {2}, {0}})),
                "cross_entropy: expected a target of shape [4] for an input of shape [4, 3], got [4, 1]");
  REQUIRE_ERROR(F::cross_entropy(x, zeros({4, 2}, kFloat64)),
                "cross_entropy: expected class probabilities of the input's shape [4, 3], got [4, 2]");
  REQUIRE_ERROR(F::cross_entropy(x, classes(), {.weight = ones({2}, kFloat64)}),
                "cross_entropy: expected a weight of shape [3] (one per class), got [2]");
  REQUIRE_ERROR(F::cross_entropy(x, classes(), {.label_smoothing = 1.5}), "label_smoothing must be between 0.0 and 1.0");
  REQUIRE_ERROR(F::binary_cross_entropy(tensor({1.5}, kFloat64), tensor({1.0}, kFloat64)),
                "binary_cross_entropy: all elements of input should be between 0 and 1");
  REQUIRE_ERROR(F::mse_loss(zeros({3}), zeros({4})), "mse_loss: expected shapes that broadcast");
  REQUIRE_ERROR(F::linear(zeros({2, 3}), zeros({4, 5})), "linear: expected input.shape[-1] == weight.shape[1], got input [2, 3] and weight [4, 5]");
  REQUIRE_ERROR(F::dropout(zeros({2}), -0.1), "dropout: dropout probability has to be between 0 and 1");
}
