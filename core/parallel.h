// parallel_for over OpenMP's thread pool, which OpenBLAS (Debian's OpenMP
// build) shares: one pool, so GEMM and our loops never oversubscribe the cores.
#pragma once

#include <cstdint>
#include <functional>

namespace ember {

void set_num_threads(int n);
int get_num_threads();
bool in_parallel_region();

namespace detail {
void parallel_run(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
}

// Calls fn(chunk_begin, chunk_end) over [begin, end) split into chunks of at
// least `grain` iterations; runs inline (no pool wake-up) when the range is small
// or we are already inside a parallel region.
template <class Fn>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const Fn& fn) {
  if (end <= begin) return;
  if (end - begin <= grain || get_num_threads() == 1 || in_parallel_region()) {
    fn(begin, end);
    return;
  }
  detail::parallel_run(begin, end, grain, fn);
}

}  // namespace ember
