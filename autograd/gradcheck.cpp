// gradcheck and gradgradcheck (see gradcheck.h). The numerical Jacobian moves
// one input element at a time by +-eps directly in memory, so no version
// counter changes and every evaluation builds a fresh graph.
#include <ember/autograd/engine.h>
#include <ember/autograd/gradcheck.h>
#include <ember/autograd/grad_mode.h>
#include <ember/ops/ops.h>

namespace ember::autograd {
namespace {

// Storage offsets (in elements, from data_ptr) of t's elements in row-major order.
std::vector<int64_t> element_offsets(const Tensor& t) {
  std::vector<int64_t> offsets(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) {
    int64_t rest = i, offset = 0;
    for (int64_t d = t.dim() - 1; d >= 0; --d) {
      offset += (rest % t.shape()[d]) * t.strides()[d];
      rest /= t.shape()[d];
    }
    offsets[static_cast<size_t>(i)] = offset;
  }
  return offsets;
}

// Runs with grad mode as it is: gradgradcheck's function itself calls grad().
std::vector<double> evaluate(const GradcheckFunction& fn, const TensorList& inputs) {
  return fn(inputs).to_vector<double>();
}

}  // namespace

bool gradcheck(const GradcheckFunction& fn, const TensorList& inputs, double eps, double atol, double rtol) {
  TensorList differentiable;
  std::vector<size_t> positions;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined() || !inputs[i].requires_grad()) continue;
    EMBER_CHECK_TYPE(inputs[i].dtype() == kFloat64 && inputs[i].is_cpu(),
                     "gradcheck: expected float64 CPU inputs, got {} on {} for input {}", inputs[i].dtype(),
                     inputs[i].device(), i);
    differentiable.push_back(inputs[i]);
    positions.push_back(i);
  }
  EMBER_CHECK(!differentiable.empty(), "gradcheck: expected at least one input that requires grad");
  const Tensor output = fn(inputs);
  if (output.numel() == 0) return true;  // an empty Jacobian
  EMBER_CHECK(output.requires_grad(), "gradcheck: the function's output does not require grad");
  const int64_t outputs = output.numel();

  for (size_t k = 0; k < differentiable.size(); ++k) {
    const Tensor& x = differentiable[k];
    const std::vector<int64_t> offsets = element_offsets(x);
    double* data = static_cast<double*>(x.data_ptr());
    // analytical[j][e] = d output[j] / d x[e], one backward per output element.
    std::vector<std::vector<double>> analytical;
    for (int64_t j = 0; j < outputs; ++j) {
      Tensor seed = zeros({outputs}, output.options());
      seed.view({-1}).select(0, j).fill_(1.0);
      const Tensor g = grad({output}, {x}, {seed.view(output.shape())}, /*retain_graph=*/true,
                            /*create_graph=*/false, /*allow_unused=*/true)[0];
      analytical.push_back(g.defined() ? g.to_vector<double>() : std::vector<double>(offsets.size(), 0.0));
    }
    for (size_t e = 0; e < offsets.size(); ++e) {
      double& value = data[offsets[e]];
      const double original = value;
      value = original + eps;
      const std::vector<double> plus = evaluate(fn, inputs);
      value = original - eps;
      const std::vector<double> minus = evaluate(fn, inputs);
      value = original;
      for (int64_t j = 0; j < outputs; ++j) {
        const double numerical = (plus[j] - minus[j]) / (2 * eps), got = analytical[j][e];
        EMBER_CHECK(std::abs(got - numerical) <= atol + rtol * std::abs(numerical),
                    "gradcheck: Jacobian mismatch for output element {} with respect to input {} element {}: "
                    "numerical {}, analytical {} (atol {}, rtol {})",
                    j, positions[k], e, numerical, got, atol, rtol);
      }
    }
  }
  return true;
}

bool gradgradcheck(const GradcheckFunction& fn, const TensorList& inputs, double eps, double atol, double rtol) {
  const Shape output_shape = fn(inputs).shape();
  // v: fixed values in [-1, 1], all different, so every output element weighs differently.
  const Tensor v = sin(arange(numel_of(output_shape), kFloat64) * 1.7 + 0.3).reshape(output_shape).requires_grad_();
  TensorList extended = inputs;
  extended.push_back(v);
  // (inputs, v) -> the gradients of fn(inputs) . v with respect to the inputs, flattened and joined.
  auto first_derivative = [&fn](const TensorList& xs) {
    const TensorList ins(xs.begin(), xs.end() - 1);
    TensorList wrt;
    for (const Tensor& x : ins) {
      if (x.defined() && x.requires_grad()) wrt.push_back(x);
    }
    const TensorList grads = grad({fn(ins)}, wrt, {xs.back()}, /*retain_graph=*/true, /*create_graph=*/true,
                                  /*allow_unused=*/true);
    TensorList flat;
    for (const Tensor& g : grads) {
      if (g.defined()) flat.push_back(g.reshape({-1}));
    }
    EMBER_CHECK(!flat.empty(), "gradgradcheck: no input of the function gets a gradient");
    return cat(flat);
  };
  return gradcheck(first_derivative, extended, eps, atol, rtol);
}

}  // namespace ember::autograd
