// Broadcasting and dimension coalescing for ElementwiseIter.
#include <ember/core/elementwise_iter.h>

namespace ember {

ElementwiseIter make_elementwise_iter(const Tensor& out, std::initializer_list<const Tensor*> inputs) {
  ElementwiseIter iter;
  iter.num_operands = static_cast<int>(inputs.size()) + 1;
  EMBER_INTERNAL_ASSERT(iter.num_operands <= ElementwiseIter::kMaxOperands);
  const size_t ndim = out.shape().size();
  iter.numel = out.numel();

  const Tensor* operands[ElementwiseIter::kMaxOperands] = {&out};
  int k = 1;
  for (const Tensor* t : inputs) operands[k++] = t;

  // Byte strides aligned to out's dims (broadcast dims get stride 0).
  for (int op = 0; op < iter.num_operands; ++op) {
    const Tensor& t = *operands[op];
    iter.data[op] = static_cast<char*>(t.data_ptr());
    Shape& s = iter.strides[op];
    s.resize(ndim, 0);
    const size_t lead = ndim - t.shape().size();
    const int64_t esize = static_cast<int64_t>(t.element_size());
    for (size_t d = 0; d < t.shape().size(); ++d) {
      EMBER_INTERNAL_ASSERT(t.shape()[d] == out.shape()[lead + d] || t.shape()[d] == 1, "operand {} shape {} vs out {}",
                            op, t.shape(), out.shape());
      s[lead + d] = t.shape()[d] == 1 ? 0 : t.strides()[d] * esize;
    }
  }

  // Coalesce: drop size-1 dims, and merge dim d into d+1 when, for every
  // operand, stepping once in d equals stepping size[d+1] times in d+1.
  Shape shape;
  Shape strides[ElementwiseIter::kMaxOperands];
  for (size_t d = 0; d < ndim; ++d) {
    int64_t size = out.shape()[d];
    if (size == 1) continue;
    bool merge = !shape.empty();
    for (int op = 0; merge && op < iter.num_operands; ++op) {
      merge = strides[op].back() == iter.strides[op][d] * size;
    }
    if (merge) {
      shape[shape.size() - 1] *= size;
      for (int op = 0; op < iter.num_operands; ++op) strides[op][strides[op].size() - 1] = iter.strides[op][d];
    } else {
      shape.push_back(size);
      for (int op = 0; op < iter.num_operands; ++op) strides[op].push_back(iter.strides[op][d]);
    }
  }
  iter.shape = std::move(shape);
  for (int op = 0; op < iter.num_operands; ++op) iter.strides[op] = std::move(strides[op]);
  return iter;
}

}  // namespace ember
