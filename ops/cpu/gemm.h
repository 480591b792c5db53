// The CPU GEMM layer under matmul/mm/bmm/addmm/einsum: batches of row-major
// C = alpha * A @ B + beta * C on strided memory. float32 goes to oneDNN
// (chosen by measurement, see gemm.cpp), float64 to OpenBLAS, integers to a
// blocked loop. No Tensors here: linalg.cpp prepares operands and offsets.
#pragma once

#include <ember/core/dtype.h>
#include <ember/core/scalar.h>

#include <cstdint>

namespace ember::cpu {

// One operand of a batch of GEMMs: matrix i starts at data + offsets[i]
// (elements) and every matrix has the same element strides.
struct MatrixBatch {
  void* data;
  int64_t row_stride;
  int64_t col_stride;
  const int64_t* offsets;
};

// Can BLAS read a rows x cols matrix with these strides in place (as itself
// or as a transposed column-major one, with a valid leading dimension)?
// float32/float64 operands that are not must be made contiguous first.
bool blas_compatible(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride);

// c[i] = alpha * a[i] @ b[i] + beta * c[i] for i in [0, batch); a[i] is m x k,
// b[i] is k x n, c[i] is m x n and must not alias a or b. beta == 0 ignores c's
// old values (NaN included), as BLAS does. k == 0 gives beta * c.
// dtype: float32, float64 (operands blas_compatible) or an integer dtype (any
// strides; wraps around on overflow like PyTorch). float16/bfloat16 are the
// caller's to convert to float32.
// M rows of A and C, N columns of B and C, K the contracted size.
void gemm_batched(DType dtype, int64_t batch, int64_t m, int64_t n, int64_t k, const Scalar& alpha, MatrixBatch a,
                  MatrixBatch b, const Scalar& beta, MatrixBatch c);

}  // namespace ember::cpu
