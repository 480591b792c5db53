// The generic CUDA elementwise loop: launch_elementwise<Out, In...>(iter, f) runs
// any functor over an ElementwiseIter. It knows no functor: ops/elementwise_cuda.cu
// instantiates it for every functor of ops/functors.h, cuda/elementwise.cu for cast/fill.
//
// Kernel design (mirrors ops/cpu/loops.h; math in opmath_t<In>, float for Half/BFloat16):
// - Two kernels per (functor, dtypes). The contiguous fast path runs when every
//   operand is dense over one flat dim (or the loop is 0-d): typed element offsets
//   from a 64-bit index, no division. The strided kernel serves the rest
//   (broadcast stride-0 inputs, transposes, slices): it turns a linear index into a
//   byte offset per operand, dividing only for the dims above the innermost.
// - Both are grid-stride loops: the grid is sized to fill the device
//   (multiprocessors x kBlocksPerSm blocks of kThreads), not to the tensor, so one
//   launch of bounded size covers any numel and each thread takes several elements.
// - The strided kernel does its index arithmetic in 32 bits (64-bit integer
//   division is many instructions on a GPU). When numel or an operand's byte span
//   does not fit in int32, the host halves the loop along its widest dim until
//   every piece fits and launches each piece: rare, and no kernel variant for it.
// cuda/-internal (includes cuda_runtime.h): included by .cu files only.
#pragma once

#include <ember/core/dtype.h>
#include <ember/core/elementwise_iter.h>
#include <ember/cuda/runtime.h>

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

namespace ember::cuda {

inline constexpr int kThreads = 256;
inline constexpr int kBlocksPerSm = 8;  // 8 x 256 threads: the 2048 resident threads of an SM on sm_80/sm_90
// Most dims a loop may have after coalescing (ElementwiseIter merges every dim it can).
inline constexpr int kMaxDims = 16;

template <int N>
struct Operands {
  char* data[N];
};

// Byte offsets of N operands for a linear index, in 32 bits. Dims are stored
// innermost first; the outermost needs no division.
template <int N>
struct OffsetCalculator {
  int ndim;
  uint32_t sizes[kMaxDims];
  int32_t strides[kMaxDims][N];

  __device__ __forceinline__ void offsets(uint32_t linear, int32_t* out) const {
#pragma unroll
    for (int k = 0; k < N; ++k) out[k] = 0;
#pragma unroll
    for (int d = 0; d < kMaxDims - 1; ++d) {
      if (d == ndim - 1) break;
      const uint32_t next = linear / sizes[d];
      const int32_t idx = static_cast<int32_t>(linear - next * sizes[d]);
#pragma unroll
      for (int k = 0; k < N; ++k) out[k] += idx * strides[d][k];
      linear = next;
    }
#pragma unroll
    for (int k = 0; k < N; ++k) out[k] += static_cast<int32_t>(linear) * strides[ndim - 1][k];
  }
};

// out = f(in...) for one element, operands at the given byte offsets.
template <class Out, class... In, class F, class Offset, size_t... I>
__device__ __forceinline__ void apply(const F& f, char* const* data, const Offset* offsets, std::index_sequence<I...>) {
  *reinterpret_cast<Out*>(data[0] + offsets[0]) = static_cast<Out>(
      f(static_cast<opmath_t<In>>(*reinterpret_cast<const In*>(data[I + 1] + offsets[I + 1]))...));
}

template <class F, class Out, class... In>
__global__ void __launch_bounds__(kThreads)
    contiguous_kernel(F f, Operands<1 + sizeof...(In)> operands, int64_t n) {
  constexpr int64_t element_sizes[] = {sizeof(Out), sizeof(In)...};
  const int64_t step = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t offsets[1 + sizeof...(In)];
#pragma unroll
    for (int k = 0; k < 1 + static_cast<int>(sizeof...(In)); ++k) offsets[k] = i * element_sizes[k];
    apply<Out, In...>(f, operands.data, offsets, std::index_sequence_for<In...>{});
  }
}

template <class F, class Out, class... In>
__global__ void __launch_bounds__(kThreads)
    strided_kernel(F f, Operands<1 + sizeof...(In)> operands, OffsetCalculator<1 + sizeof...(In)> calc, uint32_t n) {
  const uint32_t step = blockDim.x * gridDim.x;  // n <= INT32_MAX, so i + step never wraps
  for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    int32_t offsets[1 + sizeof...(In)];
    calc.offsets(i, offsets);
    apply<Out, In...>(f, operands.data, offsets, std::index_sequence_for<In...>{});
  }
}

namespace detail {

inline unsigned grid_size(int64_t n) {
  const int64_t wanted = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(std::min<int64_t>(wanted, int64_t{multiprocessor_count()} * kBlocksPerSm));
}

// A strided loop on the host, innermost dim first, before it is cut to 32-bit pieces.
template <int N>
struct StridedLoop {
  int ndim;
  int64_t sizes[kMaxDims];
  int64_t strides[kMaxDims][N];
  char* data[N];

  static StridedLoop from(const ElementwiseIter& iter) {
    StridedLoop loop;
    loop.ndim = static_cast<int>(iter.shape.size());
    for (int k = 0; k < N; ++k) loop.data[k] = iter.data[k];
    for (int d = 0; d < loop.ndim; ++d) {
      loop.sizes[d] = iter.shape[loop.ndim - 1 - d];
      for (int k = 0; k < N; ++k) loop.strides[d][k] = iter.strides[k][loop.ndim - 1 - d];
    }
    return loop;
  }

  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= sizes[d];
    return n;
  }
  // The widest byte extent over operands of dim d.
  int64_t width(int d) const {
    int64_t w = 1;
    for (int k = 0; k < N; ++k) w = std::max(w, sizes[d] * (strides[d][k] < 0 ? -strides[d][k] : strides[d][k]));
    return w;
  }
  // numel and every operand's byte span (largest offset from data) fit in int32.
  bool fits_32bit() const {
    constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
    if (numel() > kMax) return false;
    for (int k = 0; k < N; ++k) {
      int64_t span = 0;
      for (int d = 0; d < ndim; ++d) span += (sizes[d] - 1) * (strides[d][k] < 0 ? -strides[d][k] : strides[d][k]);
      if (span > kMax) return false;
    }
    return true;
  }

  // Calls fn(piece) for pieces that fit in 32 bits and together cover the loop:
  // the loop itself when it fits, else the two halves of its widest dim, recursively.
  template <class Fn>
  void for_each_32bit_piece(const Fn& fn) const {
    if (numel() == 0) return;
    if (fits_32bit()) {
      fn(*this);
      return;
    }
    int widest = 0;
    for (int d = 1; d < ndim; ++d) {
      if (sizes[d] > 1 && (sizes[widest] <= 1 || width(d) > width(widest))) widest = d;
    }
    StridedLoop first = *this, second = *this;
    const int64_t half = sizes[widest] / 2;
    first.sizes[widest] = half;
    second.sizes[widest] -= half;
    for (int k = 0; k < N; ++k) second.data[k] += half * strides[widest][k];
    first.for_each_32bit_piece(fn);
    second.for_each_32bit_piece(fn);
  }

  // Only for a loop that fits_32bit().
  OffsetCalculator<N> offset_calculator() const {
    OffsetCalculator<N> calc{};
    calc.ndim = ndim;
    for (int d = 0; d < ndim; ++d) {
      calc.sizes[d] = static_cast<uint32_t>(sizes[d]);
      for (int k = 0; k < N; ++k) calc.strides[d][k] = static_cast<int32_t>(strides[d][k]);
    }
    return calc;
  }
};

}  // namespace detail

// out[i] = f(in0[i], in1[i], ...) over the iterator's operands (operand 0 is out);
// f takes opmath_t<In>... values. Runs on the device that holds the output.
template <class Out, class... In, class F>
void launch_elementwise(const ElementwiseIter& iter, const F& f) {
  constexpr int N = 1 + sizeof...(In);
  EMBER_INTERNAL_ASSERT(iter.num_operands == N);
  if (iter.numel == 0) return;
  const int ndim = static_cast<int>(iter.shape.size());
  EMBER_CHECK(ndim <= kMaxDims,
              "elementwise: expected at most {} dims after merging contiguous ones on CUDA, got {} (shape {})",
              kMaxDims, ndim, iter.shape);
  DeviceGuard guard(device_of(iter.data[0]));

  constexpr int64_t element_sizes[] = {sizeof(Out), sizeof(In)...};
  bool contiguous = ndim == 0;
  if (ndim == 1) {
    contiguous = true;
    for (int k = 0; k < N; ++k) contiguous = contiguous && iter.strides[k][0] == element_sizes[k];
  }
  if (contiguous) {
    Operands<N> operands;
    for (int k = 0; k < N; ++k) operands.data[k] = iter.data[k];
    contiguous_kernel<F, Out, In...><<<detail::grid_size(iter.numel), kThreads>>>(f, operands, iter.numel);
    CUDA_CHECK(cudaGetLastError());
    return;
  }
  detail::StridedLoop<N>::from(iter).for_each_32bit_piece([&](const detail::StridedLoop<N>& piece) {
    Operands<N> operands;
    for (int k = 0; k < N; ++k) operands.data[k] = piece.data[k];
    const int64_t n = piece.numel();
    strided_kernel<F, Out, In...>
        <<<detail::grid_size(n), kThreads>>>(f, operands, piece.offset_calculator(), static_cast<uint32_t>(n));
    CUDA_CHECK(cudaGetLastError());
  });
}

}  // namespace ember::cuda
