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
// running sum, so the compiler keeps them in vector registers.
inline constexpr int64_t kReduceLanes = 16;
// Elements per parallel chunk (as the elementwise loop's grain).
inline constexpr int64_t kReduceGrain = 32768;
// Outputs per block of the [outer, reduced, inner] loop: the block's
// accumulators stay in L1 while the reduced dim streams past them.
inline constexpr int64_t kInnerBlock = 256;

template <class Acc, class In, class Combine>
Acc reduce_row(const In* in, int64_t n, Acc identity, const Combine& combine) {
  Acc lanes[kReduceLanes];
  std::fill(lanes, lanes + kReduceLanes, identity);
  int64_t i = 0;
  for (; i + kReduceLanes <= n; i += kReduceLanes) {
#pragma omp simd
    for (int64_t l = 0; l < kReduceLanes; ++l) lanes[l] = combine(lanes[l], static_cast<Acc>(in[i + l]));
  }
  Acc acc = identity;
  for (; i < n; ++i) acc = combine(acc, static_cast<Acc>(in[i]));
  for (int64_t l = 0; l < kReduceLanes; ++l) acc = combine(acc, lanes[l]);
  return acc;
}

}  // namespace detail

// out[o * inner + i] = finish(fold of combine over in[(o * reduced + r) * inner + i]).
// combine(Acc, Acc) -> Acc must be associative and commutative (partial results
// of parallel chunks are combined too); identity is its neutral element.
template <class In, class Out, class Acc, class Combine, class Finish>
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
          partial[c] = detail::reduce_row(row + start, std::max<int64_t>(len, 0), identity, combine);
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
      for (int64_t o = begin; o < end; ++o) out[o] = finish(detail::reduce_row(in + o * reduced, reduced, identity, combine));
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
