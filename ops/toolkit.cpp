// The shared op toolkit (ops/toolkit.h): checks, conversions, the in-place path and view marking.
#include <ember/ops/toolkit.h>

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
  check_no_overlap(op, self);
}

void check_no_overlap(const char* op, const Tensor& self) {
  EMBER_CHECK(self.is_contiguous() || !has_internal_overlap(self.shape(), self.strides()),
              "{}: unsupported operation: more than one element of the written-to tensor (shape {}, strides {}) refers "
              "to a single memory location. Please clone() the tensor before performing the operation.",
              op, self.shape(), self.strides());
}

void mark_view(const Tensor& view, const Tensor& self, ViewCreation creation) {
  // Under no_grad only views of tensors that require grad are marked: those
  // the in-place rules must refuse. An op's scratch tensors (made under
  // no_grad, never requiring grad) thus give plain results when reshaped.
  if (autograd::is_grad_enabled()) {
    view.impl()->set_view_of(*self.impl(), creation);
  } else if (self.requires_grad()) {
    view.impl()->set_view_of(*self.impl(), ViewCreation::kNoGradMode);
  }
}

Tensor& assign_with_history(const char* op, Tensor& self, const Tensor& result) {
  check_inplace(op, self, result.dtype(), result.shape());
  autograd::check_inplace(op, self);
  {
    autograd::NoGradGuard no_grad;
    copy_(self, result);
  }
  autograd::rebase_history(op, self, result);
  return self;
}

}  // namespace ember::detail
