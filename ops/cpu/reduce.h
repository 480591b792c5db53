// The CPU reduction loop behind sum, mean, prod, amax, amin, all and any
// (ops/reduce.cpp). It sees a contiguous input as [outer, reduced, inner] and
// writes out[o, i] = finish(combine over r of in[o, r, i]); ops/reduce.cpp
// brings any reduction into that shape. No op knowledge lives here.
#pragma once

#include <ember/core/parallel.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace ember::cpu {

// A contiguous input viewed as [outer, reduced, inner] (row-major).
struct ReduceShape {
  int64_t outer = 1, reduced = 1, inner = 1;
};

namespace detail {

// Independent accumulators per row: they break the dependency chain of one
// running sum, so the loop runs at the speed of loads, not of add latency.
inline constexpr int64_t kReduceLanes = 32;
// Elements the lanes take before they are folded into the row's accumulator:
// lanes may be narrower than the accumulator (float lanes, double total), so
// each lane only ever sums a few values and the total keeps its precision.
inline constexpr int64_t kLaneBlock = 4096;
// Elements per parallel chunk (as the elementwise loop's grain).
inline constexpr int64_t kReduceGrain = 32768;
// Outputs per block of the [outer, reduced, inner] loop: the block's
// accumulators stay in L1 while the reduced dim streams past them.
inline constexpr int64_t kInnerBlock = 256;

template <class Lane, class Acc, class In, class Combine>
Acc reduce_row(const In* in, int64_t n, Acc identity, const Combine& combine) {
  Acc acc = identity;
  int64_t i = 0;
  while (i + kReduceLanes <= n) {
    const int64_t block_end = i + std::min(kLaneBlock, (n - i) / kReduceLanes * kReduceLanes);
    Lane lanes[kReduceLanes];
    std::fill(lanes, lanes + kReduceLanes, static_cast<Lane>(identity));
    for (; i < block_end; i += kReduceLanes) {
      // Fully unrolled, so the lanes live in (vector) registers, not in memory.
#pragma GCC unroll 32
      for (int64_t l = 0; l < kReduceLanes; ++l) lanes[l] = combine(lanes[l], static_cast<Lane>(in[i + l]));
    }
    // A tree of independent combines, then one into the total: a serial fold
    // of the lanes would cost as much as the block itself.
    for (int64_t width = kReduceLanes / 2; width > 0; width /= 2) {
      for (int64_t l = 0; l < width; ++l) lanes[l] = combine(lanes[l], lanes[l + width]);
    }
    acc = combine(acc, static_cast<Acc>(lanes[0]));
  }
  for (; i < n; ++i) acc = combine(acc, static_cast<Acc>(in[i]));
  return acc;
}

}  // namespace detail

// out[o * inner + i] = finish(fold of combine over in[(o * reduced + r) * inner + i]).
// combine(a, b) must be associative and commutative (partial results of
// parallel chunks are combined too) and work for Lane and Acc operands alike;
// identity is its neutral element. Lane: the type of the per-row lanes (see
// kLaneBlock), usually Acc.
template <class Lane, class In, class Out, class Acc, class Combine, class Finish>
void reduce(const In* in, Out* out, ReduceShape shape, Acc identity, const Combine& combine, const Finish& finish) {
  const auto [outer, reduced, inner] = shape;
  if (outer == 0 || inner == 0) return;
  if (inner == 1 && outer < get_num_threads() && reduced >= 2 * detail::kReduceGrain) {
    // Few long rows (a full reduction): split each row over the threads.
    const int64_t chunks = std::min<int64_t>(get_num_threads() * 4, reduced / detail::kReduceGrain);
    const int64_t chunk_len = (reduced + chunks - 1) / chunks;
    std::vector<Acc> partial(static_cast<size_t>(chunks));
    for (int64_t o = 0; o < outer; ++o) {
      const In* row = in + o * reduced;
      parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
        for (int64_t c = begin; c < end; ++c) {
          const int64_t start = c * chunk_len, len = std::min(reduced, start + chunk_len) - start;
          partial[c] = detail::reduce_row<Lane>(row + start, std::max<int64_t>(len, 0), identity, combine);
        }
      });
      Acc acc = identity;
      for (const Acc& p : partial) acc = combine(acc, p);
      out[o] = finish(acc);
    }
    return;
  }
  if (inner == 1) {
    // Many rows: one row per output, rows in parallel.
    const int64_t grain = std::max<int64_t>(1, detail::kReduceGrain / std::max<int64_t>(reduced, 1));
    parallel_for(0, outer, grain, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) out[o] = finish(detail::reduce_row<Lane>(in + o * reduced, reduced, identity, combine));
    });
    return;
  }
  // The reduced dim has stride `inner`: accumulate whole blocks of outputs at a
  // time, so the innermost loop runs along contiguous memory.
  const int64_t blocks_per_outer = (inner + detail::kInnerBlock - 1) / detail::kInnerBlock;
  const int64_t block_work = std::max<int64_t>(1, reduced * std::min(inner, detail::kInnerBlock));
  const int64_t grain = std::max<int64_t>(1, detail::kReduceGrain / block_work);
  parallel_for(0, outer * blocks_per_outer, grain, [&](int64_t begin, int64_t end) {
    Acc acc[detail::kInnerBlock];
    for (int64_t b = begin; b < end; ++b) {
      const int64_t o = b / blocks_per_outer, i0 = (b % blocks_per_outer) * detail::kInnerBlock;
      const int64_t len = std::min(detail::kInnerBlock, inner - i0);
      std::fill(acc, acc + len, identity);
      for (int64_t r = 0; r < reduced; ++r) {
        const In* line = in + (o * reduced + r) * inner + i0;
#pragma omp simd
        for (int64_t i = 0; i < len; ++i) acc[i] = combine(acc[i], static_cast<Acc>(line[i]));
      }
      for (int64_t i = 0; i < len; ++i) out[o * inner + i0 + i] = finish(acc[i]);
    }
  });
}

}  // namespace ember::cpu
