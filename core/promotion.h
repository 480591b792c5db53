// Type promotion as PyTorch's torch.result_type: by category (bool <
// integer < floating), where dimensioned tensors outrank 0-d tensors, which
// outrank wrapped C++/Python numbers (which are "weak": `int32_tensor + 1` stays int32).
#pragma once

#include <ember/core/dtype.h>
#include <ember/core/scalar.h>

namespace ember {

class Tensor;

// The smallest dtype that can hold both (torch.promote_types).
DType promote_types(DType a, DType b);

// Accumulates operands like PyTorch's ResultTypeState.
class ResultType {
 public:
  ResultType& add(const Tensor& t);
  ResultType& add(const Scalar& s);
  DType get() const;

 private:
  // -1 means "no operand of this priority yet".
  int dim_result_ = -1, zero_dim_result_ = -1, wrapped_result_ = -1;
};

DType result_type(const Tensor& a, const Tensor& b);
DType result_type(const Tensor& a, const Scalar& b);

}  // namespace ember
