// ember's free functions, as torch.*: creation with `*size` and keyword
// dtype/device/requires_grad, the math that has no method form, the
// generator and threads.
#include "bindings.h"

#include <random>

namespace ember::python {
namespace {

using NoGil = py::call_guard<py::gil_scoped_release>;

TensorOptions options_of(const char* function, const py::object& dtype, const py::object& device,
                         DType fallback = kFloat32) {
  TensorOptions options(to_dtype(dtype, function, fallback));
  if (!device.is_none()) options.device = to_device(device, function);
  return options;
}

Tensor with_grad(Tensor t, bool requires_grad) {
  if (requires_grad) t.requires_grad_(true);
  return t;
}

// zeros(2, 3) / zeros((2, 3)), dtype=, device=, requires_grad=: the creation functions' shape.
template <class Make>
void def_creation(py::module_& m, const char* name, Make make) {
  m.def(name, [name, make](const py::args& size, const py::object& dtype, const py::object& device, bool requires_grad) {
    return with_grad(make(to_shape(size), options_of(name, dtype, device)), requires_grad);
  }, py::kw_only(), py::arg("dtype") = py::none(), py::arg("device") = py::none(), py::arg("requires_grad") = false);
}

// zeros_like(t, dtype=None, ...): same shape, dtype and device unless told.
template <class Make>
void def_like(py::module_& m, const char* name, Make make) {
  m.def(name, [name, make](const Tensor& other, const py::object& dtype, const py::object& device, bool requires_grad) {
    return with_grad(make(other, options_of(name, dtype, device, other.dtype()).or_like(other.dtype(), other.device())),
                     requires_grad);
  }, py::arg("input"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
     py::arg("requires_grad") = false);
}

// torch.Generator: its own stream for randint/randperm(generator=), as samplers use. ember has one
// generator for every device (it draws on the CPU), so device= is checked and otherwise ignored.
void bind_generator(py::module_& m) {
  py::class_<Generator, std::shared_ptr<Generator>>(m, "Generator")
      .def(py::init([](const py::object& device) {
        to_device(device, "Generator");
        return std::make_shared<Generator>();
      }), py::arg("device") = "cpu")
      .def("manual_seed", [](py::object self, uint64_t seed) {
        self.cast<Generator&>().manual_seed(seed);
        return self;
      }, py::arg("seed"))
      .def("initial_seed", &Generator::initial_seed)
      .def("seed", [](Generator& self) {  // a non-deterministic seed, returned
        const uint64_t seed = (uint64_t{std::random_device()()} << 32) | std::random_device()();
        self.manual_seed(seed);
        return seed;
      });
  // The default generator is never freed: Python holds it without owning it.
  const std::shared_ptr<Generator> default_one(&default_generator(), [](Generator*) {});
  m.attr("default_generator") = default_one;
  m.def("manual_seed", [default_one](uint64_t seed) {
    default_one->manual_seed(seed);
    return default_one;
  }, py::arg("seed"));
  m.def("initial_seed", &initial_seed);
}

}  // namespace

void bind_functions(py::module_& m) {
  def_creation(m, "zeros", [](IntArrayRef s, TensorOptions o) { return zeros(s, o); });
  def_creation(m, "ones", [](IntArrayRef s, TensorOptions o) { return ones(s, o); });
  def_creation(m, "empty", [](IntArrayRef s, TensorOptions o) { return empty(s, o); });
  def_creation(m, "rand", [](IntArrayRef s, TensorOptions o) { return rand(s, o); });
  def_creation(m, "randn", [](IntArrayRef s, TensorOptions o) { return randn(s, o); });
  def_like(m, "zeros_like", [](const Tensor& t, TensorOptions o) { return zeros_like(t, o); });
  def_like(m, "ones_like", [](const Tensor& t, TensorOptions o) { return ones_like(t, o); });
  def_like(m, "empty_like", [](const Tensor& t, TensorOptions o) { return empty_like(t, o); });
  def_like(m, "rand_like", [](const Tensor& t, TensorOptions o) { return rand_like(t, o); });
  def_like(m, "randn_like", [](const Tensor& t, TensorOptions o) { return randn_like(t, o); });
  m.def("full", [](const std::vector<int64_t>& size, const py::object& value, const py::object& dtype,
                   const py::object& device, bool requires_grad) {
    const Scalar v = to_scalar(value);
    return with_grad(full(size, v, options_of("full", dtype, device, v.dtype())), requires_grad);
  }, py::arg("size"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
     py::arg("device") = py::none(), py::arg("requires_grad") = false);
  // arange(end) / arange(start, end, step): int64 when every bound is an int, else float32.
  m.def("arange", [](const py::object& start, const py::object& end, const py::object& step, const py::object& dtype,
                     const py::object& device, bool requires_grad) {
    const bool one_bound = end.is_none();
    const Scalar lo = one_bound ? Scalar(int64_t{0}) : to_scalar(start), hi = to_scalar(one_bound ? start : end),
                 by = to_scalar(step);
    const bool integral = !lo.is_floating_point() && !hi.is_floating_point() && !by.is_floating_point();
    return with_grad(arange(lo, hi, by, options_of("arange", dtype, device, integral ? kInt64 : kFloat32)), requires_grad);
  }, py::arg("start"), py::arg("end") = py::none(), py::arg("step") = 1, py::kw_only(), py::arg("dtype") = py::none(),
     py::arg("device") = py::none(), py::arg("requires_grad") = false);
  m.def("linspace", [](double start, double end, int64_t steps, const py::object& dtype, const py::object& device) {
    return linspace(start, end, steps, options_of("linspace", dtype, device));
  }, py::arg("start"), py::arg("end"), py::arg("steps"), py::kw_only(), py::arg("dtype") = py::none(),
     py::arg("device") = py::none());
  m.def("eye", [](int64_t n, const py::object& m_cols, const py::object& dtype, const py::object& device) {
    const TensorOptions options = options_of("eye", dtype, device);
    return m_cols.is_none() ? eye(n, options) : eye(n, m_cols.cast<int64_t>(), options);
  }, py::arg("n"), py::arg("m") = py::none(), py::kw_only(), py::arg("dtype") = py::none(),
     py::arg("device") = py::none());

  m.def("full_like", [](const Tensor& other, const py::object& fill_value, const py::object& dtype,
                        const py::object& device, bool requires_grad) {
    const TensorOptions options = options_of("full_like", dtype, device, other.dtype()).or_like(other.dtype(), other.device());
    return with_grad(full_like(other, to_scalar(fill_value), options), requires_grad);
  }, py::arg("input"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
     py::arg("device") = py::none(), py::arg("requires_grad") = false);
  // randint(high, size) / randint(low, high, size): int64 unless told, as torch; generator=None: the default one.
  m.def("randint", [](const py::args& args, Generator* generator, const py::object& dtype, const py::object& device,
                      bool requires_grad) {
    EMBER_CHECK_TYPE(args.size() == 2 || args.size() == 3,
                     "randint(): expected (high, size) or (low, high, size), got {} positional arguments", args.size());
    const int64_t low = args.size() == 3 ? args[0].cast<int64_t>() : 0;
    const int64_t high = args[args.size() - 2].cast<int64_t>();
    const auto size = args[args.size() - 1].cast<std::vector<int64_t>>();
    return with_grad(randint(low, high, size, options_of("randint", dtype, device, kInt64), generator), requires_grad);
  }, py::kw_only(), py::arg("generator") = py::none(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
     py::arg("requires_grad") = false);
  m.def("randperm", [](int64_t n, Generator* generator, const py::object& dtype, const py::object& device,
                       bool requires_grad) {
    return with_grad(randperm(n, options_of("randperm", dtype, device, kInt64), generator), requires_grad);
  }, py::arg("n"), py::kw_only(), py::arg("generator") = py::none(), py::arg("dtype") = py::none(),
     py::arg("device") = py::none(), py::arg("requires_grad") = false);

  m.def("cat", &cat, py::arg("tensors"), py::arg("dim") = 0, NoGil());
  m.def("stack", &stack, py::arg("tensors"), py::arg("dim") = 0, NoGil());
  m.def("matmul", &matmul, NoGil());
  // where(condition, x, y), x and y Tensors or numbers; where(condition) is condition.nonzero(as_tuple=True).
  m.def("where", [](const Tensor& condition, const py::object& self, const py::object& other) -> py::object {
    if (self.is_none() && other.is_none()) return py::tuple(py::cast(condition.nonzero().unbind(1)));
    const bool self_tensor = py::isinstance<Tensor>(self), other_tensor = py::isinstance<Tensor>(other);
    if (self_tensor && other_tensor) return py::cast(where(condition, self.cast<Tensor>(), other.cast<Tensor>()));
    if (self_tensor) return py::cast(where(condition, self.cast<Tensor>(), to_scalar(other)));
    if (other_tensor) return py::cast(where(condition, to_scalar(self), other.cast<Tensor>()));
    // Two numbers: torch makes them 0-d tensors of their own dtypes.
    const Scalar a = to_scalar(self), b = to_scalar(other);
    return py::cast(where(condition, scalar_tensor(a, TensorOptions(a.dtype(), condition.device())), b));
  }, py::arg("condition"), py::arg("input") = py::none(), py::arg("other") = py::none());
  m.def("einsum", [](const std::string& equation, const py::args& operands) {
    // einsum("ij,jk", a, b) and einsum("ij,jk", [a, b]), as torch.
    const bool listed = operands.size() == 1 && !py::isinstance<Tensor>(operands[0]);
    return einsum(equation, (listed ? py::object(operands[0]) : py::object(operands)).cast<std::vector<Tensor>>());
  }, py::arg("equation"));
  m.def("broadcast_tensors", [](const py::args& tensors) {
    return broadcast_tensors(tensors.cast<std::vector<Tensor>>());
  });
  m.def("softmax", &softmax, py::arg("input"), py::arg("dim"), NoGil());
  m.def("log_softmax", &log_softmax, py::arg("input"), py::arg("dim"), NoGil());

  bind_generator(m);
  m.def("set_num_threads", &set_num_threads, py::arg("n"));
  m.def("get_num_threads", &get_num_threads);
}

}  // namespace ember::python
