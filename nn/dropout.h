// Dropout: zeroes elements with probability p while training (scaling the
// rest by 1 / (1 - p)); the identity in eval mode.
#pragma once

#include <ember/nn/module.h>

namespace ember::nn {

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const double p;
};

}  // namespace ember::nn
