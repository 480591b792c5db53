// The toolkit every op file (ops/*.cpp) shares: input checks, dtype
// computation, the in-place rules and assign_with_history, view marking, and
// the one place that picks the CPU elementwise loop or the CUDA kernel.
// No op lives here.
#pragma once

#include <ember/autograd/record.h>
#include <ember/core/elementwise_iter.h>
#include <ember/core/promotion.h>
#include <ember/cuda/kernels.h>
#include <ember/ops/cpu/loops.h>
#include <ember/ops/functors.h>
#include <ember/ops/ops.h>

namespace ember::detail {

void check_defined(const char* op, const Tensor& t);
void check_same_device(const char* op, const Tensor& a, const Tensor& b);
// For ops that have no CUDA kernel yet: a clear error instead of reading device memory.
void check_cpu(const char* op, const Tensor& t);
// PyTorch's can_cast: no float -> integer, no non-bool -> bool.
bool can_cast(DType from, DType to);
// t itself when it already has dtype, else a converted copy.
Tensor cast_if_needed(const Tensor& t, DType dtype);
// A 0-d tensor holding `value` (how ops take C++ numbers: `a + 2`).
Tensor wrap_scalar(const Scalar& value, DType dtype, Device device);
// The in-place rules: result castable to self's dtype, broadcast shape == self's shape, and
// no two elements of self in one memory location.
void check_inplace(const char* op, const Tensor& self, DType result, IntArrayRef broadcast_shape);
void check_no_overlap(const char* op, const Tensor& self);
// Marks `view`, made over self's storage by a view op, as a view of self's
// base; made under no_grad it is a kNoGradMode view whatever `creation` says,
// and only when self requires grad.
void mark_view(const Tensor& view, const Tensor& self, ViewCreation creation = ViewCreation::kGradMode);
// The in-place form of an op under autograd (grad mode on and self or result
// requires grad): `result` (computed out of place, so recorded) is written
// into self, after autograd's in-place rules, and the history moves: see
// Note [In-place ops on views] in autograd/inplace.cpp.
Tensor& assign_with_history(const char* op, Tensor& self, const Tensor& result);
// The same for an op computed by compute(x) from a copy x of self: a formula
// that saved its input must not see that input overwritten.
template <class Compute>
Tensor& inplace_with_history(const char* op, Tensor& self, const Compute& compute) {
  return assign_with_history(op, self, compute(clone(self)));
}

template <class F>
void run_elementwise(const char* op, const Tensor& out, std::initializer_list<const Tensor*> inputs, DType dtype,
                     const F& f) {
  ElementwiseIter iter = make_elementwise_iter(out, inputs);
  if (out.is_cuda()) {
    cuda::elementwise(op, iter, dtype, f);
  } else {
    cpu::elementwise(op, iter, dtype, f);
  }
}

template <class F>
constexpr bool returns_bool = std::is_same_v<functors::functor_output_t<F, float>, bool>;

// The dtype F computes in for an input of dtype `in`: float-only functors lift integers to float32.
template <class F>
DType compute_dtype(DType in) {
  return F::dtypes == DTypes::Floating && !is_floating_point(in) ? kFloat32 : in;
}

template <class F>
Tensor unary_op(const char* op, const Tensor& self, const F& f) {
  check_defined(op, self);
  DType dtype = compute_dtype<F>(self.dtype());
  Tensor input = cast_if_needed(self, dtype);
  Tensor out = empty(self.shape(), {returns_bool<F> ? kBool : dtype, self.device()});
  run_elementwise(op, out, {&input}, dtype, f);
  return out;
}

template <class F>
Tensor& unary_op_(const char* op, Tensor& self, const F& f) {
  check_defined(op, self);
  check_inplace(op, self, compute_dtype<F>(self.dtype()), self.shape());
  run_elementwise(op, self, {&self}, self.dtype(), f);
  self.bump_version();
  return self;
}

// out = f(self, other) in dtype `dtype` (both inputs converted to it).
template <class F>
Tensor binary_op(const char* op, const Tensor& self, const Tensor& other, DType dtype, const F& f) {
  Tensor a = cast_if_needed(self, dtype), b = cast_if_needed(other, dtype);
  Tensor out = empty(broadcast_shapes(op, a.shape(), b.shape()), {returns_bool<F> ? kBool : dtype, a.device()});
  run_elementwise(op, out, {&a, &b}, dtype, f);
  return out;
}

// The common case: result_type promotion (PyTorch rules), checks, then binary_op.
template <class F>
Tensor promoted_binary_op(const char* op, const Tensor& self, const Tensor& other, const F& f) {
  check_defined(op, self);
  check_defined(op, other);
  check_same_device(op, self, other);
  return binary_op(op, self, other, compute_dtype<F>(result_type(self, other)), f);
}
template <class F>
Tensor promoted_binary_op(const char* op, const Tensor& self, const Scalar& other, const F& f) {
  check_defined(op, self);
  DType dtype = compute_dtype<F>(result_type(self, other));
  return binary_op(op, self, wrap_scalar(other, dtype, self.device()), dtype, f);
}

template <class F>
Tensor& binary_op_(const char* op, Tensor& self, const Tensor& other, const F& f) {
  check_defined(op, self);
  check_defined(op, other);
  check_same_device(op, self, other);
  check_inplace(op, self, compute_dtype<F>(result_type(self, other)), broadcast_shapes(op, self.shape(), other.shape()));
  Tensor b = cast_if_needed(other, self.dtype());
  run_elementwise(op, self, {&self, &b}, self.dtype(), f);
  self.bump_version();
  return self;
}
template <class F>
Tensor& binary_op_(const char* op, Tensor& self, const Scalar& other, const F& f) {
  check_defined(op, self);
  check_inplace(op, self, compute_dtype<F>(result_type(self, other)), self.shape());
  Tensor b = wrap_scalar(other, self.dtype(), self.device());
  run_elementwise(op, self, {&self, &b}, self.dtype(), f);
  self.bump_version();
  return self;
}

}  // namespace ember::detail
