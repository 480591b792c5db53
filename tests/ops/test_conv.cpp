// Tests ops/conv.cpp: every case of tests/ops/conv_golden.h (outputs and
// gradients from torch 1.13, see make_conv_golden.py) on both paths, oneDNN
// (float32) and the composite (float64); gradcheck and gradgradcheck of the
// composite; the error messages.
#include "conv_golden.h"
#include "conv_inputs.h"
#include "harness.h"

#include <string_view>

using namespace ember;
using namespace ember::testing;

namespace {

struct Operands {
  Tensor input, weight, bias;
};

Operands operands(const ConvGolden& c, DType dtype) {
  Operands o{golden_input(c.input_shape, dtype).requires_grad_(),
             golden_fill(c.weight_shape, 0.23, 0.2, 0.5, /*cosine=*/true, dtype).requires_grad_(), Tensor()};
  if (c.bias) {
    const int64_t channels = static_cast<int64_t>(c.grad_bias.size());
    o.bias = (arange(channels, kFloat64) * 0.1 - 0.2).to(dtype).requires_grad_();
  }
  return o;
}

Tensor run(const ConvGolden& c, const Tensor& input, const Tensor& weight, const Tensor& bias) {
  const std::string_view op = c.op;
  if (op.starts_with("conv_transpose")) {
    const ConvTransposeOptions options{.stride = IntArrayRef(c.stride),
                                       .padding = IntArrayRef(c.padding),
                                       .output_padding = IntArrayRef(c.output_padding),
                                       .groups = c.groups,
                                       .dilation = IntArrayRef(c.dilation)};
    return op == "conv_transpose1d" ? conv_transpose1d(input, weight, bias, options)
                                    : conv_transpose2d(input, weight, bias, options);
  }
  const std::string_view mode = c.padding_mode;
  const ConvPadding padding = mode == "same" ? ConvPadding(kSame)
                              : mode == "valid" ? ConvPadding(kValid)
                                                : ConvPadding(IntArrayRef(c.padding));
  const ConvOptions options{
      .stride = IntArrayRef(c.stride), .padding = padding, .dilation = IntArrayRef(c.dilation), .groups = c.groups};
  return op == "conv1d" ? conv1d(input, weight, bias, options) : conv2d(input, weight, bias, options);
}

}  // namespace

TEST_CASE("convolutions match torch on oneDNN (float32) and on the composite (float64)", "[conv]") {
  for (const ConvGolden& c : kConvGolden) {
    for (DType dtype : {kFloat32, kFloat64}) {
      INFO(c.name << " in " << dtype);
      const double tol = dtype == kFloat32 ? 1e-5 : 1e-12;
      const Operands o = operands(c, dtype);
      const Tensor out = run(c, o.input, o.weight, o.bias);
      REQUIRE(out.shape() == Shape(IntArrayRef(c.out_shape)));
      check_close(out, c.out, tol, tol);
      (out * golden_cotangent(out)).sum().backward();
      check_close(o.input.grad(), c.grad_input, tol, tol);
      check_close(o.weight.grad(), c.grad_weight, tol, tol);
      if (c.bias) check_close(o.bias.grad(), c.grad_bias, tol, tol);
    }
  }
}

TEST_CASE("convolutions give the same values and gradients on strided inputs, weights and biases", "[conv]") {
  for (const ConvGolden& c : kConvGolden) {
    for (DType dtype : {kFloat32, kFloat64}) {
      INFO(c.name << " in " << dtype);
      const double tol = dtype == kFloat32 ? 1e-5 : 1e-12;
      const Operands o = operands(c, dtype);
      check_layout_invariant([&c](const std::vector<Tensor>& in) { return run(c, in[0], in[1], in[2]); },
                             {o.input, o.weight, o.bias}, tol, tol);
    }
  }
}

TEST_CASE("oneDNN convolutions take strided inputs and skip gradients nobody wants", "[conv]") {
  const Tensor x = make_tensor({2, 3, 6, 5}, kFloat32, -1, 1, 3, Layout::Transposed);  // [3, 2, ...] transposed
  const Tensor w = make_tensor({4, 3, 3, 3}, kFloat32, -1, 1, 4).requires_grad_();
  const Tensor out = conv2d(x, w, {}, {.padding = 1});
  const Tensor expected = conv2d(x.to(kFloat64), w.detach().to(kFloat64), {}, {.padding = 1});
  check_close(out, values_of(expected), 1e-5, 1e-5);
  out.sum().backward();  // x needs no gradient: only the weight's primitive runs
  REQUIRE(w.grad().defined());
  REQUIRE_FALSE(x.grad().defined());
}

TEST_CASE("the composite convolution differentiates once and twice", "[conv][gradcheck]") {
  const Tensor x = make_tensor({2, 4, 5, 4}, kFloat64, -1, 1, 1).requires_grad_();
  const Tensor w = make_tensor({4, 2, 3, 2}, kFloat64, -1, 1, 2).requires_grad_();
  const Tensor b = make_tensor({4}, kFloat64, -1, 1, 3).requires_grad_();
  const auto conv = [](const autograd::TensorList& in) {
    return conv2d(in[0], in[1], in[2], {.stride = {2, 1}, .padding = 1, .dilation = {1, 2}, .groups = 2});
  };
  CHECK(autograd::gradcheck(conv, {x, w, b}));
  CHECK(autograd::gradgradcheck(conv, {x, w, b}));
  const Tensor wt = make_tensor({4, 3, 2, 3}, kFloat64, -1, 1, 4).requires_grad_();
  const auto transposed = [](const autograd::TensorList& in) {
    return conv_transpose2d(in[0], in[1], {}, {.stride = 2, .padding = {1, 0}, .output_padding = 1, .groups = 2});
  };
  CHECK(autograd::gradcheck(transposed, {x, wt}));
  CHECK(autograd::gradgradcheck(transposed, {x, wt}));
}

TEST_CASE("double backward through a float32 convolution is refused clearly", "[conv][errors]") {
  const Tensor x = ones({1, 1, 3, 3}).requires_grad_();
  const Tensor w = ones({1, 1, 2, 2}).requires_grad_();
  const Tensor out = conv2d(x, w).sum();
  REQUIRE_ERROR(autograd::grad({out}, {x}, {}, {}, /*create_graph=*/true),
                "conv2d: double backward (create_graph=true) of a float32 convolution is not supported");
}

TEST_CASE("convolution errors name the op, the shapes and what was expected", "[conv][errors]") {
  const Tensor x = zeros({2, 3, 8, 8}), w = zeros({4, 3, 3, 3});
  REQUIRE_ERROR(conv2d(zeros({8, 8}), w), "conv2d: expected a 3-D (unbatched) or 4-D (batched) input [N, C, H, W], got shape [8, 8]");
  REQUIRE_ERROR(conv2d(x, zeros({4, 3, 3})), "conv2d: expected a 4-D weight [out_channels, in_channels / groups, kH, kW], got shape [4, 3, 3]");
  REQUIRE_ERROR(conv2d(zeros({2, 5, 8, 8}), w),
                "conv2d: expected input to have 3 channels (weight [4, 3, 3, 3] with groups = 1), got 5 channels");
  REQUIRE_ERROR(conv2d(x, zeros({4, 1, 3, 3}), {}, {.groups = 3}),
                "conv2d: expected in_channels (3) and out_channels (4) divisible by groups (3)");
  REQUIRE_ERROR(conv2d(x, w, zeros({5})), "conv2d: expected bias of shape [4] (out_channels), got [5]");
  REQUIRE_ERROR(conv2d(x, w.to(kFloat64)), "conv2d: expected input and weight to have the same dtype, got input float32 and weight float64");
  REQUIRE_ERROR(conv2d(x.to(kInt64), w.to(kInt64)), "conv2d: expected a floating point input, got int64");
  REQUIRE_ERROR(conv2d(x, w, {}, {.stride = 0}), "conv2d: expected positive stride, got [0, 0]");
  REQUIRE_ERROR(conv2d(x, w, {}, {.stride = {1, 2, 3}}), "conv2d: expected stride to have 1 or 2 values, got [1, 2, 3]");
  REQUIRE_ERROR(conv2d(x, w, {}, {.padding = -1}), "conv2d: expected non-negative padding, got [-1, -1]");
  REQUIRE_ERROR(conv2d(x, w, {}, {.stride = 2, .padding = kSame}),
                "conv2d: padding=\"same\" is not supported for strided convolutions, got stride [2, 2]");
  REQUIRE_ERROR(conv2d(zeros({1, 3, 2, 2}), w),
                "conv2d: expected the kernel (size 3, dilation 1) to fit the padded input (size 2 + padding)");
  REQUIRE_ERROR(conv_transpose2d(x, zeros({3, 2, 3, 3}), {}, {.stride = 2, .output_padding = 2}),
                "conv_transpose2d: expected output_padding smaller than stride or dilation, got output_padding [2, 2]");
  REQUIRE_ERROR(conv1d(zeros({1, 2, 4}), zeros({1, 2, 3}), {}, {.dilation = 0}),
                "conv1d: expected positive dilation, got [0]");
}
