// Joining and reshaping copies: cat, stack, repeat, tile, flip, roll, tril,
// triu, pad; and the splitting views split, chunk, unbind (no copies: they share
// the input's storage). Every copy here is a view plus copy_, so these ops run
// on any device copy_ supports and need no kernels of their own.
#include <ember/ops/toolkit.h>

namespace ember {
namespace {

using autograd::TensorList;

// PyTorch's legacy rule: cat skips a 1-d tensor of size 0 (it takes part in
// type promotion but not in the shape checks), so `cat({empty(0), x})` is x.
bool is_legacy_empty(const Tensor& t) { return t.dim() == 1 && t.numel() == 0; }

// out = self repeated `repeats[i]` times along dim i (repeats may add leading dims).
Tensor repeat_impl(const char* op, const Tensor& self, IntArrayRef repeats) {
  detail::check_defined(op, self);
  const int64_t n = static_cast<int64_t>(repeats.size()), lead = n - self.dim();
  EMBER_CHECK(lead >= 0, "{}: expected at least as many repeat dims as the tensor has dimensions ({}), got {}", op,
              self.dim(), repeats);
  // out, viewed as [r0, s0, r1, s1, ...], is self viewed as [1, s0, 1, s1, ...] broadcast.
  Shape out_shape(n), unfolded, self_unfolded;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t size = i < lead ? 1 : self.shape()[i - lead];
    EMBER_CHECK(repeats[i] >= 0, "{}: expected non-negative repeats, got {}", op, repeats);
    EMBER_CHECK(!__builtin_mul_overflow(repeats[i], size, &out_shape[i]),
                "{}: repeats {} of a tensor of shape {} overflow int64", op, repeats, self.shape());
    unfolded.push_back(repeats[i]);
    unfolded.push_back(size);
    self_unfolded.push_back(1);
    self_unfolded.push_back(size);
  }
  checked_numel(op, out_shape);
  Tensor out = empty(out_shape, self.options());
  if (out.numel() > 0) {
    autograd::NoGradGuard no_grad;  // recorded below as one node
    Tensor target = out.view(unfolded);
    target.copy_(self.reshape(self_unfolded));
  }
  if (autograd::needs_grad(self)) {
    // Every copy of an element adds to its gradient: sum over the repeat dims of the unfolded view.
    autograd::record(op, {self}, out, [unfolded, shape = self.shape()](const Tensor& grad) {
      std::vector<int64_t> repeat_dims;
      for (size_t i = 0; i < unfolded.size(); i += 2) repeat_dims.push_back(static_cast<int64_t>(i));
      return TensorList{grad.reshape(unfolded).sum(repeat_dims).reshape(shape)};
    });
  }
  return out;
}

// self rolled by `shift` (any sign) along dim: element i moves to (i + shift) mod size.
Tensor roll_one(const Tensor& self, int64_t shift, int64_t dim) {
  const int64_t size = self.shape()[dim];
  const int64_t s = size == 0 ? 0 : ((shift % size) + size) % size;
  if (s == 0) return clone(self);
  return cat({self.narrow(dim, size - s, s), self.narrow(dim, 0, size - s)}, dim);
}

enum class Triangle { Lower, Upper };

// Keeps element (i, j) of every matrix (the last two dims) where j - i <= diagonal
// (Lower) or j - i >= diagonal (Upper), and zeroes the rest.
Tensor triangle(const char* op, const Tensor& self, int64_t diagonal, Triangle part) {
  detail::check_defined(op, self);
  EMBER_CHECK(self.dim() >= 2, "{}: expected a tensor with at least 2 dimensions, got shape {}", op, self.shape());
  const TensorOptions index_options{kInt64, self.device()};
  Tensor column_minus_row =
      arange(self.size(-1), index_options) - arange(self.size(-2), index_options).unsqueeze(1);
  Tensor keep = part == Triangle::Lower ? le(column_minus_row, diagonal) : ge(column_minus_row, diagonal);
  return where(keep, self, zeros({}, self.options()));
}


// Note [One node for the pieces of a split]
// split, chunk and unbind return views of self recorded as one node, whose
// backward joins the pieces' gradients (cat, or stack for unbind; zeros for a
// piece that got none), as PyTorch's SplitBackward and UnbindBackward do.
// Recorded piece by piece (each a narrow or select), every piece would send
// back a zero-padded gradient of self's full shape, and a loop over n pieces
// (an RNN over its time steps) would pay O(n * self.numel()) in backward.
// In-place changes to the pieces are refused under autograd, as in PyTorch
// (ViewCreation::kMultiOutput).
std::vector<Tensor> split_views(const char* op, const Tensor& self, int64_t d, IntArrayRef sizes, bool unbinding) {
  std::vector<Tensor> out;
  out.reserve(sizes.size());
  {
    autograd::NoGradGuard no_grad;  // recorded below as one node
    int64_t start = 0;
    for (int64_t size : sizes) {
      out.push_back(unbinding ? self.select(d, start) : self.narrow(d, start, size));
      start += size;
    }
  }
  for (const Tensor& piece : out) detail::mark_view(piece, self, ViewCreation::kMultiOutput);
  if (autograd::needs_grad(self) && !out.empty()) {
    std::vector<Shape> shapes;
    for (const Tensor& piece : out) shapes.push_back(piece.shape());
    autograd::record(op, {self}, out, [shapes, d, unbinding, options = self.options()](const TensorList& grads) {
      TensorList parts;
      for (size_t i = 0; i < shapes.size(); ++i) {
        parts.push_back(grads[i].defined() ? grads[i] : zeros(shapes[i], options));
      }
      return TensorList{unbinding ? stack(parts, d) : cat(parts, d)};
    });
  }
  return out;
}
}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  detail::check_defined("cat", tensors[0]);
  DType dtype = tensors[0].dtype();
  std::optional<size_t> ref;  // the first tensor that takes part in the shape checks
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    detail::check_defined("cat", t);
    detail::check_same_device("cat", tensors[0], t);
    EMBER_CHECK(t.dim() > 0, "cat: zero-dimensional tensor (at position {}) cannot be concatenated", i);
    dtype = promote_types(dtype, t.dtype());
    if (!ref && !is_legacy_empty(t)) ref = i;
  }
  const Device device = tensors[0].device();
  if (!ref) return empty({0}, {dtype, device});

  const Tensor& first = tensors[*ref];
  const int64_t d = wrap_dim("cat", dim, first.dim());
  Shape out_shape = first.shape();
  out_shape[d] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (is_legacy_empty(t)) continue;
    EMBER_CHECK(t.dim() == first.dim(),
                "cat: expected tensors with the same number of dimensions, got {} at position {} and {} at position {}",
                first.shape(), *ref, t.shape(), i);
    for (int64_t k = 0; k < t.dim(); ++k) {
      EMBER_CHECK(k == d || t.shape()[k] == first.shape()[k],
                  "cat: expected tensors to have the same size in every dimension except the concatenated dimension "
                  "{}, got {} at position {} and {} at position {}",
                  d, first.shape(), *ref, t.shape(), i);
    }
    EMBER_CHECK(!__builtin_add_overflow(out_shape[d], t.shape()[d], &out_shape[d]), "cat: result size overflows int64");
  }
  checked_numel("cat", out_shape);

  Tensor out = empty(out_shape, {dtype, device});
  {
    autograd::NoGradGuard no_grad;  // recorded below as one node
    int64_t offset = 0;
    for (const Tensor& t : tensors) {
      if (is_legacy_empty(t)) continue;
      Tensor part = out.narrow(d, offset, t.shape()[d]);
      part.copy_(t);
      offset += t.shape()[d];
    }
  }
  if (autograd::needs_grad(tensors)) {
    // Each input's gradient is its slice of grad (the skipped empty ones get none).
    std::vector<int64_t> sizes;
    for (const Tensor& t : tensors) sizes.push_back(is_legacy_empty(t) ? -1 : t.shape()[d]);
    autograd::record("cat", tensors, out, [sizes, d](const Tensor& grad) {
      TensorList grads;
      int64_t offset = 0;
      for (int64_t size : sizes) {
        grads.push_back(size < 0 ? Tensor() : grad.narrow(d, offset, size));
        offset += std::max<int64_t>(size, 0);
      }
      return grads;
    });
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "stack: expected a non-empty list of tensors");
  for (const Tensor& t : tensors) detail::check_defined("stack", t);
  const int64_t d = wrap_dim("stack", dim, tensors[0].dim() + 1);
  std::vector<Tensor> parts;
  parts.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    EMBER_CHECK(tensors[i].shape() == tensors[0].shape(),
                "stack: expected each tensor to be equal size, got {} at position 0 and {} at position {}",
                tensors[0].shape(), tensors[i].shape(), i);
    parts.push_back(tensors[i].unsqueeze(d));
  }
  return cat(parts, d);
}

std::vector<Tensor> split(const Tensor& self, int64_t split_size, int64_t dim) {
  detail::check_defined("split", self);
  EMBER_CHECK(self.dim() > 0, "split: expected at least a 1-dimensional tensor, got a 0-d tensor");
  const int64_t d = wrap_dim("split", dim, self.dim()), size = self.shape()[d];
  EMBER_CHECK(split_size >= 0, "split: expected a non-negative split_size, got {}", split_size);
  EMBER_CHECK(split_size > 0 || size == 0,
              "split: split_size can only be 0 if the dimension size is 0, got dimension {} of size {}", d, size);
  // At least one piece, even of an empty dim; the last piece may be shorter.
  const int64_t pieces = split_size == 0 ? 1 : std::max<int64_t>(size / split_size + (size % split_size != 0), 1);
  std::vector<int64_t> sizes;
  for (int64_t i = 0; i < pieces; ++i) sizes.push_back(std::min(split_size, size - i * split_size));
  return split_views("split", self, d, sizes, /*unbinding=*/false);
}

std::vector<Tensor> split(const Tensor& self, IntArrayRef split_sizes, int64_t dim) {
  detail::check_defined("split", self);
  EMBER_CHECK(self.dim() > 0, "split: expected at least a 1-dimensional tensor, got a 0-d tensor");
  const int64_t d = wrap_dim("split", dim, self.dim()), size = self.shape()[d];
  int64_t total = 0;
  for (int64_t s : split_sizes) {
    EMBER_CHECK(s >= 0, "split: expected split_sizes with only non-negative entries, got {}", split_sizes);
    EMBER_CHECK(!__builtin_add_overflow(total, s, &total), "split: split_sizes {} overflow int64", split_sizes);
  }
  EMBER_CHECK(total == size,
              "split: expected split_sizes to sum exactly to {} (the size of dimension {}), got split_sizes={}", size,
              d, split_sizes);
  return split_views("split", self, d, split_sizes, /*unbinding=*/false);
}

std::vector<Tensor> chunk(const Tensor& self, int64_t chunks, int64_t dim) {
  detail::check_defined("chunk", self);
  EMBER_CHECK(self.dim() > 0, "chunk: expected at least a 1-dimensional tensor, got a 0-d tensor");
  EMBER_CHECK(chunks > 0, "chunk: expected chunks to be greater than 0, got {}", chunks);
  const int64_t d = wrap_dim("chunk", dim, self.dim()), size = self.shape()[d];
  // Pieces of ceil(size / chunks): fewer than `chunks` pieces when the last ones
  // would be empty, except that an empty dim gives exactly `chunks` empty pieces.
  if (size == 0) return split(self, std::vector<int64_t>(static_cast<size_t>(chunks), 0), d);
  return split(self, size / chunks + (size % chunks != 0), d);
}

std::vector<Tensor> unbind(const Tensor& self, int64_t dim) {
  detail::check_defined("unbind", self);
  EMBER_CHECK_INDEX(self.dim() > 0, "unbind: dimension specified as {} but the tensor has no dimensions", dim);
  const int64_t d = wrap_dim("unbind", dim, self.dim());
  return split_views("unbind", self, d, std::vector<int64_t>(static_cast<size_t>(self.shape()[d]), 1),
                     /*unbinding=*/true);
}

Tensor repeat(const Tensor& self, IntArrayRef repeats) { return repeat_impl("repeat", self, repeats); }

Tensor tile(const Tensor& self, IntArrayRef dims) {
  detail::check_defined("tile", self);
  // Fewer dims than the tensor: the missing leading ones repeat once.
  Shape repeats(static_cast<size_t>(std::max<int64_t>(self.dim() - static_cast<int64_t>(dims.size()), 0)), 1);
  for (int64_t r : dims) repeats.push_back(r);
  return repeat_impl("tile", self, repeats);
}

Tensor flip(const Tensor& self, IntArrayRef dims) {
  detail::check_defined("flip", self);
  Shape strides = self.strides();
  int64_t offset = self.storage_offset();
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(self.dim(), 1)), false);
  for (int64_t dim : dims) {
    const int64_t d = wrap_dim("flip", dim, self.dim());
    EMBER_CHECK(!seen[d], "flip: expected each dim once, got dims {} (dim {} appears multiple times)", dims, d);
    seen[d] = true;
    if (self.dim() == 0) continue;
    offset += (self.shape()[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  Tensor out = empty(self.shape(), self.options());
  if (out.numel() > 0) {
    // ember's public views never have negative strides; this one lives only as
    // the source of the copy, which walks it backwards along the flipped dims.
    Tensor reversed = Tensor::make(self.impl()->storage(), self.shape(), std::move(strides), offset, self.dtype());
    out.copy_(reversed);
  }
  if (autograd::needs_grad(self)) {
    autograd::record("flip", {self}, out, [dims = std::vector<int64_t>(dims.begin(), dims.end())](const Tensor& grad) {
      return TensorList{flip(grad, dims)};
    });
  }
  return out;
}

Tensor roll(const Tensor& self, IntArrayRef shifts, IntArrayRef dims) {
  detail::check_defined("roll", self);
  EMBER_CHECK(!shifts.empty(), "roll: expected at least one shift, got none");  // shifts[0] below
  EMBER_CHECK(shifts.size() == dims.size() || (dims.empty() && shifts.size() == 1),
              "roll: expected shifts and dims to align (or one shift and no dims), got shifts {} and dims {}", shifts,
              dims);
  // No dims: roll the flattened tensor and restore the shape.
  if (dims.empty()) return roll_one(self.flatten(), shifts[0], 0).view(self.shape());
  EMBER_CHECK_INDEX(self.dim() > 0, "roll: dimension specified as {} but the tensor has no dimensions", dims[0]);
  Shape wrapped;
  for (int64_t dim : dims) wrapped.push_back(wrap_dim("roll", dim, self.dim()));
  Tensor out = self;
  for (size_t i = 0; i < dims.size(); ++i) out = roll_one(out, shifts[i], wrapped[i]);
  return out;
}

Tensor tril(const Tensor& self, int64_t diagonal) { return triangle("tril", self, diagonal, Triangle::Lower); }
Tensor triu(const Tensor& self, int64_t diagonal) { return triangle("triu", self, diagonal, Triangle::Upper); }

// pad = {before, after} for the last dim, then for the one before it, ... (PyTorch's
// F.pad order); a negative amount crops. The backward of padding by p is padding by -p.
Tensor pad(const Tensor& self, IntArrayRef pad, const Scalar& value) {
  detail::check_defined("pad", self);
  EMBER_CHECK(pad.size() % 2 == 0 && static_cast<int64_t>(pad.size()) <= 2 * self.dim(),
              "pad: expected an even number of amounts, at most 2 per dim ({} dims), got {}", self.dim(), pad);
  Shape out_shape = self.shape();
  Tensor source = detach(self);  // recorded below as one node
  std::vector<std::pair<int64_t, int64_t>> target;  // per padded dim: (dim, start in out)
  for (size_t i = 0; i < pad.size() / 2; ++i) {
    const int64_t dim = self.dim() - 1 - static_cast<int64_t>(i), before = pad[2 * i], after = pad[2 * i + 1];
    out_shape[dim] += before + after;
    EMBER_CHECK(out_shape[dim] >= 0, "pad: padding {} of a tensor of shape {} gives a negative size {} in dim {}", pad,
                self.shape(), out_shape[dim], dim);
    const int64_t crop_before = std::max<int64_t>(-before, 0), crop_after = std::max<int64_t>(-after, 0);
    source = source.narrow(dim, std::min(crop_before, self.shape()[dim]),
                           std::max<int64_t>(self.shape()[dim] - crop_before - crop_after, 0));
    target.emplace_back(dim, std::max<int64_t>(before, 0));
  }
  Tensor out = full(out_shape, value, self.options());
  if (source.numel() > 0) {
    Tensor region = out;
    for (const auto& [dim, start] : target) region = region.narrow(dim, start, source.shape()[dim]);
    region.copy_(source);
  }
  if (autograd::needs_grad(self)) {
    std::vector<int64_t> unpad(pad.begin(), pad.end());
    for (int64_t& amount : unpad) amount = -amount;
    autograd::record("pad", {self}, out, [unpad](const Tensor& grad) { return TensorList{ember::pad(grad, unpad)}; });
  }
  return out;
}

std::vector<Tensor> Tensor::split(int64_t split_size, int64_t dim) const { return ember::split(*this, split_size, dim); }
std::vector<Tensor> Tensor::split(IntArrayRef split_sizes, int64_t dim) const {
  return ember::split(*this, split_sizes, dim);
}
std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t dim) const { return ember::chunk(*this, chunks, dim); }
std::vector<Tensor> Tensor::unbind(int64_t dim) const { return ember::unbind(*this, dim); }
Tensor Tensor::repeat(IntArrayRef repeats) const { return ember::repeat(*this, repeats); }
Tensor Tensor::tile(IntArrayRef dims) const { return ember::tile(*this, dims); }
Tensor Tensor::flip(IntArrayRef dims) const { return ember::flip(*this, dims); }
Tensor Tensor::roll(IntArrayRef shifts, IntArrayRef dims) const { return ember::roll(*this, shifts, dims); }
Tensor Tensor::tril(int64_t diagonal) const { return ember::tril(*this, diagonal); }
Tensor Tensor::triu(int64_t diagonal) const { return ember::triu(*this, diagonal); }

}  // namespace ember
