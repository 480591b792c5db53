// LayerNorm and GroupNorm (nn/normalization.h); F::group_norm is here, beside its module
// (F::layer_norm predates it, in nn/functional.cpp).
#include <ember/autograd/grad_mode.h>
#include <ember/nn/functional.h>
#include <ember/nn/normalization.h>
#include <ember/nn/python_repr.h>

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ember::nn {
namespace functional {

// A composite, as layer_norm: the statistics of [N, G, C/G * rest], then a per-channel affine.
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  EMBER_CHECK(input.defined() && input.dim() >= 2,
              "group_norm: expected an input of at least 2 dimensions [N, C, *], got {}",
              input.defined() ? input.shape() : Shape{});
  EMBER_CHECK(num_groups > 0, "group_norm: expected a positive num_groups, got {}", num_groups);
  const int64_t batch = input.size(0), channels = input.size(1);
  EMBER_CHECK(channels % num_groups == 0,
              "group_norm: Expected number of channels in input to be divisible by num_groups, but got input of "
              "shape {} and num_groups={}",
              input.shape(), num_groups);
  for (const Tensor* t : {&weight, &bias}) {
    EMBER_CHECK(!t->defined() || (t->dim() == 1 && t->size(0) == channels),
                "group_norm: expected weight and bias of shape [{}] (one per channel), got {}", channels, t->shape());
  }
  const Tensor grouped = input.reshape({batch, num_groups, -1});
  const Tensor mean = grouped.mean({2}, /*keepdim=*/true);
  const Tensor variance = grouped.var({2}, /*correction=*/0, /*keepdim=*/true);
  Tensor out = ((grouped - mean) * rsqrt(variance + eps)).reshape(input.shape());
  // weight and bias [C] broadcast as [C, 1, ..., 1] over the trailing dims.
  Shape affine_shape(static_cast<size_t>(input.dim() - 1), 1);
  affine_shape[0] = channels;
  if (weight.defined()) out = out * weight.reshape(affine_shape);
  if (bias.defined()) out = out + bias.reshape(affine_shape);
  return out;
}

}  // namespace functional

LayerNorm::LayerNorm(std::vector<int64_t> normalized_shape, LayerNormOptions options)
    : normalized_shape(std::move(normalized_shape)), eps(options.eps) {
  for (int64_t size : this->normalized_shape) {
    EMBER_CHECK_VALUE(size > 0, "LayerNorm: expected positive sizes in normalized_shape, got {}",
                      Shape(this->normalized_shape));
  }
  weight = register_parameter("weight", options.elementwise_affine ? ones(this->normalized_shape) : Tensor());
  bias = register_parameter("bias", options.elementwise_affine ? zeros(this->normalized_shape) : Tensor());
}

Tensor LayerNorm::forward(const Tensor& input) {
  return functional::layer_norm(input, normalized_shape, weight, bias, eps);
}

// As torch: "(10,)" for one dim, "(3, 4)" for more.
std::string LayerNorm::extra_repr() const {
  const std::string shape = normalized_shape.size() == 1 ? fmt::format("({},)", normalized_shape[0])
                                                         : fmt::format("({})", fmt::join(normalized_shape, ", "));
  return fmt::format("{}, eps={}, elementwise_affine={}", shape, detail::python_float(eps), weight.defined() ? "True" : "False");
}

GroupNorm::GroupNorm(int64_t num_groups, int64_t num_channels, GroupNormOptions options)
    : num_groups(num_groups), num_channels(num_channels), eps(options.eps) {
  EMBER_CHECK_VALUE(num_groups > 0 && num_channels >= 0,
                    "GroupNorm: expected a positive num_groups and non-negative num_channels, got {} and {}",
                    num_groups, num_channels);
  EMBER_CHECK_VALUE(num_channels % num_groups == 0,
                    "GroupNorm: num_channels must be divisible by num_groups, got num_channels={} and num_groups={}",
                    num_channels, num_groups);
  const TensorOptions tensor_options{options.dtype.value_or(kFloat32), options.device.value_or(Device(kCPU))};
  weight = register_parameter("weight", options.affine ? ones({num_channels}, tensor_options) : Tensor());
  bias = register_parameter("bias", options.affine ? zeros({num_channels}, tensor_options) : Tensor());
}

Tensor GroupNorm::forward(const Tensor& input) {
  EMBER_CHECK(input.defined() && input.dim() >= 2 && input.size(1) == num_channels,
              "{}: expected an input [N, num_channels = {}, *], got shape {}", where(), num_channels,
              input.defined() ? input.shape() : Shape{});
  return functional::group_norm(input, num_groups, weight, bias, eps);
}

std::string GroupNorm::extra_repr() const {
  return fmt::format("{}, {}, eps={}, affine={}", num_groups, num_channels, detail::python_float(eps),
                     weight.defined() ? "True" : "False");
}

BatchNorm::BatchNorm(int64_t num_features, BatchNormOptions options, std::vector<int64_t> input_dims)
    : num_features(num_features), eps(options.eps), momentum(options.momentum), input_dims_(std::move(input_dims)) {
  EMBER_CHECK_VALUE(num_features > 0, "BatchNorm: expected a positive num_features, got {}", num_features);
  const TensorOptions tensor_options{options.dtype.value_or(kFloat32), options.device.value_or(Device(kCPU))};
  weight = register_parameter("weight", options.affine ? ones({num_features}, tensor_options) : Tensor());
  bias = register_parameter("bias", options.affine ? zeros({num_features}, tensor_options) : Tensor());
  if (options.track_running_stats) {
    running_mean = register_buffer("running_mean", zeros({num_features}, tensor_options));
    running_var = register_buffer("running_var", ones({num_features}, tensor_options));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, TensorOptions(kInt64, tensor_options.device_or_default())));
  } else {
    register_buffer("running_mean", Tensor());
    register_buffer("running_var", Tensor());
    register_buffer("num_batches_tracked", Tensor());
  }
}

void BatchNorm::reset_running_stats() {
  if (!running_mean.defined()) return;
  autograd::NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

// As PyTorch: training (or no running stats) uses the batch's statistics; in
// training the running ones move by momentum, or by 1 / batches seen without one.
Tensor BatchNorm::forward(const Tensor& input) {
  const bool dims_ok = input.defined() && std::find(input_dims_.begin(), input_dims_.end(), input.dim()) != input_dims_.end();
  EMBER_CHECK(dims_ok, "{}: expected a {}-D input, got shape {}", where(),
              fmt::join(input_dims_, "-D or "), input.defined() ? input.shape() : Shape{});
  EMBER_CHECK(input.size(1) == num_features, "{}: expected an input [N, num_features = {}, *], got shape {}", where(),
              num_features, input.shape());
  double factor = momentum.value_or(0.0);
  if (is_training() && running_mean.defined()) {
    autograd::NoGradGuard no_grad;
    num_batches_tracked.add_(1);
    if (!momentum) factor = 1.0 / static_cast<double>(num_batches_tracked.item<int64_t>());
  }
  const bool use_batch_stats = is_training() || !running_mean.defined();
  return batch_norm(input, running_mean, running_var,
                    {.weight = weight, .bias = bias, .training = use_batch_stats, .momentum = factor, .eps = eps});
}

std::string BatchNorm::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", num_features, detail::python_float(eps),
                     momentum ? detail::python_float(*momentum) : "None", weight.defined() ? "True" : "False",
                     running_mean.defined() ? "True" : "False");
}

BatchNorm1d::BatchNorm1d(int64_t num_features, BatchNormOptions options) : BatchNorm(num_features, options, {2, 3}) {}
BatchNorm2d::BatchNorm2d(int64_t num_features, BatchNormOptions options) : BatchNorm(num_features, options, {4}) {}

}  // namespace ember::nn
