// ember.dtype, ember.device, the argument converters of bindings.h, and
// ember::Error arriving as the Python exception PyTorch raises, with the
// same message.
#include "bindings.h"

#include <pybind11/operators.h>

#include <fmt/format.h>

namespace ember::python {

bool is_number(py::handle value) {
  return py::isinstance<py::bool_>(value) || py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value);
}

std::string type_name(py::handle value) { return py::str(value.get_type().attr("__name__")); }

Scalar to_scalar(py::handle value) {
  if (py::isinstance<py::bool_>(value)) return Scalar(value.cast<bool>());
  if (py::isinstance<py::int_>(value)) return Scalar(value.cast<int64_t>());
  if (py::isinstance<py::float_>(value)) return Scalar(value.cast<double>());
  throw py::type_error("expected a number (bool, int or float), got " + std::string(py::str(value.get_type())));
}

DType to_dtype(const py::object& value, const char* function, DType fallback) {
  if (value.is_none()) return fallback;
  if (!py::isinstance<DType>(value)) {
    throw py::type_error(fmt::format("{}(): argument 'dtype' must be ember.dtype, not {}", function,
                                     type_name(value)));
  }
  return value.cast<DType>();
}

Device to_device(const py::object& value, const char* function) {
  if (py::isinstance<Device>(value)) return value.cast<Device>();
  if (py::isinstance<py::str>(value)) return Device(value.cast<std::string>());
  throw py::type_error(fmt::format("{}(): argument 'device' must be ember.device or str, not {}", function,
                                   type_name(value)));
}

namespace {
// ints as a vector, or a TypeError naming what was given (a str dim is a named dim, which ember lacks).
std::vector<int64_t> to_ints(py::handle value, const char* what) {
  try {
    return value.cast<std::vector<int64_t>>();
  } catch (const py::cast_error&) {
    throw py::type_error(fmt::format("expected {} as ints, got {}", what, std::string(py::repr(value))));
  }
}
}  // namespace

std::vector<int64_t> to_shape(const py::args& args) {
  if (args.size() == 1 && !py::isinstance<py::int_>(args[0])) return to_ints(args[0], "sizes");
  return to_ints(args, "sizes");
}

std::vector<int64_t> to_dims(const py::object& dims) {
  if (dims.is_none()) return {};
  if (py::isinstance<py::int_>(dims)) return {dims.cast<int64_t>()};
  return to_ints(dims, "dims");
}

py::object to_size(IntArrayRef shape) {
  static py::object size_type = py::module_::import("ember").attr("Size");
  py::tuple dims(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) dims[i] = shape[i];
  return size_type(dims);
}

void bind_types(py::module_& m) {
  py::enum_<DType> dtype(m, "dtype");
  dtype
      .value("float32", kFloat32)
      .value("float64", kFloat64)
      .value("float16", kFloat16)
      .value("bfloat16", kBFloat16)
      .value("int64", kInt64)
      .value("int32", kInt32)
      .value("uint8", kUInt8)
      .value("bool", kBool)
      .def_property_readonly("is_floating_point", [](DType d) { return is_floating_point(d); })
      .def_property_readonly("itemsize", [](DType d) { return element_size(d); });
  // Replaces (not overloads) the repr pybind11's enum defines: "ember.float32", as torch.float32 prints.
  const auto name = [](DType d) { return "ember." + std::string(dtype_name(d)); };
  dtype.attr("__repr__") = py::cpp_function(name, py::name("__repr__"), py::is_method(dtype));
  dtype.attr("__str__") = py::cpp_function(name, py::name("__str__"), py::is_method(dtype));

  py::class_<Device>(m, "device")
      .def(py::init([](const std::string& spec) { return Device(std::string_view(spec)); }), py::arg("type"))
      .def(py::init([](const std::string& type, int index) { return Device(std::string_view(type + ":" + std::to_string(index))); }),
           py::arg("type"), py::arg("index"))
      .def_property_readonly("type", [](const Device& d) { return d.is_cuda() ? "cuda" : "cpu"; })
      .def_property_readonly("index", [](const Device& d) -> py::object {
        return d.index() < 0 ? py::object(py::none()) : py::object(py::int_(d.index()));
      })
      .def("__repr__", [](const Device& d) {
        return d.index() < 0 ? "device(type='" + std::string(d.is_cuda() ? "cuda" : "cpu") + "')"
                             : "device(type='cuda', index=" + std::to_string(d.index()) + ")";
      })
      .def("__str__", &Device::str)
      .def(py::self == py::self)
      .def("__hash__", [](const Device& d) { return std::hash<std::string>()(d.str()); });
  py::implicitly_convertible<std::string, Device>();

  // ember::Error -> the exception PyTorch raises for the same mistake, same message. A Python argument that
  // .cast<T>() cannot convert is a TypeError, as torch's (pybind11 would raise RuntimeError).
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const py::cast_error& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const Error& e) {
      switch (e.kind()) {
        case ErrorKind::Value: PyErr_SetString(PyExc_ValueError, e.what()); return;
        case ErrorKind::Index: PyErr_SetString(PyExc_IndexError, e.what()); return;
        case ErrorKind::Type: PyErr_SetString(PyExc_TypeError, e.what()); return;
        case ErrorKind::NotImplemented: PyErr_SetString(PyExc_NotImplementedError, e.what()); return;
        case ErrorKind::Runtime: PyErr_SetString(PyExc_RuntimeError, e.what()); return;
      }
    }
  });
}

}  // namespace ember::python
