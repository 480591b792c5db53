// for_each_row: the CPU loop of the ops that work along one dim (sort, topk,
// gather, scatter, index_select, masked_select, nonzero). It visits every "row"
// (every position with coordinate `dim` fixed at 0) of a shape and hands the
// callback the element offsets of that row's start in several strided tensors.
#pragma once

#include <ember/core/parallel.h>
#include <ember/core/shape.h>

#include <algorithm>
#include <array>

namespace ember::cpu {

// Elements per parallel chunk, as in the elementwise loop.
inline constexpr int64_t kDimLoopGrain = 32768;

// Number of rows of `shape` along `dim` (the product of the other sizes).
inline int64_t row_count(IntArrayRef shape, int64_t dim) {
  int64_t rows = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (static_cast<int64_t>(d) != dim) rows *= shape[d];
  }
  return rows;
}

// The element offsets of row `row`'s first element in tensors with strides[k]
// (each aligned to `shape`); rows are numbered row-major over the dims but `dim`.
template <size_t N>
std::array<int64_t, N> row_offsets(IntArrayRef shape, int64_t dim, const std::array<IntArrayRef, N>& strides,
                                   int64_t row) {
  std::array<int64_t, N> offsets{};
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (d == dim) continue;
    const int64_t coord = row % shape[d];
    row /= shape[d];
    for (size_t k = 0; k < N; ++k) offsets[k] += coord * strides[k][d];
  }
  return offsets;
}

// Rows per parallel chunk for rows of `length` elements.
inline int64_t row_grain(int64_t length) { return std::max<int64_t>(1, kDimLoopGrain / std::max<int64_t>(length, 1)); }

// Calls fn(row, offsets) for row in [0, row_count), offsets = row_offsets(row).
// RowOrder::Any runs rows in parallel chunks; RowOrder::Sequential runs them in
// row-major order on this thread, for callers that append to an output in order.
enum class RowOrder { Any, Sequential };

template <size_t N, class Fn>
void for_each_row(IntArrayRef shape, int64_t dim, const std::array<IntArrayRef, N>& strides, RowOrder order,
                  const Fn& fn) {
  const int64_t rows = row_count(shape, dim);
  const int64_t length = shape.empty() ? 1 : shape[dim];
  if (rows == 0 || length == 0) return;
  auto run = [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) fn(row, row_offsets<N>(shape, dim, strides, row));
  };
  if (order == RowOrder::Any) {
    parallel_for(0, rows, row_grain(length), run);
  } else {
    run(0, rows);
  }
}

}  // namespace ember::cpu
