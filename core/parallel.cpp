// The thread pool behind parallel_for: OpenMP.
#include <ember/core/error.h>
#include <ember/core/parallel.h>

#include <omp.h>

#include <algorithm>
#include <exception>

namespace ember {

void set_num_threads(int n) {
  EMBER_CHECK_VALUE(n > 0, "set_num_threads: expected a positive number of threads, got {}", n);
  omp_set_num_threads(n);
}

int get_num_threads() { return omp_get_max_threads(); }

bool in_parallel_region() { return omp_in_parallel(); }

namespace detail {
void parallel_run(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  int64_t range = end - begin;
  int threads = static_cast<int>(std::min<int64_t>(get_num_threads(), (range + grain - 1) / std::max<int64_t>(grain, 1)));
  // An exception may not leave an OpenMP region: keep the first and rethrow it here.
  std::exception_ptr error;
#pragma omp parallel num_threads(threads)
  {
    int64_t n = omp_get_num_threads(), t = omp_get_thread_num();
    int64_t chunk = (range + n - 1) / n;
    int64_t lo = begin + t * chunk, hi = std::min(end, lo + chunk);
    try {
      if (lo < hi) fn(lo, hi);
    } catch (...) {
#pragma omp critical(ember_parallel_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}
}  // namespace detail

}  // namespace ember
