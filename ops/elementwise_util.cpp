// Checks and conversions shared by the elementwise op families.
#include <ember/ops/elementwise_util.h>

namespace ember::detail {

void check_defined(const char* op, const Tensor& t) {
  EMBER_CHECK(t.defined(), "{}: expected a defined tensor, got an undefined one (a default-constructed Tensor)", op);
}

void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.device() == b.device(),
              "{}: expected all tensors on the same device, got {} and {} (move one with .to(device))", op, a.device(),
              b.device());
}

void check_cpu(const char* op, const Tensor& t) {
  EMBER_CHECK(t.is_cpu(), "{}: expected a CPU tensor, got one on {} (this op has no CUDA kernel yet; move it with .cpu())",
              op, t.device());
}

bool can_cast(DType from, DType to) {
  if (is_floating_point(from) && !is_floating_point(to)) return false;
  if (from != kBool && to == kBool) return false;
  return true;
}

Tensor cast_if_needed(const Tensor& t, DType dtype) { return t.dtype() == dtype ? t : t.to(dtype); }

Tensor wrap_scalar(const Scalar& value, DType dtype, Device device) { return full({}, value, {dtype, device}); }

void check_inplace(const char* op, const Tensor& self, DType result, IntArrayRef broadcast_shape) {
  EMBER_CHECK(can_cast(result, self.dtype()), "{}: result type {} can't be cast to the desired output type {}", op,
              result, self.dtype());
  EMBER_CHECK(IntArrayRef(self.shape()) == broadcast_shape,
              "{}: output with shape {} doesn't match the broadcast shape {}", op, self.shape(), broadcast_shape);
}

}  // namespace ember::detail
