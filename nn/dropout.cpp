// Dropout (nn/dropout.h).
#include <ember/nn/dropout.h>
#include <ember/nn/functional.h>

#include <fmt/format.h>

namespace ember::nn {

Dropout::Dropout(double p) : p(p) {
  EMBER_CHECK_VALUE(p >= 0.0 && p <= 1.0, "Dropout: dropout probability has to be between 0 and 1, but got {}", p);
}

Tensor Dropout::forward(const Tensor& input) { return functional::dropout(input, p, is_training()); }

std::string Dropout::extra_repr() const { return fmt::format("p={}, inplace=False", p); }

}  // namespace ember::nn
