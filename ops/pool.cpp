// Pooling over [N, C, H, W] (or [C, H, W]): max_pool2d (with indices),
// avg_pool2d, adaptive_avg_pool2d. The windows are computed here with
// PyTorch's rules (output size, ceil_mode, padding, dilation) and walked by
// ops/cpu/pool_kernels.h. The backward formulas are recorded ops, so pooling
// differentiates twice: max pooling's is a scatter_add at the saved indices;
// average pooling's is its adjoint kernel, whose backward is the pooling again.
#include <ember/ops/cpu/pool_kernels.h>
#include <ember/ops/toolkit.h>

#include <memory>

namespace ember {
namespace {

using autograd::TensorList;
using Geometry = std::shared_ptr<const cpu::PoolGeometry>;

// input as [N, C, H, W] (contiguous) and whether it came batched.
struct Planes {
  Tensor input;
  bool batched;
};

Planes planes_of(const char* op, const Tensor& input) {
  detail::check_defined(op, input);
  detail::check_cpu(op, input);
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4,
              "{}: expected a 3-D (unbatched) or 4-D (batched) input [N, C, H, W], got shape {}", op, input.shape());
  EMBER_CHECK(is_floating_point(input.dtype()), "{}: expected a floating point input, got {}", op, input.dtype());
  for (int64_t d = input.dim() - 2; d < input.dim(); ++d) {
    EMBER_CHECK(input.shape()[d] > 0, "{}: expected non-empty spatial dims, got shape {}", op, input.shape());
  }
  const bool batched = input.dim() == 4;
  return {batched ? input : input.unsqueeze(0), batched};
}

Tensor restore_batch(const Tensor& out, bool batched) { return batched ? out : out.squeeze(0); }

// The window sizes of a pooling op: kernel, stride (the kernel's when not given), padding, dilation.
struct Window {
  Shape kernel, stride, padding, dilation;
  bool ceil_mode;
};

Window window_of(const char* op, const SpatialSize& kernel_size, const SpatialSize& stride,
                 const SpatialSize& padding, const SpatialSize& dilation, bool ceil_mode) {
  Window w{kernel_size.expand(op, "kernel_size", 2), {}, padding.expand(op, "padding", 2),
           dilation.expand(op, "dilation", 2), ceil_mode};
  w.stride = stride.empty() ? w.kernel : stride.expand(op, "stride", 2);
  for (size_t d = 0; d < 2; ++d) {
    EMBER_CHECK(w.kernel[d] > 0, "{}: expected positive kernel_size, got {}", op, w.kernel);
    EMBER_CHECK(w.stride[d] > 0, "{}: expected positive stride, got {}", op, w.stride);
    EMBER_CHECK(w.dilation[d] > 0, "{}: expected positive dilation, got {}", op, w.dilation);
    EMBER_CHECK(w.padding[d] >= 0 && w.padding[d] <= ((w.kernel[d] - 1) * w.dilation[d] + 1) / 2,
                "{}: expected padding between 0 and half the effective kernel size, got padding {}, "
                "kernel_size {}, dilation {}",
                op, w.padding, w.kernel, w.dilation);
  }
  return w;
}

// PyTorch's pooling_output_shape: with ceil_mode the last window may hang over
// the end, but must start inside the input or its left padding.
int64_t pooled_size(const char* op, const Window& w, size_t d, int64_t in, IntArrayRef input_shape) {
  const int64_t k = w.kernel[d], s = w.stride[d], p = w.padding[d];
  const int64_t numerator = in + 2 * p - w.dilation[d] * (k - 1) - 1 + (w.ceil_mode ? s - 1 : 0);
  int64_t out = numerator < 0 ? 0 : numerator / s + 1;
  if (w.ceil_mode && out > 0 && (out - 1) * s >= in + p) --out;
  EMBER_CHECK(out > 0,
              "{}: the output would be empty: input shape {} with kernel_size {}, stride {}, padding {}, dilation {}",
              op, input_shape, w.kernel, w.stride, w.padding, w.dilation);
  return out;
}

// The taps of a strided, padded, dilated window along one dim (see PoolDim).
cpu::PoolDim window_dim(const Window& w, size_t d, int64_t in, int64_t out, bool count_include_pad) {
  const int64_t k = w.kernel[d], s = w.stride[d], p = w.padding[d], dil = w.dilation[d];
  cpu::PoolDim dim;
  dim.step = dil;
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * s - p;
    const int64_t first_tap = start < 0 ? (-start + dil - 1) / dil : 0;
    const int64_t last_tap = std::min(k - 1, (in - 1 - start) / dil);
    const int64_t count = std::max<int64_t>(last_tap - first_tap + 1, 0);
    dim.first.push_back(start + first_tap * dil);
    dim.count.push_back(count);
    // Average pooling (dilation 1): the window clipped to the padded input, or to the input itself.
    dim.span.push_back(count_include_pad ? std::min(start + k, in + p) - start : count);
  }
  return dim;
}

// Adaptive windows: output o covers [floor(o * in / out), ceil((o + 1) * in / out)).
cpu::PoolDim adaptive_dim(int64_t in, int64_t out) {
  cpu::PoolDim dim;
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * in / out, end = ((o + 1) * in + out - 1) / out;
    dim.first.push_back(start);
    dim.count.push_back(end - start);
    dim.span.push_back(end - start);
  }
  return dim;
}

Tensor avg_pool_adjoint(const char* op, const Tensor& grad, const Shape& input_shape, const Geometry& g);

// The mean of each window; its backward is the adjoint, and the adjoint's is this again.
Tensor avg_pool_apply(const char* op, const Tensor& input, const Geometry& g) {
  const Tensor x = input.contiguous();
  Tensor out = empty({x.shape()[0], x.shape()[1], g->OH, g->OW}, x.options());
  dispatch_dtype<DTypes::Floating>(op, x.dtype(), [&]<class T>() {
    cpu::avg_pool_forward<T>(*g, x.data_ptr<T>(), out.data_ptr<T>());
  });
  if (autograd::needs_grad(input)) {
    autograd::record(op, {input}, out, [op, input_shape = input.shape(), g](const Tensor& grad) {
      return TensorList{avg_pool_adjoint(op, grad, input_shape, g)};
    });
  }
  return out;
}

Tensor avg_pool_adjoint(const char* op, const Tensor& grad, const Shape& input_shape, const Geometry& g) {
  const Tensor grad_out = grad.contiguous();
  Tensor grad_input = empty(input_shape, grad.options());
  dispatch_dtype<DTypes::Floating>(op, grad.dtype(), [&]<class T>() {
    cpu::avg_pool_backward<T>(*g, grad_out.data_ptr<T>(), grad_input.data_ptr<T>());
  });
  if (autograd::needs_grad(grad)) {
    autograd::record(op, {grad}, grad_input,
                     [op, g](const Tensor& grad_grad) { return TensorList{avg_pool_apply(op, grad_grad, g)}; });
  }
  return grad_input;
}

cpu::PoolGeometry planes_geometry(const Tensor& x, int64_t OH, int64_t OW) {
  cpu::PoolGeometry g;
  g.planes = x.shape()[0] * x.shape()[1];
  g.H = x.shape()[2], g.W = x.shape()[3], g.OH = OH, g.OW = OW;
  return g;
}

}  // namespace

std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const SpatialSize& kernel_size,
                                                  const MaxPoolOptions& options) {
  const char* op = "max_pool2d";
  const auto [x4, batched] = planes_of(op, input);
  const Window w = window_of(op, kernel_size, options.stride, options.padding, options.dilation, options.ceil_mode);
  const int64_t H = x4.shape()[2], W = x4.shape()[3];
  cpu::PoolGeometry g = planes_geometry(x4, pooled_size(op, w, 0, H, input.shape()),
                                        pooled_size(op, w, 1, W, input.shape()));
  g.h = window_dim(w, 0, H, g.OH, /*count_include_pad=*/false);
  g.w = window_dim(w, 1, W, g.OW, /*count_include_pad=*/false);
  const Tensor x = x4.contiguous();
  Tensor out = empty({x.shape()[0], x.shape()[1], g.OH, g.OW}, x.options());
  Tensor indices = empty(out.shape(), TensorOptions(kInt64, x.device()));
  dispatch_dtype<DTypes::Floating>(op, x.dtype(), [&]<class T>() {
    cpu::max_pool_forward<T>(g, x.data_ptr<T>(), out.data_ptr<T>(), indices.data_ptr<int64_t>());
  });
  if (autograd::needs_grad(x4)) {
    autograd::record(op, {x4}, out, [shape = x4.shape(), indices = autograd::save(indices)](const Tensor& grad) {
      const int64_t planes = shape[0] * shape[1];
      const Tensor at = indices.get().view({planes, -1});
      return TensorList{zeros({planes, shape[2] * shape[3]}, grad.options())
                            .scatter_add(1, at, grad.reshape({planes, -1}))
                            .view(shape)};
    });
  }
  return {restore_batch(out, batched), restore_batch(indices, batched)};
}

Tensor max_pool2d(const Tensor& input, const SpatialSize& kernel_size, const MaxPoolOptions& options) {
  return max_pool2d_with_indices(input, kernel_size, options).first;
}

Tensor avg_pool2d(const Tensor& input, const SpatialSize& kernel_size, const AvgPoolOptions& options) {
  const char* op = "avg_pool2d";
  const auto [x4, batched] = planes_of(op, input);
  const Window w = window_of(op, kernel_size, options.stride, options.padding, 1, options.ceil_mode);
  for (size_t d = 0; d < 2; ++d) {
    EMBER_CHECK(w.padding[d] <= w.kernel[d] / 2,
                "{}: expected padding at most half the kernel size, got padding {}, kernel_size {}", op,
                w.padding, w.kernel);
  }
  EMBER_CHECK(!options.divisor_override || *options.divisor_override > 0,
              "{}: expected a positive divisor_override, got {}", op, options.divisor_override.value_or(0));
  const int64_t H = x4.shape()[2], W = x4.shape()[3];
  cpu::PoolGeometry g = planes_geometry(x4, pooled_size(op, w, 0, H, input.shape()),
                                        pooled_size(op, w, 1, W, input.shape()));
  g.h = window_dim(w, 0, H, g.OH, options.count_include_pad);
  g.w = window_dim(w, 1, W, g.OW, options.count_include_pad);
  g.divisor = options.divisor_override.value_or(0);
  return restore_batch(avg_pool_apply(op, x4, std::make_shared<const cpu::PoolGeometry>(std::move(g))), batched);
}

Tensor adaptive_avg_pool2d(const Tensor& input, const SpatialSize& output_size) {
  const char* op = "adaptive_avg_pool2d";
  const auto [x4, batched] = planes_of(op, input);
  const Shape size = output_size.expand(op, "output_size", 2);
  EMBER_CHECK(size[0] > 0 && size[1] > 0, "{}: expected a positive output_size, got {}", op, size);
  cpu::PoolGeometry g = planes_geometry(x4, size[0], size[1]);
  g.h = adaptive_dim(g.H, g.OH);
  g.w = adaptive_dim(g.W, g.OW);
  return restore_batch(avg_pool_apply(op, x4, std::make_shared<const cpu::PoolGeometry>(std::move(g))), batched);
}

}  // namespace ember
