// Views (no copies: a new geometry over the same storage) and reshaping:
// view, reshape, permute, transpose, expand, squeeze, slice, select, ...
// reshape is the only one that may copy, and only when no view is possible.
#include <ember/ops/toolkit.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <optional>

namespace ember {
namespace {

using autograd::TensorList;

// A new geometry over self's storage, marked as a view of self's base (see
// Note [In-place ops on views] in autograd/inplace.cpp). Under autograd it
// records `backward` (grad of the view -> grad of self).
template <class Backward>
Tensor make_view(const char* op, const Tensor& self, Shape sizes, Shape strides, int64_t offset,
                 const Backward& backward) {
  Tensor out = Tensor::make(self.impl()->storage(), std::move(sizes), std::move(strides), offset, self.dtype());
  detail::mark_view(out, self);
  if (autograd::needs_grad(self)) {
    autograd::record(op, {self}, out, [backward](const Tensor& grad) { return TensorList{backward(grad)}; });
  }
  return out;
}

// The gradient of a view that picks part of self: grad placed at the same view
// of zeros of self's shape. Recorded too (its backward takes the view again),
// so that second derivatives flow through.
template <class View>
Tensor embed(const char* op, const Tensor& grad, const Shape& shape, const View& view) {
  Tensor out = zeros(shape, grad.options());
  {
    autograd::NoGradGuard no_grad;
    Tensor part = view(out);
    part.copy_(grad);
  }
  if (autograd::needs_grad(grad)) {
    autograd::record(op, {grad}, out, [view](const Tensor& g) { return TensorList{view(g)}; });
  }
  return out;
}

std::vector<int64_t> inverse_permutation(IntArrayRef dims, int64_t n) {
  std::vector<int64_t> inverse(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) inverse[static_cast<size_t>(dims[i] < 0 ? dims[i] + n : dims[i])] = i;
  return inverse;
}

// The storage position of every element of a view (an int64 tensor of its shape).
Tensor element_positions(IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  Tensor positions = full(sizes, offset, kInt64);
  for (size_t d = 0; d < sizes.size(); ++d) {
    Shape along(sizes.size(), 1);
    along[d] = sizes[d];
    positions = positions + arange(sizes[d], kInt64).reshape(along) * strides[d];
  }
  return positions;
}

// The backward of the views that only rearrange (view, reshape, squeeze, ...).
auto reshape_to(const Tensor& self) {
  return [shape = self.shape()](const Tensor& grad) { return grad.reshape(shape); };
}

// Resolves one -1 in `shape` against numel (PyTorch's infer_size).
Shape infer_size(const char* op, IntArrayRef shape, int64_t numel) {
  Shape out(shape);
  int64_t known = 1;
  std::optional<size_t> infer;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      EMBER_CHECK(!infer, "{}: only one dimension can be inferred (-1), got shape {}", op, shape);
      infer = i;
    } else {
      EMBER_CHECK(shape[i] >= 0, "{}: invalid shape dimension {} in {}", op, shape[i], shape);
      EMBER_CHECK(!__builtin_mul_overflow(known, shape[i], &known), "{}: shape {} overflows int64", op, shape);
    }
  }
  bool ok = infer ? (known != 0 && numel % known == 0) : known == numel;
  EMBER_CHECK(ok, "{}: shape '{}' is invalid for input of size {}", op, shape, numel);
  if (infer) out[*infer] = numel / known;
  return out;
}

// Strides that let `sizes` view memory laid out as (old_sizes, old_strides), if
// any exist (PyTorch's computeStride): each run of dims that is contiguous in
// memory may be regrouped freely, but no new dim may straddle two runs.
std::optional<Shape> view_strides(IntArrayRef old_sizes, IntArrayRef old_strides, IntArrayRef sizes) {
  Shape strides(sizes.size());
  if (old_sizes.empty() || numel_of(old_sizes) == 0) return contiguous_strides(sizes);
  int64_t view_d = static_cast<int64_t>(sizes.size()) - 1;
  int64_t chunk_base_stride = old_strides.back(), tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_sizes[d];
    if (d == 0 || (old_sizes[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || sizes[view_d] == 1)) {
        strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= sizes[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

}  // namespace

Tensor view(const Tensor& self, IntArrayRef shape) {
  detail::check_defined("view", self);
  Shape sizes = infer_size("view", shape, self.numel());
  std::optional<Shape> strides = view_strides(self.shape(), self.strides(), sizes);
  EMBER_CHECK(strides.has_value(),
              "view: view size {} is not compatible with input tensor's size {} and stride {} (at least one dimension "
              "spans across two contiguous subspaces). Use .reshape(...) instead.",
              sizes, self.shape(), self.strides());
  return make_view("view", self, std::move(sizes), std::move(*strides), self.storage_offset(), reshape_to(self));
}

Tensor reshape(const Tensor& self, IntArrayRef shape) {
  detail::check_defined("reshape", self);
  Shape sizes = infer_size("reshape", shape, self.numel());
  if (std::optional<Shape> strides = view_strides(self.shape(), self.strides(), sizes)) {
    return make_view("reshape", self, std::move(sizes), std::move(*strides), self.storage_offset(), reshape_to(self));
  }
  return clone(self).view(sizes);
}

Tensor permute(const Tensor& self, IntArrayRef dims) {
  detail::check_defined("permute", self);
  const int64_t n = self.dim();
  EMBER_CHECK(static_cast<int64_t>(dims.size()) == n,
              "permute: expected as many dims as the tensor has ({}), got {} (dims {})", n, dims.size(), dims);
  Shape sizes(n), strides(n), seen(n, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t d = wrap_dim("permute", dims[i], n);
    EMBER_CHECK(!seen[d], "permute: expected each dim once, got dims {} (dim {} repeats)", dims, d);
    seen[d] = 1;
    sizes[i] = self.shape()[d];
    strides[i] = self.strides()[d];
  }
  return make_view("permute", self, std::move(sizes), std::move(strides), self.storage_offset(),
                   [inverse = inverse_permutation(dims, n)](const Tensor& grad) { return grad.permute(inverse); });
}

Tensor transpose(const Tensor& self, int64_t dim0, int64_t dim1) {
  detail::check_defined("transpose", self);
  const int64_t n = self.dim();
  int64_t a = wrap_dim("transpose", dim0, n), b = wrap_dim("transpose", dim1, n);
  Shape sizes = self.shape(), strides = self.strides();
  if (n > 0) {
    std::swap(sizes[a], sizes[b]);
    std::swap(strides[a], strides[b]);
  }
  return make_view("transpose", self, std::move(sizes), std::move(strides), self.storage_offset(),
                   [a, b](const Tensor& grad) { return grad.transpose(a, b); });
}

Tensor t(const Tensor& self) {
  detail::check_defined("t", self);
  EMBER_CHECK(self.dim() <= 2, "t: expected a tensor with <= 2 dimensions, got {} (shape {}); use transpose(dim0, dim1)",
              self.dim(), self.shape());
  return self.dim() < 2 ? transpose(self, 0, 0) : transpose(self, 0, 1);
}

Tensor expand(const Tensor& self, IntArrayRef shape) {
  detail::check_defined("expand", self);
  const int64_t n = static_cast<int64_t>(shape.size()), old = self.dim();
  EMBER_CHECK(n >= old,
              "expand: the number of sizes provided ({}) must be greater or equal to the number of dimensions in the "
              "tensor ({})",
              n, old);
  Shape sizes(n), strides(n);
  for (int64_t i = n - 1; i >= 0; --i) {
    int64_t j = i - (n - old);  // matching dim of self, or < 0 for a new leading dim
    int64_t size = shape[i];
    if (j >= 0) {
      int64_t self_size = self.shape()[j];
      if (size == -1) size = self_size;
      EMBER_CHECK(size == self_size || self_size == 1,
                  "expand: the expanded size of the tensor ({}) must match the existing size ({}) at non-singleton "
                  "dimension {}. Target sizes: {}. Tensor sizes: {}",
                  size, self_size, i, shape, self.shape());
      sizes[i] = size;
      strides[i] = size == self_size ? self.strides()[j] : 0;
    } else {
      EMBER_CHECK(size >= 0, "expand: expected a non-negative size for the new leading dimension {}, got {}", i, size);
      sizes[i] = size;
      strides[i] = 0;
    }
  }
  return make_view("expand", self, std::move(sizes), std::move(strides), self.storage_offset(),
                   [shape = self.shape()](const Tensor& grad) { return autograd::sum_to(grad, shape); });
}

Tensor squeeze(const Tensor& self) {
  detail::check_defined("squeeze", self);
  Shape sizes, strides;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (self.shape()[d] == 1) continue;
    sizes.push_back(self.shape()[d]);
    strides.push_back(self.strides()[d]);
  }
  return make_view("squeeze", self, std::move(sizes), std::move(strides), self.storage_offset(), reshape_to(self));
}

Tensor squeeze(const Tensor& self, int64_t dim) {
  detail::check_defined("squeeze", self);
  int64_t d = wrap_dim("squeeze", dim, self.dim());
  Shape sizes = self.shape(), strides = self.strides();
  if (self.dim() > 0 && sizes[d] == 1) {
    sizes.erase(d);
    strides.erase(d);
  }
  return make_view("squeeze", self, std::move(sizes), std::move(strides), self.storage_offset(), reshape_to(self));
}

Tensor unsqueeze(const Tensor& self, int64_t dim) {
  detail::check_defined("unsqueeze", self);
  int64_t d = wrap_dim("unsqueeze", dim, self.dim() + 1);
  Shape sizes = self.shape(), strides = self.strides();
  int64_t stride = d < self.dim() ? sizes[d] * strides[d] : 1;
  sizes.insert(d, 1);
  strides.insert(d, stride);
  return make_view("unsqueeze", self, std::move(sizes), std::move(strides), self.storage_offset(), reshape_to(self));
}

Tensor flatten(const Tensor& self, int64_t start_dim, int64_t end_dim) {
  detail::check_defined("flatten", self);
  if (self.dim() == 0) return reshape(self, {1});
  int64_t start = wrap_dim("flatten", start_dim, self.dim()), end = wrap_dim("flatten", end_dim, self.dim());
  EMBER_CHECK(start <= end, "flatten: expected start_dim <= end_dim, got start_dim={} and end_dim={}", start, end);
  Shape sizes;
  int64_t merged = 1;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (d < start || d > end) {
      sizes.push_back(self.shape()[d]);
      continue;
    }
    merged *= self.shape()[d];
    if (d == end) sizes.push_back(merged);
  }
  return reshape(self, sizes);
}

Tensor unflatten(const Tensor& self, int64_t dim, IntArrayRef sizes) {
  detail::check_defined("unflatten", self);
  int64_t d = wrap_dim("unflatten", dim, self.dim());
  EMBER_CHECK(!sizes.empty(), "unflatten: expected a non-empty sizes list");
  Shape inner = infer_size("unflatten", sizes, self.shape()[d]);
  Shape shape;
  for (int64_t i = 0; i < self.dim(); ++i) {
    if (i != d) {
      shape.push_back(self.shape()[i]);
      continue;
    }
    for (int64_t s : inner) shape.push_back(s);
  }
  return view(self, shape);
}

Tensor slice(const Tensor& self, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) {
  detail::check_defined("slice", self);
  EMBER_CHECK(self.dim() > 0, "slice: expected a tensor with at least one dimension, got a 0-d tensor");
  int64_t d = wrap_dim("slice", dim, self.dim());
  EMBER_CHECK_VALUE(step > 0, "slice: expected a positive step, got {}", step);
  const int64_t size = self.shape()[d];
  // Python's clamping of out-of-range bounds.
  auto clamp_bound = [size](int64_t v) { return v < 0 ? std::max<int64_t>(v + size, 0) : std::min(v, size); };
  int64_t lo = clamp_bound(start.value_or(0)), hi = clamp_bound(end.value_or(size));
  int64_t length = hi > lo ? (hi - lo + step - 1) / step : 0;
  Shape sizes = self.shape(), strides = self.strides();
  sizes[d] = length;
  strides[d] *= step;
  int64_t offset = self.storage_offset() + (length > 0 ? lo * self.strides()[d] : 0);
  return make_view("slice", self, std::move(sizes), std::move(strides), offset,
                   [shape = self.shape(), d, lo, hi, step](const Tensor& grad) {
                     return embed("slice_backward", grad, shape,
                                  [=](const Tensor& t) { return t.slice(d, lo, hi, step); });
                   });
}

Tensor narrow(const Tensor& self, int64_t dim, int64_t start, int64_t length) {
  detail::check_defined("narrow", self);
  EMBER_CHECK(self.dim() > 0, "narrow: expected a tensor with at least one dimension, got a 0-d tensor");
  int64_t d = wrap_dim("narrow", dim, self.dim());
  const int64_t size = self.shape()[d];
  EMBER_CHECK_INDEX(start >= -size && start <= size,
                    "narrow: start ({}) out of range for dimension {} of size {} (expected in [{}, {}])", start, d,
                    size, -size, size);
  if (start < 0) start += size;
  EMBER_CHECK(length >= 0 && start + length <= size,
              "narrow: expected start ({}) + length ({}) to be within dimension {} of size {}", start, length, d, size);
  return slice(self, d, start, start + length, 1);
}

Tensor select(const Tensor& self, int64_t dim, int64_t index) {
  detail::check_defined("select", self);
  EMBER_CHECK_INDEX(self.dim() > 0, "select: expected a tensor with at least one dimension, got a 0-d tensor");
  int64_t d = wrap_dim("select", dim, self.dim());
  const int64_t size = self.shape()[d];
  EMBER_CHECK_INDEX(index >= -size && index < size, "select: index {} is out of bounds for dimension {} with size {}",
                    index, d, size);
  if (index < 0) index += size;
  Shape sizes = self.shape(), strides = self.strides();
  int64_t offset = self.storage_offset() + index * strides[d];
  sizes.erase(d);
  strides.erase(d);
  return make_view("select", self, std::move(sizes), std::move(strides), offset,
                   [shape = self.shape(), d, index](const Tensor& grad) {
                     return embed("select_backward", grad, shape, [=](const Tensor& t) { return t.select(d, index); });
                   });
}

Tensor diagonal(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2) {
  detail::check_defined("diagonal", self);
  EMBER_CHECK(self.dim() >= 2, "diagonal: expected a tensor with at least 2 dimensions, got shape {}", self.shape());
  int64_t a = wrap_dim("diagonal", dim1, self.dim()), b = wrap_dim("diagonal", dim2, self.dim());
  EMBER_CHECK(a != b, "diagonal: expected two different dimensions, got dim1={} and dim2={}", dim1, dim2);
  int64_t length = offset >= 0 ? std::min(self.shape()[a], self.shape()[b] - offset)
                               : std::min(self.shape()[a] + offset, self.shape()[b]);
  length = std::max<int64_t>(length, 0);
  int64_t start = self.storage_offset();
  if (length > 0) start += offset >= 0 ? offset * self.strides()[b] : -offset * self.strides()[a];
  Shape sizes, strides;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (d == a || d == b) continue;
    sizes.push_back(self.shape()[d]);
    strides.push_back(self.strides()[d]);
  }
  sizes.push_back(length);
  strides.push_back(self.strides()[a] + self.strides()[b]);
  return make_view("diagonal", self, std::move(sizes), std::move(strides), start,
                   [shape = self.shape(), offset, a, b](const Tensor& grad) {
                     return embed("diagonal_backward", grad, shape,
                                  [=](const Tensor& t) { return t.diagonal(offset, a, b); });
                   });
}

Tensor as_strided(const Tensor& self, IntArrayRef size, IntArrayRef stride, std::optional<int64_t> storage_offset) {
  detail::check_defined("as_strided", self);
  EMBER_CHECK(size.size() == stride.size(), "as_strided: expected as many strides as sizes, got sizes {} and strides {}",
              size, stride);
  int64_t offset = storage_offset.value_or(self.storage_offset());
  EMBER_CHECK(offset >= 0, "as_strided: expected a non-negative storage offset, got {}", offset);
  int64_t numel = checked_numel("as_strided", size);
  int64_t last = offset;  // highest element index touched
  for (size_t i = 0; i < size.size() && numel > 0; ++i) {
    EMBER_CHECK(stride[i] >= 0, "as_strided: expected non-negative strides, got {}", stride);
    int64_t reach = 0;  // overflow would wrap `last` below the storage check
    EMBER_CHECK(!__builtin_mul_overflow(size[i] - 1, stride[i], &reach) && !__builtin_add_overflow(last, reach, &last),
                "as_strided: sizes {} and strides {} reach past the int64 range", size, stride);
  }
  int64_t storage_elems = static_cast<int64_t>(self.impl()->storage()->nbytes() / self.element_size());
  EMBER_CHECK(numel == 0 || last < storage_elems,
              "as_strided: sizes {}, strides {} and storage offset {} need {} elements of storage, but the storage "
              "holds {}",
              size, stride, offset, last + 1, storage_elems);
  Tensor out = Tensor::make(self.impl()->storage(), Shape(size), Shape(stride), offset, self.dtype());
  detail::mark_view(out, self);
  if (autograd::needs_grad(self)) {
    // Through storage positions: the view's gradients are added at the storage
    // elements they read (overlapping windows sum), then read back at self's.
    EMBER_CHECK_KIND(NotImplemented, !has_internal_overlap(self.shape(), self.strides()),
                     "as_strided: the derivative for an input whose elements overlap in memory (shape {}, strides {}) "
                     "is not implemented",
                     self.shape(), self.strides());
    autograd::record("as_strided", {self}, out,
                     [self_shape = self.shape(), self_strides = self.strides(), self_offset = self.storage_offset(),
                      sizes = out.shape(), strides = out.strides(), offset](const Tensor& grad) {
                       const Tensor self_at = element_positions(self_shape, self_strides, self_offset);
                       const Tensor view_at = element_positions(sizes, strides, offset);
                       if (self_at.numel() == 0 || view_at.numel() == 0) return TensorList{zeros(self_shape, grad.options())};
                       const int64_t extent =
                           std::max(self_at.max().item<int64_t>(), view_at.max().item<int64_t>()) + 1;
                       const Tensor storage = zeros({extent}, grad.options()).index_add(0, view_at.reshape({-1}), grad.reshape({-1}));
                       return TensorList{storage.take(self_at)};
                     });
  }
  return out;
}

std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& tensors) {
  Shape shape;
  for (const Tensor& t : tensors) {
    detail::check_defined("broadcast_tensors", t);
    shape = broadcast_shapes("broadcast_tensors", shape, t.shape());
  }
  std::vector<Tensor> out;
  out.reserve(tensors.size());
  for (const Tensor& t : tensors) out.push_back(expand(t, shape));
  return out;
}

Tensor Tensor::view(IntArrayRef shape) const { return ember::view(*this, shape); }
Tensor Tensor::reshape(IntArrayRef shape) const { return ember::reshape(*this, shape); }
Tensor Tensor::permute(IntArrayRef dims) const { return ember::permute(*this, dims); }
Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const { return ember::transpose(*this, dim0, dim1); }
Tensor Tensor::t() const { return ember::t(*this); }
Tensor Tensor::expand(IntArrayRef shape) const { return ember::expand(*this, shape); }
Tensor Tensor::expand_as(const Tensor& other) const { return ember::expand(*this, other.shape()); }
Tensor Tensor::squeeze() const { return ember::squeeze(*this); }
Tensor Tensor::squeeze(int64_t dim) const { return ember::squeeze(*this, dim); }
Tensor Tensor::unsqueeze(int64_t dim) const { return ember::unsqueeze(*this, dim); }
Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const { return ember::flatten(*this, start_dim, end_dim); }
Tensor Tensor::unflatten(int64_t dim, IntArrayRef sizes) const { return ember::unflatten(*this, dim, sizes); }
Tensor Tensor::slice(int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) const {
  return ember::slice(*this, dim, start, end, step);
}
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  return ember::narrow(*this, dim, start, length);
}
Tensor Tensor::select(int64_t dim, int64_t index) const { return ember::select(*this, dim, index); }
Tensor Tensor::diagonal(int64_t offset, int64_t dim1, int64_t dim2) const {
  return ember::diagonal(*this, offset, dim1, dim2);
}
Tensor Tensor::as_strided(IntArrayRef size, IntArrayRef stride, std::optional<int64_t> storage_offset) const {
  return ember::as_strided(*this, size, stride, storage_offset);
}

}  // namespace ember
