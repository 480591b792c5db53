// softmax and log_softmax along one dim (CPU only for now), fused and
// numerically stable: per row, one pass for the max, one for the sum of
// exp(x - max), one to write. Rows that are strided or 16-bit are first gathered
// into an opmath buffer, so every row runs the same contiguous kernel.
#include <ember/ops/cpu/dim_loop.h>
#include <ember/ops/cpu/vec_math.h>
#include <ember/ops/toolkit.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace ember {
namespace {

enum class Kind { Softmax, LogSoftmax };

#ifdef EMBER_VEC_WIDTH
// The lanes of v, folded by scalar code: once per row, so shuffles would not pay.
std::array<float, EMBER_VEC_WIDTH> lanes(cpu::vfloat v) {
  std::array<float, EMBER_VEC_WIDTH> out;
  EMBER_VSTORE(out.data(), v);
  return out;
}
#endif

// The largest element of in[0, n). A NaN is not reliably kept here (max
// instructions and `>` let a number replace it); it still turns every output
// into NaN through the sum of exp, as in PyTorch.
template <class V>
V row_max(const V* in, int64_t n) {
  V max = -std::numeric_limits<V>::infinity();
  int64_t i = 0;
#ifdef EMBER_VEC_WIDTH
  if constexpr (std::is_same_v<V, float>) {
    // GCC does not vectorise a float max reduction without -ffast-math.
    cpu::vfloat acc = EMBER_VSET1(max);
    for (; i + EMBER_VEC_WIDTH <= n; i += EMBER_VEC_WIDTH) acc = EMBER_VMAX(acc, EMBER_VLOAD(in + i));
    for (float lane : lanes(acc)) max = lane > max ? lane : max;
  }
#endif
  for (; i < n; ++i) max = in[i] > max ? in[i] : max;
  return max;
}

// The sum of exp(in[i] - max); with Store, each term is also written to out[i].
template <bool Store, class V>
V sum_exp(const V* in, V* out, V max, int64_t n) {
  V sum = 0;
  int64_t i = 0;
#ifdef EMBER_VEC_WIDTH
  if constexpr (std::is_same_v<V, float>) {
    const cpu::vfloat vmax = EMBER_VSET1(max);
    cpu::vfloat acc = EMBER_VSET1(0.0f);
    for (; i + EMBER_VEC_WIDTH <= n; i += EMBER_VEC_WIDTH) {
      const cpu::vfloat e = EMBER_SLEEF(exp)(EMBER_VSUB(EMBER_VLOAD(in + i), vmax));
      if constexpr (Store) EMBER_VSTORE(out + i, e);
      acc = EMBER_VADD(acc, e);
    }
    for (float lane : lanes(acc)) sum += lane;
  }
#endif
  for (; i < n; ++i) {
    const V e = std::exp(in[i] - max);
    if constexpr (Store) out[i] = e;
    sum += e;
  }
  return sum;
}

// One contiguous row of n > 0 elements in opmath V; out may be in itself (the
// gather buffer). A row holding +inf or only -inf has max - max = NaN: all NaN, as in PyTorch.
template <class V>
void softmax_row(Kind kind, const V* in, V* out, int64_t n) {
  const V max = row_max(in, n);
  if (kind == Kind::Softmax) {
    const V scale = V(1) / sum_exp</*Store=*/true>(in, out, max, n);
    for (int64_t i = 0; i < n; ++i) out[i] *= scale;
  } else {
    const V log_sum = std::log(sum_exp</*Store=*/false>(in, out, max, n));
    // (x - max) first: max + log_sum would round away log_sum's digits when |max| is large.
    for (int64_t i = 0; i < n; ++i) out[i] = (in[i] - max) - log_sum;
  }
}

// The strided path's blocks: at most 16 rows (a cache line of floats) and
// 2^18 buffer elements, rows kBlockPadding elements (one cache line) apart.
constexpr int64_t kMaxBlockRows = 16;
constexpr int64_t kMaxBlockElements = int64_t{1} << 18;
constexpr int64_t kBlockPadding = 16;

// Every row of self along dim (already wrapped) into out (contiguous, self's
// shape and dtype), rows in parallel.
void softmax_rows(const char* op, Kind kind, const Tensor& self, int64_t dim, const Tensor& out) {
  const int64_t length = self.shape()[dim];
  const int64_t rows = cpu::row_count(self.shape(), dim);
  const bool contiguous_rows = dim == self.dim() - 1 && self.is_contiguous();
  const std::array<IntArrayRef, 2> strides{self.strides(), out.strides()};
  const int64_t self_stride = self.strides()[dim], out_stride = out.strides()[dim];
  const int64_t block = std::clamp(kMaxBlockElements / length, int64_t{1}, kMaxBlockRows);
  dispatch_dtype<DTypes::Floating>(op, self.dtype(), [&]<class T>() {
    using V = opmath_t<T>;
    const T* in = self.data_ptr<T>();
    T* result = out.data_ptr<T>();
    parallel_for(0, rows, cpu::row_grain(length), [&](int64_t begin, int64_t end) {
      if constexpr (std::is_same_v<T, V>) {
        if (contiguous_rows) {  // the fast path: straight from self into out
          for (int64_t r = begin; r < end; ++r) softmax_row(kind, in + r * length, result + r * length, length);
          return;
        }
      }
      // Strided or 16-bit rows go through an opmath buffer, a block of rows at a
      // time with i outermost: consecutive rows usually neighbour in memory (the
      // innermost other dim varies fastest), so one cache line feeds the whole
      // block rather than one row. The buffer's rows are padded apart so that
      // power-of-two lengths do not map them all to the same cache sets.
      const int64_t padded = length + kBlockPadding;
      std::vector<V> buffer(static_cast<size_t>(block * padded));
      std::array<std::array<int64_t, 2>, kMaxBlockRows> offsets;
      for (int64_t first = begin; first < end; first += block) {
        const int64_t count = std::min(block, end - first);
        for (int64_t b = 0; b < count; ++b) offsets[b] = cpu::row_offsets<2>(self.shape(), dim, strides, first + b);
        for (int64_t i = 0; i < length; ++i) {
          for (int64_t b = 0; b < count; ++b) {
            buffer[b * padded + i] = static_cast<V>(in[offsets[b][0] + i * self_stride]);
          }
        }
        for (int64_t b = 0; b < count; ++b) softmax_row(kind, &buffer[b * padded], &buffer[b * padded], length);
        if (out_stride == 1) {  // dim is last: out's rows are contiguous, write them one by one
          for (int64_t b = 0; b < count; ++b) {
            for (int64_t i = 0; i < length; ++i) result[offsets[b][1] + i] = static_cast<T>(buffer[b * padded + i]);
          }
        } else {
          for (int64_t i = 0; i < length; ++i) {
            for (int64_t b = 0; b < count; ++b) {
              result[offsets[b][1] + i * out_stride] = static_cast<T>(buffer[b * padded + i]);
            }
          }
        }
      }
    });
  });
}

Tensor softmax_impl(const char* op, Kind kind, const Tensor& self, int64_t dim) {
  detail::check_defined(op, self);
  detail::check_cpu(op, self);
  const int64_t d = wrap_dim(op, dim, self.dim());  // before the dtype, as PyTorch checks
  if (!is_floating_point(self.dtype())) fail_dtype(op, self.dtype(), DTypes::Floating);
  // A 0-d tensor is one row of one element: softmax gives 1, log_softmax 0 (as PyTorch).
  const Tensor rows = self.dim() == 0 ? self.reshape({1}) : self;
  Tensor out = empty(rows.shape(), self.options());
  if (out.numel() > 0) softmax_rows(op, kind, rows, d, out);
  return self.dim() == 0 ? out.view({}) : out;
}

}  // namespace

// Backward, with y the saved output and g the gradient along the dim:
//   softmax:     y * (g - sum(g * y))
//   log_softmax: g - exp(y) * sum(g)
// Both are composites of differentiable ops, so second derivatives work.
Tensor softmax(const Tensor& self, int64_t dim) {
  Tensor out = softmax_impl("softmax", Kind::Softmax, self, dim);
  if (autograd::needs_grad(self)) {
    autograd::record("softmax", {self}, out, [result = autograd::save_output(out), dim](const Tensor& grad) {
      const Tensor y = result.get();
      return autograd::TensorList{y * (grad - (grad * y).sum({dim}, /*keepdim=*/true))};
    });
  }
  return out;
}

Tensor log_softmax(const Tensor& self, int64_t dim) {
  Tensor out = softmax_impl("log_softmax", Kind::LogSoftmax, self, dim);
  if (autograd::needs_grad(self)) {
    autograd::record("log_softmax", {self}, out, [result = autograd::save_output(out), dim](const Tensor& grad) {
      return autograd::TensorList{grad - exp(result.get()) * grad.sum({dim}, /*keepdim=*/true)};
    });
  }
  return out;
}

Tensor Tensor::softmax(int64_t dim) const { return ember::softmax(*this, dim); }
Tensor Tensor::log_softmax(int64_t dim) const { return ember::log_softmax(*this, dim); }

}  // namespace ember
