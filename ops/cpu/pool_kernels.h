// CPU pooling loops under max_pool2d, avg_pool2d and adaptive_avg_pool2d: one
// window walk serves all three. No Tensors here: ops/pool.cpp computes the
// windows (PoolGeometry) and hands over contiguous [planes, H, W] buffers.
// Pooling is memory-bound, so a direct loop over planes in parallel is as fast
// as a library call, and it gives every dtype, ceil_mode and count_include_pad
// exactly as PyTorch defines them.
#pragma once

#include <ember/core/dtype.h>
#include <ember/core/parallel.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace ember::cpu {

// One spatial dim: output position o reads input positions first[o] + k * step
// for k < count[o] (all inside the input), and contributes span[o] as its
// factor of an average's divisor (count_include_pad counts padding there).
struct PoolDim {
  std::vector<int64_t> first, count, span;
  int64_t step = 1;
};

// planes = N * C; an average divides by h.span * w.span unless divisor > 0.
struct PoolGeometry {
  int64_t planes, H, W, OH, OW;
  PoolDim h, w;
  int64_t divisor = 0;
};

// The grain of the parallel loop over planes: about 32k output elements per task.
inline int64_t pool_grain(const PoolGeometry& g) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(g.OH * g.OW, 1)); }

// out = the largest element of each window; indices = its position h * W + w
// in the plane (the first one on ties). A NaN wins, as in PyTorch.
template <class T>
void max_pool_forward(const PoolGeometry& g, const T* in, T* out, int64_t* indices) {
  using V = opmath_t<T>;
  parallel_for(0, g.planes, pool_grain(g), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* plane = in + p * g.H * g.W;
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          int64_t best = -1;
          V best_value = 0;
          for (int64_t i = 0; i < g.h.count[oh]; ++i) {
            const int64_t row = (g.h.first[oh] + i * g.h.step) * g.W;
            for (int64_t j = 0; j < g.w.count[ow]; ++j) {
              const int64_t at = row + g.w.first[ow] + j * g.w.step;
              const V value = static_cast<V>(plane[at]);
              if (best < 0 || value > best_value || (std::isnan(value) && !std::isnan(best_value))) {
                best = at;
                best_value = value;
              }
            }
          }
          const int64_t o = (p * g.OH + oh) * g.OW + ow;
          out[o] = static_cast<T>(best_value);
          indices[o] = best;
        }
      }
    }
  });
}

// out = the mean of each window (avg_pool2d and adaptive_avg_pool2d).
template <class T>
void avg_pool_forward(const PoolGeometry& g, const T* in, T* out) {
  using V = opmath_t<T>;
  parallel_for(0, g.planes, pool_grain(g), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* plane = in + p * g.H * g.W;
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          V sum = 0;
          for (int64_t i = 0; i < g.h.count[oh]; ++i) {
            const T* row = plane + g.h.first[oh] * g.W + i * g.W + g.w.first[ow];
            for (int64_t j = 0; j < g.w.count[ow]; ++j) sum += static_cast<V>(row[j]);
          }
          const V divisor = g.divisor > 0 ? V(g.divisor) : V(g.h.span[oh] * g.w.span[ow]);
          out[(p * g.OH + oh) * g.OW + ow] = static_cast<T>(sum / divisor);
        }
      }
    }
  });
}

// grad_in (zeroed here) = each output's gradient spread evenly over its window.
template <class T>
void avg_pool_backward(const PoolGeometry& g, const T* grad_out, T* grad_in) {
  using V = opmath_t<T>;
  parallel_for(0, g.planes, pool_grain(g), [&](int64_t begin, int64_t end) {
    std::vector<V> plane(static_cast<size_t>(g.H * g.W));
    for (int64_t p = begin; p < end; ++p) {
      std::fill(plane.begin(), plane.end(), V(0));
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const V divisor = g.divisor > 0 ? V(g.divisor) : V(g.h.span[oh] * g.w.span[ow]);
          const V share = static_cast<V>(grad_out[(p * g.OH + oh) * g.OW + ow]) / divisor;
          for (int64_t i = 0; i < g.h.count[oh]; ++i) {
            V* row = plane.data() + (g.h.first[oh] + i) * g.W + g.w.first[ow];
            for (int64_t j = 0; j < g.w.count[ow]; ++j) row[j] += share;
          }
        }
      }
      T* target = grad_in + p * g.H * g.W;
      for (int64_t i = 0; i < g.H * g.W; ++i) target[i] = static_cast<T>(plane[i]);
    }
  });
}

}  // namespace ember::cpu
