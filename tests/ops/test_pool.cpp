// Tests ops/pool.cpp: every case of kPoolGolden (tests/ops/conv_golden.h,
// outputs, indices and gradients from torch 1.13) in float32 and float64;
// gradcheck and gradgradcheck; the error messages.
#include "conv_golden.h"
#include "conv_inputs.h"
#include "harness.h"

#include <string_view>

using namespace ember;
using namespace ember::testing;

namespace {

SpatialSize stride_of(const PoolGolden& c) {
  return c.stride.empty() ? SpatialSize({}) : SpatialSize(IntArrayRef(c.stride));
}

Tensor run(const PoolGolden& c, const Tensor& input, Tensor* indices) {
  const std::string_view op = c.op;
  const SpatialSize kernel = IntArrayRef(c.kernel);
  if (op == "max_pool2d") {
    auto [out, at] = max_pool2d_with_indices(input, kernel,
                                             {.stride = stride_of(c),
                                              .padding = IntArrayRef(c.padding),
                                              .dilation = IntArrayRef(c.dilation),
                                              .ceil_mode = c.ceil_mode});
    *indices = at;
    return out;
  }
  if (op == "avg_pool2d") {
    return avg_pool2d(input, kernel,
                      {.stride = stride_of(c),
                       .padding = IntArrayRef(c.padding),
                       .ceil_mode = c.ceil_mode,
                       .count_include_pad = c.count_include_pad,
                       .divisor_override = c.divisor_override ? std::optional<int64_t>(c.divisor_override)
                                                              : std::nullopt});
  }
  return adaptive_avg_pool2d(input, kernel);
}

}  // namespace

TEST_CASE("pooling matches torch: values, indices and gradients", "[pool]") {
  for (const PoolGolden& c : kPoolGolden) {
    for (DType dtype : {kFloat32, kFloat64}) {
      INFO(c.name << " in " << dtype);
      const double tol = dtype == kFloat32 ? 1e-6 : 1e-13;
      const Tensor x = golden_input(c.input_shape, dtype).requires_grad_();
      Tensor indices;
      const Tensor out = run(c, x, &indices);
      REQUIRE(out.shape() == Shape(IntArrayRef(c.out_shape)));
      check_close(out, c.out, tol, tol);
      if (indices.defined()) CHECK(indices.to_vector<int64_t>() == c.indices);
      (out * golden_cotangent(out)).sum().backward();
      check_close(x.grad(), c.grad_input, tol, tol);
    }
  }
}

TEST_CASE("max pooling keeps NaN and takes the first of equal maxima", "[pool]") {
  const Tensor x = tensor({{{{1.0, 3.0, 3.0, 0.0}, {2.0, NAN, 1.0, 1.0}}}});
  auto [out, indices] = max_pool2d_with_indices(x, 2);
  CHECK(std::isnan(out.to_vector<double>()[0]));
  CHECK(out.to_vector<double>()[1] == 3.0);
  CHECK(indices.to_vector<int64_t>() == std::vector<int64_t>{5, 2});
}

TEST_CASE("pooling differentiates once and twice", "[pool][gradcheck]") {
  const Tensor x = make_tensor({2, 2, 5, 6}, kFloat64, -1, 1, 5).requires_grad_();
  CHECK(autograd::gradcheck([](const autograd::TensorList& in) { return max_pool2d(in[0], 3, {.stride = 2, .padding = 1}); }, {x}));
  CHECK(autograd::gradgradcheck([](const autograd::TensorList& in) { return max_pool2d(in[0], 2); }, {x}));
  const auto avg = [](const autograd::TensorList& in) {
    return avg_pool2d(in[0], {3, 2}, {.stride = 2, .padding = 1, .ceil_mode = true, .count_include_pad = false});
  };
  CHECK(autograd::gradcheck(avg, {x}));
  CHECK(autograd::gradgradcheck(avg, {x}));
  const auto adaptive = [](const autograd::TensorList& in) { return adaptive_avg_pool2d(in[0], {3, 4}); };
  CHECK(autograd::gradcheck(adaptive, {x}));
  CHECK(autograd::gradgradcheck(adaptive, {x}));
}

TEST_CASE("pooling errors name the op, the shapes and what was expected", "[pool][errors]") {
  const Tensor x = zeros({1, 2, 4, 4});
  REQUIRE_ERROR(max_pool2d(zeros({4, 4}), 2), "max_pool2d: expected a 3-D (unbatched) or 4-D (batched) input [N, C, H, W], got shape [4, 4]");
  REQUIRE_ERROR(max_pool2d(x, 0), "max_pool2d: expected positive kernel_size, got [0, 0]");
  REQUIRE_ERROR(max_pool2d(x, {2, 2, 2}), "max_pool2d: expected kernel_size to have 1 or 2 values, got [2, 2, 2]");
  REQUIRE_ERROR(max_pool2d(x, 2, {.padding = 2}),
                "max_pool2d: expected padding between 0 and half the effective kernel size, got padding [2, 2]");
  REQUIRE_ERROR(max_pool2d(x, 5), "max_pool2d: the output would be empty: input shape [1, 2, 4, 4] with kernel_size [5, 5]");
  REQUIRE_ERROR(max_pool2d(x.to(kInt64), 2), "max_pool2d: expected a floating point input, got int64");
  REQUIRE_ERROR(avg_pool2d(x, 2, {.divisor_override = 0}), "avg_pool2d: expected a positive divisor_override, got 0");
  REQUIRE_ERROR(adaptive_avg_pool2d(x, 0), "adaptive_avg_pool2d: expected a positive output_size, got [0, 0]");
  REQUIRE_ERROR(adaptive_avg_pool2d(zeros({1, 2, 0, 3}), 2), "adaptive_avg_pool2d: expected non-empty spatial dims, got shape [1, 2, 0, 3]");
}
