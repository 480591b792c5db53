// Tests nn/bilinear.cpp: F::bilinear and nn::Bilinear against torch 1.13's
// values and gradients (tests/nn/make_layers_golden.py), gradcheck, init
// bounds, printing, state_dict keys and the errors.
#include "golden_inputs.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;
namespace golden = layers_golden;

TEST_CASE("bilinear matches torch: values and every gradient", "[nn][bilinear]") {
  Tensor x1 = sample_leaf({2, 3, 4}, 3), x2 = sample_leaf({2, 3, 5}, 4);
  Tensor weight = sample_leaf({3, 4, 5}, 5, 0.5), bias = sample_leaf({3}, 6);
  Tensor out = F::bilinear(x1, x2, weight, bias);
  CHECK(out.shape() == Shape{2, 3, 3});
  check_golden(out, golden::bilinear_out);
  weighted_sum(out, 7).backward();
  check_golden(x1.grad(), golden::bilinear_grad_input1);
  check_golden(x2.grad(), golden::bilinear_grad_input2);
  check_golden(weight.grad(), golden::bilinear_grad_weight);
  check_golden(bias.grad(), golden::bilinear_grad_bias);
  // The module computes the same with its parameters set to these.
  nn::Bilinear layer(4, 5, 3, {.dtype = kFloat64});
  layer.weight.set_data(weight.detach());
  layer.bias.set_data(bias.detach());
  check_golden(layer(x1, x2), golden::bilinear_out);
}

TEST_CASE("bilinear: one sample, no bias, gradcheck", "[nn][bilinear]") {
  const Tensor x1 = sample({4}, 3), x2 = sample({5}, 4), weight = sample({3, 4, 5}, 5, 0.5);
  std::vector<Tensor> expected;
  for (int64_t o = 0; o < 3; ++o) expected.push_back(dot(x1, mv(weight[o], x2)));
  check_close(F::bilinear(x1, x2, weight), stack(expected), 1e-12, 1e-12);
  CHECK(autograd::gradcheck(
      [](const autograd::TensorList& in) { return F::bilinear(in[0], in[1], in[2], in[3]); },
      {sample_leaf({2, 3}, 1), sample_leaf({2, 4}, 2), sample_leaf({2, 3, 4}, 3), sample_leaf({2}, 4)}));
  CHECK(autograd::gradgradcheck([](const autograd::TensorList& in) { return F::bilinear(in[0], in[1], in[2]); },
                                {sample_leaf({2, 3}, 1), sample_leaf({2, 4}, 2), sample_leaf({2, 3, 4}, 3)}));
}

TEST_CASE("bilinear gives the same values and gradients on strided inputs, weights and biases", "[nn][bilinear]") {
  check_layout_invariant([](const std::vector<Tensor>& in) { return F::bilinear(in[0], in[1], in[2], in[3]); },
                         {make_tensor({3, 2}, kFloat64, -1, 1, 1).requires_grad_(),
                          make_tensor({3, 4}, kFloat64, -1, 1, 2).requires_grad_(),
                          make_tensor({5, 2, 4}, kFloat64, -1, 1, 3).requires_grad_(),
                          make_tensor({5}, kFloat64, -1, 1, 4).requires_grad_()},
                         1e-12, 1e-12);
}

TEST_CASE("Bilinear: init bounds, printing, state_dict, errors", "[nn][bilinear]") {
  manual_seed(0);
  nn::Bilinear layer(16, 8, 30);
  const double bound = 1.0 / std::sqrt(16.0);
  CHECK(layer.weight.shape() == Shape{30, 16, 8});
  CHECK(layer.weight.abs().max().item<double>() <= bound);
  CHECK(layer.weight.abs().max().item<double>() > 0.95 * bound);  // uniform over the whole range
  CHECK(layer.bias.abs().max().item<double>() <= bound);
  // Expected text from torch 1.13: print(nn.Bilinear(3, 4, 5)), print(nn.Bilinear(3, 4, 5, bias=False)).
  CHECK(nn::Bilinear(3, 4, 5).str() == "Bilinear(in1_features=3, in2_features=4, out_features=5, bias=True)");
  nn::Bilinear no_bias(3, 4, 5, {.bias = false});
  CHECK(no_bias.str() == "Bilinear(in1_features=3, in2_features=4, out_features=5, bias=False)");
  CHECK(no_bias.state_dict().size() == 1);
  CHECK(layer.state_dict()[1].first == "bias");

  REQUIRE_ERROR(layer(zeros({2, 15}), zeros({2, 8})),
                "Bilinear: expected input1 [*, in1_features = 16] and input2 [*, in2_features = 8], got shapes [2, 15] "
                "and [2, 8]");
  REQUIRE_ERROR(layer(zeros({2, 16}), zeros({3, 8})),
                "bilinear: expected input1 and input2 to have the same leading dimensions, got input1 [2, 16] and "
                "input2 [3, 8]");
  REQUIRE_ERROR(F::bilinear(zeros({2, 3}), zeros({2, 4}), zeros({5, 3})),
                "bilinear: expected two inputs and a 3-d weight [out_features, in1_features, in2_features], got weight "
                "[5, 3]");
  REQUIRE_ERROR(F::bilinear(zeros({2, 3}), zeros({2, 5}), zeros({6, 3, 4})),
                "bilinear: expected input1 [*, 3] and input2 [*, 4] for a weight [6, 3, 4], got input1 [2, 3] and "
                "input2 [2, 5]");
  REQUIRE_ERROR(F::bilinear(zeros({2, 3}), zeros({2, 4}), zeros({6, 3, 4}), zeros({5})),
                "bilinear: expected a bias of shape [6], got [5]");
  REQUIRE_ERROR(nn::Bilinear(3, -4, 5), "Bilinear: expected non-negative in1_features, in2_features and out_features");
  REQUIRE_ERROR(layer.forward(zeros({2, 16})), "Bilinear: this module has no single-tensor forward");
}
