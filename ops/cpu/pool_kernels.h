// CPU pooling loops under max_pool2d, avg_pool2d and adaptive_avg_pool2d: one
// window walk serves all three. No Tensors here: ops/pool.cpp computes the
// windows (PoolGeometry) and hands over contiguous [planes, H, W] buffers.
// Pooling is memory-bound, so a direct loop over planes in parallel is as fast
// as a library call, and it gives every dtype, ceil_mode and count_include_pad
// exactly as PyTorch defines them.
#pragma once

#include <ember/core/dtype.h>
#include <ember/core/parallel.h>

#include <algorithm>
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

// Do all windows along this dim have the same number of taps (no padding
// or ceil_mode overhang clips one)?
inline bool is_uniform(const PoolDim& dim) {
  return std::all_of(dim.count.begin(), dim.count.end(), [&](int64_t c) { return c == dim.count[0]; });
}

// out = the largest element of each window; indices = its position h * W + w
// in the plane (the first one on ties). A NaN wins (the last one), as in
// PyTorch. When every window has the same taps, each plane is one pass per tap
// over all its outputs (corner + tap offset): branch-free selects over
// gathered loads, which the compiler vectorises. Otherwise (clipped windows at
// the edges) each window is walked by itself.
template <class T>
void max_pool_forward(const PoolGeometry& g, const T* in, T* out, int64_t* indices) {
  using V = opmath_t<T>;
  const int64_t W = g.W, outputs = g.OH * g.OW;
  std::vector<int64_t> corners(static_cast<size_t>(outputs)), taps;
  for (int64_t oh = 0; oh < g.OH; ++oh) {
    for (int64_t ow = 0; ow < g.OW; ++ow) corners[oh * g.OW + ow] = g.h.first[oh] * W + g.w.first[ow];
  }
  const bool uniform = is_uniform(g.h) && is_uniform(g.w);
  if (uniform) {
    for (int64_t i = 0; i < g.h.count[0]; ++i) {
      for (int64_t j = 0; j < g.w.count[0]; ++j) taps.push_back(i * g.h.step * W + j * g.w.step);
    }
  }
  parallel_for(0, g.planes, pool_grain(g), [&](int64_t begin, int64_t end) {
    const int64_t* corner = corners.data();
    for (int64_t p = begin; p < end; ++p) {
      const T* plane = in + p * g.H * W;
      T* best = out + p * outputs;
      int64_t* best_at = indices + p * outputs;
      if (uniform) {
        for (int64_t o = 0; o < outputs; ++o) {
          best[o] = plane[corner[o]];
          best_at[o] = corner[o];
        }
        for (size_t t = 1; t < taps.size(); ++t) {
          const int64_t tap = taps[t];
#pragma omp simd
          for (int64_t o = 0; o < outputs; ++o) {
            const int64_t at = corner[o] + tap;
            const V value = static_cast<V>(plane[at]), current = static_cast<V>(best[o]);
            const bool take = value > current || value != value;
            best[o] = take ? plane[at] : best[o];
            best_at[o] = take ? at : best_at[o];
          }
        }
        continue;
      }
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const int64_t o = oh * g.OW + ow;
          int64_t at_best = corner[o];
          V best_value = static_cast<V>(plane[at_best]);
          for (int64_t i = 0; i < g.h.count[oh]; ++i) {
            for (int64_t j = 0; j < g.w.count[ow]; ++j) {
              const int64_t at = corner[o] + i * g.h.step * W + j * g.w.step;
              const V value = static_cast<V>(plane[at]);
              if (value > best_value || value != value) {
                at_best = at;
                best_value = value;
              }
            }
          }
          best[o] = static_cast<T>(best_value);
          best_at[o] = at_best;
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
