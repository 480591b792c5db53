// CPU kernels of the indexing family (ops/index.cpp validates, these only
// run): gather and the scatters, which index_select, index_add, take and
// one_hot reuse (and which gather's and scatter's backward will reuse), plus
// masked_select and nonzero. No checks here beyond internal asserts.
#pragma once

#include <ember/core/tensor.h>

namespace ember::cpu {

// Preconditions for the gather/scatter kernels, established by ops/index.cpp:
// every tensor at least 1-d and of the same number of dims; index int64 with
// every value in [-self.size(dim), self.size(dim)) (negative values wrap);
// index.size(d) <= self.size(d) for d != dim, and index.size(d) <= other.size(d)
// for every d (other: out of gather, src of the scatters); same dtypes.

// out = self.index_select(dim, index) for a contiguous self, index 1-d contiguous int64 in
// [0, self.size(dim)), out contiguous: one memcpy per selected slice, where gather
// (which index_select runs otherwise) reads an index per element.
void index_select_contiguous(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index);
// out[p] = self[p with p[dim] replaced by index[p]], for every position p of index.
void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index);
// self[p with p[dim] = index[p]] = src[p]; on duplicate targets the last write (row-major) wins.
void scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
// self[p with p[dim] = index[p]] = value.
void scatter_fill(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value);
// self[p with p[dim] = index[p]] += alpha * src[p]; duplicates accumulate.
void scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, const Scalar& alpha);

// The elements of self where mask (bool or uint8, same shape as self) is set, in row-major order.
Tensor masked_select(const Tensor& self, const Tensor& mask);
// [n, self.dim()] int64 coordinates of the non-zero elements, in row-major order.
Tensor nonzero(const Tensor& self);

}  // namespace ember::cpu
