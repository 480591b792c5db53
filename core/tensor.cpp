// Tensor metadata accessors. Operations on tensors live in ops/.
#include <ember/core/tensor.h>

namespace ember {

int64_t Tensor::size(int64_t d) const { return shape()[wrap_dim("size", d, dim())]; }
int64_t Tensor::stride(int64_t d) const { return strides()[wrap_dim("stride", d, dim())]; }

void Tensor::set_data(const Tensor& other) const {
  impl_->set_data(other.impl()->storage(), other.shape(), other.strides(), other.storage_offset(), other.dtype());
}

void Tensor::check_data_ptr(DType requested) const {
  EMBER_CHECK_TYPE(requested == dtype(), "data_ptr: expected the tensor's dtype {} as the element type, got {}", dtype(),
                   requested);
}

}  // namespace ember
