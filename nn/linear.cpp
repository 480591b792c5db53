// Linear (nn/linear.h).
#include <ember/nn/functional.h>
#include <ember/nn/init.h>
#include <ember/nn/linear.h>

#include <cmath>

namespace ember::nn {

Linear::Linear(int64_t in_features, int64_t out_features, LinearOptions options)
    : in_features(in_features), out_features(out_features) {
  EMBER_CHECK_VALUE(in_features >= 0 && out_features >= 0,
                    "Linear: expected non-negative in_features and out_features, got {} and {}", in_features,
                    out_features);
  const TensorOptions tensor_options{options.dtype.value_or(kFloat32), options.device.value_or(Device(kCPU))};
  weight = register_parameter("weight", empty({out_features, in_features}, tensor_options));
  bias = register_parameter("bias", options.bias ? empty({out_features}, tensor_options) : Tensor());
  reset_parameters();
}

void Linear::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor Linear::forward(const Tensor& input) {
  EMBER_CHECK(input.defined() && input.dim() >= 1 && input.size(-1) == in_features,
              "{}: expected an input whose last dimension is in_features = {}, got shape {}", where(), in_features,
              input.defined() ? input.shape() : Shape{});
  return with_where([&] { return functional::linear(input, weight, bias); });
}

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", in_features, out_features,
                     bias.defined() ? "True" : "False");
}

}  // namespace ember::nn
