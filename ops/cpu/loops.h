// The CPU elementwise loop: every elementwise op runs through cpu_kernel().
// It walks an ElementwiseIter in parallel chunks; the inner loop has a
// contiguous path (typed pointers, which the compiler vectorises) and a
// strided one. Math happens in opmath_t (float for Half/BFloat16).
#pragma once

#include <ember/core/parallel.h>
#include <ember/ops/functors.h>
#include <ember/core/elementwise_iter.h>
#include <ember/ops/cpu/vec_math.h>

#include <cstdint>
#include <tuple>
#include <utility>

namespace ember::cpu {

// Elements per parallel chunk: below this, waking threads costs more than it saves.
inline constexpr int64_t kElementwiseGrain = 32768;

namespace detail {

// An input element as the functor takes it. A bool is read as a byte != 0:
// GCC vectorises that (where(mask, a, b) becomes a blend), but not a bool load.
template <class In>
inline opmath_t<In> load(const In* p, int64_t i) {
  if constexpr (std::is_same_v<In, bool>) {
    return reinterpret_cast<const uint8_t*>(p)[i] != 0;
  } else {
    return static_cast<opmath_t<In>>(p[i]);
  }
}

// The contiguous loop when input S is one value for every i (a wrapped C++
// number as in `x * 2`, or where(mask, grad, 0) in relu's backward): it is
// read once, so the loop still vectorises.
template <size_t S, class Out, class... In, class F, size_t... I>
void one_scalar_loop(char* const* data, int64_t n, const F& f, std::index_sequence<I...>) {
  using Inputs = std::tuple<In...>;
  Out* out = reinterpret_cast<Out*>(data[0]);
  const std::tuple<const In*...> in{reinterpret_cast<const In*>(data[I + 1])...};
  using Scalar = opmath_t<std::tuple_element_t<S, Inputs>>;
  const Scalar scalar = static_cast<Scalar>(*std::get<S>(in));
  const auto input = [&]<size_t J>(int64_t i) {
    if constexpr (J == S) {
      return scalar;
    } else {
      return load(std::get<J>(in), i);
    }
  };
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<Out>(f(input.template operator()<I>(i)...));
}

// Which input is the only broadcast one (stride 0) while out and the others are
// contiguous; -1 when the operands are not laid out so.
template <class Out, class... In, size_t... I>
int one_scalar_input(const int64_t* strides, std::index_sequence<I...>) {
  if constexpr (sizeof...(In) < 2) {
    return -1;
  } else {
    if (strides[0] != sizeof(Out)) return -1;
    int scalar = -1;
    bool layout_fits = true;
    const auto visit = [&](size_t i, int64_t stride, int64_t element_size) {
      if (stride == 0 && scalar < 0) {
        scalar = static_cast<int>(i);
      } else if (stride != element_size) {
        layout_fits = false;
      }
    };
    (visit(I, strides[I + 1], static_cast<int64_t>(sizeof(In))), ...);
    return layout_fits ? scalar : -1;
  }
}

template <class Out, class... In, class F, size_t... I>
void inner_loop(char* const* data, const int64_t* strides, int64_t n, const F& f, std::index_sequence<I...>) {
  if (const int scalar = one_scalar_input<Out, In...>(strides, std::index_sequence<I...>{}); scalar >= 0) {
    ((scalar == static_cast<int>(I) ? one_scalar_loop<I, Out, In...>(data, n, f, std::index_sequence<I...>{})
                                    : void()),
     ...);
    return;
  }
  const bool contiguous = strides[0] == sizeof(Out) && ((strides[I + 1] == sizeof(In)) && ...);
  if (contiguous) {
    Out* out = reinterpret_cast<Out*>(data[0]);
    std::tuple<const In*...> in{reinterpret_cast<const In*>(data[I + 1])...};
    if constexpr (VecMath<F>::available && std::is_same_v<Out, float> && (std::is_same_v<In, float> && ...)) {
      VecMath<F>::apply(f, out, std::get<0>(in), n);
      return;
    }
    // Elementwise: out[i] depends on in[i] only, even when out is one of the
    // inputs (in-place ops), so the compiler may vectorise without alias checks.
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) {
      out[i] = static_cast<Out>(f(load(std::get<I>(in), i)...));
    }
    return;
  }
  // Strided or broadcast (stride 0) operands.
  for (int64_t i = 0; i < n; ++i) {
    *reinterpret_cast<Out*>(data[0] + i * strides[0]) =
        static_cast<Out>(f(static_cast<opmath_t<In>>(*reinterpret_cast<const In*>(data[I + 1] + i * strides[I + 1]))...));
  }
}

}  // namespace detail

// out[i] = f(in0[i], in1[i], ...) over the iterator; f takes opmath_t<In>... values.
template <class Out, class... In, class F>
void cpu_kernel(const ElementwiseIter& iter, const F& f) {
  constexpr int kOperands = sizeof...(In) + 1;
  EMBER_INTERNAL_ASSERT(iter.num_operands == kOperands);
  if (iter.numel == 0) return;
  const int64_t ndim = static_cast<int64_t>(iter.shape.size());
  const int64_t inner = ndim == 0 ? 1 : iter.shape[ndim - 1];
  int64_t inner_strides[kOperands];
  for (int op = 0; op < kOperands; ++op) inner_strides[op] = ndim == 0 ? 0 : iter.strides[op][ndim - 1];

  if (ndim <= 1) {
    parallel_for(0, inner, kElementwiseGrain, [&](int64_t begin, int64_t end) {
      char* data[kOperands];
      for (int op = 0; op < kOperands; ++op) data[op] = iter.data[op] + begin * inner_strides[op];
      detail::inner_loop<Out, In...>(data, inner_strides, end - begin, f, std::index_sequence_for<In...>{});
    });
    return;
  }
  // Several dims: parallelise over the outer rows, run the innermost dim as a line.
  const int64_t rows = iter.numel / inner;
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(inner, 1));
  parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      char* data[kOperands];
      for (int op = 0; op < kOperands; ++op) data[op] = iter.data[op];
      int64_t rest = row;
      for (int64_t d = ndim - 2; d >= 0; --d) {
        int64_t idx = rest % iter.shape[d];
        rest /= iter.shape[d];
        for (int op = 0; op < kOperands; ++op) data[op] += idx * iter.strides[op][d];
      }
      detail::inner_loop<Out, In...>(data, inner_strides, inner, f, std::index_sequence_for<In...>{});
    }
  });
}

}  // namespace ember::cpu

namespace ember::cpu {

// Runs functor F (see ops/functors.h) over the iterator for operands of dtype `dtype`.
template <class F>
void elementwise(const char* op, const ElementwiseIter& iter, DType dtype, const F& f) {
  functors::dispatch_functor<F>(op, dtype, [&]<class Out, class... In>() { cpu_kernel<Out, In...>(iter, f); });
}

}  // namespace ember::cpu
