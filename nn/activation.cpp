// The activation modules (nn/activation.h): each forwards to its op.
#include <ember/nn/activation.h>
#include <ember/nn/python_repr.h>
#include <ember/ops/ops.h>

#include <fmt/format.h>

namespace ember::nn {

Tensor ReLU::forward(const Tensor& input) { return relu(input); }
Tensor Sigmoid::forward(const Tensor& input) { return sigmoid(input); }
Tensor Tanh::forward(const Tensor& input) { return tanh(input); }
Tensor SiLU::forward(const Tensor& input) { return silu(input); }

GELU::GELU(std::string approximate) : approximate(std::move(approximate)) {
  EMBER_CHECK_VALUE(this->approximate == "none" || this->approximate == "tanh",
                    "GELU: expected approximate to be 'none' or 'tanh', got '{}'", this->approximate);
}
Tensor GELU::forward(const Tensor& input) { return gelu(input, approximate); }
std::string GELU::extra_repr() const { return fmt::format("approximate='{}'", approximate); }

Tensor LeakyReLU::forward(const Tensor& input) { return leaky_relu(input, negative_slope); }
std::string LeakyReLU::extra_repr() const { return fmt::format("negative_slope={}", detail::python_float(negative_slope)); }

Tensor ELU::forward(const Tensor& input) { return elu(input, alpha); }
std::string ELU::extra_repr() const { return fmt::format("alpha={}", detail::python_float(alpha)); }

Tensor Softplus::forward(const Tensor& input) { return softplus(input, beta, threshold); }
// torch's defaults are ints, printed "beta=1, threshold=20"; whole floats print the same here.
std::string Softplus::extra_repr() const { return fmt::format("beta={}, threshold={}", beta, threshold); }

Tensor Softmax::forward(const Tensor& input) { return softmax(input, dim); }
std::string Softmax::extra_repr() const { return fmt::format("dim={}", dim); }

Tensor LogSoftmax::forward(const Tensor& input) { return log_softmax(input, dim); }
std::string LogSoftmax::extra_repr() const { return fmt::format("dim={}", dim); }

}  // namespace ember::nn
