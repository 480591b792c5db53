// ember.Tensor: properties, methods and operators, as torch.Tensor spells
// them. Each binding converts its Python arguments and calls the C++ method;
// kernels run with the GIL released (call_guard, or ReleaseGilIfLarge for the
// operators), so other Python threads go on.
#include "bindings.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <utility>

namespace ember::python {
namespace {

using NoGil = py::call_guard<py::gil_scoped_release>;

// The GIL is released while an operator's kernel runs on at least
// kGilFreeElements elements; below that, releasing and taking it back (about
// 80 ns) costs more than the op, and no other thread could use the time.
constexpr int64_t kGilFreeElements = 16384;
class ReleaseGilIfLarge {
 public:
  explicit ReleaseGilIfLarge(int64_t numel) {
    if (numel >= kGilFreeElements) release_.emplace();
  }

 private:
  std::optional<py::gil_scoped_release> release_;
};

// `self op other` where other is a Tensor or a Python number (which keeps
// PyTorch's weak typing through the C++ Scalar overloads).
template <class WithTensor, class WithScalar>
auto binary(const char* name, WithTensor with_tensor, WithScalar with_scalar) {
  return [name, with_tensor, with_scalar](const Tensor& self, const py::object& other) -> Tensor {
    if (py::detail::make_caster<Tensor> tensor; tensor.load(other, /*convert=*/false)) {  // one type lookup
      const Tensor& o = py::detail::cast_op<const Tensor&>(tensor);
      ReleaseGilIfLarge no_gil(std::max(self.numel(), o.numel()));
      return with_tensor(self, o);
    }
    if (is_number(other)) {
      const Scalar o = to_scalar(other);
      ReleaseGilIfLarge no_gil(self.numel());
      return with_scalar(self, o);
    }
    throw py::type_error(fmt::format("{}(): expected other to be a Tensor or a number, got {}", name,
                                     type_name(other)));
  };
}

// The in-place form: self is modified and returned (the same Python object).
template <class Op>
auto inplace(Op op) {
  return [op](py::object self, const py::object& other) {
    Tensor t = self.cast<Tensor>();
    op(t, other);
    return self;
  };
}

py::object item(const Tensor& t) {
  EMBER_CHECK(t.numel() == 1, "item(): a Tensor with {} elements cannot be converted to Scalar", t.numel());
  if (t.dtype() == kBool) return py::bool_(t.item<bool>());
  if (is_floating_point(t.dtype())) return py::float_(t.item<double>());
  return py::int_(t.item<int64_t>());
}

// The C++ printing, with dtypes named as Python spells them ("dtype=ember.float64").
std::string repr(const Tensor& t) {
  std::ostringstream out;
  out << t;
  std::string text = out.str();
  const std::string key = "dtype=";
  if (const size_t at = text.rfind(key); at != std::string::npos) text.insert(at + key.size(), "ember.");
  return text;
}

// dim=None reduces everything; dim=int or tuple reduces those dims.
template <class Reduce>
auto reduction(const char* name, Reduce reduce) {
  return [name, reduce](const Tensor& self, const py::object& dim, bool keepdim, const py::object& dtype) {
    const std::vector<int64_t> dims = to_dims(dim);
    std::optional<DType> as;
    if (!dtype.is_none()) as = to_dtype(dtype, name);
    py::gil_scoped_release no_gil;
    return reduce(self, dims, keepdim, as);
  };
}

// var/std with torch's overloads: (dim, unbiased, keepdim), (dim, *, correction, keepdim) and (unbiased), a
// bool first; the correction (default 1, Bessel's) is what the C++ op takes.
template <class Spread>
auto spread(const char* name, Spread spread) {
  return [name, spread](const Tensor& self, py::object dim, py::object unbiased, bool keepdim,
                        const py::object& correction) {
    if (py::isinstance<py::bool_>(dim)) {
      EMBER_CHECK_TYPE(unbiased.is_none(), "{}(): expected unbiased once, got it as dim and as unbiased", name);
      unbiased = std::exchange(dim, py::none());
    }
    EMBER_CHECK_TYPE(unbiased.is_none() || correction.is_none(), "{}(): expected unbiased or correction, not both",
                     name);
    EMBER_CHECK_TYPE(unbiased.is_none() || py::isinstance<py::bool_>(unbiased),
                     "{}(): argument 'unbiased' must be bool, not {}", name, type_name(unbiased));
    EMBER_CHECK_TYPE(correction.is_none() || (is_number(correction) && !py::isinstance<py::bool_>(correction)),
                     "{}(): argument 'correction' must be a number, not {}", name, type_name(correction));
    const double c = !correction.is_none() ? correction.cast<double>() : unbiased.is_none() || unbiased.cast<bool>();
    const std::vector<int64_t> dims = to_dims(dim);
    py::gil_scoped_release no_gil;
    return spread(self, dims, c, keepdim);
  };
}

// max/min: of everything; along a dim, a (values, indices) pair as torch.return_types.max;
// with a Tensor, the elementwise maximum/minimum (torch.max(a, b)).
template <class All, class Along, class Elementwise>
auto extremum(const char* name, All all, Along along, Elementwise elementwise) {
  return [name, all, along, elementwise](const Tensor& self, const py::object& dim, bool keepdim) -> py::object {
    if (dim.is_none()) return py::cast(all(self));
    if (py::isinstance<Tensor>(dim)) return py::cast(elementwise(self, dim.cast<Tensor>()));
    auto [values, indices] = along(self, dim.cast<int64_t>(), keepdim);
    return py::module_::import("ember").attr("return_types").attr(name)(values, indices);
  };
}

}  // namespace

void bind_tensor(py::module_& m) {
  py::class_<Tensor> tensor(m, "Tensor");
  tensor
      // Another handle to t's data and autograd state, so that a Python subclass
      // (ember.nn.Parameter) can wrap an existing tensor: Parameter(t) is t's storage.
      .def(py::init([](const Tensor& t) { return t; }), py::arg("data"))
      // ---- metadata ----
      .def_property_readonly("shape", [](const Tensor& t) { return to_size(t.shape()); })
      .def("size", [](const Tensor& t, const py::object& dim) -> py::object {
        if (dim.is_none()) return to_size(t.shape());
        return py::int_(t.size(dim.cast<int64_t>()));
      }, py::arg("dim") = py::none())
      .def("stride", [](const Tensor& t, const py::object& dim) -> py::object {
        if (dim.is_none()) return py::tuple(py::cast(std::vector<int64_t>(t.strides().begin(), t.strides().end())));
        return py::int_(t.stride(dim.cast<int64_t>()));
      }, py::arg("dim") = py::none())
      .def_property_readonly("dtype", &Tensor::dtype)
      .def_property_readonly("device", &Tensor::device)
      .def_property_readonly("ndim", &Tensor::dim)
      .def_property_readonly("is_cuda", &Tensor::is_cuda)
      .def_property_readonly("is_leaf", &Tensor::is_leaf)
      .def_property_readonly("_base", [](const Tensor& t) -> py::object {
        return t.view_base().defined() ? py::cast(t.view_base()) : py::none();
      })
      // Setting .data swaps in other's storage for every handle (how Module.to() converts in place).
      .def_property("data", &Tensor::detach, [](const Tensor& t, const Tensor& other) { t.set_data(other); })
      .def_property_readonly("T", [](const Tensor& t) {
        std::vector<int64_t> dims(static_cast<size_t>(t.dim()));
        for (size_t i = 0; i < dims.size(); ++i) dims[i] = t.dim() - 1 - static_cast<int64_t>(i);
        return t.permute(dims);
      })
      .def("dim", &Tensor::dim)
      .def("numel", &Tensor::numel)
      .def("element_size", [](const Tensor& t) { return element_size(t.dtype()); })
      .def("is_contiguous", &Tensor::is_contiguous)
      .def("is_floating_point", &Tensor::is_floating_point)
      .def("storage_offset", &Tensor::storage_offset)
      .def("data_ptr", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t.data_ptr()); })
      .def("item", &item)
      .def("__repr__", &repr)
      .def("__len__", [](const Tensor& t) {
        EMBER_CHECK_TYPE(t.dim() > 0, "len() of a 0-d tensor");
        return t.size(0);
      })
      .def("__iter__", [](const Tensor& t) {
        EMBER_CHECK_TYPE(t.dim() > 0, "iteration over a 0-d tensor");
        py::list rows;
        for (int64_t i = 0; i < t.size(0); ++i) rows.append(t.select(0, i));
        return py::iter(rows);
      })
      .def("__bool__", [](const Tensor& t) {
        EMBER_CHECK(t.numel() == 1, "Boolean value of Tensor with more than one value is ambiguous");
        return t.to(kBool).item<bool>();
      })
      .def("__float__", [](const Tensor& t) { return item(t).cast<double>(); })
      .def("__int__", [](const Tensor& t) { return py::int_(item(t)); })  // int(tensor(3.7)) == 3, as int(3.7)
      .def("__hash__", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t.impl()); })

      // ---- autograd state ----
      .def_property("requires_grad", &Tensor::requires_grad,
                    [](Tensor& t, bool requires_grad) { t.requires_grad_(requires_grad); })
      .def("requires_grad_", [](py::object self, bool requires_grad) {
        self.cast<Tensor>().requires_grad_(requires_grad);
        return self;
      }, py::arg("requires_grad") = true)
      .def_property("grad", [](const Tensor& t) -> py::object {
        const Tensor g = t.grad();
        return g.defined() ? py::cast(g) : py::none();
      }, [](const Tensor& t, const py::object& grad) { t.set_grad(grad.is_none() ? Tensor() : grad.cast<Tensor>()); })
      .def("retain_grad", &Tensor::retain_grad)
      .def_property_readonly("retains_grad", &Tensor::retains_grad)
      .def("detach", &Tensor::detach)

      // ---- conversion and copies ----
      .def("contiguous", &Tensor::contiguous, NoGil())
      .def("clone", &Tensor::clone, NoGil())
      .def("to", [](const Tensor& t, const py::object& first, const py::object& dtype) {
        if (py::isinstance<DType>(first)) return t.to(first.cast<DType>());
        const Device device = to_device(first, "to");
        return dtype.is_none() ? t.to(device) : t.to(device, to_dtype(dtype, "to"));
      }, py::arg("device_or_dtype"), py::arg("dtype") = py::none())
      .def("cpu", &Tensor::cpu, NoGil())
      .def("cuda", &Tensor::cuda, NoGil())
      .def("float", [](const Tensor& t) { return t.to(kFloat32); })
      .def("double", [](const Tensor& t) { return t.to(kFloat64); })
      .def("half", [](const Tensor& t) { return t.to(kFloat16); })
      .def("long", [](const Tensor& t) { return t.to(kInt64); })
      .def("int", [](const Tensor& t) { return t.to(kInt32); })
      .def("bool", [](const Tensor& t) { return t.to(kBool); })
      .def("copy_", [](py::object self, const Tensor& src) {
        Tensor t = self.cast<Tensor>();
        py::gil_scoped_release no_gil;
        t.copy_(src);
        return self;
      })
      .def("fill_", [](py::object self, const py::object& value) {
        self.cast<Tensor>().fill_(to_scalar(value));
        return self;
      })
      .def("zero_", [](py::object self) {
        self.cast<Tensor>().zero_();
        return self;
      })

      // ---- views ----
      .def("view", [](const Tensor& t, const py::args& shape) { return t.view(to_shape(shape)); })
      .def("reshape", [](const Tensor& t, const py::args& shape) { return t.reshape(to_shape(shape)); })
      .def("permute", [](const Tensor& t, const py::args& dims) { return t.permute(to_shape(dims)); })
      .def("expand", [](const Tensor& t, const py::args& shape) { return t.expand(to_shape(shape)); })
      .def("transpose", &Tensor::transpose)
      .def("t", &Tensor::t)
      .def("squeeze", [](const Tensor& t, const py::object& dim) {
        return dim.is_none() ? t.squeeze() : t.squeeze(dim.cast<int64_t>());
      }, py::arg("dim") = py::none())
      .def("unsqueeze", &Tensor::unsqueeze)
      .def("flatten", &Tensor::flatten, py::arg("start_dim") = 0, py::arg("end_dim") = -1)
      .def("narrow", &Tensor::narrow)
      .def("select", &Tensor::select)

      // ---- reductions ----
      .def("sum", reduction("sum", [](const Tensor& t, IntArrayRef d, bool k, std::optional<DType> as) {
             return t.sum(d, k, as);
           }), py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none())
      .def("mean", reduction("mean", [](const Tensor& t, IntArrayRef d, bool k, std::optional<DType> as) {
             return t.mean(d, k, as);
           }), py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none())
      .def("amax", [](const Tensor& t, const py::object& dim, bool keepdim) { return t.amax(to_dims(dim), keepdim); },
           py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def("amin", [](const Tensor& t, const py::object& dim, bool keepdim) { return t.amin(to_dims(dim), keepdim); },
           py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def("max", extremum("max", [](const Tensor& t) { return t.max(); },
                           [](const Tensor& t, int64_t d, bool k) { return t.max(d, k); },
                           [](const Tensor& t, const Tensor& o) { return t.maximum(o); }),
           py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def("min", extremum("min", [](const Tensor& t) { return t.min(); },
                           [](const Tensor& t, int64_t d, bool k) { return t.min(d, k); },
                           [](const Tensor& t, const Tensor& o) { return t.minimum(o); }),
           py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def("argmax", &Tensor::argmax, py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def("argmin", &Tensor::argmin, py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def("var", spread("var", [](const Tensor& t, IntArrayRef d, double c, bool k) { return t.var(d, c, k); }),
           py::arg("dim") = py::none(), py::arg("unbiased") = py::none(), py::arg("keepdim") = false, py::kw_only(),
           py::arg("correction") = py::none())
      .def("std", spread("std", [](const Tensor& t, IntArrayRef d, double c, bool k) { return t.std(d, c, k); }),
           py::arg("dim") = py::none(), py::arg("unbiased") = py::none(), py::arg("keepdim") = false, py::kw_only(),
           py::arg("correction") = py::none())
      .def("softmax", &Tensor::softmax, py::arg("dim"))
      .def("log_softmax", &Tensor::log_softmax, py::arg("dim"))
      .def("matmul", &Tensor::matmul, NoGil())

      // ---- operators ----
      .def("__add__", binary("add", [](const Tensor& a, const Tensor& b) { return a + b; },
                             [](const Tensor& a, const Scalar& b) { return a + b; }))
      .def("__radd__", binary("add", [](const Tensor& a, const Tensor& b) { return b + a; },
                              [](const Tensor& a, const Scalar& b) { return a + b; }))
      .def("__sub__", binary("sub", [](const Tensor& a, const Tensor& b) { return a - b; },
                             [](const Tensor& a, const Scalar& b) { return a - b; }))
      .def("__rsub__", binary("sub", [](const Tensor& a, const Tensor& b) { return b - a; },
                              [](const Tensor& a, const Scalar& b) { return a.neg() + b; }))
      .def("__mul__", binary("mul", [](const Tensor& a, const Tensor& b) { return a * b; },
                             [](const Tensor& a, const Scalar& b) { return a * b; }))
      .def("__rmul__", binary("mul", [](const Tensor& a, const Tensor& b) { return b * a; },
                              [](const Tensor& a, const Scalar& b) { return a * b; }))
      .def("__truediv__", binary("div", [](const Tensor& a, const Tensor& b) { return a / b; },
                                 [](const Tensor& a, const Scalar& b) { return a / b; }))
      .def("__rtruediv__", binary("div", [](const Tensor& a, const Tensor& b) { return b / a; },
                                  [](const Tensor& a, const Scalar& b) { return a.reciprocal() * b; }))
      .def("__floordiv__", binary("floor_divide", [](const Tensor& a, const Tensor& b) { return a.div(b, "floor"); },
                                  [](const Tensor& a, const Scalar& b) { return a.div(b, "floor"); }))
      .def("__pow__", binary("pow", [](const Tensor& a, const Tensor& b) { return a.pow(b); },
                             [](const Tensor& a, const Scalar& b) { return a.pow(b); }))
      .def("__rpow__", binary("pow", [](const Tensor& a, const Tensor& b) { return b.pow(a); },
                              [](const Tensor& a, const Scalar& b) { return ember::pow(b, a); }))
      .def("__matmul__", &Tensor::matmul, NoGil())
      .def("__neg__", &Tensor::neg, NoGil())
      .def("__abs__", [](const Tensor& t) { return t.abs(); })
      .def("__invert__", &Tensor::logical_not)
      .def("__and__", &Tensor::logical_and)
      .def("__or__", &Tensor::logical_or)
      .def("__eq__", binary("eq", [](const Tensor& a, const Tensor& b) { return a.eq(b); },
                            [](const Tensor& a, const Scalar& b) { return a.eq(b); }))
      .def("__ne__", binary("ne", [](const Tensor& a, const Tensor& b) { return a.ne(b); },
                            [](const Tensor& a, const Scalar& b) { return a.ne(b); }))
      .def("__lt__", binary("lt", [](const Tensor& a, const Tensor& b) { return a.lt(b); },
                            [](const Tensor& a, const Scalar& b) { return a.lt(b); }))
      .def("__le__", binary("le", [](const Tensor& a, const Tensor& b) { return a.le(b); },
                            [](const Tensor& a, const Scalar& b) { return a.le(b); }))
      .def("__gt__", binary("gt", [](const Tensor& a, const Tensor& b) { return a.gt(b); },
                            [](const Tensor& a, const Scalar& b) { return a.gt(b); }))
      .def("__ge__", binary("ge", [](const Tensor& a, const Tensor& b) { return a.ge(b); },
                            [](const Tensor& a, const Scalar& b) { return a.ge(b); }))
      .def("__iadd__", inplace([](Tensor& t, const py::object& o) {
        py::isinstance<Tensor>(o) ? t.add_(o.cast<Tensor>()) : t.add_(to_scalar(o));
      }))
      .def("__isub__", inplace([](Tensor& t, const py::object& o) {
        py::isinstance<Tensor>(o) ? t.sub_(o.cast<Tensor>()) : t.sub_(to_scalar(o));
      }))
      .def("__imul__", inplace([](Tensor& t, const py::object& o) {
        py::isinstance<Tensor>(o) ? t.mul_(o.cast<Tensor>()) : t.mul_(to_scalar(o));
      }))
      .def("__itruediv__", inplace([](Tensor& t, const py::object& o) {
        py::isinstance<Tensor>(o) ? t.div_(o.cast<Tensor>()) : t.div_(to_scalar(o));
      }));
  tensor.attr("add_") = tensor.attr("__iadd__");
  tensor.attr("sub_") = tensor.attr("__isub__");
  tensor.attr("mul_") = tensor.attr("__imul__");
  tensor.attr("div_") = tensor.attr("__itruediv__");
  for (const char* name : {"mul", "pow", "eq", "ne", "lt", "le", "gt", "ge"}) {  // add, sub, div: tensor_ops.cpp
    tensor.attr(name) = tensor.attr(fmt::format("__{}__", name).c_str());
  }

  // Unary math, each also in place (exp_).
#define EMBER_BIND_UNARY(name)                                 \
  tensor.def(#name, &Tensor::name, NoGil());                   \
  tensor.def(#name "_", [](py::object self) {                  \
    Tensor t = self.cast<Tensor>();                            \
    t.name##_();                                               \
    return self;                                               \
  });
  EMBER_BIND_UNARY(neg)
  EMBER_BIND_UNARY(abs)
  EMBER_BIND_UNARY(sign)
  EMBER_BIND_UNARY(exp)
  EMBER_BIND_UNARY(log)
  EMBER_BIND_UNARY(log1p)
  EMBER_BIND_UNARY(sqrt)
  EMBER_BIND_UNARY(rsqrt)
  EMBER_BIND_UNARY(sin)
  EMBER_BIND_UNARY(cos)
  EMBER_BIND_UNARY(tanh)
  EMBER_BIND_UNARY(sigmoid)
  EMBER_BIND_UNARY(relu)
  EMBER_BIND_UNARY(floor)
  EMBER_BIND_UNARY(ceil)
  EMBER_BIND_UNARY(round)
  EMBER_BIND_UNARY(reciprocal)
  EMBER_BIND_UNARY(exp2)
  EMBER_BIND_UNARY(log2)
  EMBER_BIND_UNARY(expm1)
  EMBER_BIND_UNARY(tan)
  EMBER_BIND_UNARY(trunc)
  EMBER_BIND_UNARY(erf)
#undef EMBER_BIND_UNARY

  bind_tensor_ops(tensor);
  bind_indexing(tensor);
  bind_numpy(m, tensor);
  bind_dlpack(m, tensor);
}

}  // namespace ember::python
