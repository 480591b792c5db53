// The rest of torch.Tensor's methods over ember's ops (ops/ops.h): shape and
// joins, indexing and scatter, sorting, linear algebra, the reductions and
// math that tensor.cpp's operators and core methods leave out, random fills.
// Every top-level function of the same name in torch (torch.gather(t, ...))
// is this method, through ember/_functions.py.
#include "bindings.h"

#include <fmt/format.h>

namespace ember::python {
namespace {

using NoGil = py::call_guard<py::gil_scoped_release>;

// The named pair torch returns for sort, topk, max and min along a dim (torch.return_types.<name>).
py::object named_pair(const char* name, std::pair<Tensor, Tensor> pair) {
  return py::module_::import("ember").attr("return_types").attr(name)(pair.first, pair.second);
}

// An argument that is a Tensor or a Python number, for the ops with both overloads.
bool is_tensor(py::handle value) { return py::isinstance<Tensor>(value); }

std::optional<Scalar> optional_scalar(const py::object& value) {
  if (value.is_none()) return std::nullopt;
  return to_scalar(value);
}

std::optional<DType> optional_dtype(const py::object& value, const char* function) {
  if (value.is_none()) return std::nullopt;
  return to_dtype(value, function);
}

// torch.Tensor.type(): the legacy type name ("torch.FloatTensor") without an argument, else a conversion.
std::string legacy_type_name(DType dtype) {
  switch (dtype) {
    case kFloat32: return "FloatTensor";
    case kFloat64: return "DoubleTensor";
    case kFloat16: return "HalfTensor";
    case kBFloat16: return "BFloat16Tensor";
    case kInt64: return "LongTensor";
    case kInt32: return "IntTensor";
    case kUInt8: return "ByteTensor";
    case kBool: return "BoolTensor";
  }
  return "Tensor";
}

void bind_shape_methods(py::class_<Tensor>& tensor) {
  tensor.def("view_as", [](const Tensor& t, const Tensor& other) { return t.view(other.shape()); }, py::arg("other"))
      .def("reshape_as", [](const Tensor& t, const Tensor& other) { return t.reshape(other.shape()); },
           py::arg("other"))
      .def("expand_as", &Tensor::expand_as, py::arg("other"))
      .def("unflatten", [](const Tensor& t, int64_t dim, const std::vector<int64_t>& sizes) {
        return t.unflatten(dim, sizes);
      }, py::arg("dim"), py::arg("sizes"))
      .def("swapaxes", &Tensor::transpose, py::arg("axis0"), py::arg("axis1"))
      .def("swapdims", &Tensor::transpose, py::arg("dim0"), py::arg("dim1"))
      .def("diagonal", &Tensor::diagonal, py::arg("offset") = 0, py::arg("dim1") = 0, py::arg("dim2") = 1)
      .def("repeat", [](const Tensor& t, const py::args& repeats) {
        const std::vector<int64_t> sizes = to_shape(repeats);  // with the GIL: reading Python ints needs it
        py::gil_scoped_release no_gil;
        return t.repeat(sizes);
      })
      .def("tile", [](const Tensor& t, const py::args& dims) { return t.tile(to_shape(dims)); })
      .def("flip", [](const Tensor& t, const py::args& dims) { return t.flip(to_shape(dims)); })
      .def("roll", [](const Tensor& t, const py::object& shifts, const py::object& dims) {
        EMBER_CHECK_TYPE(!shifts.is_none(), "roll(): argument 'shifts' must be tuple of ints, not NoneType");
        return t.roll(to_dims(shifts), to_dims(dims));
      }, py::arg("shifts"), py::arg("dims") = py::none())
      .def("tril", &Tensor::tril, py::arg("diagonal") = 0, NoGil())
      .def("triu", &Tensor::triu, py::arg("diagonal") = 0, NoGil())
      .def("chunk", &Tensor::chunk, py::arg("chunks"), py::arg("dim") = 0)
      .def("split", [](const Tensor& t, const py::object& split_size_or_sections, int64_t dim) {
        if (py::isinstance<py::int_>(split_size_or_sections)) return t.split(split_size_or_sections.cast<int64_t>(), dim);
        return t.split(split_size_or_sections.cast<std::vector<int64_t>>(), dim);
      }, py::arg("split_size"), py::arg("dim") = 0)
      .def("unbind", &Tensor::unbind, py::arg("dim") = 0);
  tensor.attr("nelement") = tensor.attr("numel");
}

void bind_index_methods(py::class_<Tensor>& tensor) {
  tensor.def("index_select", &Tensor::index_select, py::arg("dim"), py::arg("index"), NoGil())
      .def("gather", &Tensor::gather, py::arg("dim"), py::arg("index"), NoGil())
      .def("scatter", [](const Tensor& t, int64_t dim, const Tensor& index, const py::object& src) {
        return is_tensor(src) ? t.scatter(dim, index, src.cast<Tensor>()) : t.scatter(dim, index, to_scalar(src));
      }, py::arg("dim"), py::arg("index"), py::arg("src"))
      .def("scatter_add", &Tensor::scatter_add, py::arg("dim"), py::arg("index"), py::arg("src"), NoGil())
      .def("index_add", [](const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source,
                           const py::object& alpha) { return t.index_add(dim, index, source, to_scalar(alpha)); },
           py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(), py::arg("alpha") = 1)
      .def("masked_select", &Tensor::masked_select, py::arg("mask"), NoGil())
      // value: a number or a 0-d tensor (which gets a gradient), as torch's two overloads.
      .def("masked_fill", [](const Tensor& t, const Tensor& mask, const py::object& value) {
        return is_tensor(value) ? masked_fill(t, mask, value.cast<Tensor>()) : t.masked_fill(mask, to_scalar(value));
      }, py::arg("mask"), py::arg("value"))
      .def("masked_fill_", [](py::object self, const Tensor& mask, const py::object& value) {
        Tensor t = self.cast<Tensor>();
        if (is_tensor(value)) {
          t.copy_(masked_fill(t, mask, value.cast<Tensor>()));  // as Tensor::masked_fill_ does with a number
        } else {
          t.masked_fill_(mask, to_scalar(value));
        }
        return self;
      }, py::arg("mask"), py::arg("value"))
      .def("take", [](const Tensor& t, const Tensor& index) { return take(t, index); }, py::arg("index"))
      // as_tuple: one index tensor per dim, as torch.nonzero(as_tuple=True) and numpy.nonzero.
      .def("nonzero", [](const Tensor& t, bool as_tuple) -> py::object {
        const Tensor positions = t.nonzero();
        if (!as_tuple) return py::cast(positions);
        return py::tuple(py::cast(positions.unbind(1)));
      }, py::kw_only(), py::arg("as_tuple") = false)
      .def("argwhere", &Tensor::nonzero)
      .def("sort", [](const Tensor& t, int64_t dim, bool descending) {
        return named_pair("sort", t.sort(dim, descending));
      }, py::arg("dim") = -1, py::arg("descending") = false)
      .def("argsort", &Tensor::argsort, py::arg("dim") = -1, py::arg("descending") = false)
      .def("topk", [](const Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted) {
        return named_pair("topk", t.topk(k, dim, largest, sorted));
      }, py::arg("k"), py::arg("dim") = -1, py::arg("largest") = true, py::arg("sorted") = true);
}

// other * alpha for a number `other`: torch folds add's alpha into a scalar operand.
Scalar times_alpha(const Scalar& other, const Scalar& alpha) {
  if (alpha.is_integral() && alpha.to_int() == 1) return other;
  if (other.is_floating_point() || alpha.is_floating_point()) return Scalar(other.to_double() * alpha.to_double());
  return Scalar(other.to_int() * alpha.to_int());
}

// norm's p: a number, inf, or 'fro' or None (the 2-norm of the flattened dims, what ember computes for p = 2).
double norm_order(const py::object& p) {
  if (p.is_none()) return 2.0;
  if (py::isinstance<py::str>(p)) {
    const std::string name = p.cast<std::string>();
    EMBER_CHECK(name == "fro", "norm(): expected p to be a number or 'fro', got '{}' (ember has no 'nuc')",
                name);
    return 2.0;
  }
  return p.cast<double>();
}

void bind_math_methods(py::class_<Tensor>& tensor) {
  tensor
      .def("add", [](const Tensor& t, const py::object& other, const py::object& alpha) {
        const Scalar a = to_scalar(alpha);
        return is_tensor(other) ? t.add(other.cast<Tensor>(), a) : t.add(times_alpha(to_scalar(other), a));
      }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("sub", [](const Tensor& t, const py::object& other, const py::object& alpha) {
        const Scalar a = to_scalar(alpha);
        return is_tensor(other) ? t.sub(other.cast<Tensor>(), a) : t.sub(times_alpha(to_scalar(other), a));
      }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("div", [](const Tensor& t, const py::object& other, std::optional<std::string> rounding_mode) {
        std::optional<std::string_view> mode;
        if (rounding_mode) mode = *rounding_mode;
        return is_tensor(other) ? t.div(other.cast<Tensor>(), mode) : t.div(to_scalar(other), mode);
      }, py::arg("other"), py::kw_only(), py::arg("rounding_mode") = py::none())
      .def("square", [](const Tensor& t) { return t.mul(t); })
      .def("pow_", [](py::object self, const py::object& exponent) {
        self.cast<Tensor>().pow_(to_scalar(exponent));
        return self;
      }, py::arg("exponent"))
      .def("clamp", [](const Tensor& t, const py::object& min, const py::object& max) {
        if (is_tensor(min) || is_tensor(max)) {
          EMBER_CHECK_TYPE(is_tensor(min) && is_tensor(max),
                           "clamp(): expected min and max both Tensors or both numbers (or None), got {} and {}",
                           std::string(py::str(min.get_type().attr("__name__"))),
                           std::string(py::str(max.get_type().attr("__name__"))));
          return clamp(t, min.cast<Tensor>(), max.cast<Tensor>());
        }
        return t.clamp(optional_scalar(min), optional_scalar(max));
      }, py::arg("min") = py::none(), py::arg("max") = py::none())
      .def("clamp_", [](py::object self, const py::object& min, const py::object& max) {
        self.cast<Tensor>().clamp_(optional_scalar(min), optional_scalar(max));
        return self;
      }, py::arg("min") = py::none(), py::arg("max") = py::none())
      .def("maximum", &Tensor::maximum, py::arg("other"), NoGil())
      .def("minimum", &Tensor::minimum, py::arg("other"), NoGil())
      .def("lerp", [](const Tensor& t, const Tensor& end, const py::object& weight) {
        return is_tensor(weight) ? t.lerp(end, weight.cast<Tensor>()) : t.lerp(end, to_scalar(weight));
      }, py::arg("end"), py::arg("weight"))
      .def("where", [](const Tensor& t, const Tensor& condition, const py::object& other) {
        return is_tensor(other) ? where(condition, t, other.cast<Tensor>()) : where(condition, t, to_scalar(other));
      }, py::arg("condition"), py::arg("other"))
      .def("nan_to_num", &Tensor::nan_to_num, py::arg("nan") = 0.0, py::arg("posinf") = py::none(),
           py::arg("neginf") = py::none())
      .def("logical_and", &Tensor::logical_and, py::arg("other"))
      .def("logical_or", &Tensor::logical_or, py::arg("other"))
      .def("logical_not", &Tensor::logical_not)
      .def("isnan", &Tensor::isnan)
      .def("isinf", &Tensor::isinf)
      .def("isfinite", &Tensor::isfinite)
      .def("isclose", [](const Tensor& t, const Tensor& other, double rtol, double atol, bool equal_nan) {
        return isclose(t, other, rtol, atol, equal_nan);
      }, py::arg("other"), py::arg("rtol") = 1e-5, py::arg("atol") = 1e-8, py::arg("equal_nan") = false)
      .def("allclose", [](const Tensor& t, const Tensor& other, double rtol, double atol, bool equal_nan) {
        return allclose(t, other, rtol, atol, equal_nan);
      }, py::arg("other"), py::arg("rtol") = 1e-5, py::arg("atol") = 1e-8, py::arg("equal_nan") = false)
      .def("equal", [](const Tensor& t, const Tensor& other) { return equal(t, other); }, py::arg("other"))
      // ---- reductions beyond tensor.cpp's ----
      .def("prod", [](const Tensor& t, const py::object& dim, bool keepdim, const py::object& dtype) {
        const std::optional<DType> as = optional_dtype(dtype, "prod");
        return dim.is_none() ? t.prod(as) : t.prod(dim.cast<int64_t>(), keepdim, as);
      }, py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none())
      .def("cumsum", [](const Tensor& t, int64_t dim, const py::object& dtype) {
        return t.cumsum(dim, optional_dtype(dtype, "cumsum"));
      }, py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none())
      .def("logsumexp", [](const Tensor& t, const py::object& dim, bool keepdim) {
        return t.logsumexp(to_dims(dim), keepdim);
      }, py::arg("dim"), py::arg("keepdim") = false)
      .def("norm", [](const Tensor& t, const py::object& p, const py::object& dim, bool keepdim) {
        return t.norm(norm_order(p), to_dims(dim), keepdim);
      }, py::arg("p") = "fro", py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def("all", [](const Tensor& t, const py::object& dim, bool keepdim) {
        return dim.is_none() ? t.all() : t.all(dim.cast<int64_t>(), keepdim);
      }, py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def("any", [](const Tensor& t, const py::object& dim, bool keepdim) {
        return dim.is_none() ? t.any() : t.any(dim.cast<int64_t>(), keepdim);
      }, py::arg("dim") = py::none(), py::arg("keepdim") = false)
      // ---- linear algebra ----
      .def("mm", &Tensor::mm, py::arg("mat2"), NoGil())
      .def("bmm", &Tensor::bmm, py::arg("mat2"), NoGil())
      .def("mv", &Tensor::mv, py::arg("vec"), NoGil())
      .def("dot", &Tensor::dot, py::arg("other"), NoGil())
      .def("outer", [](const Tensor& t, const Tensor& other) { return outer(t, other); }, py::arg("vec2"))
      .def("addmm", [](const Tensor& t, const Tensor& mat1, const Tensor& mat2, const py::object& beta,
                       const py::object& alpha) { return addmm(t, mat1, mat2, to_scalar(beta), to_scalar(alpha)); },
           py::arg("mat1"), py::arg("mat2"), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  tensor.attr("true_divide") = tensor.attr("__truediv__");
  tensor.attr("floor_divide") = tensor.attr("__floordiv__");
  tensor.attr("clip") = tensor.attr("clamp");
  tensor.attr("clip_") = tensor.attr("clamp_");
}

void bind_random_methods(py::class_<Tensor>& tensor) {
  tensor
      .def("uniform_", [](py::object self, double from, double to) {
        Tensor t = self.cast<Tensor>();
        uniform_(t, from, to);
        return self;
      }, py::arg("from") = 0.0, py::arg("to") = 1.0)
      .def("normal_", [](py::object self, double mean, double std) {
        Tensor t = self.cast<Tensor>();
        normal_(t, mean, std);
        return self;
      }, py::arg("mean") = 0.0, py::arg("std") = 1.0)
      // bernoulli(): self holds the probabilities; bernoulli(p): self's shape, probability p.
      .def("bernoulli", [](const Tensor& t, const py::object& p) {
        return p.is_none() ? bernoulli(t) : bernoulli(t, p.cast<double>());
      }, py::arg("p") = py::none());
}

// new_zeros(size, dtype=None, device=None, requires_grad=False) and friends: self's dtype and device unless told.
void bind_new_methods(py::class_<Tensor>& tensor) {
  auto def_new = [&](const char* name, auto make) {
    tensor.def(name, [name, make](const Tensor& t, const py::args& size, const py::object& dtype,
                                  const py::object& device, bool requires_grad) {
      TensorOptions options(to_dtype(dtype, name, t.dtype()));
      options.device = device.is_none() ? t.device() : to_device(device, name);
      Tensor out = make(to_shape(size), options);
      if (requires_grad) out.requires_grad_(true);
      return out;
    }, py::kw_only(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
       py::arg("requires_grad") = false);
  };
  def_new("new_zeros", [](IntArrayRef s, TensorOptions o) { return zeros(s, o); });
  def_new("new_ones", [](IntArrayRef s, TensorOptions o) { return ones(s, o); });
  def_new("new_empty", [](IntArrayRef s, TensorOptions o) { return empty(s, o); });
  tensor.def("new_full", [](const Tensor& t, const std::vector<int64_t>& size, const py::object& fill_value,
                            const py::object& dtype, const py::object& device, bool requires_grad) {
    TensorOptions options(to_dtype(dtype, "new_full", t.dtype()));
    options.device = device.is_none() ? t.device() : to_device(device, "new_full");
    Tensor out = full(size, to_scalar(fill_value), options);
    if (requires_grad) out.requires_grad_(true);
    return out;
  }, py::arg("size"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
     py::arg("device") = py::none(), py::arg("requires_grad") = false);
  // type(): torch's legacy name ("torch.FloatTensor"); type(dtype): a conversion.
  tensor.def("type", [](const Tensor& t, const py::object& dtype) -> py::object {
    if (dtype.is_none()) return py::str("torch." + legacy_type_name(t.dtype()));
    return py::cast(t.to(to_dtype(dtype, "type")));
  }, py::arg("dtype") = py::none());
  tensor.def("type_as", [](const Tensor& t, const Tensor& other) { return t.to(other.dtype()); }, py::arg("other"));
}

}  // namespace

void bind_tensor_ops(py::class_<Tensor>& tensor) {
  bind_shape_methods(tensor);
  bind_index_methods(tensor);
  bind_math_methods(tensor);
  bind_random_methods(tensor);
  bind_new_methods(tensor);
}

}  // namespace ember::python
