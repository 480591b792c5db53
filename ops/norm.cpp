// batch_norm over [N, C, *]: one fused pass per channel for the statistics,
// the running-stat update and the output; the backward is a formula of
// recorded ops (so it differentiates twice). layer_norm and group_norm are
// composites in nn/.
#include <ember/ops/toolkit.h>

#include <cmath>

namespace ember {
namespace {

using autograd::TensorList;

void check_channel_tensor(const char* name, const Tensor& t, const Tensor& input, int64_t channels) {
  if (!t.defined()) return;
  detail::check_same_device("batch_norm", input, t);
  EMBER_CHECK(t.dim() == 1 && t.shape()[0] == channels, "batch_norm: expected {} of shape [{}] (channels), got {}",
              name, channels, t.shape());
  EMBER_CHECK(t.dtype() == input.dtype(), "batch_norm: expected {} to have the input's dtype {}, got {}", name,
              input.dtype(), t.dtype());
}

// [1, C, 1, ...]: a per-channel tensor broadcast against input.
Tensor per_channel(const Tensor& t, int64_t input_dim) {
  Shape shape(static_cast<size_t>(input_dim), 1);
  shape[1] = t.shape()[0];
  return t.view(shape);
}

// The batch statistics of every channel (mean, 1 / sqrt(biased var + eps)) and
// out = (x - mean) * rstd * weight + bias, for x, out, weight and bias
// contiguous, x and out [N, C, S]. With running stats (any strides: they are
// the caller's buffers, updated in place), they move towards the batch's
// (unbiased variance) by momentum.
struct BatchStats {
  Tensor mean, rstd;
};

BatchStats normalize_with_batch_stats(const Tensor& x, const Tensor& out, const Tensor& weight, const Tensor& bias,
                                      const Tensor& running_mean, const Tensor& running_var, double momentum,
                                      double eps) {
  const int64_t N = x.shape()[0], C = x.shape()[1], S = x.numel() / (N * C), count = N * S;
  BatchStats stats{empty({C}, x.options()), empty({C}, x.options())};
  const int64_t rm_stride = running_mean.defined() ? running_mean.strides()[0] : 0;
  const int64_t rv_stride = running_var.defined() ? running_var.strides()[0] : 0;
  dispatch_dtype<DTypes::Floating>("batch_norm", x.dtype(), [&]<class T>() {
    using V = opmath_t<T>;
    const T* in = x.data_ptr<T>();
    T* result = out.data_ptr<T>();
    const T* w = weight.defined() ? weight.data_ptr<T>() : nullptr;
    const T* b = bias.defined() ? bias.data_ptr<T>() : nullptr;
    T* rm = running_mean.defined() ? running_mean.data_ptr<T>() : nullptr;
    T* rv = running_var.defined() ? running_var.data_ptr<T>() : nullptr;
    parallel_for(0, C, 1, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        // Two passes in double: the mean, then the squared deviations (no cancellation).
        double sum = 0;
        for (int64_t n = 0; n < N; ++n) {
          const T* row = in + (n * C + c) * S;
          for (int64_t s = 0; s < S; ++s) sum += static_cast<double>(row[s]);
        }
        const double mean = sum / static_cast<double>(count);
        double squares = 0;
        for (int64_t n = 0; n < N; ++n) {
          const T* row = in + (n * C + c) * S;
          for (int64_t s = 0; s < S; ++s) {
            const double d = static_cast<double>(row[s]) - mean;
            squares += d * d;
          }
        }
        const double var = squares / static_cast<double>(count), rstd = 1.0 / std::sqrt(var + eps);
        stats.mean.data_ptr<T>()[c] = static_cast<T>(mean);
        stats.rstd.data_ptr<T>()[c] = static_cast<T>(rstd);
        if (rm) {
          T& m = rm[c * rm_stride];
          m = static_cast<T>((1 - momentum) * static_cast<double>(m) + momentum * mean);
        }
        if (rv) {
          const double unbiased = squares / static_cast<double>(count - 1);  // count > 1: checked
          T& v = rv[c * rv_stride];
          v = static_cast<T>((1 - momentum) * static_cast<double>(v) + momentum * unbiased);
        }
        const V scale = static_cast<V>(rstd * (w ? static_cast<double>(w[c]) : 1.0));
        const V shift = static_cast<V>((b ? static_cast<double>(b[c]) : 0.0) - mean * static_cast<double>(scale));
        for (int64_t n = 0; n < N; ++n) {
          const T* row = in + (n * C + c) * S;
          T* target = result + (n * C + c) * S;
          for (int64_t s = 0; s < S; ++s) target[s] = static_cast<T>(static_cast<V>(row[s]) * scale + shift);
        }
      }
    });
  });
  return stats;
}

}  // namespace

// Training normalises by the batch's statistics; eval by the running ones.
// Backward, with xhat = (x - mean) * rstd over the M = N * S values of a channel:
//   training: grad_x = weight * rstd * (g - sum(g) / M - xhat * sum(g * xhat) / M)
//   eval:     grad_x = weight * rstd_running * g
//   grad_weight = sum(g * xhat), grad_bias = sum(g)
// Under create_graph the batch statistics are recomputed from x by recorded
// ops, so that second derivatives see how they depend on x.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormOptions& options) {
  const char* op = "batch_norm";
  detail::check_defined(op, input);
  detail::check_cpu(op, input);
  EMBER_CHECK(input.dim() >= 2, "batch_norm: expected an input [N, C, *] of at least 2 dims, got shape {}",
              input.shape());
  EMBER_CHECK(is_floating_point(input.dtype()), "batch_norm: expected a floating point input, got {}",
              input.dtype());
  const int64_t C = input.shape()[1];
  check_channel_tensor("weight", options.weight, input, C);
  check_channel_tensor("bias", options.bias, input, C);
  check_channel_tensor("running_mean", running_mean, input, C);
  check_channel_tensor("running_var", running_var, input, C);
  EMBER_CHECK(running_mean.defined() == running_var.defined(),
              "batch_norm: expected running_mean and running_var both given or both undefined");
  EMBER_CHECK(options.training || running_mean.defined(),
              "batch_norm: expected running_mean and running_var in eval mode (training = false)");
  const Tensor x = detach(input).contiguous();
  const int64_t M = input.numel() / std::max<int64_t>(C, 1);
  Tensor out = empty(input.shape(), input.options());
  // The kernel indexes weight and bias as plain arrays: a strided view (w[::2]) is copied first.
  const Tensor weight = options.weight.defined() ? detach(options.weight).contiguous() : Tensor();
  const Tensor bias = options.bias.defined() ? detach(options.bias).contiguous() : Tensor();
  Tensor mean, rstd;
  if (options.training) {
    EMBER_CHECK_VALUE(M > 1, "batch_norm: expected more than 1 value per channel when training, got input shape {}",
                      input.shape());
    const BatchStats stats =
        normalize_with_batch_stats(x, out, weight, bias, running_mean, running_var, options.momentum, options.eps);
    mean = stats.mean;
    rstd = stats.rstd;
  } else {
    NoGradGuard no_grad;
    mean = detach(running_mean).clone();
    rstd = (detach(running_var) + options.eps).rsqrt();
    Tensor scale = weight.defined() ? rstd * weight : rstd;
    Tensor shift = (bias.defined() ? bias : zeros_like(mean)) - mean * scale;
    out.copy_(x * per_channel(scale, x.dim()) + per_channel(shift, x.dim()));
  }
  if (!autograd::needs_grad(input, options.weight, options.bias)) return out;

  Shape reduce_dims;  // every dim but the channels'
  for (int64_t d = 0; d < input.dim(); ++d) {
    if (d != 1) reduce_dims.push_back(d);
  }
  autograd::record(op, {input, options.weight, options.bias}, out,
                   [training = options.training, eps = options.eps, M, reduce_dims, saved_input = autograd::save(input),
                    saved_weight = autograd::save(options.weight), saved_mean = autograd::save(mean),
                    saved_rstd = autograd::save(rstd)](const Tensor& grad) {
                     const Tensor x = saved_input.get(), w = saved_weight.get();
                     const int64_t dim = x.dim();
                     Tensor m = saved_mean.get(), r = saved_rstd.get();
                     if (training && autograd::is_grad_enabled()) {
                       m = x.mean(reduce_dims);
                       r = (x.var(reduce_dims, /*correction=*/0) + eps).rsqrt();
                     }
                     const Tensor xhat = (x - per_channel(m, dim)) * per_channel(r, dim);
                     const Tensor grad_bias = grad.sum(reduce_dims);
                     const Tensor grad_weight = (grad * xhat).sum(reduce_dims);
                     const Tensor scale = w.defined() ? r * w : r;
                     Tensor grad_input;
                     if (autograd::needs_input_grad(0)) {
                       grad_input = training ? per_channel(scale, dim) *
                                                   (grad - per_channel(grad_bias / double(M), dim) -
                                                    xhat * per_channel(grad_weight / double(M), dim))
                                             : grad * per_channel(scale, dim);
                     }
                     return TensorList{grad_input, w.defined() ? grad_weight : Tensor(),
                                       autograd::needs_input_grad(2) ? grad_bias : Tensor()};
                   });
  return out;
}

}  // namespace ember
