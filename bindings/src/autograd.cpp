// ember.autograd from C++: grad modes (the context managers and decorators are
// Python, in ember/autograd/grad_mode.py), Tensor.backward, autograd.grad,
// grad_fn nodes, and hooks that call Python. Backward runs with the GIL
// released; a Python hook takes it back while it runs.
#include "bindings.h"

#include <fmt/format.h>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

namespace ember::python {
namespace {

// A Python callable held by C++ (a hook stored in a node): it may be called or
// dropped on a thread that does not hold the GIL, so both take it.
class PythonCallable {
 public:
  explicit PythonCallable(py::function fn)
      : fn_(new py::function(std::move(fn)), [](py::function* f) {
          py::gil_scoped_acquire gil;
          delete f;
        }) {}
  // fn(t) as a Tensor; a None result is an undefined tensor (a hook that keeps the gradient).
  Tensor operator()(const Tensor& t) const {
    py::gil_scoped_acquire gil;
    const py::object result = (*fn_)(t);
    return result.is_none() ? Tensor() : result.cast<Tensor>();
  }
  // fn(list of tensors or None) as a TensorList (None: undefined), for a Python Function's backward.
  autograd::TensorList operator()(const autograd::TensorList& ts) const {
    py::gil_scoped_acquire gil;
    py::list args;
    for (const Tensor& t : ts) args.append(t.defined() ? py::cast(t) : py::none());
    autograd::TensorList out;
    for (const py::handle& r : (*fn_)(args)) out.push_back(r.is_none() ? Tensor() : r.cast<Tensor>());
    return out;
  }

 private:
  std::shared_ptr<py::function> fn_;
};

// A Python Function's op name, kept for the life of the process (a node holds a const char*).
const char* interned(const std::string& name) {
  static std::mutex mutex;
  static std::unordered_set<std::string> names;
  std::lock_guard<std::mutex> lock(mutex);
  return names.insert(name).first->c_str();
}

py::object optional_tensor(const Tensor& t) { return t.defined() ? py::cast(t) : py::none(); }

autograd::TensorList tensor_list(const py::object& tensors) {
  if (tensors.is_none()) return {};
  if (py::isinstance<Tensor>(tensors)) return {tensors.cast<Tensor>()};
  autograd::TensorList out;
  for (const py::handle& t : tensors) out.push_back(t.is_none() ? Tensor() : t.cast<Tensor>());
  return out;
}

}  // namespace

void bind_autograd(py::module_& m) {
  m.def("is_anomaly_enabled", &autograd::is_anomaly_enabled);
  m.def("set_detect_anomaly", &autograd::set_detect_anomaly, py::arg("mode"));
  // Anomaly mode keeps the Python traceback of each recorded node too (the
  // native stack alone would end in the interpreter's eval loop).
  autograd::set_anomaly_stack_provider([] {
    if (!Py_IsInitialized()) return std::string();
    py::gil_scoped_acquire gil;
    const py::list frames = py::module_::import("traceback").attr("format_stack")();
    std::string text = "  Python traceback of the forward call (most recent call last):\n";
    for (const py::handle& frame : frames) text += frame.cast<std::string>();
    return text;
  });
  m.def("is_grad_enabled", &autograd::is_grad_enabled);
  m.def("_set_grad_enabled", &autograd::set_grad_enabled, py::arg("mode"));
  m.def("is_inference_mode_enabled", &autograd::is_inference_mode);
  // inference_mode's scope, entered and left by the Python context manager.
  py::class_<autograd::InferenceModeGuard>(m, "_InferenceModeGuard").def(py::init<bool>(), py::arg("mode"));

  py::class_<autograd::Node, std::shared_ptr<autograd::Node>>(m, "Node")
      .def("name", &autograd::Node::name)
      .def_property_readonly("next_functions", [](const autograd::Node& node) {
        py::list out;
        for (const autograd::Edge& edge : node.next_edges()) {
          out.append(py::make_tuple(edge.node ? py::cast(edge.node) : py::none(), edge.input_nr));
        }
        return py::tuple(out);
      })
      // As torch's <SumBackward0 object at 0x7f...>, the address the node's, not its Python wrapper's.
      .def("__repr__", [](const autograd::Node& node) {
        return fmt::format("<{} object at {:#x}>", node.name(), reinterpret_cast<uintptr_t>(&node));
      });

  auto tensor = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  tensor.def_property_readonly("grad_fn", [](const Tensor& t) -> py::object {
    auto node = t.grad_fn();
    return node ? py::cast(node) : py::none();
  });
  tensor.def("backward", [](const Tensor& t, const py::object& gradient, std::optional<bool> retain_graph,
                            bool create_graph) {
    const Tensor g = gradient.is_none() ? Tensor() : gradient.cast<Tensor>();
    py::gil_scoped_release no_gil;
    t.backward(g, retain_graph, create_graph);
  }, py::arg("gradient") = py::none(), py::arg("retain_graph") = py::none(), py::arg("create_graph") = false);
  tensor.def("register_hook", [](const Tensor& t, py::function hook) {
    PythonCallable call(std::move(hook));
    t.register_hook([call](const Tensor& grad) { return call(grad); });
  }, py::arg("hook"));

  // ember.autograd.Function.apply: outputs (computed without recording) get a node whose
  // backward is the Python callable (a list of gradients in, one per input out).
  m.def("_record_function", [](const std::string& name, const autograd::TensorList& inputs,
                               const autograd::TensorList& outputs, py::function backward) {
    PythonCallable call(std::move(backward));
    autograd::record(interned(name), inputs, outputs, [call](const autograd::TensorList& grads) { return call(grads); });
  }, py::arg("name"), py::arg("inputs"), py::arg("outputs"), py::arg("backward"));
  m.def("gradcheck", [](py::function fn, const autograd::TensorList& inputs, double eps, double atol, double rtol,
                        bool second_order) {
    const autograd::GradcheckFunction call = [&fn](const autograd::TensorList& in) {
      py::list args;
      for (const Tensor& t : in) args.append(t);
      return fn(*args).cast<Tensor>();
    };
    return second_order ? autograd::gradgradcheck(call, inputs, eps, atol, rtol)
                        : autograd::gradcheck(call, inputs, eps, atol, rtol);
  }, py::arg("fn"), py::arg("inputs"), py::arg("eps"), py::arg("atol"), py::arg("rtol"), py::arg("second_order"));
  m.def("backward", [](const py::object& tensors, const py::object& grad_tensors, std::optional<bool> retain_graph,
                       bool create_graph) {
    const autograd::TensorList roots = tensor_list(tensors), grads = tensor_list(grad_tensors);
    py::gil_scoped_release no_gil;
    autograd::backward(roots, grads, retain_graph, create_graph);
  }, py::arg("tensors"), py::arg("grad_tensors") = py::none(), py::arg("retain_graph") = py::none(),
     py::arg("create_graph") = false);
  m.def("grad", [](const py::object& outputs, const py::object& inputs, const py::object& grad_outputs,
                   std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
    const autograd::TensorList outs = tensor_list(outputs), ins = tensor_list(inputs), gouts = tensor_list(grad_outputs);
    autograd::TensorList grads;
    {
      py::gil_scoped_release no_gil;
      grads = autograd::grad(outs, ins, gouts, retain_graph, create_graph, allow_unused);
    }
    py::tuple result(grads.size());
    for (size_t i = 0; i < grads.size(); ++i) result[i] = optional_tensor(grads[i]);
    return result;
  }, py::arg("outputs"), py::arg("inputs"), py::arg("grad_outputs") = py::none(), py::arg("retain_graph") = py::none(),
     py::arg("create_graph") = false, py::arg("allow_unused") = false);
}

}  // namespace ember::python
