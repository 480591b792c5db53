// Tensor printing (PyTorch's layout).
#include <ember/core/print.h>

#include <ostream>

namespace ember {

std::string Tensor::str() const {
  if (!defined()) return "tensor(undefined)";
  return fmt::format("tensor(shape={}, dtype={}, device={})", shape(), dtype(), device());
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace ember
