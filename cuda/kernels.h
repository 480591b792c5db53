// Every CUDA entry point ops/ may call, as plain C++ declarations (no CUDA
// headers). Built from cuda/*.cu when nvcc is found; otherwise cuda/stubs.cpp
// defines each one to throw "ember was built without CUDA".
#pragma once

#include <ember/core/dtype.h>
#include <ember/core/storage.h>
#include <ember/core/elementwise_iter.h>
#include <ember/cuda/cuda.h>

#include <cstddef>

namespace ember::cuda {

// ---- memory (cuda/allocator.cpp); see also cuda/cuda.h ----
// Storage on `device` (index -1: the current device) of at least nbytes.
Storage allocate_storage(size_t nbytes, Device device);
// Copies nbytes between any two of host and device memory (contiguous bytes);
// synchronous with respect to the host when either side is the host.
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes);

[[noreturn]] void fail_without_cuda(const char* op);

// ---- elementwise: runs a functor of ops/functors.h over the iterator ----
// The generic kernel is cuda/loops.cuh; ops/elementwise_cuda.cu instantiates it
// for every functor of EMBER_ELEMENTWISE_FUNCTORS (cuda/ itself knows no functor).
#ifdef EMBER_WITH_CUDA
template <class F>
void elementwise(const char* op, const ElementwiseIter& iter, DType dtype, const F& f);
#else
template <class F>
void elementwise(const char* op, const ElementwiseIter&, DType, const F&) {
  fail_without_cuda(op);
}
#endif
// out = in converted to out's dtype (operand 0 of dtype `out_dtype`, operand 1 of `in_dtype`).
void cast(const ElementwiseIter& iter, DType out_dtype, DType in_dtype);
// Fills operand 0 of iter with `value` converted to dtype.
void fill(const ElementwiseIter& iter, DType dtype, double value);

// ---- reductions (cuda/reduce.cu) ----
// out (numel outputs) = sum over `inner` contiguous elements of `self` for each output.
void sum_contiguous(const void* self, void* out, DType dtype, int64_t outer, int64_t inner);

}  // namespace ember::cuda
