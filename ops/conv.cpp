// Convolutions: conv1d, conv2d, conv_transpose1d, conv_transpose2d. Each one
// is checked here and becomes one 2-d convolution (1-d ones with H = 1)
// described by cpu::ConvGeometry. float32 runs on oneDNN (ops/cpu/conv_onednn)
// with its backward formula here; the other floating dtypes run the composite
// of Note [Composite convolution].
#include <ember/ops/cpu/conv_onednn.h>
#include <ember/ops/toolkit.h>

#include <string>

namespace ember {

Shape SpatialSize::expand(const char* op, const char* name, int64_t dims) const {
  if (sizes_.size() == 1) return Shape(static_cast<size_t>(dims), sizes_[0]);
  EMBER_CHECK(static_cast<int64_t>(sizes_.size()) == dims, "{}: expected {} to have 1 or {} values, got {}", op,
              name, dims, sizes_);
  return sizes_;
}

namespace {

using autograd::TensorList;

// The arguments of one public op, before they meet the tensors' shapes.
struct ConvArgs {
  const char* op;
  int64_t spatial_dims;  // 1 or 2
  bool transposed;
  Shape stride, dilation, padding, output_padding;
  std::optional<PaddingMode> padding_mode;
  int64_t groups;
};

std::string dims_letters(const ConvArgs& a) { return a.spatial_dims == 1 ? "L" : "H, W"; }

void check_tensors(const ConvArgs& a, const Tensor& input, const Tensor& weight, const Tensor& bias) {
  const char* op = a.op;
  detail::check_defined(op, input);
  detail::check_defined(op, weight);
  detail::check_same_device(op, input, weight);
  detail::check_cpu(op, input);
  const int64_t batched_dims = a.spatial_dims + 2;
  EMBER_CHECK(input.dim() == batched_dims || input.dim() == batched_dims - 1,
              "{}: expected a {}-D (unbatched) or {}-D (batched) input [N, C, {}], got shape {}", op, batched_dims - 1,
              batched_dims, dims_letters(a), input.shape());
  EMBER_CHECK(weight.dim() == batched_dims, "{}: expected a {}-D weight [{}, k{}], got shape {}", op, batched_dims,
              a.transposed ? "in_channels, out_channels / groups" : "out_channels, in_channels / groups",
              a.spatial_dims == 1 ? "L" : "H, kW", weight.shape());
  EMBER_CHECK(is_floating_point(input.dtype()), "{}: expected a floating point input, got {}", op,
              input.dtype());
  EMBER_CHECK(weight.dtype() == input.dtype(),
              "{}: expected input and weight to have the same dtype, got input {} and weight {}", op,
              input.dtype(), weight.dtype());
  if (bias.defined()) {
    detail::check_same_device(op, input, bias);
    EMBER_CHECK(bias.dtype() == input.dtype(),
                "{}: expected input and bias to have the same dtype, got input {} and bias {}", op,
                input.dtype(), bias.dtype());
  }
}

// The geometry of a checked call; input and weight already have their 2-d shapes.
cpu::ConvGeometry geometry(const ConvArgs& a, const Tensor& input, const Tensor& weight, const Tensor& bias) {
  const char* op = a.op;
  cpu::ConvGeometry g{};
  g.N = input.shape()[0], g.C = input.shape()[1], g.H = input.shape()[2], g.W = input.shape()[3];
  g.KH = weight.shape()[2], g.KW = weight.shape()[3];
  g.groups = a.groups;
  g.transposed = a.transposed;
  EMBER_CHECK(a.groups > 0, "{}: expected groups > 0, got {}", op, a.groups);
  const int64_t weight_in = a.transposed ? weight.shape()[0] : weight.shape()[1] * a.groups;
  g.OC = a.transposed ? weight.shape()[1] * a.groups : weight.shape()[0];
  EMBER_CHECK(g.C == weight_in,
              "{}: expected input to have {} channels (weight {} with groups = {}), got {} channels (input shape {})",
              op, weight_in, weight.shape(), a.groups, g.C, input.shape());
  EMBER_CHECK(g.C % a.groups == 0 && g.OC % a.groups == 0,
              "{}: expected in_channels ({}) and out_channels ({}) divisible by groups ({})", op, g.C, g.OC,
              a.groups);
  EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.shape()[0] == g.OC),
              "{}: expected bias of shape [{}] (out_channels), got {}", op, g.OC, bias.shape());

  const int64_t first = 2 - a.spatial_dims;  // a 1-d convolution's sizes go to dim 1 (W)
  const std::array<int64_t, 2> in_size{g.H, g.W}, kernel{g.KH, g.KW};
  std::array<int64_t, 2> out_size{1, 1};
  g.stride = g.dilation = {1, 1};
  g.pad_begin = g.pad_end = {0, 0};
  for (int64_t i = 0; i < a.spatial_dims; ++i) {
    const int64_t d = first + i;
    const int64_t stride = a.stride[i], dilation = a.dilation[i], padding = a.padding[i];
    EMBER_CHECK(stride > 0, "{}: expected positive stride, got {}", op, a.stride);
    EMBER_CHECK(dilation > 0, "{}: expected positive dilation, got {}", op, a.dilation);
    EMBER_CHECK(padding >= 0, "{}: expected non-negative padding, got {}", op, a.padding);
    const int64_t span = dilation * (kernel[d] - 1);  // the kernel's extent - 1
    g.stride[d] = stride;
    g.dilation[d] = dilation;
    g.pad_begin[d] = g.pad_end[d] = padding;
    if (a.padding_mode == PaddingMode::Same) {  // PyTorch puts the odd one at the end
      g.pad_begin[d] = span / 2;
      g.pad_end[d] = span - span / 2;
    }
    if (a.transposed) {
      const int64_t output_padding = a.output_padding[i];
      EMBER_CHECK(output_padding >= 0 && (output_padding < stride || output_padding < dilation),
                  "{}: expected output_padding smaller than stride or dilation, got output_padding {}, stride "
                  "{}, dilation {}",
                  op, a.output_padding, a.stride, a.dilation);
      g.pad_end[d] -= output_padding;  // See Dims in ops/cpu/conv_onednn.cpp
      out_size[d] = (in_size[d] - 1) * stride - g.pad_begin[d] - g.pad_end[d] + span + 1;
    } else {
      const int64_t padded = in_size[d] + g.pad_begin[d] + g.pad_end[d];
      EMBER_CHECK(padded > span,
                  "{}: expected the kernel (size {}, dilation {}) to fit the padded input (size {} + padding), got "
                  "input shape {}, weight shape {}",
                  op, kernel[d], dilation, in_size[d], input.shape(), weight.shape());
      out_size[d] = (padded - span - 1) / stride + 1;
    }
    EMBER_CHECK(out_size[d] > 0, "{}: the output would have size {} in a spatial dim (input shape {}, weight shape {})",
                op, out_size[d], input.shape(), weight.shape());
  }
  g.OH = out_size[0], g.OW = out_size[1];
  return g;
}

// Note [Composite convolution]
// Without oneDNN (float64 for gradcheck, half types) a convolution is a few
// recorded ops, so that it differentiates any number of times: the padded
// input's windows as one as_strided view [N, G, C/G, OH, OW, KH, KW] and one
// einsum with the weight. A transposed convolution is the direct one with
// stride 1 over the input spread out by stride (stride - 1 zeros between
// neighbours), padded by dilation * (k - 1) - padding on each side (negative
// amounts crop), with the kernel flipped and its two channel dims swapped.
Tensor spread(const Tensor& x, int64_t dim, int64_t stride) {
  if (stride == 1) return x;
  std::vector<int64_t> zeros_after(static_cast<size_t>(2 * (x.dim() - dim)), 0);
  zeros_after.back() = stride - 1;  // padding of the new dim dim + 1 (F.pad order: last dim first)
  const int64_t size = x.shape()[dim];
  return pad(x.unsqueeze(dim + 1), zeros_after).flatten(dim, dim + 1).narrow(dim, 0, (size - 1) * stride + 1);
}

Tensor composite_convolution(const cpu::ConvGeometry& g, const Tensor& input, const Tensor& weight,
                             const Tensor& bias) {
  const int64_t G = g.groups;
  Tensor x = input, w = weight;
  std::array<int64_t, 2> stride = g.stride, pad_begin = g.pad_begin, pad_end = g.pad_end;
  if (g.transposed) {
    x = spread(spread(x, 2, g.stride[0]), 3, g.stride[1]);
    w = w.reshape({G, g.C / G, g.OC / G, g.KH, g.KW}).transpose(1, 2).reshape({g.OC, g.C / G, g.KH, g.KW});
    w = w.flip({2, 3});
    const std::array<int64_t, 2> kernel{g.KH, g.KW};
    for (size_t d = 0; d < 2; ++d) {
      pad_begin[d] = g.dilation[d] * (kernel[d] - 1) - g.pad_begin[d];
      pad_end[d] = g.dilation[d] * (kernel[d] - 1) - g.pad_end[d];
      stride[d] = 1;
    }
  }
  x = pad(x, {pad_begin[1], pad_end[1], pad_begin[0], pad_end[0]});  // a fresh contiguous tensor
  const int64_t Hp = x.shape()[2], Wp = x.shape()[3], C = g.C;
  const Tensor windows = x.as_strided({g.N, G, C / G, g.OH, g.OW, g.KH, g.KW},
                                      {C * Hp * Wp, C / G * Hp * Wp, Hp * Wp, stride[0] * Wp, stride[1],
                                       g.dilation[0] * Wp, g.dilation[1]});
  Tensor out = einsum("ngchwij,gocij->ngohw", {windows, w.reshape({G, g.OC / G, C / G, g.KH, g.KW})});
  out = out.reshape({g.N, g.OC, g.OH, g.OW});
  return bias.defined() ? out + bias.view({1, g.OC, 1, 1}) : out;
}

// float32 through oneDNN. Its gradients come from oneDNN too, so they are not
// recorded: create_graph through it is refused (the composite path has it).
Tensor onednn_convolution(const char* op, const cpu::ConvGeometry& g, const Tensor& input, const Tensor& weight,
                          const Tensor& bias) {
  const Tensor x = detach(input).contiguous(), w = detach(weight).contiguous();
  const Tensor b = bias.defined() ? detach(bias).contiguous() : Tensor();
  Tensor out = empty({g.N, g.OC, g.OH, g.OW}, input.options());
  cpu::conv_forward(g, x.data_ptr<float>(), w.data_ptr<float>(), b.defined() ? b.data_ptr<float>() : nullptr,
                    out.data_ptr<float>());
  if (autograd::needs_grad(input, weight, bias)) {
    autograd::record(op, {input, weight, bias}, out,
                     [op, g, saved_input = autograd::save(x), saved_weight = autograd::save(w),
                      has_bias = b.defined()](const Tensor& grad) {
                       EMBER_CHECK_KIND(NotImplemented, !autograd::is_grad_enabled(),
                                        "{}: double backward (create_graph=true) of a float32 convolution is not "
                                        "supported: oneDNN computes its gradients; float64 inputs support it",
                                        op);
                       const Tensor grad_out = grad.contiguous(), x = saved_input.get(), w = saved_weight.get();
                       Tensor grad_input, grad_weight, grad_bias;
                       if (autograd::needs_input_grad(0)) grad_input = empty({g.N, g.C, g.H, g.W}, w.options());
                       if (autograd::needs_input_grad(1) || (has_bias && autograd::needs_input_grad(2))) {
                         grad_weight = empty(w.shape(), w.options());
                         if (has_bias) grad_bias = empty({g.OC}, w.options());
                       }
                       const auto data = [](const Tensor& t) { return t.defined() ? t.data_ptr<float>() : nullptr; };
                       cpu::conv_backward(g, x.data_ptr<float>(), w.data_ptr<float>(), grad_out.data_ptr<float>(),
                                          data(grad_input), data(grad_weight), data(grad_bias));
                       return TensorList{grad_input, grad_weight, grad_bias};
                     });
  }
  return out;
}

Tensor convolution(const ConvArgs& a, const Tensor& input, const Tensor& weight, const Tensor& bias) {
  check_tensors(a, input, weight, bias);
  EMBER_CHECK(!(a.padding_mode == PaddingMode::Same && a.stride != Shape(a.stride.size(), 1)),
              "{}: padding=\"same\" is not supported for strided convolutions, got stride {}", a.op, a.stride);
  const bool batched = input.dim() == a.spatial_dims + 2;
  Tensor x = batched ? input : input.unsqueeze(0);
  Tensor w = weight;
  if (a.spatial_dims == 1) {
    x = x.unsqueeze(2);
    w = w.unsqueeze(2);
  }
  const cpu::ConvGeometry g = geometry(a, x, w, bias);
  Tensor out = input.dtype() == kFloat32 ? onednn_convolution(a.op, g, x, w, bias) : composite_convolution(g, x, w, bias);
  if (a.spatial_dims == 1) out = out.squeeze(2);
  return batched ? out : out.squeeze(0);
}

ConvArgs direct_args(const char* op, int64_t spatial_dims, const ConvOptions& o) {
  const Shape zeros(static_cast<size_t>(spatial_dims), 0);
  return {op,
          spatial_dims,
          /*transposed=*/false,
          o.stride.expand(op, "stride", spatial_dims),
          o.dilation.expand(op, "dilation", spatial_dims),
          o.padding.mode() ? zeros : o.padding.expand(op, "padding", spatial_dims),
          zeros,
          o.padding.mode(),
          o.groups};
}

ConvArgs transposed_args(const char* op, int64_t spatial_dims, const ConvTransposeOptions& o) {
  return {op,
          spatial_dims,
          /*transposed=*/true,
          o.stride.expand(op, "stride", spatial_dims),
          o.dilation.expand(op, "dilation", spatial_dims),
          o.padding.expand(op, "padding", spatial_dims),
          o.output_padding.expand(op, "output_padding", spatial_dims),
          std::nullopt,
          o.groups};
}

}  // namespace

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, const ConvOptions& options) {
  return convolution(direct_args("conv1d", 1, options), input, weight, bias);
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, const ConvOptions& options) {
  return convolution(direct_args("conv2d", 2, options), input, weight, bias);
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const ConvTransposeOptions& options) {
  return convolution(transposed_args("conv_transpose1d", 1, options), input, weight, bias);
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const ConvTransposeOptions& options) {
  return convolution(transposed_args("conv_transpose2d", 2, options), input, weight, bias);
}

}  // namespace ember
