// Activation modules: thin Module wrappers over the activation ops, so that
// they can sit in a Sequential and print as PyTorch's (ReLU(), GELU(approximate='tanh')).
#pragma once

#include <ember/nn/module.h>

#include <string>

namespace ember::nn {

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& input) override;
};
class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& input) override;
};
class Tanh : public Module {
 public:
  Tensor forward(const Tensor& input) override;
};
class SiLU : public Module {
 public:
  Tensor forward(const Tensor& input) override;
};
class GELU : public Module {
 public:
  explicit GELU(std::string approximate = "none");
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const std::string approximate;
};
class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const double negative_slope;
};
class ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0) : alpha(alpha) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const double alpha;
};
class Softplus : public Module {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0) : beta(beta), threshold(threshold) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const double beta, threshold;
};
class Softmax : public Module {
 public:
  explicit Softmax(int64_t dim) : dim(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const int64_t dim;
};
class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(int64_t dim) : dim(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const int64_t dim;
};

}  // namespace ember::nn
