// Indexing: index_select, gather, scatter, scatter_add, index_add,
// masked_select, nonzero, take, one_hot. This file validates (dtypes, shapes,
// every index bounds-checked before any write) and shapes the problem; the
// loops are ops/cpu/index_kernels.cpp. CPU only for now.
#include <ember/ops/cpu/index_kernels.h>
#include <ember/ops/toolkit.h>

#include <algorithm>

namespace ember {
namespace {

// 0-d tensors index like 1-d tensors of one element (a view, never a copy).
Tensor at_least_1d(const Tensor& t) { return t.dim() == 0 ? t.reshape({1}) : t; }

void check_inputs(const char* op, std::initializer_list<const Tensor*> tensors) {
  for (const Tensor* t : tensors) detail::check_defined(op, *t);
  for (const Tensor* t : tensors) detail::check_same_device(op, **tensors.begin(), *t);
  detail::check_cpu(op, **tensors.begin());
}

enum class IndexDTypes { Int64, Int32OrInt64 };

// The index as int64, after checking its dtype against what PyTorch accepts for op.
Tensor index_as_int64(const char* op, const Tensor& index, IndexDTypes accepted) {
  if (accepted == IndexDTypes::Int64) {
    EMBER_CHECK(index.dtype() == kInt64, "{}: expected an int64 index tensor, got {}", op, index.dtype());
    return index;
  }
  EMBER_CHECK(index.dtype() == kInt64 || index.dtype() == kInt32, "{}: expected an int32 or int64 index tensor, got {}",
              op, index.dtype());
  return detail::cast_if_needed(index, kInt64);
}

enum class Negatives { Reject, Wrap };

// The first index (row-major) outside [0, size), or [-size, size) when negatives wrap.
std::optional<int64_t> first_out_of_bounds(const Tensor& index, int64_t size, Negatives negatives) {
  const Tensor c = index.contiguous();
  const int64_t* p = c.data_ptr<int64_t>();
  const int64_t lo = negatives == Negatives::Wrap ? -size : 0;
  const int64_t* bad = std::find_if(p, p + c.numel(), [&](int64_t i) { return i < lo || i >= size; });
  if (bad == p + c.numel()) return std::nullopt;
  return *bad;
}

// An IndexError for index_select/index_add, a RuntimeError for gather/scatter: the kinds PyTorch raises.
void check_bounds(const char* op, const Tensor& index, int64_t dim, int64_t size, Negatives negatives,
                  ErrorKind kind = ErrorKind::Index) {
  std::optional<int64_t> bad = first_out_of_bounds(index, size, negatives);
  if (bad) ember::detail::fail(kind, "{}: index {} is out of bounds for dimension {} with size {}", op, *bad, dim, size);
}

// gather/scatter's shape rules (self, index, src already at least 1-d): the same
// number of dims, index.size(d) <= self.size(d) for d != dim, index.size(d) <= src.size(d).
void check_scatter_gather_shapes(const char* op, const Tensor& self, int64_t dim, const Tensor& index,
                                 const Tensor* src) {
  EMBER_CHECK(index.dim() == self.dim(),
              "{}: expected index to have the same number of dimensions as self, got index {} and self {}", op,
              index.shape(), self.shape());
  for (int64_t d = 0; d < self.dim(); ++d) {
    EMBER_CHECK(d == dim || index.shape()[d] <= self.shape()[d],
                "{}: expected index {} to be no larger than self {} apart from dimension {}", op, index.shape(),
                self.shape(), dim);
  }
  if (!src) return;
  EMBER_CHECK(src->dim() == index.dim(),
              "{}: expected src to have the same number of dimensions as index, got src {} and index {}", op,
              src->shape(), index.shape());
  for (int64_t d = 0; d < src->dim(); ++d) {
    EMBER_CHECK(index.shape()[d] <= src->shape()[d], "{}: expected index {} to be no larger than src {}", op,
                index.shape(), src->shape());
  }
}

void check_same_dtype(const char* op, const Tensor& self, const char* name, const Tensor& other) {
  EMBER_CHECK(self.dtype() == other.dtype(), "{}: expected self and {} to have the same dtype, got {} and {}", op, name,
              self.dtype(), other.dtype());
}

// The scatters' common path: validate everything, then run `kernel(out, dim,
// index)` on a copy of self. An empty index scatters nothing (and skips the
// shape rules, as in PyTorch).
template <class Kernel>
Tensor scatter_into_copy(const char* op, const Tensor& self, int64_t dim, const Tensor& index, const Tensor* src,
                         const Kernel& kernel) {
  const int64_t d = wrap_dim(op, dim, self.dim());
  const Tensor idx = at_least_1d(index_as_int64(op, index, IndexDTypes::Int64));
  if (idx.numel() > 0) {
    const Tensor src_1d = src ? at_least_1d(*src) : Tensor();
    check_scatter_gather_shapes(op, at_least_1d(self), d, idx, src ? &src_1d : nullptr);
    check_bounds(op, idx, d, at_least_1d(self).shape()[d], Negatives::Reject, ErrorKind::Runtime);
  }
  Tensor out = clone(self);
  if (idx.numel() > 0) kernel(at_least_1d(out), d, idx);
  return out;
}

// index_select and index_add are gather and scatter_add whose 1-d index is
// broadcast along every dim but `dim`: this turns the index into that shape.
Tensor broadcast_index(const Tensor& index, int64_t dim, IntArrayRef shape) {
  Shape view_shape(shape.size(), 1);
  view_shape[dim] = index.numel();
  return index.view(view_shape).expand(shape);
}

// A 0-d or 1-d int32/int64 index, as a 1-d int64 tensor.
Tensor vector_index(const char* op, const Tensor& index) {
  EMBER_CHECK_INDEX(index.dim() <= 1, "{}: expected a 0-d or 1-d index, got shape {}", op, index.shape());
  return index_as_int64(op, index, IndexDTypes::Int32OrInt64).reshape({-1});
}

using autograd::TensorList;

}  // namespace

// Note [Index op backward]: each op below decides whether to record before it
// runs, then runs untracked (its internal clones and views are not part of the
// graph) and records one node whose formula is built from other index ops.

Tensor gather(const Tensor& self, int64_t dim, const Tensor& index) {
  check_inputs("gather", {&self, &index});
  const bool track = autograd::needs_grad(self);
  autograd::NoGradGuard no_grad;
  const int64_t d = wrap_dim("gather", dim, self.dim());
  const Tensor idx = at_least_1d(index_as_int64("gather", index, IndexDTypes::Int64));
  if (idx.numel() == 0) return empty(index.shape(), self.options());
  const Tensor source = at_least_1d(self);
  check_scatter_gather_shapes("gather", source, d, idx, nullptr);
  check_bounds("gather", idx, d, source.shape()[d], Negatives::Reject, ErrorKind::Runtime);
  Tensor out = empty(index.shape(), self.options());
  cpu::gather(at_least_1d(out), source, d, idx);
  if (track) {
    autograd::record("gather", {self}, out, [shape = self.shape(), d, idx](const Tensor& grad) {
      return TensorList{zeros(shape, grad.options()).scatter_add(d, idx, grad)};
    });
  }
  return out;
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  check_inputs("scatter", {&self, &index, &src});
  check_same_dtype("scatter", self, "src", src);
  const bool track = autograd::needs_grad(self, src);
  autograd::NoGradGuard no_grad;
  Tensor out = scatter_into_copy("scatter", self, dim, index, &src, [&](const Tensor& out, int64_t d, const Tensor& idx) {
    cpu::scatter(out, d, idx, at_least_1d(src));
  });
  if (track) {
    // Overwritten positions of self get no gradient; src gets what its positions received.
    autograd::record("scatter", {self, src}, out, [dim, index](const Tensor& grad) {
      return TensorList{grad.scatter(dim, index, 0.0), grad.gather(dim, index)};
    });
  }
  return out;
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value) {
  check_inputs("scatter", {&self, &index});
  const bool track = autograd::needs_grad(self);
  autograd::NoGradGuard no_grad;
  Tensor out = scatter_into_copy("scatter", self, dim, index, nullptr, [&](const Tensor& out, int64_t d, const Tensor& idx) {
    cpu::scatter_fill(out, d, idx, value);
  });
  if (track) {
    autograd::record("scatter", {self}, out, [dim, index](const Tensor& grad) {
      return TensorList{grad.scatter(dim, index, 0.0)};
    });
  }
  return out;
}

Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  check_inputs("scatter_add", {&self, &index, &src});
  check_same_dtype("scatter_add", self, "src", src);
  const bool track = autograd::needs_grad(self, src);
  autograd::NoGradGuard no_grad;
  Tensor out = scatter_into_copy("scatter_add", self, dim, index, &src,
                                 [&](const Tensor& out, int64_t d, const Tensor& idx) {
                                   cpu::scatter_add(out, d, idx, at_least_1d(src), /*alpha=*/1);
                                 });
  if (track) {
    autograd::record("scatter_add", {self, src}, out, [dim, index](const Tensor& grad) {
      return TensorList{grad, grad.gather(dim, index)};
    });
  }
  return out;
}


Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index) {
  check_inputs("index_select", {&self, &index});
  const bool track = autograd::needs_grad(self);
  autograd::NoGradGuard no_grad;
  const int64_t d = wrap_dim("index_select", dim, self.dim());
  const Tensor idx = vector_index("index_select", index);
  const Tensor source = at_least_1d(self);
  check_bounds("index_select", idx, d, source.shape()[d], Negatives::Reject);
  Shape out_shape = source.shape();
  out_shape[d] = idx.numel();
  Tensor out = empty(out_shape, self.options());
  if (out.numel() > 0 && source.is_contiguous()) {
    cpu::index_select_contiguous(out, source, d, idx.contiguous());
  } else if (out.numel() > 0) {
    cpu::gather(out, source, d, broadcast_index(idx, d, out_shape));
  }
  // A 0-d self gives a 0-d result (its one element, selected once).
  if (self.dim() == 0 && out.numel() == 1) out = out.view({});
  if (track) {
    autograd::record("index_select", {self}, out,
                     [source_shape = source.shape(), out_shape, shape = self.shape(), d, idx](const Tensor& grad) {
                       const Tensor summed = zeros(source_shape, grad.options()).index_add(d, idx, grad.reshape(out_shape));
                       return TensorList{summed.reshape(shape)};
                     });
  }
  return out;
}

Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha) {
  check_inputs("index_add", {&self, &index, &source});
  check_same_dtype("index_add", self, "source", source);
  const bool track = autograd::needs_grad(self, source);
  autograd::NoGradGuard no_grad;
  const int64_t d = wrap_dim("index_add", dim, self.dim());
  const Tensor idx = vector_index("index_add", index);
  const Tensor src = at_least_1d(source), target = at_least_1d(self);
  EMBER_CHECK(src.dim() == target.dim(),
              "index_add: expected source to have the same number of dimensions as self, got source {} and self {}",
              source.shape(), self.shape());
  for (int64_t k = 0; k < target.dim(); ++k) {
    EMBER_CHECK(k == d || src.shape()[k] == target.shape()[k],
                "index_add: expected source {} to match self {} in every dimension but {}", source.shape(),
                self.shape(), d);
  }
  EMBER_CHECK(src.shape()[d] == idx.numel(),
              "index_add: expected as many indices as source.size({}) ({}), got {} indices", d, src.shape()[d],
              idx.numel());
  check_bounds("index_add", idx, d, target.shape()[d], Negatives::Reject);
  Tensor out = clone(self);
  if (src.numel() > 0) cpu::scatter_add(at_least_1d(out), d, broadcast_index(idx, d, src.shape()), src, alpha);
  if (track) {
    autograd::record("index_add", {self, source}, out,
                     [d, idx, alpha = alpha.to_double(), source_shape = source.shape()](const Tensor& grad) {
                       const Tensor picked = at_least_1d(grad).index_select(d, idx).reshape(source_shape);
                       return TensorList{grad, alpha == 1.0 ? picked : picked * alpha};
                     });
  }
  return out;
}

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  check_inputs("masked_select", {&self, &mask});
  EMBER_CHECK(mask.dtype() == kBool || mask.dtype() == kUInt8, "masked_select: expected a bool (or uint8) mask, got {}",
              mask.dtype());
  const Shape shape = broadcast_shapes("masked_select", self.shape(), mask.shape());
  const bool track = autograd::needs_grad(self);
  autograd::NoGradGuard no_grad;
  Tensor out = cpu::masked_select(self.expand(shape), mask.expand(shape));
  if (track) {
    // The selected elements' gradients go back to their flat positions in the broadcast shape.
    autograd::record("masked_select", {self}, out, [shape, mask](const Tensor& grad) {
      const Tensor positions = nonzero(mask.expand(shape).reshape({-1})).reshape({-1});
      return TensorList{zeros({numel_of(shape)}, grad.options()).index_add(0, positions, grad).reshape(shape)};
    });
  }
  return out;
}

Tensor nonzero(const Tensor& self) {
  check_inputs("nonzero", {&self});
  return cpu::nonzero(self);
}

Tensor take(const Tensor& self, const Tensor& index) {
  check_inputs("take", {&self, &index});
  const Tensor idx = index_as_int64("take", index, IndexDTypes::Int64);
  // take indexes self as if it were flattened; negative indices count from the end.
  std::optional<int64_t> bad = first_out_of_bounds(idx, self.numel(), Negatives::Wrap);
  EMBER_CHECK_INDEX(!bad, "take: index {} is out of bounds for the flattened tensor with size {}", *bad, self.numel());
  const bool track = autograd::needs_grad(self);
  autograd::NoGradGuard no_grad;
  Tensor out = empty(index.shape(), self.options());
  if (out.numel() > 0) cpu::gather(out.view({-1}), self.reshape({-1}), 0, idx.reshape({-1}));
  if (track) {
    autograd::record("take", {self}, out, [shape = self.shape(), idx](const Tensor& grad) {
      const int64_t n = numel_of(shape);
      const Tensor flat = idx.reshape({-1}), wrapped = where(lt(flat, 0), flat + n, flat);
      return TensorList{zeros({n}, grad.options()).index_add(0, wrapped, grad.reshape({-1})).reshape(shape)};
    });
  }
  return out;
}

Tensor one_hot(const Tensor& self, int64_t num_classes) {
  check_inputs("one_hot", {&self});
  EMBER_CHECK(self.dtype() == kInt64, "one_hot: expected an int64 tensor of class indices, got {}", self.dtype());
  const Tensor classes = self.contiguous();
  const int64_t* p = classes.data_ptr<int64_t>();
  const int64_t n = classes.numel();
  EMBER_CHECK(n > 0 || num_classes != -1,
              "one_hot: can not infer the number of classes from an empty tensor; pass num_classes");
  if (n > 0) {
    const auto [lo, hi] = std::minmax_element(p, p + n);
    EMBER_CHECK(*lo >= 0, "one_hot: expected non-negative class values, got {}", *lo);
    if (num_classes == -1) num_classes = *hi + 1;
    EMBER_CHECK(*hi < num_classes, "one_hot: expected class values smaller than num_classes ({}), got {}", num_classes,
                *hi);
  }
  EMBER_CHECK(num_classes >= 0, "one_hot: expected num_classes >= 0 (or -1 to infer it), got {}", num_classes);
  Shape shape = self.shape();
  shape.push_back(num_classes);
  Tensor out = zeros(shape, {kInt64, self.device()});
  if (out.numel() > 0) cpu::scatter_fill(out, out.dim() - 1, classes.unsqueeze(-1), 1);
  return out;
}

Tensor Tensor::index_select(int64_t dim, const Tensor& index) const { return ember::index_select(*this, dim, index); }
Tensor Tensor::gather(int64_t dim, const Tensor& index) const { return ember::gather(*this, dim, index); }
Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Tensor& src) const {
  return ember::scatter(*this, dim, index, src);
}
Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Scalar& value) const {
  return ember::scatter(*this, dim, index, value);
}
Tensor Tensor::scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const {
  return ember::scatter_add(*this, dim, index, src);
}
Tensor Tensor::index_add(int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha) const {
  return ember::index_add(*this, dim, index, source, alpha);
}
Tensor Tensor::masked_select(const Tensor& mask) const { return ember::masked_select(*this, mask); }
Tensor Tensor::nonzero() const { return ember::nonzero(*this); }
Tensor Tensor::take(const Tensor& index) const { return ember::take(*this, index); }

}  // namespace ember
