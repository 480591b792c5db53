// Bilinear: y = x1^T A x2 + b for x1 [*, in1_features], x2 [*, in2_features],
// A [out_features, in1_features, in2_features], b [out_features]; both
// initialised uniform(+-1/sqrt(in1_features)), as PyTorch.
#pragma once

#include <ember/nn/module.h>

#include <optional>

namespace ember::nn {

struct BilinearOptions {
  bool bias = true;
  std::optional<DType> dtype = {};
  std::optional<Device> device = {};
};

class Bilinear : public Module {
 public:
  Bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, BilinearOptions options = {});
  // Two inputs: the single-tensor forward of Module (for containers) stays unimplemented.
  using Module::forward;
  Tensor forward(const Tensor& input1, const Tensor& input2);
  Tensor operator()(const Tensor& input1, const Tensor& input2) { return forward(input1, input2); }
  std::string extra_repr() const override;
  void reset_parameters();

  const int64_t in1_features, in2_features, out_features;
  Tensor weight;  // [out_features, in1_features, in2_features]
  Tensor bias;    // [out_features], undefined without bias
};

}  // namespace ember::nn
