// Tests ops/sort.cpp: sort, argsort, topk along any dim of strided inputs,
// NaN ordering (greater than everything), stable ties, 0-d and empty inputs,
// the dtype sweep and the error paths. The reference is std::stable_sort per row.
#include "harness.h"

#include <algorithm>
#include <numeric>

using namespace ember;
using namespace ember::testing;

namespace {

// (values, indices) of every row of x along dim, sorted stably (NaN last
// ascending, first descending), keeping the first k; rows laid out like the
// result (x's shape with size k at dim), row-major.
std::pair<std::vector<double>, std::vector<int64_t>> reference(const Tensor& x, int64_t dim, bool descending,
                                                               int64_t k) {
  const std::vector<double> v = values_of(x);
  const Shape shape = x.shape();
  const int64_t n = shape[dim];
  int64_t inner = 1;
  for (size_t d = dim + 1; d < shape.size(); ++d) inner *= shape[d];
  const int64_t outer = x.numel() / std::max<int64_t>(n * inner, 1);
  std::vector<double> values(static_cast<size_t>(outer * k * inner));
  std::vector<int64_t> indices(values.size());
  auto less = [](double a, double b) { return !std::isnan(a) && (std::isnan(b) || a < b); };
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      std::vector<int64_t> order(static_cast<size_t>(n));
      std::iota(order.begin(), order.end(), 0);
      auto at = [&](int64_t j) { return v[(o * n + j) * inner + i]; };
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t a, int64_t b) { return descending ? less(at(b), at(a)) : less(at(a), at(b)); });
      for (int64_t j = 0; j < k; ++j) {
        values[(o * k + j) * inner + i] = at(order[j]);
        indices[(o * k + j) * inner + i] = order[j];
      }
    }
  }
  return {values, indices};
}

void check_against_reference(const std::pair<Tensor, Tensor>& got, const Tensor& x, int64_t dim, bool descending,
                             int64_t k) {
  auto [values, indices] = reference(x, dim, descending, k);
  Shape shape = x.shape();
  shape[dim] = k;
  REQUIRE(got.first.shape() == shape);
  REQUIRE(got.second.shape() == shape);
  CHECK(got.first.dtype() == x.dtype());
  CHECK(got.second.dtype() == kInt64);
  check_close(got.first, values, 0, 0);
  CHECK(got.second.to_vector<int64_t>() == indices);
}

}  // namespace

TEST_CASE("sort puts NaN last ascending, first descending, and is stable", "[sort]") {
  // Expectations from torch 1.13.
  const float nan = NAN;
  Tensor x = tensor({3.0f, nan, 1.0f, nan, -1.0f});
  auto [up, up_idx] = x.sort();
  check_close(up, {-1, 1, 3, NAN, NAN}, 0, 0);
  CHECK(up_idx.to_vector<int64_t>() == std::vector<int64_t>{4, 2, 0, 1, 3});
  auto [down, down_idx] = x.sort(0, /*descending=*/true);
  check_close(down, {NAN, NAN, 3, 1, -1}, 0, 0);
  CHECK(down_idx.to_vector<int64_t>() == std::vector<int64_t>{1, 3, 0, 2, 4});
  CHECK(tensor({1, 1, 1, 0, 1}).sort().second.to_vector<int64_t>() == std::vector<int64_t>{3, 0, 1, 2, 4});
  CHECK(tensor({1, 1, 1, 0, 1}).sort(-1, /*descending=*/true).second.to_vector<int64_t>() ==
        std::vector<int64_t>{0, 1, 2, 4, 3});
  // -0.0 and 0.0 are equal: they keep their order.
  CHECK(tensor({-0.0f, 0.0f, -0.0f}).sort().second.to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2});
  auto [inf_sorted, inf_idx] = tensor({INFINITY, nan, -INFINITY}).sort();
  check_close(inf_sorted, {-INFINITY, INFINITY, NAN}, 0, 0);
  CHECK(inf_idx.to_vector<int64_t>() == std::vector<int64_t>{2, 0, 1});
}

TEST_CASE("sort and argsort along every dim of strided inputs", "[sort]") {
  // Few distinct values (many ties) and NaNs, in a permuted, non-contiguous layout.
  Tensor base = make_tensor({5, 4, 6}, kFloat64, 0, 4, 3).floor();
  base.select(0, 2).select(0, 1).fill_(NAN);
  Tensor x = base.permute({1, 2, 0});  // [4, 6, 5]
  for (int64_t dim : {0, 1, 2, -1}) {
    for (bool descending : {false, true}) {
      INFO("dim " << dim << " descending " << descending);
      const int64_t d = dim < 0 ? dim + 3 : dim;
      check_against_reference(x.sort(dim, descending), x, d, descending, x.size(d));
      CHECK(x.argsort(dim, descending).to_vector<int64_t>() == reference(x, d, descending, x.size(d)).second);
    }
  }
  Tensor stepped = make_tensor({3, 10}, kFloat32, -5, 5, 4).slice(1, 1, 10, 3);  // [3, 3], step 3
  check_against_reference(stepped.sort(1), stepped, 1, /*descending=*/false, 3);
  // Many short rows: runs in parallel chunks.
  Tensor many = make_tensor({3000, 7}, kFloat32, -3, 3, 5).round();
  check_against_reference(many.sort(1, /*descending=*/true), many, 1, /*descending=*/true, 7);
  check_against_reference(many.sort(0), many, 0, /*descending=*/false, 3000);
}

TEST_CASE("sort handles 0-d and empty tensors and every dtype", "[sort]") {
  auto [v, i] = tensor(5.0).sort();
  CHECK(v.dim() == 0);
  CHECK(v.item<double>() == 5.0);
  CHECK(i.dim() == 0);
  CHECK(i.item<int64_t>() == 0);
  CHECK(tensor(5.0).argsort().dim() == 0);
  auto [e, ei] = zeros({2, 0}).sort(1);
  CHECK(e.shape() == Shape{2, 0});
  CHECK(ei.shape() == Shape{2, 0});
  CHECK(zeros({0, 3}).argsort(1).shape() == Shape{0, 3});
  for (DType dtype : {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kUInt8, kBool}) {
    INFO(dtype);
    Tensor x = make_tensor({3, 5}, dtype, 0, 4, 6, Layout::Contiguous);
    check_against_reference(x.sort(1), x, 1, /*descending=*/false, 5);
    check_against_reference(x.sort(0, /*descending=*/true), x, 0, /*descending=*/true, 3);
  }
  // torch 1.13: [True, False, True].sort() -> indices [1, 0, 2]
  CHECK(tensor({true, false, true}).argsort().to_vector<int64_t>() == std::vector<int64_t>{1, 0, 2});
}

TEST_CASE("topk returns the k largest or smallest, NaN as the largest", "[sort]") {
  // Expectations from torch 1.13.
  const float nan = NAN;
  Tensor x = tensor({3.0f, nan, 1.0f, nan, -1.0f});
  auto [top, top_idx] = x.topk(2);
  check_close(top, {NAN, NAN}, 0, 0);
  CHECK(top_idx.to_vector<int64_t>() == std::vector<int64_t>{1, 3});
  auto [low, low_idx] = x.topk(2, -1, /*largest=*/false);
  check_close(low, {-1, 1}, 0, 0);
  CHECK(low_idx.to_vector<int64_t>() == std::vector<int64_t>{4, 2});
  CHECK(x.topk(0).first.shape() == Shape{0});
  // Ties: the earlier element first (torch's order among ties is unspecified; ours is stable).
  CHECK(tensor({1, 1, 1, 0, 1}).topk(3).second.to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2});
  CHECK(tensor({1, 1, 1, 0, 1}).topk(3, 0, /*largest=*/false).second.to_vector<int64_t>() ==
        std::vector<int64_t>{3, 0, 1});

  Tensor y = make_tensor({6, 5, 4}, kFloat64, 0, 5, 8).floor().transpose(0, 2);  // [4, 5, 6], non-contiguous
  for (int64_t dim : {0, 1, 2, -1}) {
    const int64_t d = dim < 0 ? dim + 3 : dim;
    for (int64_t k : {int64_t{0}, int64_t{1}, y.size(d) - 1, y.size(d)}) {
      for (bool largest : {true, false}) {
        INFO("dim " << dim << " k " << k << " largest " << largest);
        check_against_reference(y.topk(k, dim, largest), y, d, /*descending=*/largest, k);
        // sorted=false gives the same k elements (ours come sorted anyway).
        check_against_reference(y.topk(k, dim, largest, /*sorted=*/false), y, d, /*descending=*/largest, k);
      }
    }
  }
  for (DType dtype : {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kUInt8}) {
    INFO(dtype);
    Tensor v = make_tensor({4, 6}, dtype, 0, 5, 9);
    check_against_reference(v.topk(3), v, 1, /*descending=*/true, 3);
  }
  // A 0-d tensor gives its one element for k = 1, and (like torch 1.13) for k = 0.
  for (int64_t k : {0, 1}) {
    auto [s, si] = tensor(5.0).topk(k);
    CHECK(s.dim() == 0);
    CHECK(s.item<double>() == 5.0);
    CHECK(si.item<int64_t>() == 0);
  }
  CHECK(zeros({2, 0}).topk(0).first.shape() == Shape{2, 0});
}

TEST_CASE("sort and topk reject bad inputs", "[sort]") {
  Tensor x = zeros({2, 3});
  REQUIRE_ERROR(x.sort(2), "sort: dimension out of range (expected to be in range of [-2, 1], but got 2)");
  REQUIRE_ERROR(x.argsort(-3), "argsort: dimension out of range (expected to be in range of [-2, 1], but got -3)");
  REQUIRE_ERROR(x.topk(4), "topk: expected k in [0, 3] (the size of dimension 1), got k = 4");
  REQUIRE_ERROR(x.topk(-1, 0), "topk: expected k in [0, 2] (the size of dimension 0), got k = -1");
  REQUIRE_ERROR(tensor(1.0).topk(2), "topk: expected k in [0, 1] (the size of dimension 0), got k = 2");
  REQUIRE_ERROR(x.topk(1, 2), "topk: dimension out of range");
  REQUIRE_ERROR(tensor({true, false}).topk(1), "topk: expected a numeric dtype (not bool), got bool");
  REQUIRE_ERROR(sort(Tensor()), "sort: expected a defined tensor");
}
