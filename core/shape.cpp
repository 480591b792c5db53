// Shape arithmetic shared by every op: numel, strides, dims, broadcasting.
#include <ember/core/shape.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <utility>
#include <vector>

namespace ember {

int64_t checked_numel(const char* op, IntArrayRef sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) {
    EMBER_CHECK(s >= 0, "{}: expected non-negative sizes, got {}", op, sizes);
    EMBER_CHECK(!__builtin_mul_overflow(n, s, &n), "{}: the number of elements of size {} overflows int64", op,
                sizes);
  }
  return n;
}

bool has_internal_overlap(IntArrayRef sizes, IntArrayRef strides) {
  // Sorted by stride, each dim must step past everything the smaller ones
  // reach; otherwise two elements may share memory (counted as overlap).
  std::vector<std::pair<int64_t, int64_t>> dims;  // (stride, size) of dims with size > 1
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] > 1) dims.emplace_back(std::abs(strides[d]), sizes[d]);
  }
  std::sort(dims.begin(), dims.end());
  int64_t reach = 0;  // the largest offset the smaller-stride dims reach
  for (const auto& [stride, size] : dims) {
    if (stride <= reach) return true;
    reach += (size - 1) * stride;
  }
  return false;
}

Shape contiguous_strides(IntArrayRef sizes) {
  Shape strides(sizes.size());
  int64_t stride = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= std::max<int64_t>(sizes[i], 1);
  }
  return strides;
}

int64_t wrap_dim(const char* op, int64_t dim, int64_t ndim) {
  int64_t lo = ndim == 0 ? -1 : -ndim, hi = ndim == 0 ? 0 : ndim - 1;  // a 0-d tensor accepts dim 0 and -1
  EMBER_CHECK_INDEX(dim >= lo && dim <= hi, "{}: dimension out of range (expected to be in range of [{}, {}], but got {})",
                    op, lo, hi, dim);
  return dim < 0 ? dim + std::max<int64_t>(ndim, 1) : dim;
}

Shape broadcast_shapes(const char* op, IntArrayRef a, IntArrayRef b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t sa = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t sb = i < n - b.size() ? 1 : b[i - (n - b.size())];
    EMBER_CHECK(sa == sb || sa == 1 || sb == 1,
                "{}: expected shapes that broadcast, got {} and {} (size {} vs {} at dimension {})", op, a, b, sa, sb,
                i);
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, IntArrayRef shape) { return os << fmt::format("{}", shape); }

}  // namespace ember
