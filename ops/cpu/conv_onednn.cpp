// oneDNN convolutions (ops/cpu/conv_onednn.h). Each call describes its
// tensors with format_tag::any, so oneDNN picks its fastest (blocked) layouts;
// our NCHW buffers are reordered into them and back where they differ. oneDNN
// caches the compiled primitives, so a repeated shape costs no JIT.
#include <ember/core/error.h>
#include <ember/ops/cpu/conv_onednn.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <unordered_map>
#include <vector>

namespace ember::cpu {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

// The primitives of a convolution and of a transposed one take the same
// descriptors, so one set of functions below serves both.
struct Direct {
  using Forward = dnnl::convolution_forward;
  using BackwardData = dnnl::convolution_backward_data;
  using BackwardWeights = dnnl::convolution_backward_weights;
  static constexpr auto algorithm = dnnl::algorithm::convolution_direct;
};
struct Transposed {
  using Forward = dnnl::deconvolution_forward;
  using BackwardData = dnnl::deconvolution_backward_data;
  using BackwardWeights = dnnl::deconvolution_backward_weights;
  static constexpr auto algorithm = dnnl::algorithm::deconvolution_direct;
};

// The geometry as oneDNN's dims: its dilation counts the gaps (PyTorch's - 1),
// and a transposed convolution's output_padding is a smaller end padding.
struct Dims {
  memory::dims input, weight, bias, out, stride, dilation, pad_begin, pad_end;
  Tag weight_tag;

  explicit Dims(const ConvGeometry& g)
      : input{g.N, g.C, g.H, g.W},
        bias{g.OC},
        out{g.N, g.OC, g.OH, g.OW},
        stride{g.stride[0], g.stride[1]},
        dilation{g.dilation[0] - 1, g.dilation[1] - 1},
        pad_begin{g.pad_begin[0], g.pad_begin[1]},
        pad_end{g.pad_end[0], g.pad_end[1]} {
    // oneDNN's weights are logically [OC, C, KH, KW] (with a leading group dim);
    // PyTorch stores a transposed convolution's as [C, OC, ...]: tag iohw.
    if (g.groups == 1) {
      weight = {g.OC, g.C, g.KH, g.KW};
      weight_tag = g.transposed ? Tag::iohw : Tag::oihw;
    } else {
      weight = {g.groups, g.OC / g.groups, g.C / g.groups, g.KH, g.KW};
      weight_tag = g.transposed ? Tag::giohw : Tag::goihw;
    }
  }
};

memory::desc any(const memory::dims& dims) { return {dims, kF32, Tag::any}; }
memory::desc plain(const memory::dims& dims, Tag tag) { return {dims, kF32, tag}; }

// A user buffer in the layout `wanted`: itself when it already is, else a reordered copy.
memory in_layout(const memory::desc& wanted, const memory::desc& user_desc, const float* data) {
  memory user(user_desc, cpu_engine(), const_cast<float*>(data));
  if (wanted == user_desc) return user;
  memory converted(wanted, cpu_engine());
  dnnl::reorder(user, converted).execute(cpu_stream(), user, converted);
  return converted;
}

// A result in the primitive's layout `chosen`, written to the user's buffer when done (finish()).
class Result {
 public:
  Result(const memory::desc& chosen, const memory::desc& user_desc, float* data)
      : user_(user_desc, cpu_engine(), data), memory_(chosen == user_desc ? user_ : memory(chosen, cpu_engine())) {}
  const memory& get() const { return memory_; }
  void finish() {
    if (memory_ != user_) dnnl::reorder(memory_, user_).execute(cpu_stream(), memory_, user_);
  }

 private:
  memory user_;
  memory memory_;
};

// A user buffer reordered into each layout asked for at most once (the output
// gradient feeds both backward primitives, which usually want the same layout).
class Reordered {
 public:
  Reordered(const memory::desc& user_desc, const float* data) : user_desc_(user_desc), data_(data) {}
  memory in(const memory::desc& wanted) {
    for (const memory& m : done_) {
      if (m.get_desc() == wanted) return m;
    }
    return done_.emplace_back(in_layout(wanted, user_desc_, data_));
  }

 private:
  memory::desc user_desc_;
  const float* data_;
  std::vector<memory> done_;
};

template <class Kind>
typename Kind::Forward::primitive_desc forward_desc(const Dims& d, bool with_bias) {
  const typename Kind::Forward::desc desc(dnnl::prop_kind::forward_training, Kind::algorithm, any(d.input),
                                          any(d.weight), with_bias ? plain(d.bias, Tag::x) : memory::desc(),
                                          any(d.out), d.stride, d.dilation, d.pad_begin, d.pad_end);
  return {desc, cpu_engine()};
}

template <class Kind>
void forward(const ConvGeometry& g, const float* input, const float* weight, const float* bias, float* out) {
  const Dims d(g);
  const auto pd = forward_desc<Kind>(d, bias != nullptr);
  const memory src = in_layout(pd.src_desc(), plain(d.input, Tag::nchw), input);
  const memory wei = in_layout(pd.weights_desc(), plain(d.weight, d.weight_tag), weight);
  Result dst(pd.dst_desc(), plain(d.out, Tag::nchw), out);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst.get()}};
  if (bias) args.emplace(DNNL_ARG_BIAS, memory(plain(d.bias, Tag::x), cpu_engine(), const_cast<float*>(bias)));
  typename Kind::Forward(pd).execute(cpu_stream(), args);
  dst.finish();
  cpu_stream().wait();
}

template <class Kind>
void backward_input(const Dims& d, Reordered& grad_out, const float* weight, float* grad_input) {
  const typename Kind::BackwardData::desc desc(Kind::algorithm, any(d.input), any(d.weight), any(d.out), d.stride,
                                               d.dilation, d.pad_begin, d.pad_end);
  const typename Kind::BackwardData::primitive_desc pd(desc, cpu_engine(), forward_desc<Kind>(d, false));
  const memory diff_dst = grad_out.in(pd.diff_dst_desc());
  const memory wei = in_layout(pd.weights_desc(), plain(d.weight, d.weight_tag), weight);
  Result diff_src(pd.diff_src_desc(), plain(d.input, Tag::nchw), grad_input);
  typename Kind::BackwardData(pd).execute(
      cpu_stream(), {{DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_SRC, diff_src.get()}});
  diff_src.finish();
  cpu_stream().wait();
}

template <class Kind>
void backward_weight(const Dims& d, const float* input, Reordered& grad_out, float* grad_weight,
                     float* grad_bias) {
  const memory::desc bias_desc = grad_bias ? plain(d.bias, Tag::x) : memory::desc();
  const typename Kind::BackwardWeights::desc desc(Kind::algorithm, any(d.input), any(d.weight), bias_desc,
                                                  any(d.out), d.stride, d.dilation, d.pad_begin, d.pad_end);
  const typename Kind::BackwardWeights::primitive_desc pd(desc, cpu_engine(),
                                                          forward_desc<Kind>(d, grad_bias != nullptr));
  const memory src = in_layout(pd.src_desc(), plain(d.input, Tag::nchw), input);
  const memory diff_dst = grad_out.in(pd.diff_dst_desc());
  Result diff_weights(pd.diff_weights_desc(), plain(d.weight, d.weight_tag), grad_weight);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_DIFF_WEIGHTS, diff_weights.get()}};
  if (grad_bias) args.emplace(DNNL_ARG_DIFF_BIAS, memory(bias_desc, cpu_engine(), grad_bias));
  typename Kind::BackwardWeights(pd).execute(cpu_stream(), args);
  diff_weights.finish();
  cpu_stream().wait();
}

// oneDNN reports failures as dnnl::error; ours are ember::Error naming the call.
template <class F>
void guarded(const char* what, const ConvGeometry& g, const F& f) {
  try {
    f();
  } catch (const dnnl::error& e) {
    EMBER_INTERNAL_ASSERT(false, "oneDNN {} failed ({}, status {}) for input [{}, {}, {}, {}], {} output channels", what,
                          e.what(), static_cast<int>(e.status), g.N, g.C, g.H, g.W, g.OC);
  }
}

}  // namespace

void conv_forward(const ConvGeometry& g, const float* input, const float* weight, const float* bias, float* out) {
  guarded("convolution forward", g, [&] {
    g.transposed ? forward<Transposed>(g, input, weight, bias, out) : forward<Direct>(g, input, weight, bias, out);
  });
}

void conv_backward(const ConvGeometry& g, const float* input, const float* weight, const float* grad_out,
                   float* grad_input, float* grad_weight, float* grad_bias) {
  guarded("convolution backward", g, [&] {
    const Dims d(g);
    Reordered reordered_grad(plain(d.out, Tag::nchw), grad_out);
    if (grad_input) {
      g.transposed ? backward_input<Transposed>(d, reordered_grad, weight, grad_input)
                   : backward_input<Direct>(d, reordered_grad, weight, grad_input);
    }
    if (grad_weight) {
      g.transposed ? backward_weight<Transposed>(d, input, reordered_grad, grad_weight, grad_bias)
                   : backward_weight<Direct>(d, input, reordered_grad, grad_weight, grad_bias);
    }
  });
}

}  // namespace ember::cpu
