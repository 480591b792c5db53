// Tests nn/conv.cpp and nn/pooling.cpp: each module's forward is its op with
// the module's weights and sizes; parameter shapes, state_dict keys, PyTorch's
// init bounds, printing (strings from torch 1.13's repr), gradients through a
// small CNN, errors naming the module's path, and two models against torch 1.13
// with the same weights (values from tests/nn/make_conv_modules_golden.py).
#include "conv_modules_golden.h"
#include "golden_inputs.h"

#include <cmath>

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;
namespace golden = conv_modules_golden;

namespace {

// The script's set_parameters: parameter k (in named_parameters order) is sample(its shape, 40 + k, 0.5).
void set_parameters(nn::Module& model) {
  nn::StateDict state;
  int seed = 40;
  for (const auto& [name, parameter] : model.named_parameters()) {
    state.emplace_back(name, sample(parameter.shape(), seed++, 0.5));
  }
  model.load_state_dict(state);
}

// The script's cnn().
nn::Sequential cnn() {
  return nn::Sequential(nn::Conv2d(2, 4, 3, {.padding = 1, .dtype = kFloat64}), nn::ReLU(), nn::MaxPool2d(2),
                        nn::Conv2d(4, 6, {3, 2}, {.padding = kSame, .dilation = {1, 2}, .groups = 2, .dtype = kFloat64}),
                        nn::AvgPool2d(2, {.stride = 1, .padding = 1, .count_include_pad = false}),
                        nn::AdaptiveAvgPool2d({3, 2}), nn::Flatten(), nn::Linear(36, 5, {.dtype = kFloat64}));
}

}  // namespace

TEST_CASE("conv modules: forward is the op with the module's weights and sizes", "[nn][conv]") {
  manual_seed(0);
  nn::Conv2d conv(6, 8, {3, 2}, {.stride = 2, .padding = {1, 0}, .dilation = {1, 2}, .groups = 2});
  CHECK(conv.weight.shape() == Shape{8, 3, 3, 2});
  CHECK(conv.bias.shape() == Shape{8});
  CHECK(keys_of(conv.state_dict()) == std::vector<std::string>{"weight", "bias"});
  Tensor x = randn({2, 6, 9, 10});
  Tensor expected = F::conv2d(x, conv.weight, conv.bias, {.stride = 2, .padding = {1, 0}, .dilation = {1, 2}, .groups = 2});
  check_close(conv.forward(x), expected, 0, 0);
  CHECK(conv(x[0]).shape() == Shape{8, 5, 4});  // unbatched

  nn::Conv2d same(3, 4, 4, {.padding = kSame, .bias = false});
  CHECK_FALSE(same.bias.defined());
  CHECK(keys_of(same.state_dict()) == std::vector<std::string>{"weight"});
  CHECK(same.forward(randn({1, 3, 7, 5})).shape() == Shape{1, 4, 7, 5});

  nn::Conv1d conv1d(4, 6, 3, {.padding = kValid, .dilation = 2, .groups = 2});
  CHECK(conv1d.weight.shape() == Shape{6, 2, 3});
  Tensor x1 = randn({3, 4, 11});
  check_close(conv1d.forward(x1), F::conv1d(x1, conv1d.weight, conv1d.bias, {.dilation = 2, .groups = 2}), 0, 0);

  // Transposed: weight [in_channels, out_channels / groups, k...].
  nn::ConvTranspose2d up(4, 6, 3, {.stride = 2, .padding = 1, .output_padding = 1, .groups = 2});
  CHECK(up.weight.shape() == Shape{4, 3, 3, 3});
  CHECK(up.bias.shape() == Shape{6});
  Tensor y = randn({2, 4, 5, 5});
  Tensor up_expected =
      F::conv_transpose2d(y, up.weight, up.bias, {.stride = 2, .padding = 1, .output_padding = 1, .groups = 2});
  CHECK(up_expected.shape() == Shape{2, 6, 10, 10});
  check_close(up.forward(y), up_expected, 0, 0);
  nn::ConvTranspose1d up1d(4, 2, 3, {.stride = 3, .bias = false, .dilation = 2});
  CHECK(up1d.weight.shape() == Shape{4, 2, 3});
  Tensor y1 = randn({4, 5});
  check_close(up1d.forward(y1), F::conv_transpose1d(y1, up1d.weight, {}, {.stride = 3, .dilation = 2}), 0, 0);
  // A float64 module runs the composite path of ops/conv.cpp.
  nn::Conv2d conv64(2, 3, 3, {.dtype = kFloat64});
  CHECK(conv64.weight.dtype() == kFloat64);
  CHECK(conv64.forward(randn({1, 2, 5, 5}, kFloat64)).dtype() == kFloat64);
}

TEST_CASE("pooling modules: forward is the op with the module's sizes", "[nn][pool]") {
  manual_seed(1);
  Tensor x = randn({2, 3, 9, 8});
  nn::MaxPool2d max_pool({3, 2}, {.stride = {2, 1}, .padding = 1, .dilation = {1, 2}, .ceil_mode = true});
  const MaxPoolOptions max_options{.stride = {2, 1}, .padding = 1, .dilation = {1, 2}, .ceil_mode = true};
  check_close(max_pool.forward(x), F::max_pool2d(x, {3, 2}, max_options), 0, 0);
  auto [out, indices] = max_pool.forward_with_indices(x);
  auto [expected_out, expected_indices] = F::max_pool2d_with_indices(x, {3, 2}, max_options);
  check_close(out, expected_out, 0, 0);
  CHECK(indices.dtype() == kInt64);
  CHECK(indices.to_vector<int64_t>() == expected_indices.to_vector<int64_t>());
  CHECK(nn::MaxPool2d(2).forward(x).shape() == Shape{2, 3, 4, 4});  // stride defaults to the kernel size

  nn::AvgPool2d avg_pool(3, {.stride = 2, .padding = 1, .ceil_mode = true, .count_include_pad = false});
  check_close(avg_pool.forward(x),
              F::avg_pool2d(x, 3, {.stride = 2, .padding = 1, .ceil_mode = true, .count_include_pad = false}), 0, 0);
  nn::AvgPool2d divided(2, {.divisor_override = 3});
  check_close(divided.forward(x), F::avg_pool2d(x, 2, {.divisor_override = 3}), 0, 0);

  nn::AdaptiveAvgPool2d adaptive({3, 5});
  check_close(adaptive.forward(x), F::adaptive_avg_pool2d(x, {3, 5}), 0, 0);
  CHECK(nn::AdaptiveAvgPool2d(1).forward(x[0]).shape() == Shape{3, 1, 1});
  for (nn::Module* m : std::initializer_list<nn::Module*>{&max_pool, &avg_pool, &adaptive}) {
    CHECK(m->parameters().empty());
    CHECK(m->state_dict().empty());
  }
  // F::pad is ember::pad: {before, after} of the last dim first.
  CHECK(F::pad(x, {1, 2, 0, 1}).shape() == Shape{2, 3, 10, 11});
}

TEST_CASE("conv modules: PyTorch's init bounds", "[nn][conv]") {
  manual_seed(2);
  // kaiming_uniform_(a = sqrt(5)) gives weights in +-1/sqrt(fan_in), the bias bound too;
  // fan_in = weight.size(1) * prod(kernel_size), for the transposed weight [in, out / groups, k...] too.
  struct Case {
    std::shared_ptr<nn::ConvNd> conv;
    int64_t fan_in;
  };
  const std::vector<Case> cases = {
      {std::make_shared<nn::Conv2d>(16, 32, std::initializer_list<int64_t>{3, 5}), 16 * 15},
      {std::make_shared<nn::Conv2d>(16, 32, 3, nn::ConvNdOptions{.groups = 4}), 4 * 9},
      {std::make_shared<nn::Conv1d>(8, 64, 7), 8 * 7},
      {std::make_shared<nn::ConvTranspose2d>(16, 8, 3, nn::ConvTransposeNdOptions{.groups = 2}), 4 * 9},
      {std::make_shared<nn::ConvTranspose1d>(32, 16, 5), 16 * 5},
  };
  for (const Case& c : cases) {
    INFO(c.conv->str());
    const double bound = 1.0 / std::sqrt(static_cast<double>(c.fan_in));
    CHECK(c.conv->weight.abs().max().item<double>() <= bound);
    CHECK(c.conv->weight.abs().max().item<double>() > 0.9 * bound);  // uniform over the whole range
    CHECK(c.conv->bias.abs().max().item<double>() <= bound);
    CHECK(c.conv->bias.abs().max().item<double>() > 0.5 * bound);
    CHECK(c.conv->weight.requires_grad());
    CHECK(c.conv->weight.is_leaf());
  }
}

TEST_CASE("conv and pooling modules print as torch does", "[nn][conv][pool]") {
  // Expected strings: repr() of the same modules in torch 1.13.
  CHECK(nn::Conv2d(1, 32, 3).str() == "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))");
  CHECK(nn::Conv2d(3, 8, 3, {.stride = 2, .padding = 1, .bias = false}).str() ==
        "Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)");
  CHECK(nn::Conv2d(4, 8, {3, 5}, {.padding = kSame, .dilation = 2, .groups = 2}).str() ==
        "Conv2d(4, 8, kernel_size=(3, 5), stride=(1, 1), padding=same, dilation=(2, 2), groups=2)");
  CHECK(nn::Conv2d(4, 8, 3, {.padding = kValid}).str() ==
        "Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=valid)");
  CHECK(nn::Conv2d(3, 8, 3, {.padding = 0}).str() == "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))");
  CHECK(nn::Conv1d(2, 4, 3).str() == "Conv1d(2, 4, kernel_size=(3,), stride=(1,))");
  CHECK(nn::Conv1d(2, 4, 3, {.stride = 2, .padding = 1, .dilation = 2, .groups = 2, .bias = false}).str() ==
        "Conv1d(2, 4, kernel_size=(3,), stride=(2,), padding=(1,), dilation=(2,), groups=2, bias=False)");
  CHECK(nn::ConvTranspose2d(4, 2, 3, {.stride = 2, .padding = 1, .output_padding = 1}).str() ==
        "ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))");
  CHECK(nn::ConvTranspose2d(4, 2, 3).str() == "ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(1, 1))");
  CHECK(nn::ConvTranspose2d(4, 2, 3, {.groups = 2, .bias = false, .dilation = 2}).str() ==
        "ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(1, 1), dilation=(2, 2), groups=2, bias=False)");
  CHECK(nn::ConvTranspose1d(4, 2, 3, {.stride = 2, .output_padding = 1}).str() ==
        "ConvTranspose1d(4, 2, kernel_size=(3,), stride=(2,), output_padding=(1,))");
  // Pooling prints its sizes as given: an int, or a tuple.
  CHECK(nn::MaxPool2d(2).str() == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  CHECK(nn::MaxPool2d({2, 3}, {.stride = 1, .padding = 1, .dilation = 2, .ceil_mode = true}).str() ==
        "MaxPool2d(kernel_size=(2, 3), stride=1, padding=1, dilation=2, ceil_mode=True)");
  CHECK(nn::AvgPool2d(2).str() == "AvgPool2d(kernel_size=2, stride=2, padding=0)");
  CHECK(nn::AvgPool2d({2, 3}, {.stride = {1, 2}, .padding = 1, .ceil_mode = true, .count_include_pad = false,
                               .divisor_override = 3})
            .str() == "AvgPool2d(kernel_size=(2, 3), stride=(1, 2), padding=1)");
  CHECK(nn::AdaptiveAvgPool2d({3, 4}).str() == "AdaptiveAvgPool2d(output_size=(3, 4))");
  CHECK(nn::AdaptiveAvgPool2d(3).str() == "AdaptiveAvgPool2d(output_size=3)");
  // print(cnn()) in torch 1.13 (tests/nn/make_conv_modules_golden.py).
  CHECK(cnn().str() ==
        "Sequential(\n"
        "  (0): Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
        "  (1): ReLU()\n"
        "  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
        "  (3): Conv2d(4, 6, kernel_size=(3, 2), stride=(1, 1), padding=same, dilation=(1, 2), groups=2)\n"
        "  (4): AvgPool2d(kernel_size=2, stride=1, padding=1)\n"
        "  (5): AdaptiveAvgPool2d(output_size=(3, 2))\n"
        "  (6): Flatten(start_dim=1, end_dim=-1)\n"
        "  (7): Linear(in_features=36, out_features=5, bias=True)\n"
        ")");
}

TEST_CASE("a CNN in Sequential trains: every parameter gets a gradient", "[nn][conv]") {
  manual_seed(3);
  nn::Sequential model(nn::Conv2d(1, 8, 3, {.padding = 1}), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                       nn::Linear(8 * 14 * 14, 10));
  CHECK(keys_of(model.state_dict()) ==
        std::vector<std::string>{"0.weight", "0.bias", "4.weight", "4.bias"});
  Tensor x = randn({4, 1, 28, 28});
  Tensor labels = tensor({1, 0, 9, 3});
  Tensor loss = F::cross_entropy(model.forward(x), labels);
  loss.backward();
  for (const auto& [name, parameter] : model.named_parameters()) {
    INFO(name);
    REQUIRE(parameter.grad().defined());
    CHECK(parameter.grad().shape() == parameter.shape());
    CHECK(parameter.grad().abs().sum().item<double>() > 0);
  }
}

TEST_CASE("a small CNN matches torch 1.13 with the same weights", "[nn][conv][pool]") {
  nn::Sequential model = cnn();
  set_parameters(model);
  Tensor x = sample_leaf({2, 2, 12, 12}, 1, 1.0);
  Tensor out = model.forward(x);
  CHECK(out.shape() == Shape{2, 5});
  check_golden(out, golden::cnn_out);
  weighted_sum(out, 2).backward();
  check_golden(x.grad(), golden::cnn_grad_input);
  const std::vector<const std::vector<double>*> expected_grads = {
      &golden::cnn_grad_0_weight, &golden::cnn_grad_0_bias, &golden::cnn_grad_3_weight,
      &golden::cnn_grad_3_bias,   &golden::cnn_grad_7_weight, &golden::cnn_grad_7_bias};
  const nn::StateDict parameters = model.named_parameters();
  REQUIRE(parameters.size() == expected_grads.size());
  for (size_t i = 0; i < parameters.size(); ++i) {
    INFO(parameters[i].first);
    check_golden(parameters[i].second.grad(), *expected_grads[i]);
  }
  // The same model in float32 runs the oneDNN convolutions.
  model.to(kFloat32);
  check_close(model.forward(sample({2, 2, 12, 12}, 1, 1.0).to(kFloat32)), golden::cnn_out, 1e-4, 1e-5);
}

TEST_CASE("ConvTranspose and Conv1d modules match torch 1.13 with the same weights", "[nn][conv]") {
  nn::ConvTranspose2d up(4, 3, 3, {.stride = 2, .padding = 1, .output_padding = 1, .dtype = kFloat64});
  set_parameters(up);
  Tensor x = sample_leaf({2, 4, 5, 5}, 3);
  Tensor out = up.forward(x);
  CHECK(out.shape() == Shape{2, 3, 10, 10});
  check_golden(out, golden::conv_transpose2d_out);
  weighted_sum(out, 4).backward();
  check_golden(x.grad(), golden::conv_transpose2d_grad_input);
  check_golden(up.weight.grad(), golden::conv_transpose2d_grad_weight);
  check_golden(up.bias.grad(), golden::conv_transpose2d_grad_bias);
  up.to(kFloat32);
  check_close(up.forward(sample({2, 4, 5, 5}, 3).to(kFloat32)), golden::conv_transpose2d_out, 1e-4, 1e-5);

  nn::ConvTranspose2d grouped(4, 6, {3, 2},
                              {.stride = {2, 1}, .padding = {1, 0}, .output_padding = {1, 0}, .groups = 2,
                               .bias = false, .dilation = {1, 2}, .dtype = kFloat64});
  set_parameters(grouped);
  Tensor grouped_out = grouped.forward(sample({4, 3, 4}, 5));
  CHECK(grouped_out.shape() == Shape{6, 6, 6});
  check_golden(grouped_out, golden::conv_transpose2d_grouped_out);

  nn::Sequential model(nn::Conv1d(3, 4, 3, {.stride = 2, .padding = 1, .dtype = kFloat64}),
                       nn::ConvTranspose1d(4, 2, 3, {.stride = 2, .output_padding = 1, .dtype = kFloat64}));
  set_parameters(model);
  Tensor model_out = model.forward(sample({2, 3, 9}, 6));
  CHECK(model_out.shape() == Shape{2, 2, 12});
  check_golden(model_out, golden::conv1d_transpose1d_out);
}

TEST_CASE("conv and pooling errors name the module and its path", "[nn][conv][pool]") {
  nn::Sequential model(nn::Conv2d(1, 8, 3), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(8 * 13 * 13, 10));
  REQUIRE_ERROR(model.forward(zeros({4, 3, 28, 28})),
                "0 (Conv2d): conv2d: expected input to have 1 channels (weight [8, 1, 3, 3] with groups = 1), got 3 "
                "channels (input shape [4, 3, 28, 28])");
  REQUIRE_ERROR(model.forward(zeros({4, 784})),
                "0 (Conv2d): conv2d: expected a 3-D (unbatched) or 4-D (batched) input [N, C, H, W], got shape [4, 784]");
  REQUIRE_ERROR(model.forward(zeros({4, 1, 2, 2})), "0 (Conv2d): conv2d: expected the kernel (size 3, dilation 1) to fit");
  nn::Sequential pools(nn::AvgPool2d(2), nn::MaxPool2d(4), nn::AdaptiveAvgPool2d({0, 1}));
  REQUIRE_ERROR(pools.forward(zeros({2, 4})), "0 (AvgPool2d): avg_pool2d: expected a 3-D (unbatched) or 4-D");
  REQUIRE_ERROR(pools.forward(zeros({1, 2, 4, 4})), "1 (MaxPool2d): max_pool2d: the output would be empty");
  REQUIRE_ERROR(pools.forward(zeros({1, 2, 8, 8})),
                "2 (AdaptiveAvgPool2d): adaptive_avg_pool2d: expected a positive output_size");
  REQUIRE_ERROR(nn::MaxPool2d(2).forward_with_indices(zeros({4})), "MaxPool2d: max_pool2d: expected a 3-D");
  REQUIRE_ERROR(nn::ConvTranspose2d(2, 2, 3, {.stride = 2, .output_padding = 2}).forward(zeros({1, 2, 3, 3})),
                "ConvTranspose2d: conv_transpose2d: expected output_padding smaller than stride or dilation");
  // The layer's own arguments, when it is built.
  REQUIRE_ERROR(nn::Conv2d(3, 8, 3, {.groups = 2}),
                "Conv2d: expected in_channels and out_channels divisible by groups, got in_channels=3, "
                "out_channels=8 and groups=2");
  REQUIRE_ERROR(nn::Conv2d(3, 8, 3, {.groups = 0}), "Conv2d: expected positive groups, got 0");
  REQUIRE_ERROR(nn::Conv1d(0, 8, 3), "Conv1d: expected positive in_channels and out_channels, got 0 and 8");
  REQUIRE_ERROR(nn::Conv2d(3, 8, {3, 3, 3}), "Conv2d: expected kernel_size to have 1 or 2 values, got [3, 3, 3]");
  REQUIRE_ERROR(nn::Conv2d(3, 8, {3, 0}), "Conv2d: expected a positive kernel_size, got [3, 0]");
  REQUIRE_ERROR(nn::Conv2d(3, 8, 3, {.stride = 2, .padding = kSame}),
                "Conv2d: padding='same' is not supported for strided convolutions, got stride [2, 2]");
  REQUIRE_ERROR(nn::ConvTranspose2d(3, 8, 3, {.output_padding = {1, 1, 1}}),
                "ConvTranspose2d: expected output_padding to have 1 or 2 values, got [1, 1, 1]");
}
