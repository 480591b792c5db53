// CPU kernels of the indexing family: one loop (scatter_gather_loop) drives
// gather and every scatter; masked_select and nonzero count, then fill. The
// preconditions are listed in index_kernels.h and checked by ops/index.cpp.
#include <ember/ops/cpu/dim_loop.h>
#include <ember/ops/cpu/index_kernels.h>
#include <ember/ops/functors.h>
#include <ember/ops/ops.h>

#include <algorithm>
#include <cstring>

namespace ember::cpu {
namespace {

// Whether two positions of the index may write the same element of self.
enum class Targets { Distinct, MayCollide };

// For every position p of index: fn(self offset of p with p[dim] = index[p],
// other offset of p), in elements. The inner loop runs along the last dim (the
// contiguous one in the usual layouts), rows in parallel. When targets may
// collide (scatters), positions that differ only in `dim` can hit the same
// element of self, so one task runs all of them, in order (the last write in
// row-major order wins, and accumulation needs no atomics).
template <class Fn>
void scatter_gather_loop(const Tensor& self, int64_t dim, const Tensor& index, IntArrayRef other_strides,
                         Targets targets, const Fn& fn) {
  EMBER_INTERNAL_ASSERT(index.dtype() == kInt64 && index.dim() == self.dim() && index.dim() > 0);
  const int64_t* idx = index.data_ptr<int64_t>();
  const int64_t last = index.dim() - 1, self_size = self.shape()[dim], self_dim_stride = self.strides()[dim];
  Shape self_strides = self.strides();
  self_strides[dim] = 0;  // the index supplies the coordinate along dim
  Shape rows = index.shape();
  int64_t along_dim = 1;  // positions along dim run by one task
  if (targets == Targets::MayCollide && dim != last) {
    along_dim = rows[dim];
    rows[dim] = 1;
  }
  const int64_t length = rows[last];
  const int64_t index_k = index.strides()[last], self_k = self_strides[last], other_k = other_strides[last];
  const int64_t index_j = index.strides()[dim], other_j = other_strides[dim];
  for_each_row<3>(rows, last, {index.strides(), IntArrayRef(self_strides), other_strides}, RowOrder::Any,
                  [&](int64_t, const std::array<int64_t, 3>& offsets) {
                    for (int64_t j = 0; j < along_dim; ++j) {
                      for (int64_t k = 0; k < length; ++k) {
                        int64_t i = idx[offsets[0] + j * index_j + k * index_k];
                        if (i < 0) i += self_size;
                        fn(offsets[1] + k * self_k + i * self_dim_stride, offsets[2] + j * other_j + k * other_k);
                      }
                    }
                  });
}

// Calls fn(offset, k) for every element of a >= 1-d tensor, rows along the
// last dim in row-major order (k: position in the row).
template <size_t N, class Fn>
void for_each_in_order(IntArrayRef shape, const std::array<IntArrayRef, N>& strides, const Fn& fn) {
  const int64_t last = static_cast<int64_t>(shape.size()) - 1;
  for_each_row<N>(shape, last, strides, RowOrder::Sequential, [&](int64_t row, const std::array<int64_t, N>& offsets) {
    for (int64_t k = 0; k < shape[last]; ++k) fn(row, offsets, k);
  });
}

}  // namespace

void index_select_contiguous(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) {
  const IntArrayRef shape = self.shape();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= shape[d];
  for (int64_t d = dim + 1; d < self.dim(); ++d) inner *= shape[d];
  const int64_t size = shape[dim], picked = index.numel();
  const size_t block = static_cast<size_t>(inner) * element_size(self.dtype());
  const int64_t* idx = index.data_ptr<int64_t>();
  const char* in = static_cast<const char*>(self.data_ptr());
  char* o = static_cast<char*>(out.data_ptr());
  const int64_t grain = std::max<int64_t>(1, 32768 / static_cast<int64_t>(std::max<size_t>(block, 1)));
  parallel_for(0, outer * picked, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t q = r / picked, i = r % picked;
      std::memcpy(o + static_cast<size_t>(r) * block, in + static_cast<size_t>(q * size + idx[i]) * block, block);
    }
  });
}

void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) {
  dispatch_dtype("gather", self.dtype(), [&]<class T>() {
    const T* in = self.data_ptr<T>();
    T* o = out.data_ptr<T>();
    scatter_gather_loop(self, dim, index, out.strides(), Targets::Distinct,
                        [&](int64_t s, int64_t k) { o[k] = in[s]; });
  });
}

void scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  dispatch_dtype("scatter", self.dtype(), [&]<class T>() {
    T* o = self.data_ptr<T>();
    const T* in = src.data_ptr<T>();
    scatter_gather_loop(self, dim, index, src.strides(), Targets::MayCollide,
                        [&](int64_t s, int64_t k) { o[s] = in[k]; });
  });
}

void scatter_fill(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value) {
  dispatch_dtype("scatter", self.dtype(), [&]<class T>() {
    T* o = self.data_ptr<T>();
    const T v = value.to<T>();
    // The loop's "other" operand is unused here; index's strides stand in for it.
    scatter_gather_loop(self, dim, index, index.strides(), Targets::MayCollide,
                        [&](int64_t s, int64_t) { o[s] = v; });
  });
}

void scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, const Scalar& alpha) {
  // The very formula of add(self, src, alpha), so both round (and wrap) alike.
  const functors::Add add{alpha.to_double()};
  dispatch_dtype("scatter_add", self.dtype(), [&]<class T>() {
    T* o = self.data_ptr<T>();
    const T* in = src.data_ptr<T>();
    scatter_gather_loop(self, dim, index, src.strides(), Targets::MayCollide, [&](int64_t s, int64_t k) {
      o[s] = static_cast<T>(add(static_cast<opmath_t<T>>(o[s]), static_cast<opmath_t<T>>(in[k])));
    });
  });
}

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  EMBER_INTERNAL_ASSERT(self.shape() == mask.shape() && element_size(mask.dtype()) == 1);
  const Tensor s = self.dim() == 0 ? self.reshape({1}) : self, m = mask.dim() == 0 ? mask.reshape({1}) : mask;
  // bool and uint8 masks are both one byte where non-zero means "set".
  const uint8_t* set = static_cast<const uint8_t*>(m.data_ptr());
  const int64_t last = s.dim() - 1, mask_stride = m.strides()[last], self_stride = s.strides()[last];
  int64_t count = 0;
  for_each_in_order<1>(m.shape(), {m.strides()}, [&](int64_t, const std::array<int64_t, 1>& offsets, int64_t k) {
    count += set[offsets[0] + k * mask_stride] != 0;
  });
  Tensor out = empty({count}, self.options());
  dispatch_dtype("masked_select", self.dtype(), [&]<class T>() {
    const T* in = s.data_ptr<T>();
    T* o = out.data_ptr<T>();
    for_each_in_order<2>(s.shape(), {m.strides(), s.strides()},
                         [&](int64_t, const std::array<int64_t, 2>& offsets, int64_t k) {
                           if (set[offsets[0] + k * mask_stride]) *o++ = in[offsets[1] + k * self_stride];
                         });
  });
  return out;
}

Tensor nonzero(const Tensor& self) {
  const Tensor s = self.dim() == 0 ? self.reshape({1}) : self;
  const int64_t ndim = self.dim(), last = s.dim() - 1, stride = s.strides()[last];
  return dispatch_dtype("nonzero", self.dtype(), [&]<class T>() {
    const T* in = s.data_ptr<T>();
    // NaN is non-zero, -0.0 is zero (compared in opmath_t, as PyTorch does).
    auto is_set = [&](int64_t offset) { return static_cast<opmath_t<T>>(in[offset]) != opmath_t<T>(0); };
    int64_t count = 0;
    for_each_in_order<1>(s.shape(), {s.strides()}, [&](int64_t, const std::array<int64_t, 1>& offsets, int64_t k) {
      count += is_set(offsets[0] + k * stride);
    });
    Tensor out = empty({count, ndim}, {kInt64, self.device()});
    int64_t* o = out.data_ptr<int64_t>();
    Shape coords(static_cast<size_t>(std::max<int64_t>(ndim, 1)));
    for_each_in_order<1>(s.shape(), {s.strides()}, [&](int64_t row, const std::array<int64_t, 1>& offsets, int64_t k) {
      if (!is_set(offsets[0] + k * stride)) return;
      // The row's coordinates in every dim but the last, from its row-major number.
      for (int64_t d = last - 1, rest = row; d >= 0; --d) {
        coords[d] = rest % s.shape()[d];
        rest /= s.shape()[d];
      }
      coords[last] = k;
      for (int64_t d = 0; d < ndim; ++d) *o++ = coords[d];
    });
    return out;
  });
}

}  // namespace ember::cpu
