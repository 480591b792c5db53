// Shape modules: Flatten (dims start..end into one), Unflatten (one dim into
// sizes) and Identity.
#pragma once

#include <ember/nn/module.h>

#include <vector>

namespace ember::nn {

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const int64_t start_dim, end_dim;
};

class Unflatten : public Module {
 public:
  Unflatten(int64_t dim, std::vector<int64_t> sizes) : dim(dim), sizes(std::move(sizes)) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const int64_t dim;
  const std::vector<int64_t> sizes;
};

class Identity : public Module {
 public:
  Tensor forward(const Tensor& input) override { return input; }
};

}  // namespace ember::nn
