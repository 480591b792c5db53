// NumPy interop: ember.from_numpy(a) and t.numpy() share memory (the owner
// stays alive as long as any view of it does), ember.tensor(data) copies
// nested lists, numbers and arrays with PyTorch's dtype inference, and
// t.tolist() / np.asarray(t) go through the shared view.
#include "bindings.h"

#include <pybind11/numpy.h>

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace ember::python {
namespace {

DType dtype_of(const py::dtype& d) {
  const char kind = d.kind();
  const auto size = d.itemsize();
  if (kind == 'f' && size == 4) return kFloat32;
  if (kind == 'f' && size == 8) return kFloat64;
  if (kind == 'f' && size == 2) return kFloat16;
  if (kind == 'i' && size == 8) return kInt64;
  if (kind == 'i' && size == 4) return kInt32;
  if (kind == 'u' && size == 1) return kUInt8;
  if (kind == 'b') return kBool;
  throw py::type_error(fmt::format(
      "can't convert np.ndarray of type {}. The only supported types are: float64, float32, float16, int64, "
      "int32, uint8, and bool.",
      std::string(py::str(static_cast<const py::handle&>(d)))));
}

py::dtype numpy_dtype(DType dtype) {
  switch (dtype) {
    case kFloat32: return py::dtype::of<float>();
    case kFloat64: return py::dtype::of<double>();
    case kFloat16: return py::dtype("float16");
    case kInt64: return py::dtype::of<int64_t>();
    case kInt32: return py::dtype::of<int32_t>();
    case kUInt8: return py::dtype::of<uint8_t>();
    case kBool: return py::dtype::of<bool>();
    default: break;
  }
  throw py::type_error(fmt::format("Got unsupported ScalarType {} (NumPy has no such dtype; convert first)", dtype));
}

// A tensor over the array's memory; the array stays referenced until the storage is freed.
Tensor from_numpy(const py::array& array) {
  const DType dtype = dtype_of(array.dtype());
  const auto itemsize = static_cast<int64_t>(array.itemsize());
  std::vector<int64_t> shape(array.shape(), array.shape() + array.ndim()), strides;
  for (py::ssize_t d = 0; d < array.ndim(); ++d) {
    EMBER_CHECK_VALUE(array.strides(d) >= 0,
                      "At least one stride in the given numpy array is negative, and tensors with negative strides "
                      "are not currently supported. (You can probably work around this by making a copy of your "
                      "array with array.copy().)");
    EMBER_CHECK_VALUE(array.strides(d) % itemsize == 0,
                      "from_numpy: expected strides that are multiples of the element size {}, got {} bytes", itemsize,
                      array.strides(d));
    strides.push_back(array.strides(d) / itemsize);
  }
  auto* owner = new py::object(array);
  return from_blob(const_cast<void*>(array.data()), shape, strides,
                   [owner](void*) {
                     py::gil_scoped_acquire gil;  // the last view may die on a thread without the GIL
                     delete owner;
                   },
                   TensorOptions(dtype));
}

// t's memory as an array; a capsule holding a Tensor keeps the storage alive.
py::array to_numpy(const Tensor& t) {
  EMBER_CHECK(t.is_cpu(), "can't convert {} device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host "
              "memory first.", t.device());
  EMBER_CHECK(!t.requires_grad(),
              "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
  std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end()), strides;
  for (int64_t s : t.strides()) strides.push_back(static_cast<py::ssize_t>(s * element_size(t.dtype())));
  py::capsule owner(new Tensor(t), [](void* p) { delete static_cast<Tensor*>(p); });
  return py::array(numpy_dtype(t.dtype()), shape, strides, t.data_ptr(), owner);
}

// torch.tensor's dtype inference: the promotion (promote_types) of every
// leaf's dtype, where a Python float is the default dtype (float32), an int
// int64, a bool bool, and a NumPy scalar or array, or a Tensor, its own dtype:
// tensor(np.float64(1.5)) is float64, tensor([np.float32(1), 2.0]) float32.
// NumPy's own inference would give float64 for both, as for any Python float.
// Empty sequences add nothing (nullopt: nothing inferred).
std::optional<DType> infer_dtype(py::handle data) {
  static const py::object numpy_scalar = py::module_::import("numpy").attr("generic");
  if (py::isinstance<Tensor>(data)) return data.cast<const Tensor&>().dtype();
  if (py::isinstance<py::array>(data) || py::isinstance(data, numpy_scalar)) {
    return dtype_of(data.attr("dtype").cast<py::dtype>());
  }
  if (py::isinstance<py::bool_>(data)) return kBool;
  if (py::isinstance<py::int_>(data)) return kInt64;
  if (py::isinstance<py::float_>(data)) return kFloat32;
  EMBER_CHECK_TYPE((py::isinstance<py::list>(data) || py::isinstance<py::tuple>(data)),
                   "tensor(): could not infer a dtype from {} (expected numbers, arrays, tensors or nested sequences "
                   "of them)",
                   type_name(data));
  std::optional<DType> out;
  for (py::handle item : data) {
    const std::optional<DType> dtype = infer_dtype(item);
    if (dtype) out = out ? promote_types(*out, *dtype) : *dtype;
  }
  return out;
}

// ember.tensor(data): always a copy, of the dtype torch.tensor infers (see infer_dtype).
Tensor make_tensor(const py::object& data, const py::object& dtype, const py::object& device, bool requires_grad) {
  Tensor out;
  if (py::isinstance<Tensor>(data)) {
    out = data.cast<Tensor>().detach().clone();
    if (!dtype.is_none()) out = out.to(to_dtype(dtype, "tensor"));
  } else {
    const DType inferred = infer_dtype(data).value_or(kFloat32);
    const DType target = dtype.is_none() ? inferred : to_dtype(dtype, "tensor");
    // Made in the dtype asked for, so that tensor([0.1], dtype=float64) is not rounded
    // to float32 first; NumPy has no bfloat16, which is rounded once from float64.
    // np.array(order="C") copies any strides (negative ones too) contiguous, and
    // keeps a 0-d array 0-d (np.ascontiguousarray makes it 1-d).
    const py::object array = py::module_::import("numpy").attr("array")(
        data, py::arg("dtype") = numpy_dtype(target == kBFloat16 ? kFloat64 : target), py::arg("copy") = false,
        py::arg("order") = "C");
    out = from_numpy(array.cast<py::array>()).clone().to(target);
  }
  if (!device.is_none()) out = out.to(to_device(device, "tensor"));
  if (requires_grad) out.requires_grad_(true);
  return out;
}

// torch's legacy constructors, torch.Tensor(...) and torch.LongTensor(...): sizes give an uninitialised
// tensor of the dtype (none: an empty one), one sequence or array a copy of its values in the dtype.
Tensor legacy_new(DType dtype, const py::args& args) {
  const bool sizes = std::all_of(args.begin(), args.end(), [](py::handle a) {
    return py::isinstance<py::int_>(a) && !py::isinstance<py::bool_>(a);
  });
  if (sizes) return args.size() == 0 ? empty({0}, dtype) : empty(to_shape(args), dtype);
  EMBER_CHECK_TYPE(args.size() == 1, "new(): expected sizes or one sequence of values, got {} arguments",
                   args.size());
  return make_tensor(args[0], py::cast(dtype), py::none(), false);
}

}  // namespace

void bind_numpy(py::module_& m, py::class_<Tensor>& tensor) {
  tensor.def(py::init([](const py::args& args) { return legacy_new(kFloat32, args); }));
  m.def("_legacy_new", [](DType dtype, const py::args& args) { return legacy_new(dtype, args); });
  m.def("from_numpy", &from_numpy, py::arg("ndarray"));
  m.def("tensor", &make_tensor, py::arg("data"), py::kw_only(), py::arg("dtype") = py::none(),
        py::arg("device") = py::none(), py::arg("requires_grad") = false);
  tensor.def("numpy", &to_numpy);
  tensor.def("__array__", [](const Tensor& t, const py::object& dtype) -> py::object {
    py::array array = to_numpy(t.detach().cpu());
    return dtype.is_none() ? py::object(array) : array.attr("astype")(dtype);
  }, py::arg("dtype") = py::none());
  tensor.def("tolist", [](const Tensor& t) {
    const Tensor host = t.detach().cpu();
    return to_numpy(host.dtype() == kBFloat16 ? host.to(kFloat32) : host).attr("tolist")();
  });
}

}  // namespace ember::python
