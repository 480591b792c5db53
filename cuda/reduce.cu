// Reductions on the GPU. sum_contiguous: one block per output row (grid-stride
// over rows), each thread summing a strided share of the row in the accumulate
// type, then a tree reduction: warp shuffles, then one warp over the warp sums.
#include <ember/cuda/kernels.h>
#include <ember/cuda/runtime.h>

#include <cuda_runtime.h>

#include <algorithm>

namespace ember::cuda {
namespace {

constexpr int kWarpSize = 32;
constexpr int kMaxReduceThreads = 512;

template <class Acc>
__device__ __forceinline__ Acc warp_sum(Acc v) {
#pragma unroll
  for (int offset = kWarpSize / 2; offset > 0; offset /= 2) v += __shfl_down_sync(0xffffffffu, v, offset);
  return v;
}

// B rows (outer), N elements per row (inner). blockDim.x is a multiple of 32, at most kMaxReduceThreads.
template <class T>
__global__ void __launch_bounds__(kMaxReduceThreads)
    sum_rows_kernel(const T* __restrict__ self, T* __restrict__ out, int64_t outer, int64_t inner) {
  using Acc = opmath_t<T>;  // float for the 16-bit floats; float32 sums in float, as PyTorch's CUDA sum
  __shared__ Acc warp_sums[kMaxReduceThreads / kWarpSize];
  const int lane = threadIdx.x % kWarpSize, warp = threadIdx.x / kWarpSize;
  const int num_warps = blockDim.x / kWarpSize;
  for (int64_t row = blockIdx.x; row < outer; row += gridDim.x) {
    const T* in = self + row * inner;
    Acc acc = Acc(0);
    for (int64_t i = threadIdx.x; i < inner; i += blockDim.x) acc += static_cast<Acc>(in[i]);
    acc = warp_sum(acc);
    if (lane == 0) warp_sums[warp] = acc;
    __syncthreads();
    if (warp == 0) {
      acc = lane < num_warps ? warp_sums[lane] : Acc(0);
      acc = warp_sum(acc);
      if (lane == 0) out[row] = static_cast<T>(acc);
    }
    __syncthreads();  // warp_sums is reused by the next row
  }
}

// Enough threads to cover a row once, in whole warps, up to kMaxReduceThreads.
int reduce_threads(int64_t inner) {
  int threads = kWarpSize;
  while (threads < kMaxReduceThreads && threads < inner) threads *= 2;
  return threads;
}

}  // namespace

void sum_contiguous(const void* self, void* out, DType dtype, int64_t outer, int64_t inner) {
  EMBER_CHECK_TYPE(dtype == kFloat32 || dtype == kFloat64 || dtype == kFloat16 || dtype == kBFloat16 || dtype == kInt64,
                   "sum: expected float32, float64, float16, bfloat16 or int64 on CUDA, got {}", dtype);
  if (outer == 0) return;
  DeviceGuard guard(device_of(out));
  const int threads = reduce_threads(inner);
  const auto blocks = static_cast<unsigned>(std::min<int64_t>(outer, int64_t{multiprocessor_count()} * 32));
  dispatch_dtype("sum", dtype, [&]<class T>() {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, Half> ||
                  std::is_same_v<T, BFloat16> || std::is_same_v<T, int64_t>) {
      sum_rows_kernel<T><<<blocks, threads>>>(static_cast<const T*>(self), static_cast<T*>(out), outer, inner);
      CUDA_CHECK(cudaGetLastError());
    }
  });
}

}  // namespace ember::cuda
