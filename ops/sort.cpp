// Sorting along a dim: sort, argsort, topk (CPU only for now). Every row (the
// elements along `dim` at one position of the other dims, any strides) is
// sorted on its own, rows in parallel.
//
// Order: NaN compares greater than every number (PyTorch's rule: last when
// ascending, first when descending, first for topk(largest)). Ties: equal
// elements keep their input order, always. PyTorch's sort(stable=false) and
// topk leave the order of ties unspecified; we pick the stable order
// everywhere, so results are deterministic and topk(k) is the first k of sort.
#include <ember/ops/cpu/dim_loop.h>
#include <ember/ops/toolkit.h>

#include <algorithm>
#include <cmath>

namespace ember {
namespace {

enum class Order { Ascending, Descending };

// a < b, with NaN after every number (and NaNs equal among themselves).
template <class V>
bool less_nan_last(V a, V b) {
  if constexpr (std::is_floating_point_v<V>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}

// The first k elements of every row of self along dim, in `order`, into values
// (self's dtype) and indices (int64): both of self's shape with size k at dim.
void sort_rows(const char* op, const Tensor& self, int64_t dim, int64_t k, Order order, const Tensor& values,
               const Tensor& indices) {
  if (values.numel() == 0) return;
  const int64_t length = self.shape()[dim];
  const std::array<IntArrayRef, 3> strides{self.strides(), values.strides(), indices.strides()};
  const int64_t self_stride = self.strides()[dim], values_stride = values.strides()[dim];
  const int64_t indices_stride = indices.strides()[dim];
  dispatch_dtype(op, self.dtype(), [&]<class T>() {
    using V = opmath_t<T>;
    struct Entry {
      V value;
      int64_t index;
    };
    // A strict total order: the value order, then the input position (stability).
    const bool descending = order == Order::Descending;
    auto before = [descending](const Entry& a, const Entry& b) {
      const V& x = descending ? b.value : a.value;
      const V& y = descending ? a.value : b.value;
      if (less_nan_last(x, y)) return true;
      if (less_nan_last(y, x)) return false;
      return a.index < b.index;
    };
    const T* in = self.data_ptr<T>();
    T* out_values = values.data_ptr<T>();
    int64_t* out_indices = indices.data_ptr<int64_t>();
    parallel_for(0, cpu::row_count(self.shape(), dim), cpu::row_grain(length), [&](int64_t begin, int64_t end) {
      std::vector<Entry> row(static_cast<size_t>(length));  // one buffer per chunk of rows
      for (int64_t r = begin; r < end; ++r) {
        const auto offsets = cpu::row_offsets<3>(self.shape(), dim, strides, r);
        for (int64_t i = 0; i < length; ++i) row[i] = {static_cast<V>(in[offsets[0] + i * self_stride]), i};
        if (k == length) {
          std::sort(row.begin(), row.end(), before);  // a full sort: faster than partial_sort's heap
        } else {
          std::partial_sort(row.begin(), row.begin() + k, row.end(), before);
        }
        for (int64_t i = 0; i < k; ++i) {
          out_values[offsets[1] + i * values_stride] = static_cast<T>(row[i].value);
          out_indices[offsets[2] + i * indices_stride] = row[i].index;
        }
      }
    });
  });
}

// (values, indices) of the first k of every row along dim (already wrapped);
// a 0-d self sorts as one row of one element and gives 0-d results.
std::pair<Tensor, Tensor> sorted_prefix(const char* op, const Tensor& self, int64_t dim, std::optional<int64_t> k,
                                        Order order) {
  const Tensor rows = self.dim() == 0 ? self.reshape({1}) : self;
  Shape shape = rows.shape();
  shape[dim] = k.value_or(shape[dim]);
  Tensor values = empty(shape, self.options()), indices = empty(shape, {kInt64, self.device()});
  sort_rows(op, rows, dim, shape[dim], order, values, indices);
  if (self.dim() == 0) {
    values = values.view({});
    indices = indices.view({});
  }
  if (autograd::needs_grad(self)) {
    // Each value's gradient goes back to the position it came from.
    autograd::record(op, {self}, autograd::TensorList{values, indices},
                     [shape = rows.shape(), self_shape = self.shape(), dim, indices](const autograd::TensorList& grads) {
                       const Shape picked = indices.dim() == 0 ? Shape{1} : indices.shape();
                       const Tensor placed = zeros(shape, grads[0].options())
                                                 .scatter(dim, indices.reshape(picked), grads[0].reshape(picked));
                       return autograd::TensorList{placed.reshape(self_shape)};
                     });
  }
  return {values, indices};
}

void check_input(const char* op, const Tensor& self) {
  detail::check_defined(op, self);
  detail::check_cpu(op, self);
}

}  // namespace

std::pair<Tensor, Tensor> sort(const Tensor& self, int64_t dim, bool descending) {
  check_input("sort", self);
  const int64_t d = wrap_dim("sort", dim, self.dim());
  return sorted_prefix("sort", self, d, std::nullopt, descending ? Order::Descending : Order::Ascending);
}

Tensor argsort(const Tensor& self, int64_t dim, bool descending) {
  check_input("argsort", self);
  const int64_t d = wrap_dim("argsort", dim, self.dim());
  return sorted_prefix("argsort", self, d, std::nullopt, descending ? Order::Descending : Order::Ascending).second;
}

// sorted=false may return the k elements in any order (PyTorch's is unspecified);
// ours are always sorted, which costs nothing extra with a partial sort.
std::pair<Tensor, Tensor> topk(const Tensor& self, int64_t k, int64_t dim, bool largest, bool /*sorted*/) {
  check_input("topk", self);
  const int64_t d = wrap_dim("topk", dim, self.dim());  // before the dtype, as PyTorch checks
  if (self.dtype() == kBool) fail_dtype("topk", self.dtype(), DTypes::Numeric);  // as PyTorch's CPU topk
  const int64_t size = self.dim() == 0 ? 1 : self.shape()[d];
  EMBER_CHECK(k >= 0 && k <= size, "topk: expected k in [0, {}] (the size of dimension {}), got k = {}", size, d, k);
  // A 0-d tensor gives its one element even for k = 0, as PyTorch's topk does.
  return sorted_prefix("topk", self, d, self.dim() == 0 ? 1 : k, largest ? Order::Descending : Order::Ascending);
}

std::pair<Tensor, Tensor> Tensor::topk(int64_t k, int64_t dim, bool largest, bool sorted) const {
  return ember::topk(*this, k, dim, largest, sorted);
}
std::pair<Tensor, Tensor> Tensor::sort(int64_t dim, bool descending) const {
  return ember::sort(*this, dim, descending);
}
Tensor Tensor::argsort(int64_t dim, bool descending) const { return ember::argsort(*this, dim, descending); }

}  // namespace ember
