// Tensor metadata accessors. Operations on tensors live in ops/.
#include <ember/core/tensor.h>

namespace ember {

int64_t Tensor::size(int64_t d) const { return shape()[wrap_dim("size", d, dim())]; }
int64_t Tensor::stride(int64_t d) const { return strides()[wrap_dim("stride", d, dim())]; }

Tensor& Tensor::requires_grad_(bool requires_grad) {
  EMBER_CHECK(!requires_grad || is_floating_point(),
              "requires_grad_: only tensors of floating point dtype can require gradients, got {}", dtype());
  impl_->autograd_or_create().requires_grad = requires_grad;
  return *this;
}

Tensor Tensor::grad() const {
  const AutogradMeta* meta = impl_->autograd();
  return meta && meta->grad ? Tensor(meta->grad) : Tensor();
}

void Tensor::check_data_ptr(DType requested) const {
  EMBER_CHECK_TYPE(requested == dtype(), "data_ptr: expected the tensor's dtype {} as the element type, got {}", dtype(),
                   requested);
}

}  // namespace ember
