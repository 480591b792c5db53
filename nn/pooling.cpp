// The pooling layers (nn/pooling.h): each forward is its op with the module's
// sizes, and an op's error names the module; reprs as torch 1.13's.
#include <ember/nn/pooling.h>
#include <ember/nn/python_repr.h>

#include <fmt/format.h>

namespace ember::nn {

using detail::python_int_or_tuple;

MaxPool2d::MaxPool2d(SpatialSize kernel_size, MaxPoolOptions options)
    : kernel_size(kernel_size),
      stride(options.stride.empty() ? kernel_size : options.stride),
      padding(options.padding),
      dilation(options.dilation),
      ceil_mode(options.ceil_mode) {}

Tensor MaxPool2d::forward(const Tensor& input) {
  return with_where([&] {
    return max_pool2d(input, kernel_size,
                      {.stride = stride, .padding = padding, .dilation = dilation, .ceil_mode = ceil_mode});
  });
}

std::pair<Tensor, Tensor> MaxPool2d::forward_with_indices(const Tensor& input) {
  return with_where([&] {
    return max_pool2d_with_indices(input, kernel_size,
                                   {.stride = stride, .padding = padding, .dilation = dilation, .ceil_mode = ceil_mode});
  });
}

std::string MaxPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}",
                     python_int_or_tuple(kernel_size.sizes()), python_int_or_tuple(stride.sizes()),
                     python_int_or_tuple(padding.sizes()), python_int_or_tuple(dilation.sizes()),
                     ceil_mode ? "True" : "False");
}

AvgPool2d::AvgPool2d(SpatialSize kernel_size, AvgPoolOptions options)
    : kernel_size(kernel_size),
      stride(options.stride.empty() ? kernel_size : options.stride),
      padding(options.padding),
      ceil_mode(options.ceil_mode),
      count_include_pad(options.count_include_pad),
      divisor_override(options.divisor_override) {}

Tensor AvgPool2d::forward(const Tensor& input) {
  return with_where([&] {
    return avg_pool2d(input, kernel_size,
                      {.stride = stride,
                       .padding = padding,
                       .ceil_mode = ceil_mode,
                       .count_include_pad = count_include_pad,
                       .divisor_override = divisor_override});
  });
}

// As torch 1.13: ceil_mode, count_include_pad and divisor_override are not printed.
std::string AvgPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}", python_int_or_tuple(kernel_size.sizes()),
                     python_int_or_tuple(stride.sizes()), python_int_or_tuple(padding.sizes()));
}

Tensor AdaptiveAvgPool2d::forward(const Tensor& input) {
  return with_where([&] { return adaptive_avg_pool2d(input, output_size); });
}

std::string AdaptiveAvgPool2d::extra_repr() const {
  return fmt::format("output_size={}", python_int_or_tuple(output_size.sizes()));
}

}  // namespace ember::nn
