// t[index] and t[index] = value, NumPy's (and PyTorch's) rules. Basic items
// (int, slice, None, ...) become views (select, slice, unsqueeze); tensor
// items (int64 or bool tensors, lists, arrays) gather a copy through one
// index_select over the advanced dims, so the result differentiates.
// Assignment through advanced items writes the positions the same indexing
// selects from arange(numel) (one scatter), so every index form is one path.
#include "bindings.h"

#include <fmt/format.h>

#include <numeric>

namespace ember::python {
namespace {

// One advanced item: the index tensor (int64) for dim `dim` of the tensor being indexed.
struct Advanced {
  int64_t dim;
  Tensor index;
};

Tensor index_tensor(const py::handle& item) {
  if (py::isinstance<Tensor>(item)) return item.cast<Tensor>();
  return py::module_::import("ember").attr("tensor")(item).cast<Tensor>();
}

bool is_advanced(const py::handle& item) {
  return py::isinstance<Tensor>(item) || py::isinstance<py::list>(item) || py::hasattr(item, "__array__");
}

// How many dims of self an item consumes (None and ... consume none here).
int64_t consumed(const py::handle& item) {
  if (item.is_none() || item.ptr() == Py_Ellipsis) return 0;
  if (is_advanced(item)) {
    const Tensor t = index_tensor(item);
    return t.dtype() == kBool ? std::max<int64_t>(t.dim(), 1) : 1;
  }
  return 1;
}

// The int64 index tensors (one per dim) of a bool mask: its nonzero positions.
std::vector<Tensor> mask_indices(const Tensor& mask) {
  const Tensor positions = mask.dim() == 0 ? mask.unsqueeze(0).nonzero() : mask.nonzero();  // [nnz, k]
  std::vector<Tensor> out;
  for (int64_t d = 0; d < positions.size(1); ++d) out.push_back(positions.select(1, d));
  return out;
}

// result[..advanced dims..] gathered: NumPy puts the broadcast index shape in
// place of the advanced dims when they are adjacent, else in front.
Tensor gather_advanced(const Tensor& self, const std::vector<Advanced>& items) {
  std::vector<Tensor> indices;
  for (const Advanced& a : items) indices.push_back(a.index);
  indices = broadcast_tensors(indices);
  const Shape index_shape = indices.empty() ? Shape{} : indices[0].shape();
  std::vector<int64_t> perm, rest_before, rest_after;
  for (const Advanced& a : items) perm.push_back(a.dim);
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (std::find(perm.begin(), perm.end(), d) != perm.end()) continue;
    (d < items.front().dim ? rest_before : rest_after).push_back(d);
  }
  perm.insert(perm.end(), rest_before.begin(), rest_before.end());
  perm.insert(perm.end(), rest_after.begin(), rest_after.end());
  // Row-major linear positions over the advanced dims, bounds-checked and wrapped.
  Tensor linear = zeros(index_shape, TensorOptions(kInt64, self.device()));
  int64_t extent = 1;
  for (size_t i = items.size(); i-- > 0;) {
    const int64_t size = self.size(items[i].dim);
    Tensor index = indices[i];
    if (index.numel() > 0) {
      const int64_t lo = index.min().item<int64_t>(), hi = index.max().item<int64_t>();
      const int64_t bad = lo < -size ? lo : hi;
      EMBER_CHECK_INDEX(lo >= -size && hi < size, "index {} is out of bounds for dimension {} with size {}", bad,
                        items[i].dim, size);
    }
    index = where(index < 0, index + size, index);
    linear = linear + index * extent;
    extent *= size;
  }
  Shape rest_shape;
  for (size_t i = items.size(); i < perm.size(); ++i) rest_shape.push_back(self.size(perm[i]));
  Shape flat_shape{extent};
  for (int64_t s : rest_shape) flat_shape.push_back(s);
  const Tensor flat = self.permute(perm).reshape(flat_shape);
  Shape out_shape = index_shape;
  for (int64_t s : rest_shape) out_shape.push_back(s);
  Tensor out = flat.index_select(0, linear.reshape({-1})).reshape(out_shape);
  bool adjacent = true;
  for (size_t i = 1; i < items.size(); ++i) adjacent = adjacent && items[i].dim == items[i - 1].dim + 1;
  if (!adjacent || rest_before.empty()) return out;
  // Adjacent advanced dims after some basic ones: move the index dims back in place.
  const int64_t k = static_cast<int64_t>(index_shape.size()), before = static_cast<int64_t>(rest_before.size());
  std::vector<int64_t> order;
  for (int64_t i = 0; i < before; ++i) order.push_back(k + i);
  for (int64_t i = 0; i < k; ++i) order.push_back(i);
  for (int64_t i = k + before; i < out.dim(); ++i) order.push_back(i);
  return out.permute(order);
}

struct Indexed {
  Tensor result;
  bool advanced;
};

Indexed index(const Tensor& self, const py::object& index) {
  const py::tuple items = py::isinstance<py::tuple>(index) ? index.cast<py::tuple>() : py::make_tuple(index);
  int64_t used = 0, ellipses = 0;
  for (const py::handle& item : items) {
    used += consumed(item);
    ellipses += item.ptr() == Py_Ellipsis;
  }
  EMBER_CHECK_INDEX(ellipses <= 1, "an index can only have a single ellipsis ('...')");
  EMBER_CHECK_INDEX(used <= self.dim(), "too many indices for tensor of dimension {}", self.dim());
  Tensor result = self;
  std::vector<Advanced> advanced;
  int64_t d = 0;  // the dim of result the next item applies to
  for (const py::handle& item : items) {
    if (item.is_none()) {
      result = result.unsqueeze(d++);
    } else if (item.ptr() == Py_Ellipsis) {
      d += self.dim() - used;
    } else if (py::isinstance<py::bool_>(item)) {
      throw py::index_error("indexing with a Python bool is not supported; use a bool tensor");
    } else if (py::isinstance<py::int_>(item)) {
      const int64_t size = result.size(d), i = item.cast<int64_t>();
      EMBER_CHECK_INDEX(i >= -size && i < size, "index {} is out of bounds for dimension {} with size {}", i, d, size);
      result = result.select(d, i);
    } else if (py::isinstance<py::slice>(item)) {
      py::ssize_t start, stop, step, length;
      if (!item.cast<py::slice>().compute(result.size(d), &start, &stop, &step, &length)) throw py::error_already_set();
      if (step <= 0) throw py::value_error("step must be greater than zero");
      result = result.slice(d++, start, start + length * step, step);
    } else if (is_advanced(item)) {
      const Tensor t = index_tensor(item);
      if (t.dtype() == kBool) {
        for (const Tensor& index_of_dim : mask_indices(t)) advanced.push_back({d++, index_of_dim});
      } else {
        EMBER_CHECK_INDEX(t.dtype() == kInt64 || t.dtype() == kInt32 || t.dtype() == kUInt8,
                          "tensors used as indices must be long, int, byte or bool tensors, got {}", t.dtype());
        advanced.push_back({d++, t.to(kInt64)});
      }
    } else {
      throw py::index_error(fmt::format(
          "only integers, slices (`:`), ellipsis (`...`), None and long or bool tensors are valid indices (got {})",
          std::string(py::str(item.get_type().attr("__name__")))));
    }
  }
  if (advanced.empty()) return {result, false};
  return {gather_advanced(result, advanced), true};
}

void set_item(const Tensor& self, const py::object& index_object, const py::object& value) {
  const Tensor source = py::isinstance<Tensor>(value) || !is_number(value) ? index_tensor(value) : Tensor();
  const Indexed target = index(self, index_object);
  if (!target.advanced) {  // a view of self: write into it
    Tensor view = target.result;
    source.defined() ? (void)view.copy_(source) : (void)view.fill_(to_scalar(value));
    return;
  }
  // The positions (row-major) of the selected elements, by the same indexing of arange.
  const Tensor positions =
      index(arange(self.numel(), TensorOptions(kInt64, self.device())).view(self.shape()), index_object).result;
  const Tensor values = (source.defined() ? source.to(self.dtype())
                                          : full({}, to_scalar(value), TensorOptions(self.dtype(), self.device())))
                            .expand(positions.shape());
  Tensor target_tensor = self;
  target_tensor.copy_(self.reshape({-1}).scatter(0, positions.reshape({-1}), values.reshape({-1})).view(self.shape()));
}

}  // namespace

void bind_indexing(py::class_<Tensor>& tensor) {
  tensor.def("__getitem__", [](const Tensor& self, const py::object& i) { return index(self, i).result; });
  tensor.def("__setitem__", &set_item);
}

}  // namespace ember::python
