// Tests ops/norm.cpp (batch_norm): the cases of tests/ops/norm_golden.h
// (torch 1.13, see make_norm_golden.py) in float32 and float64, running
// statistics, gradcheck and gradgradcheck, the errors.
#include "conv_inputs.h"
#include "harness.h"
#include "norm_golden.h"

using namespace ember;
using namespace ember::testing;

namespace {

Tensor channel_weight(int64_t c, DType dtype) { return golden_fill({c}, 0.23, 0.2, 0.5, /*cosine=*/true, dtype); }
Tensor channel_bias(int64_t c, DType dtype) { return (arange(c, kFloat64) * 0.1 - 0.2).to(dtype); }
Tensor initial_running_mean(int64_t c, DType dtype) { return (arange(c, kFloat64) * 0.1).to(dtype); }
Tensor initial_running_var(int64_t c, DType dtype) { return (arange(c, kFloat64) * 0.2 + 1).to(dtype); }

}  // namespace

TEST_CASE("batch_norm matches torch: output, running stats and gradients", "[norm]") {
  for (const BatchNormGolden& c : kBatchNormGolden) {
    for (DType dtype : {kFloat32, kFloat64}) {
      INFO(c.name << " in " << dtype);
      const double tol = dtype == kFloat32 ? 2e-5 : 1e-11;
      const int64_t C = c.input_shape[1];
      const Tensor x = golden_input(c.input_shape, dtype).requires_grad_();
      const Tensor w = c.affine ? channel_weight(C, dtype).requires_grad_() : Tensor();
      const Tensor b = c.affine ? channel_bias(C, dtype).requires_grad_() : Tensor();
      const Tensor rm = c.running_stats ? initial_running_mean(C, dtype) : Tensor();
      const Tensor rv = c.running_stats ? initial_running_var(C, dtype) : Tensor();
      const Tensor out =
          batch_norm(x, rm, rv, {.weight = w, .bias = b, .training = c.training, .momentum = c.momentum});
      check_close(out, c.out, tol, tol);
      if (c.running_stats) {
        check_close(rm, c.running_mean, tol, tol);
        check_close(rv, c.running_var, tol, tol);
      }
      (out * golden_cotangent(out)).sum().backward();
      check_close(x.grad(), c.grad_input, tol, tol);
      if (c.affine) {
        check_close(w.grad(), c.grad_weight, tol, tol);
        check_close(b.grad(), c.grad_bias, tol, tol);
      }
    }
  }
}

TEST_CASE("batch_norm differentiates once and twice, in training and in eval", "[norm][gradcheck]") {
  const Tensor x = make_tensor({3, 2, 2, 3}, kFloat64, -1, 1, 7).requires_grad_();
  const Tensor w = make_tensor({2}, kFloat64, 0.5, 1.5, 8).requires_grad_();
  const Tensor b = make_tensor({2}, kFloat64, -1, 1, 9).requires_grad_();
  for (bool training : {true, false}) {
    INFO("training " << training);
    const auto bn = [training](const autograd::TensorList& in) {
      const Tensor rm = tensor({0.1, -0.2}, kFloat64), rv = tensor({1.5, 0.7}, kFloat64);
      return batch_norm(in[0], rm, rv, {.weight = in[1], .bias = in[2], .training = training});
    };
    CHECK(autograd::gradcheck(bn, {x, w, b}));
    CHECK(autograd::gradgradcheck(bn, {x, w, b}));
  }
}

// Strided views of every argument: x[..., ::2], w[::2], and running stats updated through their strides.
TEST_CASE("batch_norm gives the same values, gradients and running stats on strided tensors", "[norm]") {
  for (DType dtype : {kFloat32, kFloat64}) {
    for (bool training : {true, false}) {
      INFO(dtype << ", training " << training);
      const double tol = dtype == kFloat32 ? 1e-6 : 1e-13;
      const Tensor x = make_tensor({3, 4, 2, 5}, dtype, -1, 1, 7).requires_grad_();
      const Tensor w = make_tensor({4}, dtype, 0.5, 1.5, 8).requires_grad_();
      const Tensor b = make_tensor({4}, dtype, -1, 1, 9).requires_grad_();
      const Tensor rm = make_tensor({4}, dtype, -0.5, 0.5, 10), rv = make_tensor({4}, dtype, 0.5, 2, 11);
      check_layout_invariant(
          [training](const std::vector<Tensor>& in) {
            return batch_norm(in[0], in[3], in[4], {.weight = in[1], .bias = in[2], .training = training});
          },
          {x, w, b, rm, rv}, tol, tol);

      // The running stats, updated in place through their strides.
      const Tensor rm_contiguous = rm.clone(), rv_contiguous = rv.clone();
      const Tensor rm_strided = every_other(rm), rv_strided = every_other(rv);
      batch_norm(x.detach(), rm_contiguous, rv_contiguous, {.weight = w, .bias = b, .training = training});
      batch_norm(every_other(x.detach()), rm_strided, rv_strided,
                 {.weight = every_other(w.detach()), .bias = every_other(b.detach()), .training = training});
      check_close(rm_strided, rm_contiguous, tol, tol);
      check_close(rv_strided, rv_contiguous, tol, tol);
    }
  }
  const Tensor x = every_other(make_tensor({3, 2, 2, 3}, kFloat64, -1, 1, 7).requires_grad_());
  const Tensor w = every_other(make_tensor({2}, kFloat64, 0.5, 1.5, 8).requires_grad_());
  const Tensor b = every_other(make_tensor({2}, kFloat64, -1, 1, 9).requires_grad_());
  const auto bn = [](const autograd::TensorList& in) {
    return batch_norm(in[0], {}, {}, {.weight = in[1], .bias = in[2], .training = true});
  };
  CHECK(autograd::gradcheck(bn, {x, w, b}));
}

TEST_CASE("batch_norm errors name the op or module, the shapes and what was expected", "[norm][errors]") {
  const Tensor x = zeros({4, 3, 2, 2});
  REQUIRE_ERROR(batch_norm(zeros({4}), {}, {}, {.training = true}),
                "batch_norm: expected an input [N, C, *] of at least 2 dims, got shape [4]");
  REQUIRE_ERROR(batch_norm(x, zeros({2}), ones({3})), "batch_norm: expected running_mean of shape [3] (channels), got [2]");
  REQUIRE_ERROR(batch_norm(x, {}, {}), "batch_norm: expected running_mean and running_var in eval mode");
  REQUIRE_ERROR(batch_norm(x, {}, {}, {.weight = zeros({3}, kFloat64), .training = true}),
                "batch_norm: expected weight to have the input's dtype float32, got float64");
  REQUIRE_ERROR(batch_norm(zeros({1, 3}), {}, {}, {.training = true}),
                "batch_norm: expected more than 1 value per channel when training, got input shape [1, 3]");
}
