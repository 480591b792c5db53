// Conversion and copies: to(dtype/device), copy_, fill_, contiguous, clone,
// detach, item. Cross-device copies stage through a contiguous buffer and
// move bytes with cuda::copy_bytes.
#include <ember/ops/toolkit.h>

namespace ember {
namespace {

// out[i] = static_cast<Out>(in[i]) on one device.
void cast_copy(const Tensor& out, const Tensor& in) {
  ElementwiseIter iter = make_elementwise_iter(out, {&in});
  if (out.is_cuda()) {
    cuda::cast(iter, out.dtype(), in.dtype());
    return;
  }
  dispatch_dtype("copy_", out.dtype(), [&]<class Out>() {
    dispatch_dtype("copy_", in.dtype(), [&]<class In>() {
      cpu::cpu_kernel<Out, In>(iter, [](opmath_t<In> v) {
        if constexpr (std::is_same_v<Out, bool>) return v != opmath_t<In>(0);
        else return static_cast<opmath_t<Out>>(v);
      });
    });
  });
}

}  // namespace

Tensor& copy_(Tensor& self, const Tensor& src) {
  detail::check_defined("copy_", self);
  detail::check_defined("copy_", src);
  Shape shape = broadcast_shapes("copy_", self.shape(), src.shape());
  EMBER_CHECK(shape == self.shape(), "copy_: expected a source that broadcasts to the destination's shape {}, got {}",
              self.shape(), src.shape());
  // Under autograd, self's old values get no gradient; src gets self's (through to and expand).
  if (autograd::needs_grad(self, src)) {
    return detail::assign_with_history("copy_", self, src.to(self.device(), self.dtype()).expand(self.shape()));
  }
  detail::check_no_overlap("copy_", self);
  if (self.device() == src.device()) {
    // A source that shares memory with the destination is read fully before writing.
    Tensor source = src.is_alias_of(self) && src.impl() != self.impl() ? clone(src) : src;
    if (source.impl() != self.impl()) cast_copy(self, source);
  } else {
    Tensor staged = src.to(self.dtype()).expand(self.shape()).contiguous();
    Tensor target = self.is_contiguous() ? self : empty(self.shape(), self.options());
    cuda::copy_bytes(target.data_ptr(), target.device(), staged.data_ptr(), staged.device(), target.nbytes());
    if (target.impl() != self.impl()) cast_copy(self, target);
  }
  self.bump_version();
  return self;
}

Tensor to(const Tensor& self, Device device, DType dtype) {
  detail::check_defined("to", self);
  if (self.device() == device && self.dtype() == dtype) return self;
  Tensor out = empty(self.shape(), {dtype, device});
  {
    autograd::NoGradGuard no_grad;  // recorded below as one "to" node, not as a copy_
    copy_(out, self);
  }
  if (autograd::needs_grad(self)) {
    autograd::record("to", {self}, out, [device = self.device(), dtype = self.dtype()](const Tensor& grad) {
      return autograd::TensorList{grad.to(device, dtype)};
    });
  }
  return out;
}

Tensor contiguous(const Tensor& self) {
  detail::check_defined("contiguous", self);
  return self.is_contiguous() ? self : clone(self);
}

Tensor clone(const Tensor& self) {
  detail::check_defined("clone", self);
  Tensor out = empty(self.shape(), self.options());
  {
    autograd::NoGradGuard no_grad;
    copy_(out, self);
  }
  if (autograd::needs_grad(self)) {
    autograd::record("clone", {self}, out, [](const Tensor& grad) { return autograd::TensorList{grad}; });
  }
  return out;
}

Tensor detach(const Tensor& self) {
  detail::check_defined("detach", self);
  return Tensor::make(self.impl()->storage(), self.shape(), self.strides(), self.storage_offset(), self.dtype());
}

Tensor Tensor::to(DType dtype) const { return ember::to(*this, device(), dtype); }
Tensor Tensor::to(Device device) const { return ember::to(*this, device, dtype()); }
Tensor Tensor::to(Device device, DType dtype) const { return ember::to(*this, device, dtype); }
Tensor& Tensor::copy_(const Tensor& src) { return ember::copy_(*this, src); }
Tensor Tensor::contiguous() const { return ember::contiguous(*this); }
Tensor Tensor::clone() const { return ember::clone(*this); }
Tensor Tensor::detach() const { return ember::detach(*this); }

Tensor& Tensor::fill_(const Scalar& value) {
  detail::check_defined("fill_", *this);
  // Under autograd the old values get no gradient: self's history restarts (FillBackward, or CopySlices on a view).
  if (autograd::needs_grad(*this)) return detail::assign_with_history("fill_", *this, full(shape(), value, options()));
  ElementwiseIter iter = make_elementwise_iter(*this, {});
  if (is_cuda()) {
    cuda::fill(iter, dtype(), value.to_double());
  } else {
    dispatch_dtype("fill_", dtype(), [&]<class T>() {
      const T v = value.to<T>();
      cpu::cpu_kernel<T>(iter, [v]() { return static_cast<opmath_t<T>>(v); });
    });
  }
  bump_version();
  return *this;
}

Tensor& Tensor::zero_() { return fill_(0); }

Scalar Tensor::item() const {
  detail::check_defined("item", *this);
  EMBER_CHECK(numel() == 1, "item: expected a tensor with exactly one element, got {} elements (shape {})", numel(),
              shape());
  Tensor host = cpu();
  return dispatch_dtype("item", dtype(), [&]<class T>() -> Scalar {
    T v = *static_cast<const T*>(host.data_ptr());
    if constexpr (is_floating_v<T>) return Scalar(static_cast<double>(static_cast<opmath_t<T>>(v)));
    else return Scalar(v);
  });
}

}  // namespace ember
