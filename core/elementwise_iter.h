// ElementwiseIter: the geometry of one elementwise loop (broadcast strides,
// coalesced dims), shared by the CPU loop
// (ops/cpu/loops.h) and the CUDA kernel (cuda/loops.cuh). Operand 0 is the output; each
// input is broadcast to the output's shape (stride 0) and dims are coalesced
// so that a contiguous op is a single flat loop.
#pragma once

#include <ember/core/tensor.h>

#include <initializer_list>

namespace ember {

struct ElementwiseIter {
  static constexpr int kMaxOperands = 4;
  int num_operands = 0;
  Shape shape;                          // coalesced, innermost last
  Shape strides[kMaxOperands];          // in bytes, per operand, aligned to `shape`
  char* data[kMaxOperands] = {};
  int64_t numel = 0;

  // True when every operand is contiguous (or a broadcast scalar) over one flat dim.
  bool is_flat() const { return shape.size() <= 1; }
};

// Builds the loop for out = f(inputs...). `out` must already have the
// broadcast shape of the inputs (ops/toolkit.h holds the op-level helpers).
ElementwiseIter make_elementwise_iter(const Tensor& out, std::initializer_list<const Tensor*> inputs);

}  // namespace ember
