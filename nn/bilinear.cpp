// Bilinear (nn/bilinear.h) and F::bilinear: one GEMM of x1 against A laid out
// [in1, out * in2], then a product with x2 summed over in2 (no [*, out, in1, in2] temporary).
#include <ember/nn/bilinear.h>
#include <ember/nn/functional.h>
#include <ember/nn/init.h>

#include <fmt/format.h>

#include <cmath>

namespace ember::nn {

namespace functional {

Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias) {
  EMBER_CHECK(input1.defined() && input2.defined() && weight.defined() && weight.dim() == 3,
              "bilinear: expected two inputs and a 3-d weight [out_features, in1_features, in2_features], got "
              "weight {}",
              weight.defined() ? weight.shape() : Shape{});
  const int64_t out_features = weight.size(0), in1 = weight.size(1), in2 = weight.size(2);
  EMBER_CHECK(input1.dim() >= 1 && input1.size(-1) == in1 && input2.dim() >= 1 && input2.size(-1) == in2,
              "bilinear: expected input1 [*, {}] and input2 [*, {}] for a weight {}, got input1 {} and input2 {}", in1,
              in2, weight.shape(), input1.shape(), input2.shape());
  bool same_batch = input1.dim() == input2.dim();
  for (int64_t d = 0; same_batch && d + 1 < input1.dim(); ++d) same_batch = input1.size(d) == input2.size(d);
  EMBER_CHECK(same_batch,
              "bilinear: expected input1 and input2 to have the same leading dimensions, got input1 {} and input2 {}",
              input1.shape(), input2.shape());
  EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == out_features),
              "bilinear: expected a bias of shape [{}], got {}", out_features, bias.shape());
  // N rows, O out_features, I in1, J in2.
  const Tensor x1 = input1.reshape({-1, in1}), x2 = input2.reshape({-1, in2});         // [N, I], [N, J]
  const Tensor a = weight.permute({1, 0, 2}).reshape({in1, out_features * in2});       // [I, O * J]
  const Tensor x1_a = matmul(x1, a).reshape({-1, out_features, in2});                  // [N, O, J]
  Tensor out = (x1_a * x2.unsqueeze(1)).sum({2});                                      // [N, O]
  if (bias.defined()) out = out + bias;
  Shape out_shape = input1.shape();
  out_shape[out_shape.size() - 1] = out_features;
  return out.reshape(out_shape);
}

}  // namespace functional

Bilinear::Bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, BilinearOptions options)
    : in1_features(in1_features), in2_features(in2_features), out_features(out_features) {
  EMBER_CHECK_VALUE(in1_features >= 0 && in2_features >= 0 && out_features >= 0,
                    "Bilinear: expected non-negative in1_features, in2_features and out_features, got {}, {} and {}",
                    in1_features, in2_features, out_features);
  const TensorOptions tensor_options{options.dtype.value_or(kFloat32), options.device.value_or(Device(kCPU))};
  weight = register_parameter("weight", empty({out_features, in1_features, in2_features}, tensor_options));
  bias = register_parameter("bias", options.bias ? empty({out_features}, tensor_options) : Tensor());
  reset_parameters();
}

void Bilinear::reset_parameters() {
  const double bound = in1_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in1_features)) : 0.0;
  init::uniform_(weight, -bound, bound);
  if (bias.defined()) init::uniform_(bias, -bound, bound);
}

Tensor Bilinear::forward(const Tensor& input1, const Tensor& input2) {
  EMBER_CHECK(input1.defined() && input2.defined() && input1.dim() >= 1 && input2.dim() >= 1 &&
                  input1.size(-1) == in1_features && input2.size(-1) == in2_features,
              "{}: expected input1 [*, in1_features = {}] and input2 [*, in2_features = {}], got shapes {} and {}",
              where(), in1_features, in2_features, input1.defined() ? input1.shape() : Shape{},
              input2.defined() ? input2.shape() : Shape{});
  return functional::bilinear(input1, input2, weight, bias);
}

std::string Bilinear::extra_repr() const {
  return fmt::format("in1_features={}, in2_features={}, out_features={}, bias={}", in1_features, in2_features,
                     out_features, bias.defined() ? "True" : "False");
}

}  // namespace ember::nn
