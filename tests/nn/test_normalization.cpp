// Tests GroupNorm and BatchNorm1d/2d in nn/normalization.cpp (LayerNorm's
// tests are in test_module.cpp, the batch_norm op's in tests/ops/test_norm.cpp):
// values and gradients against torch 1.13 (tests/nn/make_layers_golden.py,
// tests/ops/make_norm_golden.py), gradcheck, running statistics, printing and
// the errors.
#include "golden_inputs.h"
#include "ops/conv_inputs.h"
#include "ops/norm_golden.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;
namespace golden = layers_golden;

TEST_CASE("group_norm matches torch: values and every gradient", "[nn][group_norm]") {
  Tensor x = sample_leaf({2, 6, 3}, 8, 2.0), weight = sample_leaf({6}, 9), bias = sample_leaf({6}, 10);
  Tensor out = F::group_norm(x, 3, weight, bias);
  check_golden(out, golden::group_norm_out);
  weighted_sum(out, 11).backward();
  check_golden(x.grad(), golden::group_norm_grad_input);
  check_golden(weight.grad(), golden::group_norm_grad_weight);
  check_golden(bias.grad(), golden::group_norm_grad_bias);

  nn::GroupNorm plain(2, 4, {.eps = 1e-3, .affine = false});
  CHECK(plain.parameters().empty());
  check_golden(plain(sample({2, 4, 2, 2}, 12)), golden::group_norm_plain_out);
  nn::GroupNorm norm(3, 6, {.dtype = kFloat64});
  check_close(norm.weight, ones({6}, kFloat64), 0, 0);
  check_close(norm.bias, zeros({6}, kFloat64), 0, 0);
  norm.weight.set_data(weight.detach());
  norm.bias.set_data(bias.detach());
  check_golden(norm(x), golden::group_norm_out);
}

TEST_CASE("group_norm: gradcheck and gradgradcheck", "[nn][group_norm]") {
  CHECK(autograd::gradcheck(
      [](const autograd::TensorList& in) { return F::group_norm(in[0], 2, in[1], in[2]); },
      {sample_leaf({2, 4, 3}, 1, 2.0), sample_leaf({4}, 2), sample_leaf({4}, 3)}));
  CHECK(autograd::gradgradcheck([](const autograd::TensorList& in) { return F::group_norm(in[0], 2, in[1]); },
                                {sample_leaf({2, 4, 3}, 1, 2.0), sample_leaf({4}, 2)}));
  // One group over all the channels of a 2-d input is layer_norm over [C].
  const Tensor x = sample({3, 5}, 4);
  check_close(F::group_norm(x, 1), F::layer_norm(x, {5}), 1e-12, 1e-12);
}

TEST_CASE("group_norm gives the same values and gradients on strided inputs, weights and biases",
          "[nn][group_norm]") {
  for (DType dtype : {kFloat32, kFloat64}) {
    INFO(dtype);
    const double tol = dtype == kFloat32 ? 1e-5 : 1e-12;
    check_layout_invariant([](const std::vector<Tensor>& in) { return F::group_norm(in[0], 2, in[1], in[2]); },
                           {make_tensor({2, 4, 3, 5}, dtype, -1, 1, 1).requires_grad_(),
                            make_tensor({4}, dtype, 0.5, 1.5, 2).requires_grad_(),
                            make_tensor({4}, dtype, -1, 1, 3).requires_grad_()},
                           tol, tol);
  }
}

TEST_CASE("GroupNorm prints as torch and names its errors", "[nn][group_norm]") {
  // Expected text from torch 1.13: print(nn.GroupNorm(2, 6)), print(nn.GroupNorm(3, 6, eps=1e-3, affine=False)).
  CHECK(nn::GroupNorm(2, 6).str() == "GroupNorm(2, 6, eps=1e-05, affine=True)");
  CHECK(nn::GroupNorm(3, 6, {.eps = 1e-3, .affine = false}).str() == "GroupNorm(3, 6, eps=0.001, affine=False)");
  nn::GroupNorm norm(2, 6);
  CHECK(norm.state_dict().size() == 2);
  CHECK(norm.state_dict()[0].first == "weight");
  REQUIRE_ERROR(nn::GroupNorm(4, 6),
                "GroupNorm: num_channels must be divisible by num_groups, got num_channels=6 and num_groups=4");
  REQUIRE_ERROR(nn::GroupNorm(0, 6), "GroupNorm: expected a positive num_groups and non-negative num_channels, got 0 and 6");
  REQUIRE_ERROR(norm(zeros({2, 5, 3})), "GroupNorm: expected an input [N, num_channels = 6, *], got shape [2, 5, 3]");
  REQUIRE_ERROR(norm(zeros({6})), "GroupNorm: expected an input [N, num_channels = 6, *], got shape [6]");
  REQUIRE_ERROR(F::group_norm(zeros({2, 6, 3}), 4),
                "group_norm: Expected number of channels in input to be divisible by num_groups, but got input of "
                "shape [2, 6, 3] and num_groups=4");
  REQUIRE_ERROR(F::group_norm(zeros({6}), 2), "group_norm: expected an input of at least 2 dimensions [N, C, *], got [6]");
  REQUIRE_ERROR(F::group_norm(zeros({2, 6}), 2, ones({4})),
                "group_norm: expected weight and bias of shape [6] (one per channel), got [4]");
}

TEST_CASE("BatchNorm2d keeps running statistics as torch, with a cumulative average", "[norm][nn]") {
  nn::BatchNorm2d bn(3, {.momentum = std::nullopt, .dtype = kFloat64});
  for (int step = 0; step < 3; ++step) bn.forward(golden_fill({2, 3, 2, 2}, 0.37, 0.1 + step, step + 1, false, kFloat64));
  CHECK(bn.num_batches_tracked.item<int64_t>() == 3);
  check_close(bn.running_mean, kBatchNormCumulativeRunningMean, 1e-12, 1e-12);
  check_close(bn.running_var, kBatchNormCumulativeRunningVar, 1e-12, 1e-12);
  bn.eval();
  check_close(bn.forward(golden_input({2, 3, 2, 2}, kFloat64)), kBatchNormCumulativeEval, 1e-12, 1e-12);
  CHECK(bn.str() == "BatchNorm2d(3, eps=1e-05, momentum=None, affine=True, track_running_stats=True)");
  CHECK(keys_of(bn.state_dict()) ==
        std::vector<std::string>{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"});
}

TEST_CASE("BatchNorm1d without running stats normalises by the batch in eval too", "[norm][nn]") {
  nn::BatchNorm1d bn(2, {.momentum = 0.2, .affine = false, .track_running_stats = false});
  CHECK(bn.str() == "BatchNorm1d(2, eps=1e-05, momentum=0.2, affine=False, track_running_stats=False)");
  CHECK(bn.parameters().empty());
  CHECK(bn.state_dict().empty());
  bn.eval();
  const Tensor x = tensor({{1.0, 10.0}, {3.0, 30.0}});
  check_close(bn.forward(x), {-0.99999500004, -0.99999995, 0.99999500004, 0.99999995}, 1e-6, 1e-6);  // float32
}

TEST_CASE("BatchNorm errors name the module, the shapes and what was expected", "[norm][nn][errors]") {
  nn::BatchNorm2d bn2(3);
  REQUIRE_ERROR(bn2.forward(zeros({4, 3})), "BatchNorm2d: expected a 4-D input, got shape [4, 3]");
  REQUIRE_ERROR(bn2.forward(zeros({4, 5, 2, 2})), "BatchNorm2d: expected an input [N, num_features = 3, *], got shape [4, 5, 2, 2]");
  nn::BatchNorm1d bn1(3);
  REQUIRE_ERROR(bn1.forward(zeros({4, 3, 2, 2})), "BatchNorm1d: expected a 2-D or 3-D input, got shape [4, 3, 2, 2]");
  REQUIRE_ERROR(nn::BatchNorm1d(0), "BatchNorm: expected a positive num_features, got 0");
}
