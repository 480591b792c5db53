// Linear: y = x W^T + b, with PyTorch's default initialisation
// (kaiming_uniform(a = sqrt(5)) for W, uniform(+-1/sqrt(in_features)) for b).
#pragma once

#include <ember/nn/module.h>

namespace ember::nn {

struct LinearOptions {
  bool bias = true;
  std::optional<DType> dtype = {};
  std::optional<Device> device = {};
};

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, LinearOptions options = {});
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  void reset_parameters();

  const int64_t in_features, out_features;
  Tensor weight;  // [out_features, in_features]
  Tensor bias;    // [out_features], undefined without bias
};

}  // namespace ember::nn
