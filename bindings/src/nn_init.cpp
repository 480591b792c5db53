// ember._C.nn.init: nn/init.h with torch.nn.init's signatures (ember/nn/init.py
// re-exports them). Each initialiser fills the tensor in place without
// recording and returns the very object it was given, so a Parameter stays
// that Parameter; mode strings and calculate_gain's param are converted here.
#include "bindings.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ember::python {
namespace {

namespace init = nn::init;

// torch lowercases the mode first, so "FAN_OUT" is accepted.
init::FanMode to_fan_mode(std::string mode) {
  const std::string given = mode;
  std::transform(mode.begin(), mode.end(), mode.begin(), [](unsigned char c) { return std::tolower(c); });
  if (mode == "fan_in") return init::FanMode::FanIn;
  if (mode == "fan_out") return init::FanMode::FanOut;
  throw py::value_error(fmt::format("Mode {} not supported, please use one of ['fan_in', 'fan_out']", given));
}

// fill(t) on the tensor behind `tensor` (a Tensor or a Parameter); returns `tensor` itself.
template <class Fill>
py::object fill_in_place(const py::object& tensor, const char* function, Fill fill) {
  if (!py::isinstance<Tensor>(tensor)) {
    throw py::type_error(fmt::format("{}(): argument 'tensor' must be Tensor, not {}", function, type_name(tensor)));
  }
  Tensor t = tensor.cast<Tensor>();
  fill(t);
  return tensor;
}

// torch's leaky_relu slope: None means 0.01, and anything but an int or a float (bools
// included) is a ValueError; the other nonlinearities ignore param, as torch's do.
double gain_param(const std::string& nonlinearity, const py::object& param) {
  if (nonlinearity != "leaky_relu") return 0.0;
  if (param.is_none()) return 0.01;
  const bool number =
      !py::isinstance<py::bool_>(param) && (py::isinstance<py::int_>(param) || py::isinstance<py::float_>(param));
  if (!number) throw py::value_error(fmt::format("negative_slope {} not a valid number", std::string(py::str(param))));
  return param.cast<double>();
}

}  // namespace

void bind_init(py::module_& nn) {
  py::module_ m = nn.def_submodule("init", "nn/init.h (use ember.nn.init)");
  m.def("calculate_gain", [](const std::string& nonlinearity, const py::object& param) {
    return init::calculate_gain(nonlinearity, gain_param(nonlinearity, param));
  }, py::arg("nonlinearity"), py::arg("param") = py::none());
  m.def("calculate_fan_in_and_fan_out", &init::calculate_fan_in_and_fan_out, py::arg("tensor"));

  m.def("uniform_", [](const py::object& tensor, double a, double b) {
    return fill_in_place(tensor, "uniform_", [&](Tensor& t) { init::uniform_(t, a, b); });
  }, py::arg("tensor"), py::arg("a") = 0.0, py::arg("b") = 1.0);
  m.def("normal_", [](const py::object& tensor, double mean, double std) {
    return fill_in_place(tensor, "normal_", [&](Tensor& t) { init::normal_(t, mean, std); });
  }, py::arg("tensor"), py::arg("mean") = 0.0, py::arg("std") = 1.0);
  m.def("constant_", [](const py::object& tensor, double val) {
    return fill_in_place(tensor, "constant_", [&](Tensor& t) { init::constant_(t, val); });
  }, py::arg("tensor"), py::arg("val"));
  m.def("zeros_", [](const py::object& tensor) {
    return fill_in_place(tensor, "zeros_", [](Tensor& t) { init::zeros_(t); });
  }, py::arg("tensor"));
  m.def("ones_", [](const py::object& tensor) {
    return fill_in_place(tensor, "ones_", [](Tensor& t) { init::ones_(t); });
  }, py::arg("tensor"));
  m.def("xavier_uniform_", [](const py::object& tensor, double gain) {
    return fill_in_place(tensor, "xavier_uniform_", [&](Tensor& t) { init::xavier_uniform_(t, gain); });
  }, py::arg("tensor"), py::arg("gain") = 1.0);
  m.def("xavier_normal_", [](const py::object& tensor, double gain) {
    return fill_in_place(tensor, "xavier_normal_", [&](Tensor& t) { init::xavier_normal_(t, gain); });
  }, py::arg("tensor"), py::arg("gain") = 1.0);
  m.def("kaiming_uniform_", [](const py::object& tensor, double a, const std::string& mode,
                               const std::string& nonlinearity) {
    return fill_in_place(tensor, "kaiming_uniform_", [&](Tensor& t) {
      init::kaiming_uniform_(t, a, to_fan_mode(mode), nonlinearity);
    });
  }, py::arg("tensor"), py::arg("a") = 0.0, py::arg("mode") = "fan_in", py::arg("nonlinearity") = "leaky_relu");
  m.def("kaiming_normal_", [](const py::object& tensor, double a, const std::string& mode,
                              const std::string& nonlinearity) {
    return fill_in_place(tensor, "kaiming_normal_", [&](Tensor& t) {
      init::kaiming_normal_(t, a, to_fan_mode(mode), nonlinearity);
    });
  }, py::arg("tensor"), py::arg("a") = 0.0, py::arg("mode") = "fan_in", py::arg("nonlinearity") = "leaky_relu");
  m.def("orthogonal_", [](const py::object& tensor, double gain) {
    return fill_in_place(tensor, "orthogonal_", [&](Tensor& t) { init::orthogonal_(t, gain); });
  }, py::arg("tensor"), py::arg("gain") = 1.0);
}

}  // namespace ember::python
