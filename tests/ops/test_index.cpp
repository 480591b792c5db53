// Tests ops/index.cpp: index_select, gather, scatter (tensor and value),
// scatter_add, index_add, masked_select, nonzero, take, one_hot. References
// are naive loops over coordinates; error paths check their messages.
#include "harness.h"

using namespace ember;
using namespace ember::testing;

namespace {


// Non-negative sample values, exact in every dtype.
Tensor sample(IntArrayRef shape, DType dtype, uint64_t seed = 1, Layout layout = Layout::Contiguous) {
  return make_tensor(shape, dtype, 0.0, 6.0, seed, layout);
}

// Random indices in [lo, hi) as int64.
Tensor indices(IntArrayRef shape, int64_t lo, int64_t hi, uint64_t seed, Layout layout = Layout::Contiguous) {
  return make_tensor(shape, kFloat64, static_cast<double>(lo), static_cast<double>(hi), seed, layout).to(kInt64);
}

// out[c] = self[c with c[dim] = index[c]] (negative indices wrap).
std::vector<double> gather_reference(const Tensor& self, int64_t dim, const Tensor& index) {
  const std::vector<double> v = values_of(self);
  const std::vector<int64_t> idx = index.to_vector<int64_t>();
  std::vector<double> out(idx.size());
  for (size_t i = 0; i < idx.size(); ++i) {
    Coords c = unravel(static_cast<int64_t>(i), index.shape());
    c[dim] = idx[i] < 0 ? idx[i] + self.size(dim) : idx[i];
    out[i] = v[ravel(c, self.shape())];
  }
  return out;
}

// self with self[c with c[dim] = index[c]] += alpha * src[c] (accumulate) or = src[c] (in row-major order).
enum class Mode { Assign, Accumulate };
std::vector<double> scatter_reference(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                                      Mode mode, double alpha = 1) {
  std::vector<double> out = values_of(self);
  const std::vector<int64_t> idx = index.to_vector<int64_t>();
  const std::vector<double> s = values_of(src.contiguous());
  for (size_t i = 0; i < idx.size(); ++i) {
    Coords c = unravel(static_cast<int64_t>(i), index.shape());
    const double value = s[ravel(c, src.shape())];
    c[dim] = idx[i];
    double& target = out[ravel(c, self.shape())];
    target = mode == Mode::Assign ? value : target + alpha * value;
  }
  return out;
}

}  // namespace

TEST_CASE("index_select picks slices along a dim", "[index]") {
  Tensor x = sample({3, 4}, kFloat64, 1, Layout::Transposed);  // non-contiguous
  Tensor idx = tensor({2, 0, 2});
  Tensor rows = x.index_select(0, idx);
  REQUIRE(rows.shape() == Shape{3, 4});
  CHECK(values_of(rows) == gather_reference(x, 0, idx.view({3, 1}).expand({3, 4})));
  Tensor cols = x.index_select(-1, idx.to(kInt32));  // int32 indices are accepted
  REQUIRE(cols.shape() == Shape{3, 3});
  CHECK(values_of(cols) == gather_reference(x, 1, idx.view({1, 3}).expand({3, 3})));
  Tensor stepped = tensor({3, 9, 1, 9, 0}).slice(0, 0, 5, 2);  // [3, 1, 0], non-contiguous index
  CHECK(values_of(x.index_select(1, stepped)) == values_of(x.index_select(1, tensor({3, 1, 0}))));
  CHECK(x.index_select(0, tensor(1)).shape() == Shape{1, 4});  // a 0-d index selects one slice
  CHECK(x.index_select(1, zeros({0}, kInt64)).shape() == Shape{3, 0});
  Tensor s = tensor(5.0).index_select(0, tensor({0}));
  CHECK(s.dim() == 0);
  CHECK(s.item<double>() == 5.0);
  for (DType dtype : kAllDTypes) {
    INFO(dtype);
    Tensor v = sample({2, 3}, dtype);
    Tensor picked = v.index_select(1, tensor({2, 2, 0}));
    CHECK(picked.dtype() == dtype);
    CHECK(values_of(picked) == gather_reference(v, 1, tensor({2, 2, 0}).view({1, 3}).expand({2, 3})));
  }
}

TEST_CASE("index_select of contiguous tensors (slice copies) equals the gather of a strided copy", "[index]") {
  // A contiguous 3-d source, and a contiguous view that starts inside its storage.
  Tensor whole = sample({4, 3, 5}, kFloat64, 3);
  for (const Tensor& x : {whole, whole.narrow(0, 1, 3)}) {
    REQUIRE(x.is_contiguous());
    const Tensor strided = x.permute({2, 1, 0}).contiguous().permute({2, 1, 0});  // same values, gather's path
    REQUIRE_FALSE(strided.is_contiguous());
    for (int64_t dim : {0, 1, 2}) {
      INFO("dim " << dim << ", offset " << x.storage_offset());
      Tensor idx = tensor({2, 0, 2, 1});  // every value below each dim's size (3 at least)
      CHECK(values_of(x.index_select(dim, idx)) == values_of(strided.index_select(dim, idx)));
    }
  }
  Tensor bytes = arange(24, kInt64).to(kUInt8).view({4, 6});  // 1-byte elements: the image loader's case
  CHECK(values_of(bytes.index_select(0, tensor({3, 0}))) ==
        std::vector<double>{18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5});
}

TEST_CASE("index_select rejects bad indices before reading", "[index]") {
  Tensor x = zeros({3, 4});
  REQUIRE_ERROR(x.index_select(0, tensor({2.0, 0.0})),
                "index_select: expected an int32 or int64 index tensor, got float32");
  REQUIRE_ERROR(x.index_select(0, tensor({{1}})), "index_select: expected a 0-d or 1-d index, got shape [1, 1]");
  REQUIRE_ERROR(x.index_select(0, tensor({0, 3})), "index_select: index 3 is out of bounds for dimension 0 with size 3");
  REQUIRE_ERROR(x.index_select(1, tensor({-1})), "index_select: index -1 is out of bounds for dimension 1 with size 4");
  REQUIRE_ERROR(x.index_select(2, tensor({0})),
                "index_select: dimension out of range (expected to be in range of [-2, 1], but got 2)");
  REQUIRE_ERROR(x.index_select(0, Tensor()), "index_select: expected a defined tensor");
}

TEST_CASE("gather reads self at the index along a dim", "[index]") {
  // torch 1.13: arange(12.).view(3, 4).gather(1, [[0, 0], [1, 0]]) == [[0, 0], [5, 4]]
  Tensor x = arange(12, kFloat64).view({3, 4});
  CHECK(values_of(x.gather(1, tensor({{0, 0}, {1, 0}}))) == std::vector<double>{0, 0, 5, 4});
  Tensor self = sample({5, 4, 3}, kFloat64, 2).permute({2, 1, 0});  // [3, 4, 5], non-contiguous
  for (int64_t dim : {0, 1, 2, -1}) {
    INFO("dim " << dim);
    const int64_t d = dim < 0 ? dim + 3 : dim;
    // Smaller than self in the other dims, larger along dim (allowed).
    Shape shape{2, 3, 4};
    shape[d] = 6;
    Tensor idx = indices(shape, 0, self.size(d), 7 + d);
    Tensor out = self.gather(dim, idx);
    REQUIRE(out.shape() == shape);
    CHECK(values_of(out) == gather_reference(self, d, idx));
  }
  Tensor transposed_index = indices({2, 3}, 0, 4, 3, Layout::Transposed);  // non-contiguous
  CHECK(values_of(x.gather(1, transposed_index)) == gather_reference(x, 1, transposed_index));
  Tensor s = tensor(5.0).gather(0, tensor({0, 0}));  // a 0-d self indexes like a 1-d one
  CHECK(values_of(s) == std::vector<double>{5, 5});
  CHECK(tensor(5.0).gather(0, tensor(0)).dim() == 0);
  CHECK(x.gather(1, zeros({0}, kInt64)).shape() == Shape{0});  // an empty index skips the shape rules
  for (DType dtype : kAllDTypes) {
    INFO(dtype);
    Tensor v = sample({3, 4}, dtype);
    Tensor idx = indices({3, 2}, 0, 4, 11);
    CHECK(v.gather(1, idx).dtype() == dtype);
    CHECK(values_of(v.gather(1, idx)) == gather_reference(v, 1, idx));
  }
}

TEST_CASE("gather rejects bad indices", "[index]") {
  Tensor x = zeros({3, 4});
  REQUIRE_ERROR(x.gather(1, tensor({{0}}).to(kInt32)), "gather: expected an int64 index tensor, got int32");
  REQUIRE_ERROR(x.gather(1, tensor({{4}})), "gather: index 4 is out of bounds for dimension 1 with size 4");
  REQUIRE_ERROR(x.gather(1, tensor({{-1}})), "gather: index -1 is out of bounds for dimension 1 with size 4");
  REQUIRE_ERROR(x.gather(1, tensor({0})),
                "gather: expected index to have the same number of dimensions as self, got index [1] and self [3, 4]");
  REQUIRE_ERROR(x.gather(1, zeros({4, 1}, kInt64)),
                "gather: expected index [4, 1] to be no larger than self [3, 4] apart from dimension 1");
  REQUIRE_ERROR(x.gather(-3, tensor({{0}})), "gather: dimension out of range (expected to be in range of [-2, 1]");
}

TEST_CASE("scatter writes src (or a value) at the index", "[index]") {
  // torch 1.13: arange(12.).view(3, 4).scatter(1, [[0, 0], [1, 0]], [[10, 20], [30, 40]])
  Tensor x = arange(12, kFloat64).view({3, 4});
  Tensor idx = tensor({{0, 0}, {1, 0}});
  CHECK(values_of(x.scatter(1, idx, tensor({{10.0, 20.0}, {30.0, 40.0}}, kFloat64))) ==
        std::vector<double>{20, 1, 2, 3, 40, 30, 6, 7, 8, 9, 10, 11});
  CHECK(values_of(x.scatter(1, idx, 7.5)) == std::vector<double>{7.5, 1, 2, 3, 7.5, 7.5, 6, 7, 8, 9, 10, 11});
  CHECK(values_of(x.to(kInt64).scatter(1, idx, 7.5)) ==  // the value converts to self's dtype
        std::vector<double>{7, 1, 2, 3, 7, 7, 6, 7, 8, 9, 10, 11});
  CHECK(values_of(x) == values_of(arange(12, kFloat64).view({3, 4})));  // out of place

  // Distinct targets per row (a permutation's prefix), so the order of writes does not matter.
  Tensor self = sample({5, 4}, kFloat64, 1, Layout::Transposed);  // non-contiguous
  Tensor src = sample({3, 6}, kFloat64, 2).t();                    // [6, 3], larger than the index
  Tensor along0 = tensor({{4, 0, 2}, {1, 3, 0}}).t();  // [3, 2], distinct within each column
  CHECK(values_of(self.scatter(0, along0, src)) == scatter_reference(self, 0, along0, src, Mode::Assign));
  Tensor along1 = tensor({{3, 1, 0}, {0, 2, 3}, {2, 0, 1}}).t();  // [3, 3], distinct within each row
  CHECK(values_of(self.scatter(1, along1, src)) == scatter_reference(self, 1, along1, src, Mode::Assign));
  CHECK(values_of(self.scatter(0, zeros({0}, kInt64), 1.0)) == values_of(self));
  CHECK(tensor(5.0).scatter(0, tensor(0), 2.0).item<double>() == 2.0);
  for (DType dtype : kAllDTypes) {
    INFO(dtype);
    Tensor v = sample({3, 4}, dtype), s = sample({3, 2}, dtype, 5);
    Tensor out = v.scatter(1, idx.slice(0, 0, 2), s);
    CHECK(out.dtype() == dtype);
    CHECK(values_of(out) == scatter_reference(v, 1, idx.slice(0, 0, 2), s, Mode::Assign));
  }
}

TEST_CASE("scatter rejects bad inputs before writing", "[index]") {
  Tensor x = zeros({3, 4});
  Tensor idx = tensor({{0, 0}, {1, 0}});
  REQUIRE_ERROR(x.scatter(1, idx, ones({2, 2}, kInt64)),
                "scatter: expected self and src to have the same dtype, got float32 and int64");
  REQUIRE_ERROR(x.scatter(1, idx.to(kInt32), 7), "scatter: expected an int64 index tensor, got int32");
  REQUIRE_ERROR(x.scatter(1, tensor({{5}}), 7), "scatter: index 5 is out of bounds for dimension 1 with size 4");
  REQUIRE_ERROR(x.scatter(1, zeros({4, 1}, kInt64), 7),
                "scatter: expected index [4, 1] to be no larger than self [3, 4] apart from dimension 1");
  REQUIRE_ERROR(x.scatter(1, idx, ones({1, 1})), "scatter: expected index [2, 2] to be no larger than src [1, 1]");
  REQUIRE_ERROR(x.scatter(1, idx, ones({2})),
                "scatter: expected src to have the same number of dimensions as index, got src [2] and index [2, 2]");
  REQUIRE_ERROR(x.scatter(2, idx, 1), "scatter: dimension out of range");
  REQUIRE_ERROR(x.scatter_add(0, tensor({{3}}), ones({1, 1})),
                "scatter_add: index 3 is out of bounds for dimension 0 with size 3");
}

TEST_CASE("scatter_add accumulates duplicate indices", "[index]") {
  // torch 1.13: arange(12.).view(3, 4).scatter_add(1, [[0, 0], [1, 0]], ones(2, 2))
  Tensor x = arange(12, kFloat64).view({3, 4});
  CHECK(values_of(x.scatter_add(1, tensor({{0, 0}, {1, 0}}), ones({2, 2}, kFloat64))) ==
        std::vector<double>{2, 1, 2, 3, 5, 6, 6, 7, 8, 9, 10, 11});
  Tensor self = sample({5, 4}, kFloat64, 1, Layout::Transposed);  // non-contiguous
  Tensor src = sample({6, 8}, kFloat64, 2).slice(1, 0, 8, 2);     // [6, 4], stepped
  for (int64_t dim : {0, 1}) {
    INFO("dim " << dim);
    Tensor idx = indices({5, 3}, 0, self.size(dim), 4 + dim);  // many duplicates
    check_close(self.scatter_add(dim, idx, src), scatter_reference(self, dim, idx, src, Mode::Accumulate));
  }
  for (DType dtype : {kFloat32, kFloat16, kBFloat16, kInt64, kInt32, kUInt8}) {
    INFO(dtype);
    Tensor v = sample({3, 4}, dtype), s = sample({3, 4}, dtype, 3);
    Tensor idx = indices({3, 4}, 0, 3, 9);
    check_close(v.scatter_add(0, idx, s), scatter_reference(v, 0, idx, s, Mode::Accumulate), 2 * rtol_for(dtype));
  }
  // Large enough for parallel chunks of rows.
  for (int64_t dim : {0, 1}) {
    INFO("large, dim " << dim);
    Tensor big = sample({300, 200}, kFloat64, 6);
    Tensor big_idx = indices({250, 150}, 0, big.size(dim), 12 + dim);
    Tensor big_src = sample({250, 150}, kFloat64, 7);
    check_close(big.scatter_add(dim, big_idx, big_src),
                scatter_reference(big, dim, big_idx, big_src, Mode::Accumulate));
    CHECK(values_of(big.gather(dim, big_idx)) == gather_reference(big, dim, big_idx));
  }
  // bool accumulates as logical or (torch 1.13).
  Tensor b = zeros({3}, kBool).scatter_add(0, tensor({1, 1}), tensor({true, false}));
  CHECK(b.to_vector<bool>() == std::vector<bool>{false, true, false});
}

TEST_CASE("index_add adds alpha * source at the index, accumulating duplicates", "[index]") {
  // torch 1.13: arange(12.).view(3, 4).index_add(0, [0, 0], ones(2, 4), alpha=2)
  Tensor x = arange(12, kFloat64).view({3, 4});
  CHECK(values_of(x.index_add(0, tensor({0, 0}), ones({2, 4}, kFloat64), 2)) ==
        std::vector<double>{4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11});
  // An int64 self truncates a fractional alpha to 0 (torch 1.13).
  CHECK(values_of(x.to(kInt64).index_add(0, tensor({0, 1}), ones({2, 4}, kInt64), 0.5)) ==
        values_of(x.to(kInt64)));
  Tensor self = sample({5, 4}, kFloat64, 1, Layout::Transposed);  // non-contiguous
  Tensor source = sample({6, 5}, kFloat64, 2).t();                 // [5, 6], non-contiguous
  Tensor idx = tensor({3, 0, 3, 1, 3, 2});
  std::vector<double> expected = values_of(self);
  const std::vector<double> s = values_of(source);
  for (int64_t i = 0; i < 5; ++i) {
    for (int64_t j = 0; j < 6; ++j) expected[i * 4 + idx[j].item<int64_t>()] += -1.5 * s[i * 6 + j];
  }
  check_close(self.index_add(1, idx, source, -1.5), expected);
  check_close(self.index_add(-1, idx.to(kInt32), source, -1.5), expected);
  CHECK(tensor(5.0).index_add(0, tensor({0, 0}), ones({2})).item<double>() == 7.0);  // torch 1.13
  CHECK(values_of(self.index_add(0, zeros({0}, kInt64), zeros({0, 4}, kFloat64))) == values_of(self));
  for (DType dtype : {kFloat32, kFloat16, kBFloat16, kInt64, kInt32, kUInt8}) {
    INFO(dtype);
    Tensor v = sample({3, 2}, dtype), src = sample({4, 2}, dtype, 7);
    std::vector<double> e = values_of(v);
    const std::vector<double> sv = values_of(src);
    for (int64_t j = 0; j < 4; ++j) {
      for (int64_t k = 0; k < 2; ++k) e[(j % 3) * 2 + k] += sv[j * 2 + k];
    }
    // Accumulated in the dtype, rounding at each step (as PyTorch does).
    check_close(v.index_add(0, tensor({0, 1, 2, 0}), src), e, 2 * rtol_for(dtype));
  }
}

TEST_CASE("index_add rejects bad inputs", "[index]") {
  Tensor x = zeros({3, 4});
  REQUIRE_ERROR(x.index_add(0, tensor({0, 3}), ones({2, 4})),
                "index_add: index 3 is out of bounds for dimension 0 with size 3");
  REQUIRE_ERROR(x.index_add(0, tensor({0, -1}), ones({2, 4})),
                "index_add: index -1 is out of bounds for dimension 0 with size 3");
  REQUIRE_ERROR(x.index_add(0, tensor({0, 1}), ones({3, 4})),
                "index_add: expected as many indices as source.size(0) (3), got 2 indices");
  REQUIRE_ERROR(x.index_add(0, tensor({0, 1}), ones({2, 3})),
                "index_add: expected source [2, 3] to match self [3, 4] in every dimension but 0");
  REQUIRE_ERROR(x.index_add(0, tensor({0, 1}), ones({2, 4}, kFloat64)),
                "index_add: expected self and source to have the same dtype, got float32 and float64");
  REQUIRE_ERROR(x.index_add(0, tensor({0.0}), ones({1, 4})),
                "index_add: expected an int32 or int64 index tensor, got float32");
  REQUIRE_ERROR(x.index_add(0, tensor({{0}}), ones({1, 4})), "index_add: expected a 0-d or 1-d index, got shape [1, 1]");
  // Nothing was written by the failed calls.
  CHECK(values_of(x) == std::vector<double>(12, 0));
}

TEST_CASE("masked_select broadcasts the mask and keeps row-major order", "[index]") {
  Tensor x = sample({3, 4}, kFloat64, 1, Layout::Transposed);  // non-contiguous
  const std::vector<double> v = values_of(x);
  Tensor mask = tensor({true, false, true, true});
  std::vector<double> expected;
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t j : {0, 2, 3}) expected.push_back(v[i * 4 + j]);
  }
  CHECK(values_of(x.masked_select(mask)) == expected);
  CHECK(values_of(x.masked_select(mask.to(kUInt8))) == expected);
  // The broadcast shape can be larger than self (torch 1.13: [1, 2] with [[T], [F], [T]] -> [1, 2, 1, 2]).
  CHECK(values_of(tensor({1.0, 2.0}).masked_select(tensor({{true}, {false}, {true}}))) ==
        std::vector<double>{1, 2, 1, 2});
  Tensor full_mask = x > 2.0;
  std::vector<double> big;
  for (double e : v) {
    if (e > 2.0) big.push_back(e);
  }
  CHECK(values_of(x.masked_select(full_mask.t().contiguous().t())) == big);
  CHECK(x.masked_select(zeros({3, 4}, kBool)).shape() == Shape{0});
  CHECK(values_of(tensor(4.0).masked_select(tensor(true))) == std::vector<double>{4});
  for (DType dtype : kAllDTypes) {
    INFO(dtype);
    Tensor s = sample({2, 3}, dtype);
    CHECK(s.masked_select(tensor({true, false, true})).dtype() == dtype);
    CHECK(values_of(s.masked_select(tensor({true, false, true}))) == values_of(s.index_select(1, tensor({0, 2}))));
  }
  REQUIRE_ERROR(x.masked_select(tensor({1, 0, 1, 0})), "masked_select: expected a bool (or uint8) mask, got int64");
  REQUIRE_ERROR(x.masked_select(tensor({true, false, true})), "masked_select: expected shapes that broadcast");
}

TEST_CASE("nonzero lists coordinates in row-major order", "[index]") {
  // torch 1.13: [[0, 1], [2, 0]].nonzero() == [[0, 1], [1, 0]]
  Tensor n = tensor({{0, 1}, {2, 0}}).nonzero();
  CHECK(n.dtype() == kInt64);
  CHECK(n.shape() == Shape{2, 2});
  CHECK(n.to_vector<int64_t>() == std::vector<int64_t>{0, 1, 1, 0});
  // NaN is non-zero, -0.0 is zero.
  CHECK(tensor({NAN, 0.0f, -0.0f, 1.0f}).nonzero().to_vector<int64_t>() == std::vector<int64_t>{0, 3});
  CHECK(tensor(3).nonzero().shape() == Shape{1, 0});
  CHECK(tensor(0).nonzero().shape() == Shape{0, 0});
  CHECK(zeros({2, 0, 3}).nonzero().shape() == Shape{0, 3});
  Tensor x = sample({3, 4, 2}, kFloat64, 5).permute({2, 0, 1}) - 3.0;  // [2, 3, 4], non-contiguous
  x = x.floor();
  const std::vector<double> v = values_of(x);
  std::vector<int64_t> expected;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == 0) continue;
    Coords c = unravel(static_cast<int64_t>(i), x.shape());
    expected.insert(expected.end(), c.begin(), c.end());
  }
  Tensor got = x.nonzero();
  CHECK(got.size(1) == 3);
  CHECK(got.to_vector<int64_t>() == expected);
  for (DType dtype : kAllDTypes) {
    INFO(dtype);
    CHECK(tensor({0, 2, 0, 1}).to(dtype).nonzero().to_vector<int64_t>() == std::vector<int64_t>{1, 3});
  }
}

TEST_CASE("take indexes the flattened tensor, negative from the end", "[index]") {
  // torch 1.13: arange(12.).view(3, 4).take([[0, -1], [5, 11]]) == [[0, 11], [5, 11]]
  Tensor x = arange(12, kFloat64).view({3, 4});
  Tensor got = x.take(tensor({{0, -1}, {5, 11}}));
  CHECK(got.shape() == Shape{2, 2});
  CHECK(values_of(got) == std::vector<double>{0, 11, 5, 11});
  Tensor t = x.t();  // non-contiguous self: flattened in its own row-major order
  CHECK(values_of(t.take(tensor({1, 4, -12}))) == std::vector<double>{4, 5, 0});
  CHECK(x.take(tensor(-2)).item<double>() == 10);
  CHECK(x.take(zeros({0, 2}, kInt64)).shape() == Shape{0, 2});
  for (DType dtype : kAllDTypes) {
    INFO(dtype);
    Tensor s = sample({2, 3}, dtype);
    CHECK(values_of(s.take(tensor({5, -6}))) == std::vector<double>{values_of(s)[5], values_of(s)[0]});
  }
  REQUIRE_ERROR(x.take(tensor({12})), "take: index 12 is out of bounds for the flattened tensor with size 12");
  REQUIRE_ERROR(x.take(tensor({-13})), "take: index -13 is out of bounds for the flattened tensor with size 12");
  REQUIRE_ERROR(x.take(tensor({1}).to(kInt32)), "take: expected an int64 index tensor, got int32");
}

TEST_CASE("one_hot encodes class indices", "[index]") {
  // torch 1.13: one_hot([0, 2]) == [[1, 0, 0], [0, 0, 1]]
  Tensor a = one_hot(tensor({0, 2}));
  CHECK(a.dtype() == kInt64);
  CHECK(a.shape() == Shape{2, 3});
  CHECK(a.to_vector<int64_t>() == std::vector<int64_t>{1, 0, 0, 0, 0, 1});
  CHECK(one_hot(tensor({0, 2}), 5).shape() == Shape{2, 5});
  Tensor classes = tensor({{1, 0}, {3, 1}, {2, 2}}).t();  // [2, 3], non-contiguous
  Tensor b = one_hot(classes, 4);
  REQUIRE(b.shape() == Shape{2, 3, 4});
  const std::vector<int64_t> c = classes.contiguous().to_vector<int64_t>(), got = b.to_vector<int64_t>();
  for (size_t i = 0; i < c.size(); ++i) {
    for (int64_t k = 0; k < 4; ++k) CHECK(got[i * 4 + k] == (k == c[i] ? 1 : 0));
  }
  CHECK(one_hot(tensor(1), 3).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 0});
  CHECK(one_hot(zeros({0}, kInt64), 3).shape() == Shape{0, 3});
  REQUIRE_ERROR(one_hot(tensor({0, 2}), 2), "one_hot: expected class values smaller than num_classes (2), got 2");
  REQUIRE_ERROR(one_hot(tensor({0, -2}), 3), "one_hot: expected non-negative class values, got -2");
  REQUIRE_ERROR(one_hot(tensor({0, -2})), "one_hot: expected non-negative class values, got -2");
  REQUIRE_ERROR(one_hot(tensor({0, 2}).to(kInt32)), "one_hot: expected an int64 tensor of class indices, got int32");
  REQUIRE_ERROR(one_hot(zeros({0}, kInt64)), "one_hot: can not infer the number of classes from an empty tensor");
  REQUIRE_ERROR(one_hot(zeros({0}, kInt64), -2), "one_hot: expected num_classes >= 0 (or -1 to infer it), got -2");
}
