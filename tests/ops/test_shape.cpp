// Tests ops/shape.cpp: every view shares storage and has PyTorch's sizes and
// strides; reshape copies only when it must; errors name the op and shapes.
#include "harness.h"

#include <limits>

using namespace ember;
using namespace ember::testing;

namespace {
std::vector<double> iota(int64_t n) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<double>(i);
  return v;
}
Tensor range(IntArrayRef shape) { return arange(numel_of(shape), kFloat64).reshape(shape); }
}  // namespace

TEST_CASE("view and reshape", "[shape]") {
  Tensor a = range({2, 3, 4});
  Tensor v = a.view({4, -1});
  CHECK(v.shape() == Shape{4, 6});
  CHECK(v.is_alias_of(a));
  CHECK(values_of(v) == iota(24));
  CHECK(a.view({24}).strides() == Shape{1});
  REQUIRE_ERROR(a.view({}), "view: shape '[]' is invalid for input of size 24");
  REQUIRE_ERROR(a.view({5, -1}), "view: shape '[5, -1]' is invalid for input of size 24");
  REQUIRE_ERROR(a.view({-1, -1}), "view: only one dimension can be inferred");
  // A transposed tensor cannot be viewed flat, but can be reshaped (with a copy).
  Tensor t = a.transpose(1, 2);
  REQUIRE_ERROR(t.view({24}), "view: view size [24] is not compatible with input tensor's size [2, 4, 3] and stride "
                              "[12, 1, 4]");
  Tensor r = t.reshape({24});
  CHECK_FALSE(r.is_alias_of(a));
  CHECK(values_of(r) == values_of(t.contiguous()));
  // ... but splitting a dim of a transposed tensor is a view.
  Tensor split = t.view({2, 2, 2, 3});
  CHECK(split.is_alias_of(a));
  CHECK(split.strides() == Shape{12, 2, 1, 4});
  CHECK(full({}, 5.0).view({1, 1}).shape() == Shape{1, 1});
  CHECK(zeros({0, 3}).view({3, 0}).shape() == Shape{3, 0});
  REQUIRE_ERROR(zeros({0, 3}).view({3, 0, -1}), "view: shape '[3, 0, -1]' is invalid for input of size 0");
}

TEST_CASE("permute transpose t", "[shape]") {
  Tensor a = range({2, 3, 4});
  Tensor p = a.permute({2, 0, 1});
  CHECK(p.shape() == Shape{4, 2, 3});
  CHECK(p.strides() == Shape{1, 12, 4});
  CHECK_FALSE(p.is_contiguous());
  CHECK(values_of(p.contiguous())[1] == 4);  // p[0][0][1] = a[0][1][0]
  CHECK(a.transpose(0, -1).shape() == Shape{4, 3, 2});
  CHECK(range({2, 3}).t().shape() == Shape{3, 2});
  CHECK(range({3}).t().shape() == Shape{3});
  REQUIRE_ERROR(a.permute({0, 1}), "permute: expected as many dims as the tensor has (3), got 2");
  REQUIRE_ERROR(a.permute({0, 1, 1}), "permute: expected each dim once, got dims [0, 1, 1] (dim 1 repeats)");
  REQUIRE_ERROR(a.t(), "t: expected a tensor with <= 2 dimensions, got 3");
  REQUIRE_ERROR(a.transpose(0, 3), "transpose: dimension out of range");
}

TEST_CASE("expand squeeze unsqueeze flatten unflatten", "[shape]") {
  Tensor a = range({3, 1});
  Tensor e = a.expand({2, 3, 4});
  CHECK(e.shape() == Shape{2, 3, 4});
  CHECK(e.strides() == Shape{0, 1, 0});
  CHECK(a.expand({-1, 5}).shape() == Shape{3, 5});
  REQUIRE_ERROR(a.expand({2, 4}),
                "expand: the expanded size of the tensor (2) must match the existing size (3) at non-singleton dimension 0");
  REQUIRE_ERROR(a.expand({3}), "expand: the number of sizes provided (1) must be greater or equal to the number of "
                               "dimensions in the tensor (2)");
  Tensor s = zeros({1, 3, 1, 2});
  CHECK(s.squeeze().shape() == Shape{3, 2});
  CHECK(s.squeeze(2).shape() == Shape{1, 3, 2});
  CHECK(s.squeeze(1).shape() == Shape{1, 3, 1, 2});
  CHECK(s.unsqueeze(-1).shape() == Shape{1, 3, 1, 2, 1});
  CHECK(s.unsqueeze(0).shape() == Shape{1, 1, 3, 1, 2});
  CHECK(full({}, 1.0).unsqueeze(0).shape() == Shape{1});
  REQUIRE_ERROR(s.unsqueeze(6), "unsqueeze: dimension out of range (expected to be in range of [-5, 4], but got 6)");
  Tensor b = range({2, 3, 4});
  CHECK(b.flatten().shape() == Shape{24});
  CHECK(b.flatten(1).shape() == Shape{2, 12});
  CHECK(b.flatten(0, 1).shape() == Shape{6, 4});
  CHECK(full({}, 1.0).flatten().shape() == Shape{1});
  CHECK(b.unflatten(2, {2, -1}).shape() == Shape{2, 3, 2, 2});
  REQUIRE_ERROR(b.flatten(2, 1), "flatten: expected start_dim <= end_dim, got start_dim=2 and end_dim=1");
  REQUIRE_ERROR(b.unflatten(1, {2, 2}), "unflatten: shape '[2, 2]' is invalid for input of size 3");
}

TEST_CASE("slice narrow select indexing with operator brackets diagonal", "[shape]") {
  Tensor a = range({4, 5});
  Tensor s = a.slice(1, 1, 5, 2);
  CHECK(s.shape() == Shape{4, 2});
  CHECK(s.strides() == Shape{5, 2});
  CHECK(values_of(s) == std::vector<double>{1, 3, 6, 8, 11, 13, 16, 18});
  CHECK(a.slice(0, -2, {}).shape() == Shape{2, 5});   // Python's a[-2:]
  CHECK(a.slice(0, 10, 20).shape() == Shape{0, 5});   // out-of-range bounds clamp
  CHECK(a.slice(1, 3, 1).shape() == Shape{4, 0});
  REQUIRE_ERROR(a.slice(1, 0, 5, 0), "slice: expected a positive step, got 0");
  CHECK(values_of(a.narrow(0, 1, 2)) == std::vector<double>{5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
  REQUIRE_ERROR(a.narrow(0, 3, 2), "narrow: expected start (3) + length (2) to be within dimension 0 of size 4");
  CHECK(values_of(a[2]) == std::vector<double>{10, 11, 12, 13, 14});
  CHECK(a[-1][-1].item<double>() == 19);
  CHECK(a.select(1, 0).strides() == Shape{5});
  REQUIRE_ERROR(a[4], "select: index 4 is out of bounds for dimension 0 with size 4");
  REQUIRE_ERROR(full({}, 1.0)[0], "select: expected a tensor with at least one dimension");
  CHECK(values_of(a.diagonal()) == std::vector<double>{0, 6, 12, 18});
  CHECK(values_of(a.diagonal(1)) == std::vector<double>{1, 7, 13, 19});
  CHECK(values_of(a.diagonal(-2)) == std::vector<double>{10, 16});
  CHECK(a.diagonal(9).shape() == Shape{0});
  CHECK(range({2, 3, 3}).diagonal(0, 1, 2).shape() == Shape{2, 3});
  REQUIRE_ERROR(a.diagonal(0, 1, 1), "diagonal: expected two different dimensions");
}

TEST_CASE("views write through to their base", "[shape]") {
  Tensor a = zeros({3, 4}, kFloat64);
  a.slice(1, 1, 3).fill_(1);
  a[2].fill_(2);
  a.t()[0].fill_(-1);
  CHECK(values_of(a) == std::vector<double>{-1, 1, 1, 0, -1, 1, 1, 0, -1, 2, 2, 2});
}

TEST_CASE("as_strided checks the storage bounds", "[shape]") {
  Tensor a = range({6});
  Tensor w = a.as_strided({3, 2}, {2, 1});
  CHECK(values_of(w) == std::vector<double>{0, 1, 2, 3, 4, 5});
  Tensor overlap = a.as_strided({4, 3}, {1, 1});  // sliding windows
  CHECK(values_of(overlap[3]) == std::vector<double>{3, 4, 5});
  REQUIRE_ERROR(a.as_strided({4, 3}, {2, 1}), "as_strided: sizes [4, 3], strides [2, 1] and storage offset 0 need 9 "
                                              "elements of storage, but the storage holds 6");
  REQUIRE_ERROR(a.as_strided({2}, {1}, 5), "need 7 elements");
  REQUIRE_ERROR(a.as_strided({2}, {-1}), "as_strided: expected non-negative strides");
  // Sizes and strides whose reach overflows int64 (it would wrap below the storage check).
  REQUIRE_ERROR(a.as_strided({2, 2}, {1ll << 62, 1ll << 62}),
                "as_strided: sizes [2, 2] and strides [4611686018427387904, 4611686018427387904] reach past the int64 "
                "range");
  REQUIRE_ERROR(a.as_strided({3}, {1ll << 62}), "reach past the int64 range");
  REQUIRE_ERROR(a.as_strided({2}, {1}, std::numeric_limits<int64_t>::max()), "reach past the int64 range");
}

TEST_CASE("broadcast_tensors expands to the common shape", "[shape]") {
  auto out = broadcast_tensors({zeros({3, 1}), zeros({4}), zeros({})});
  for (const Tensor& t : out) CHECK(t.shape() == Shape{3, 4});
}
