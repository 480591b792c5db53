// The convolution layers (nn/conv.h): ConvNd's sizes, parameters, init and
// repr, and each layer's forward, which is its op with this module's sizes.
#include <ember/nn/conv.h>
#include <ember/nn/init.h>
#include <ember/nn/python_repr.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ember::nn {

// Everything a ConvNd is built from, its sizes expanded to one per spatial dim.
struct ConvNd::Sizes {
  const char* name;
  int64_t in_channels, out_channels;
  Shape kernel_size, stride, padding, dilation, output_padding;
  std::optional<PaddingMode> padding_preset;
  int64_t groups;
  bool transposed, bias;
  TensorOptions tensor_options;
};

namespace {

template <class Options>
TensorOptions tensor_options_of(const Options& options) {
  return {options.dtype.value_or(kFloat32), options.device.value_or(Device(kCPU))};
}

bool all_equal(IntArrayRef sizes, int64_t value) {
  return std::all_of(sizes.begin(), sizes.end(), [&](int64_t size) { return size == value; });
}

}  // namespace

ConvNd::ConvNd(const char* name, int64_t spatial_dims, int64_t in_channels, int64_t out_channels,
               const SpatialSize& kernel_size, const ConvNdOptions& options)
    : ConvNd(Sizes{name, in_channels, out_channels, kernel_size.expand(name, "kernel_size", spatial_dims),
                   options.stride.expand(name, "stride", spatial_dims),
                   options.padding.mode() ? Shape(static_cast<size_t>(spatial_dims), 0)
                                          : options.padding.expand(name, "padding", spatial_dims),
                   options.dilation.expand(name, "dilation", spatial_dims),
                   Shape(static_cast<size_t>(spatial_dims), 0), options.padding.mode(), options.groups,
                   /*transposed=*/false, options.bias, tensor_options_of(options)}) {}

ConvNd::ConvNd(const char* name, int64_t spatial_dims, int64_t in_channels, int64_t out_channels,
               const SpatialSize& kernel_size, const ConvTransposeNdOptions& options)
    : ConvNd(Sizes{name, in_channels, out_channels, kernel_size.expand(name, "kernel_size", spatial_dims),
                   options.stride.expand(name, "stride", spatial_dims),
                   options.padding.expand(name, "padding", spatial_dims),
                   options.dilation.expand(name, "dilation", spatial_dims),
                   options.output_padding.expand(name, "output_padding", spatial_dims), std::nullopt, options.groups,
                   /*transposed=*/true, options.bias, tensor_options_of(options)}) {}

ConvNd::ConvNd(const Sizes& s)
    : in_channels(s.in_channels),
      out_channels(s.out_channels),
      kernel_size(s.kernel_size),
      stride(s.stride),
      padding(s.padding),
      dilation(s.dilation),
      output_padding(s.output_padding),
      padding_preset(s.padding_preset),
      groups(s.groups),
      transposed(s.transposed) {
  // Only what the parameters' shapes need is checked here (and torch's padding='same' rule); the op checks
  // the rest of the sizes against each input, and forward's errors name this module.
  EMBER_CHECK_VALUE(in_channels > 0 && out_channels > 0,
                    "{}: expected positive in_channels and out_channels, got {} and {}", s.name, in_channels,
                    out_channels);
  EMBER_CHECK_VALUE(groups > 0, "{}: expected positive groups, got {}", s.name, groups);
  EMBER_CHECK_VALUE(in_channels % groups == 0 && out_channels % groups == 0,
                    "{}: expected in_channels and out_channels divisible by groups, got in_channels={}, "
                    "out_channels={} and groups={}",
                    s.name, in_channels, out_channels, groups);
  for (int64_t size : kernel_size) {
    EMBER_CHECK_VALUE(size > 0, "{}: expected a positive kernel_size, got {}", s.name, kernel_size);
  }
  EMBER_CHECK_VALUE(padding_preset != kSame || all_equal(stride, 1),
                    "{}: padding='same' is not supported for strided convolutions, got stride {}", s.name, stride);
  Shape weight_shape = transposed ? Shape{in_channels, out_channels / groups} : Shape{out_channels, in_channels / groups};
  for (int64_t size : kernel_size) weight_shape.push_back(size);
  weight = register_parameter("weight", empty(weight_shape, s.tensor_options));
  bias = register_parameter("bias", s.bias ? empty({out_channels}, s.tensor_options) : Tensor());
  reset_parameters();
}

void ConvNd::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    // fan_in of the weight as stored: in_channels / groups * k... (transposed: out_channels / groups * k...), as torch.
    const int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

ConvOptions ConvNd::conv_options() const {
  return {.stride = IntArrayRef(stride),
          .padding = padding_preset ? ConvPadding(*padding_preset) : ConvPadding(IntArrayRef(padding)),
          .dilation = IntArrayRef(dilation),
          .groups = groups};
}

ConvTransposeOptions ConvNd::conv_transpose_options() const {
  return {.stride = IntArrayRef(stride),
          .padding = IntArrayRef(padding),
          .output_padding = IntArrayRef(output_padding),
          .groups = groups,
          .dilation = IntArrayRef(dilation)};
}

// torch's _ConvNd.extra_repr: sizes as tuples, and only those that differ from their defaults after stride.
std::string ConvNd::extra_repr() const {
  using detail::python_tuple;
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", in_channels, out_channels,
                              python_tuple(kernel_size), python_tuple(stride));
  if (padding_preset) {
    s += padding_preset == kSame ? ", padding=same" : ", padding=valid";
  } else if (!all_equal(padding, 0)) {
    s += fmt::format(", padding={}", python_tuple(padding));
  }
  if (!all_equal(dilation, 1)) s += fmt::format(", dilation={}", python_tuple(dilation));
  if (!all_equal(output_padding, 0)) s += fmt::format(", output_padding={}", python_tuple(output_padding));
  if (groups != 1) s += fmt::format(", groups={}", groups);
  if (!bias.defined()) s += ", bias=False";
  return s;
}

Conv1d::Conv1d(int64_t in_channels, int64_t out_channels, SpatialSize kernel_size, ConvNdOptions options)
    : ConvNd("Conv1d", 1, in_channels, out_channels, kernel_size, options) {}
Tensor Conv1d::forward(const Tensor& input) {
  return with_where([&] { return conv1d(input, weight, bias, conv_options()); });
}

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, SpatialSize kernel_size, ConvNdOptions options)
    : ConvNd("Conv2d", 2, in_channels, out_channels, kernel_size, options) {}
Tensor Conv2d::forward(const Tensor& input) {
  return with_where([&] { return conv2d(input, weight, bias, conv_options()); });
}

ConvTranspose1d::ConvTranspose1d(int64_t in_channels, int64_t out_channels, SpatialSize kernel_size,
                                 ConvTransposeNdOptions options)
    : ConvNd("ConvTranspose1d", 1, in_channels, out_channels, kernel_size, options) {}
Tensor ConvTranspose1d::forward(const Tensor& input) {
  return with_where([&] { return conv_transpose1d(input, weight, bias, conv_transpose_options()); });
}

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels, SpatialSize kernel_size,
                                 ConvTransposeNdOptions options)
    : ConvNd("ConvTranspose2d", 2, in_channels, out_channels, kernel_size, options) {}
Tensor ConvTranspose2d::forward(const Tensor& input) {
  return with_where([&] { return conv_transpose2d(input, weight, bias, conv_transpose_options()); });
}

}  // namespace ember::nn
