// ember._C: the pybind11 module behind `import ember`. Each area registers
// itself (see bindings.h); the pure-Python package (bindings/ember/) arranges
// the names as PyTorch's.
#include "bindings.h"

PYBIND11_MODULE(_C, m) {
  using namespace ember::python;
  m.doc() = "ember's C++ library, bound with pybind11 (use the ember package, not this module)";
  bind_types(m);
  bind_tensor(m);
  bind_functions(m);
  bind_autograd(m);
  bind_nn(m);
  bind_optim(m);
  bind_data(m);
  bind_cuda(m);
}
