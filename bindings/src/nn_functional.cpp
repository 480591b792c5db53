// ember._C.nn's functions: nn/functional.h (and the ops it re-exports) under
// torch.nn.functional's names and keywords; reduction='mean' strings become the
// C++ enums here. ember/nn/functional.py re-exports them as ember.nn.functional.
#include "bindings.h"

namespace ember::python {
namespace {

namespace F = nn::functional;
using NoGil = py::call_guard<py::gil_scoped_release>;

Tensor or_undefined(const std::optional<Tensor>& t) { return t.value_or(Tensor()); }

F::Reduction reduction(const std::string& name) {
  if (name == "mean") return F::Reduction::Mean;
  if (name == "sum") return F::Reduction::Sum;
  EMBER_CHECK_VALUE(name == "none", "{} is not a valid value for reduction", name);
  return F::Reduction::None;
}

}  // namespace

// An int or a tuple of ints (stride=2, stride=(2, 1)); None: the default (empty: the kernel size for pools).
SpatialSize to_spatial(const py::object& value) {
  if (value.is_none()) return SpatialSize({});
  if (py::isinstance<py::int_>(value)) return value.cast<int64_t>();
  return IntArrayRef(value.cast<std::vector<int64_t>>());
}

ConvPadding to_conv_padding(const py::object& value) {
  if (py::isinstance<py::str>(value)) {
    const std::string mode = value.cast<std::string>();
    EMBER_CHECK_VALUE(mode == "same" || mode == "valid", "Invalid padding string '{}', should be one of {{'valid', 'same'}}", mode);
    return mode == "same" ? kSame : kValid;
  }
  if (py::isinstance<py::int_>(value)) return value.cast<int64_t>();
  return IntArrayRef(value.cast<std::vector<int64_t>>());
}


void bind_functional(py::module_& m) {
  using py::arg;
  const auto none = py::none();
  // ---- activations ----
  m.def("relu", &relu, arg("input"), NoGil());
  m.def("sigmoid", &sigmoid, arg("input"), NoGil());
  m.def("tanh", &ember::tanh, arg("input"), NoGil());
  m.def("silu", &silu, arg("input"), NoGil());
  m.def("gelu", [](const Tensor& input, const std::string& approximate) { return gelu(input, approximate); },
        arg("input"), arg("approximate") = "none", NoGil());
  m.def("leaky_relu", &leaky_relu, arg("input"), arg("negative_slope") = 0.01, NoGil());
  m.def("elu", &elu, arg("input"), arg("alpha") = 1.0, NoGil());
  m.def("softplus", &softplus, arg("input"), arg("beta") = 1.0, arg("threshold") = 20.0, NoGil());
  m.def("hardtanh", &hardtanh, arg("input"), arg("min_val") = -1.0, arg("max_val") = 1.0, NoGil());
  // relu6 is hardtanh(0, 6), as torch defines it.
  m.def("relu6", [](const Tensor& input) { return hardtanh(input, 0.0, 6.0); }, arg("input"), NoGil());
  m.def("one_hot", &one_hot, arg("tensor"), arg("num_classes") = -1, NoGil());

  // ---- layers ----
  m.def("linear", [](const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias) {
    return F::linear(input, weight, or_undefined(bias));
  }, arg("input"), arg("weight"), arg("bias") = none, NoGil());
  m.def("bilinear", [](const Tensor& input1, const Tensor& input2, const Tensor& weight,
                       const std::optional<Tensor>& bias) {
    return F::bilinear(input1, input2, weight, or_undefined(bias));
  }, arg("input1"), arg("input2"), arg("weight"), arg("bias") = none, NoGil());
  m.def("dropout", [](const Tensor& input, double p, bool training) { return F::dropout(input, p, training); },
        arg("input"), arg("p") = 0.5, arg("training") = true, NoGil());
  m.def("layer_norm", [](const Tensor& input, std::vector<int64_t> normalized_shape,
                         const std::optional<Tensor>& weight, const std::optional<Tensor>& bias, double eps) {
    return F::layer_norm(input, normalized_shape, or_undefined(weight), or_undefined(bias), eps);
  }, arg("input"), arg("normalized_shape"), arg("weight") = none, arg("bias") = none, arg("eps") = 1e-5, NoGil());
  m.def("group_norm", [](const Tensor& input, int64_t num_groups, const std::optional<Tensor>& weight,
                         const std::optional<Tensor>& bias, double eps) {
    return F::group_norm(input, num_groups, or_undefined(weight), or_undefined(bias), eps);
  }, arg("input"), arg("num_groups"), arg("weight") = none, arg("bias") = none, arg("eps") = 1e-5, NoGil());
  m.def("batch_norm", [](const Tensor& input, const std::optional<Tensor>& running_mean,
                         const std::optional<Tensor>& running_var, const std::optional<Tensor>& weight,
                         const std::optional<Tensor>& bias, bool training, double momentum, double eps) {
    return batch_norm(input, or_undefined(running_mean), or_undefined(running_var),
                      {.weight = or_undefined(weight), .bias = or_undefined(bias), .training = training,
                       .momentum = momentum, .eps = eps});
  }, arg("input"), arg("running_mean"), arg("running_var"), arg("weight") = none, arg("bias") = none,
     arg("training") = false, arg("momentum") = 0.1, arg("eps") = 1e-5, NoGil());
  m.def("embedding", [](const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx) {
    return F::embedding(input, weight, padding_idx);
  }, arg("input"), arg("weight"), arg("padding_idx") = none, NoGil());
  m.def("pad", [](const Tensor& input, std::vector<int64_t> pad, const std::string& mode, const py::object& value) {
    EMBER_CHECK_VALUE(mode == "constant", "pad: ember pads with a constant only, got mode='{}'", mode);
    const Scalar fill = value.is_none() ? Scalar(0) : to_scalar(value);
    py::gil_scoped_release no_gil;
    return ember::pad(input, pad, fill);
  }, arg("input"), arg("pad"), arg("mode") = "constant", arg("value") = none);
  m.def("scaled_dot_product_attention", [](const Tensor& query, const Tensor& key, const Tensor& value,
                                           const std::optional<Tensor>& attn_mask, double dropout_p, bool is_causal,
                                           std::optional<double> scale) {
    return F::scaled_dot_product_attention(query, key, value, {.attn_mask = or_undefined(attn_mask),
                                                               .dropout_p = dropout_p, .is_causal = is_causal,
                                                               .scale = scale});
  }, arg("query"), arg("key"), arg("value"), arg("attn_mask") = none, arg("dropout_p") = 0.0,
     arg("is_causal") = false, py::kw_only(), arg("scale") = none, NoGil());

  // ---- convolution and pooling ----
  const auto conv = [&m](const char* name, auto op) {
    m.def(name, [op](const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                     const py::object& stride, const py::object& padding, const py::object& dilation, int64_t groups) {
      const ConvOptions options{.stride = to_spatial(stride), .padding = to_conv_padding(padding),
                                .dilation = to_spatial(dilation), .groups = groups};
      py::gil_scoped_release no_gil;
      return op(input, weight, or_undefined(bias), options);
    }, arg("input"), arg("weight"), arg("bias") = py::none(), arg("stride") = 1, arg("padding") = 0,
       arg("dilation") = 1, arg("groups") = 1);
  };
  conv("conv1d", [](auto&&... a) { return conv1d(a...); });
  conv("conv2d", [](auto&&... a) { return conv2d(a...); });
  const auto conv_transpose = [&m](const char* name, auto op) {
    m.def(name, [op](const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                     const py::object& stride, const py::object& padding, const py::object& output_padding,
                     int64_t groups, const py::object& dilation) {
      const ConvTransposeOptions options{.stride = to_spatial(stride), .padding = to_spatial(padding),
                                         .output_padding = to_spatial(output_padding), .groups = groups,
                                         .dilation = to_spatial(dilation)};
      py::gil_scoped_release no_gil;
      return op(input, weight, or_undefined(bias), options);
    }, arg("input"), arg("weight"), arg("bias") = py::none(), arg("stride") = 1, arg("padding") = 0,
       arg("output_padding") = 0, arg("groups") = 1, arg("dilation") = 1);
  };
  conv_transpose("conv_transpose1d", [](auto&&... a) { return conv_transpose1d(a...); });
  conv_transpose("conv_transpose2d", [](auto&&... a) { return conv_transpose2d(a...); });
  m.def("max_pool2d", [](const Tensor& input, const py::object& kernel_size, const py::object& stride,
                         const py::object& padding, const py::object& dilation, bool ceil_mode,
                         bool return_indices) -> py::object {
    const MaxPoolOptions options{.stride = to_spatial(stride), .padding = to_spatial(padding),
                                 .dilation = to_spatial(dilation), .ceil_mode = ceil_mode};
    const SpatialSize kernel = to_spatial(kernel_size);
    if (return_indices) return py::cast(max_pool2d_with_indices(input, kernel, options));
    return py::cast(max_pool2d(input, kernel, options));
  }, arg("input"), arg("kernel_size"), arg("stride") = none, arg("padding") = 0, arg("dilation") = 1,
     arg("ceil_mode") = false, arg("return_indices") = false);
  m.def("avg_pool2d", [](const Tensor& input, const py::object& kernel_size, const py::object& stride,
                         const py::object& padding, bool ceil_mode, bool count_include_pad,
                         std::optional<int64_t> divisor_override) {
    const AvgPoolOptions options{.stride = to_spatial(stride), .padding = to_spatial(padding), .ceil_mode = ceil_mode,
                                 .count_include_pad = count_include_pad, .divisor_override = divisor_override};
    const SpatialSize kernel = to_spatial(kernel_size);
    py::gil_scoped_release no_gil;
    return avg_pool2d(input, kernel, options);
  }, arg("input"), arg("kernel_size"), arg("stride") = none, arg("padding") = 0, arg("ceil_mode") = false,
     arg("count_include_pad") = true, arg("divisor_override") = none);
  m.def("adaptive_avg_pool2d", [](const Tensor& input, const py::object& output_size) {
    return adaptive_avg_pool2d(input, to_spatial(output_size));
  }, arg("input"), arg("output_size"));

  // ---- losses ----
  m.def("cross_entropy", [](const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                            int64_t ignore_index, const std::string& red, double label_smoothing) {
    return F::cross_entropy(input, target, {.weight = or_undefined(weight), .ignore_index = ignore_index,
                                            .reduction = reduction(red), .label_smoothing = label_smoothing});
  }, arg("input"), arg("target"), arg("weight") = none, py::kw_only(), arg("ignore_index") = -100,
     arg("reduction") = "mean", arg("label_smoothing") = 0.0, NoGil());
  m.def("nll_loss", [](const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                       int64_t ignore_index, const std::string& red) {
    return F::nll_loss(input, target, {.weight = or_undefined(weight), .ignore_index = ignore_index,
                                       .reduction = reduction(red)});
  }, arg("input"), arg("target"), arg("weight") = none, py::kw_only(), arg("ignore_index") = -100,
     arg("reduction") = "mean", NoGil());
  const auto pointwise = [&m](const char* name, Tensor (*op)(const Tensor&, const Tensor&, F::Reduction)) {
    m.def(name, [op](const Tensor& input, const Tensor& target, const std::string& red) {
      return op(input, target, reduction(red));
    }, arg("input"), arg("target"), py::kw_only(), arg("reduction") = "mean", NoGil());
  };
  pointwise("mse_loss", &F::mse_loss);
  pointwise("l1_loss", &F::l1_loss);
  m.def("smooth_l1_loss", [](const Tensor& input, const Tensor& target, const std::string& red, double beta) {
    return F::smooth_l1_loss(input, target, reduction(red), beta);
  }, arg("input"), arg("target"), py::kw_only(), arg("reduction") = "mean", arg("beta") = 1.0, NoGil());
  m.def("binary_cross_entropy", [](const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                                   const std::string& red) {
    return F::binary_cross_entropy(input, target, or_undefined(weight), reduction(red));
  }, arg("input"), arg("target"), arg("weight") = none, py::kw_only(), arg("reduction") = "mean", NoGil());
  m.def("binary_cross_entropy_with_logits", [](const Tensor& input, const Tensor& target,
                                               const std::optional<Tensor>& weight, const std::string& red,
                                               const std::optional<Tensor>& pos_weight) {
    return F::binary_cross_entropy_with_logits(input, target, or_undefined(weight), or_undefined(pos_weight),
                                               reduction(red));
  }, arg("input"), arg("target"), arg("weight") = none, py::kw_only(), arg("reduction") = "mean",
     arg("pos_weight") = none, NoGil());
  m.def("kl_div", [](const Tensor& input, const Tensor& target, const std::string& red, bool log_target) {
    F::KLDivReduction r = F::KLDivReduction::Mean;
    if (red == "batchmean") r = F::KLDivReduction::BatchMean;
    else if (red == "sum") r = F::KLDivReduction::Sum;
    else if (red == "none") r = F::KLDivReduction::None;
    else EMBER_CHECK_VALUE(red == "mean", "{} is not a valid value for reduction", red);
    return F::kl_div(input, target, r, log_target);
  }, arg("input"), arg("target"), py::kw_only(), arg("reduction") = "mean", arg("log_target") = false, NoGil());
}

}  // namespace ember::python
