// Tests ops/join.cpp: cat (promotion, legacy empty tensors), stack, the
// splitting views (split, chunk, unbind share storage), repeat vs tile, flip,
// roll, tril/triu. References are naive index loops over the input's values.
#include "harness.h"

#include <functional>

using namespace ember;
using namespace ember::testing;

namespace {


// out[c] = in[source(c)] for every coordinate c of out_shape: the reference of a copy op.
std::vector<double> reference(const Tensor& in, IntArrayRef out_shape, const std::function<Coords(Coords)>& source) {
  const std::vector<double> values = values_of(in);
  std::vector<double> out(static_cast<size_t>(numel_of(out_shape)));
  for (size_t i = 0; i < out.size(); ++i) out[i] = values[ravel(source(unravel(i, out_shape)), in.shape())];
  return out;
}

// Non-negative sample values, so that every dtype (uint8, bool) holds them exactly.
Tensor sample(IntArrayRef shape, DType dtype, uint64_t seed = 1, Layout layout = Layout::Contiguous) {
  return make_tensor(shape, dtype, 0.0, 6.0, seed, layout);
}

}  // namespace

TEST_CASE("cat joins along any dim, from non-contiguous inputs", "[join]") {
  Tensor a = sample({2, 3}, kFloat64, 1, Layout::Transposed);
  Tensor b = sample({2, 8}, kFloat64, 2).slice(1, 0, 8, 2);  // [2, 4], step 2
  for (int64_t dim : {1, -1}) {
    Tensor out = cat({a, b}, dim);
    REQUIRE(out.shape() == Shape{2, 7});
    std::vector<double> va = values_of(a), vb = values_of(b), expected;
    for (int64_t i = 0; i < 2; ++i) {
      for (int64_t j = 0; j < 3; ++j) expected.push_back(va[i * 3 + j]);
      for (int64_t j = 0; j < 4; ++j) expected.push_back(vb[i * 4 + j]);
    }
    CHECK(values_of(out) == expected);
  }
  Tensor c = sample({1, 3}, kFloat64, 3);
  Tensor rows = cat({a, c, a}, 0);
  REQUIRE(rows.shape() == Shape{5, 3});
  std::vector<double> expected = values_of(a), vc = values_of(c);
  expected.insert(expected.end(), vc.begin(), vc.end());
  for (double v : values_of(a)) expected.push_back(v);
  CHECK(values_of(rows) == expected);
  CHECK(cat({a}, 0).shape() == a.shape());
  CHECK_FALSE(cat({a}, 0).is_alias_of(a));  // always a copy
  // Empty pieces along the joined dim add nothing.
  CHECK(values_of(cat({zeros({2, 0}, kFloat64), a}, 1)) == values_of(a));
}

TEST_CASE("cat promotes dtypes and skips legacy 1-d empty tensors", "[join]") {
  // Each expectation from torch 1.13.
  Tensor ints = cat({ones({2}, kInt32), ones({2}, kUInt8), ones({1}, kBool)});
  CHECK(ints.dtype() == kInt32);
  CHECK(values_of(ints) == std::vector<double>(5, 1));
  CHECK(cat({ones({2}, kHalf), ones({1}, kBFloat16)}).dtype() == kFloat32);
  Tensor bools = cat({tensor({true, false}), tensor({true})});
  CHECK(bools.dtype() == kBool);
  CHECK(bools.to_vector<bool>() == std::vector<bool>{true, false, true});
  // A [0] tensor is skipped by the shape checks but still promotes.
  Tensor x = sample({2, 3}, kFloat32);
  Tensor skipped = cat({zeros({0}, kFloat64), x}, 1);
  CHECK(skipped.dtype() == kFloat64);
  CHECK(skipped.shape() == Shape{2, 3});
  CHECK(values_of(skipped) == values_of(x));
  Tensor all_empty = cat({zeros({0}), zeros({0})}, 5);  // dim is not even checked
  CHECK(all_empty.shape() == Shape{0});
}

TEST_CASE("cat and stack keep every dtype", "[join]") {
  for (DType dtype : kAllDTypes) {
    INFO(dtype);
    Tensor a = sample({2, 3}, dtype, 1), b = sample({2, 3}, dtype, 2, Layout::Transposed);
    const std::vector<double> va = values_of(a), vb = values_of(b);
    std::vector<double> side_by_side, stacked = va;
    for (int64_t i = 0; i < 2; ++i) {
      side_by_side.insert(side_by_side.end(), va.begin() + i * 3, va.begin() + i * 3 + 3);
      side_by_side.insert(side_by_side.end(), vb.begin() + i * 3, vb.begin() + i * 3 + 3);
    }
    stacked.insert(stacked.end(), vb.begin(), vb.end());
    Tensor joined = cat({a, b}, 1), pair = stack({a, b});
    CHECK(joined.dtype() == dtype);
    CHECK(pair.dtype() == dtype);
    CHECK(values_of(joined) == side_by_side);
    CHECK(values_of(pair) == stacked);
  }
}

TEST_CASE("stack adds a dim at any position", "[join]") {
  Tensor a = sample({2, 3}, kFloat64, 1), b = sample({2, 3}, kFloat64, 2, Layout::Transposed);
  const std::vector<double> va = values_of(a), vb = values_of(b);
  auto pick = [&](int64_t which, int64_t i, int64_t j) { return which == 0 ? va[i * 3 + j] : vb[i * 3 + j]; };
  Tensor s0 = stack({a, b}), s1 = stack({a, b}, 1), s2 = stack({a, b}, -1);
  CHECK(s0.shape() == Shape{2, 2, 3});
  CHECK(s1.shape() == Shape{2, 2, 3});
  CHECK(s2.shape() == Shape{2, 3, 2});
  for (int64_t w = 0; w < 2; ++w) {
    for (int64_t i = 0; i < 2; ++i) {
      for (int64_t j = 0; j < 3; ++j) {
        CHECK(s0[w][i][j].item<double>() == pick(w, i, j));
        CHECK(s1[i][w][j].item<double>() == pick(w, i, j));
        CHECK(s2[i][j][w].item<double>() == pick(w, i, j));
      }
    }
  }
  Tensor scalars = stack({tensor(1.5), tensor(2)});  // 0-d inputs, promoted
  CHECK(scalars.shape() == Shape{2});
  CHECK(values_of(scalars) == std::vector<double>{1.5, 2});
  CHECK(stack({zeros({0, 2}), zeros({0, 2})}, 1).shape() == Shape{0, 2, 2});
}

TEST_CASE("cat and stack reject bad inputs", "[join]") {
  Tensor a = zeros({2, 3});
  REQUIRE_ERROR(cat({}, 0), "cat: expected a non-empty list of tensors");
  REQUIRE_ERROR(cat({a, zeros({2, 4})}, 0),
                "cat: expected tensors to have the same size in every dimension except the concatenated dimension 0, "
                "got [2, 3] at position 0 and [2, 4] at position 1");
  REQUIRE_ERROR(cat({a, zeros({2, 3, 1})}, 0),
                "cat: expected tensors with the same number of dimensions, got [2, 3] at position 0 and [2, 3, 1] at "
                "position 1");
  REQUIRE_ERROR(cat({a, tensor(1.0)}, 0), "cat: zero-dimensional tensor (at position 1) cannot be concatenated");
  REQUIRE_ERROR(cat({a, a}, 2), "cat: dimension out of range (expected to be in range of [-2, 1], but got 2)");
  REQUIRE_ERROR(cat({a, Tensor()}, 0), "cat: expected a defined tensor");
  REQUIRE_ERROR(stack({}, 0), "stack: expected a non-empty list of tensors");
  REQUIRE_ERROR(stack({a, zeros({2, 4})}),
                "stack: expected each tensor to be equal size, got [2, 3] at position 0 and [2, 4] at position 1");
  REQUIRE_ERROR(stack({a, a}, 3), "stack: dimension out of range (expected to be in range of [-3, 2], but got 3)");
}

TEST_CASE("split, chunk and unbind return views that share storage", "[join]") {
  Tensor x = sample({4, 5}, kFloat64, 1, Layout::Transposed);  // non-contiguous
  std::vector<Tensor> pieces = x.split(2, 1);
  REQUIRE(pieces.size() == 3);
  CHECK(pieces[0].shape() == Shape{4, 2});
  CHECK(pieces[2].shape() == Shape{4, 1});
  for (const Tensor& p : pieces) CHECK(p.is_alias_of(x));
  CHECK(values_of(cat(pieces, 1)) == values_of(x));
  // Writes through a piece land in x.
  pieces[1].fill_(-1);
  CHECK(x[3][2].item<double>() == -1);

  std::vector<Tensor> sized = split(x, {1, 0, 3}, 0);
  REQUIRE(sized.size() == 3);
  CHECK(sized[1].shape() == Shape{0, 5});
  CHECK(values_of(sized[2]) == values_of(x.slice(0, 1, 4)));
  CHECK(split(zeros({0}), 0).size() == 1);  // split_size 0 of an empty dim: one empty piece
  CHECK(split(zeros({3}), 5)[0].shape() == Shape{3});

  // chunk: pieces of ceil(size / chunks), possibly fewer than asked (values from torch 1.13).
  auto sizes = [](const std::vector<Tensor>& ts, int64_t dim) {
    std::vector<int64_t> s;
    for (const Tensor& t : ts) s.push_back(t.size(dim));
    return s;
  };
  CHECK(sizes(zeros({5}).chunk(4), 0) == std::vector<int64_t>{2, 2, 1});
  CHECK(sizes(zeros({6}).chunk(4), 0) == std::vector<int64_t>{2, 2, 2});
  CHECK(sizes(zeros({0}).chunk(3), 0) == std::vector<int64_t>{0, 0, 0});
  CHECK(sizes(x.chunk(2, -1), 1) == std::vector<int64_t>{3, 2});
  for (const Tensor& c : x.chunk(2, -1)) CHECK(c.is_alias_of(x));

  std::vector<Tensor> rows = x.unbind(1);
  REQUIRE(rows.size() == 5);
  CHECK(rows[3].shape() == Shape{4});
  CHECK(rows[3].is_alias_of(x));
  CHECK(values_of(rows[3]) == values_of(x.select(1, 3)));
  CHECK(values_of(stack(x.unbind(0))) == values_of(x));
  CHECK(zeros({0, 3}).unbind(0).empty());
}

TEST_CASE("split, chunk and unbind record one node for all their pieces", "[join]") {
  // See Note [One node for the pieces of a split]: the pieces share a node whose
  // backward joins their gradients, zeros where a piece got none.
  Tensor x = arange(12, kFloat64).reshape({3, 4}).requires_grad_();
  std::vector<Tensor> rows = x.unbind(0);
  CHECK(rows[0].grad_fn() == rows[2].grad_fn());
  CHECK(rows[0].grad_fn()->name() == "UnbindBackward");
  (rows[0] * 2.0 + rows[2]).sum().backward();
  check_close(x.grad(), {2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1});
  x.set_grad({});
  std::vector<Tensor> halves = x.chunk(2, 1);
  CHECK(halves[1].grad_fn()->name() == "SplitBackward");
  (halves[1] * 3.0).sum().backward();
  check_close(x.grad(), {0, 0, 3, 3, 0, 0, 3, 3, 0, 0, 3, 3});
  Tensor recorded = x * 1.0;
  REQUIRE_ERROR(recorded.unbind(0)[1].mul_(2.0), "is a view returned by a function that returns multiple views");
}

TEST_CASE("split, chunk and unbind reject bad inputs", "[join]") {
  Tensor x = zeros({5});
  REQUIRE_ERROR(x.split(-1), "split: expected a non-negative split_size, got -1");
  REQUIRE_ERROR(x.split(0), "split: split_size can only be 0 if the dimension size is 0, got dimension 0 of size 5");
  REQUIRE_ERROR(tensor(1.0).split(1), "split: expected at least a 1-dimensional tensor, got a 0-d tensor");
  REQUIRE_ERROR(x.split(2, 1), "split: dimension out of range (expected to be in range of [-1, 0], but got 1)");
  REQUIRE_ERROR(x.split({2, 2}), "split: expected split_sizes to sum exactly to 5 (the size of dimension 0), got "
                                 "split_sizes=[2, 2]");
  REQUIRE_ERROR(x.split({6, -1}), "split: expected split_sizes with only non-negative entries, got [6, -1]");
  REQUIRE_ERROR(x.chunk(0), "chunk: expected chunks to be greater than 0, got 0");
  REQUIRE_ERROR(tensor(1.0).chunk(3), "chunk: expected at least a 1-dimensional tensor, got a 0-d tensor");
  REQUIRE_ERROR(tensor(1.0).unbind(0), "unbind: dimension specified as 0 but the tensor has no dimensions");
  REQUIRE_ERROR(zeros({2, 3}).unbind(-3), "unbind: dimension out of range (expected to be in range of [-2, 1]");
}

TEST_CASE("repeat tiles whole copies; tile pads missing dims with 1", "[join]") {
  Tensor x = sample({2, 3}, kFloat64, 1, Layout::Transposed);
  Tensor r = x.repeat({2, 1, 2});
  REQUIRE(r.shape() == Shape{2, 2, 6});
  CHECK(values_of(r) == reference(x, {2, 2, 6}, [](Coords c) { return Coords{c[1] % 2, c[2] % 3}; }));
  Tensor t = x.tile({2});  // same as repeat({1, 2})
  REQUIRE(t.shape() == Shape{2, 6});
  CHECK(values_of(t) == reference(x, {2, 6}, [](Coords c) { return Coords{c[0], c[1] % 3}; }));
  CHECK(values_of(x.tile({2, 1, 1})) == values_of(x.repeat({2, 1, 1})));
  Tensor s = tensor(2.5).repeat({});
  CHECK(s.dim() == 0);
  CHECK(s.item<double>() == 2.5);
  CHECK(values_of(tensor(2.5).repeat({3})) == std::vector<double>{2.5, 2.5, 2.5});
  CHECK(x.repeat({0, 2}).shape() == Shape{0, 6});
  CHECK(zeros({0, 2}).repeat({3, 2}).shape() == Shape{0, 4});
  for (DType dtype : kAllDTypes) {
    INFO(dtype);
    Tensor v = sample({3}, dtype);
    Tensor rep = v.repeat({2, 2});
    CHECK(rep.dtype() == dtype);
    CHECK(values_of(rep) == reference(v, {2, 6}, [](Coords c) { return Coords{c[1] % 3}; }));
  }
  REQUIRE_ERROR(x.repeat({2}),
                "repeat: expected at least as many repeat dims as the tensor has dimensions (2), got [2]");
  REQUIRE_ERROR(x.repeat({2, -1}), "repeat: expected non-negative repeats, got [2, -1]");
  REQUIRE_ERROR(x.tile({-1}), "tile: expected non-negative repeats, got [1, -1]");
}

TEST_CASE("flip reverses the given dims", "[join]") {
  Tensor x = sample({4, 3}, kFloat64, 1, Layout::Transposed).slice(1, 0, 3, 2);  // [4, 2], step 2
  CHECK(values_of(x.flip({0})) == reference(x, {4, 2}, [](Coords c) { return Coords{3 - c[0], c[1]}; }));
  CHECK(values_of(x.flip({-1, 0})) == reference(x, {4, 2}, [](Coords c) { return Coords{3 - c[0], 1 - c[1]}; }));
  CHECK(values_of(x.flip({})) == values_of(x));
  CHECK_FALSE(x.flip({}).is_alias_of(x));
  Tensor b = sample({2, 3, 2}, kFloat64, 4);
  CHECK(values_of(b.flip({1})) == reference(b, {2, 3, 2}, [](Coords c) { return Coords{c[0], 2 - c[1], c[2]}; }));
  CHECK(tensor(3.0).flip({0}).item<double>() == 3.0);
  CHECK(zeros({0, 3}).flip({1}).shape() == Shape{0, 3});
  for (DType dtype : kAllDTypes) {
    INFO(dtype);
    Tensor v = sample({2, 3}, dtype);
    CHECK(v.flip({1}).dtype() == dtype);
    CHECK(values_of(v.flip({1})) == reference(v, {2, 3}, [](Coords c) { return Coords{c[0], 2 - c[1]}; }));
  }
  REQUIRE_ERROR(x.flip({0, -2}), "flip: expected each dim once, got dims [0, -2] (dim 0 appears multiple times)");
  REQUIRE_ERROR(x.flip({2}), "flip: dimension out of range (expected to be in range of [-2, 1], but got 2)");
}

TEST_CASE("roll shifts with wrap-around, per dim or flattened", "[join]") {
  // Expectations from torch 1.13.
  Tensor x = arange(6).view({2, 3});
  CHECK(x.roll({1}).to_vector<int64_t>() == std::vector<int64_t>{5, 0, 1, 2, 3, 4});
  CHECK(x.roll({1, -4}, {0, 1}).to_vector<int64_t>() == std::vector<int64_t>{4, 5, 3, 1, 2, 0});
  CHECK(x.roll({-7}, {-1}).to_vector<int64_t>() == std::vector<int64_t>{1, 2, 0, 4, 5, 3});
  Tensor y = sample({4, 5}, kFloat64, 2, Layout::Transposed);  // non-contiguous
  CHECK(values_of(y.roll({2}, {1})) == reference(y, {4, 5}, [](Coords c) { return Coords{c[0], (c[1] + 3) % 5}; }));
  CHECK(values_of(y.roll({3})) == reference(y, {4, 5}, [](Coords c) {
          int64_t flat = (c[0] * 5 + c[1] + 17) % 20;
          return Coords{flat / 5, flat % 5};
        }));
  CHECK(tensor(1.5).roll({1}).item<double>() == 1.5);
  CHECK(zeros({0, 3}).roll({1}, {0}).shape() == Shape{0, 3});
  CHECK(values_of(tensor({true, false, false}).roll({1})) == std::vector<double>{0, 1, 0});
  REQUIRE_ERROR(x.roll({1, 2}),
                "roll: expected shifts and dims to align (or one shift and no dims), got shifts [1, 2] and dims []");
  REQUIRE_ERROR(x.roll({1, 2}, {0}), "got shifts [1, 2] and dims [0]");
  REQUIRE_ERROR(x.roll({1}, {2}), "roll: dimension out of range (expected to be in range of [-2, 1], but got 2)");
  REQUIRE_ERROR(tensor(1.0).roll({1}, {0}), "roll: dimension specified as 0 but the tensor has no dimensions");
}

TEST_CASE("tril and triu keep a triangle of every matrix in a batch", "[join]") {
  Tensor x = sample({2, 4, 3}, kFloat64, 1).transpose(1, 2);  // [2, 3, 4], non-contiguous
  const std::vector<double> v = values_of(x);
  for (int64_t diagonal : {-4, -1, 0, 1, 2, 5}) {
    INFO("diagonal " << diagonal);
    std::vector<double> lower(v.size()), upper(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      Coords c = unravel(static_cast<int64_t>(i), {2, 3, 4});
      lower[i] = c[2] - c[1] <= diagonal ? v[i] : 0;
      upper[i] = c[2] - c[1] >= diagonal ? v[i] : 0;
    }
    CHECK(values_of(x.tril(diagonal)) == lower);
    CHECK(values_of(x.triu(diagonal)) == upper);
  }
  // Expectations from torch 1.13.
  CHECK(ones({3, 3}, kBool).tril(-1).to_vector<bool>() ==
        std::vector<bool>{false, false, false, true, false, false, true, true, false});
  CHECK(values_of(ones({3, 3}, kHalf).triu(1)) == std::vector<double>{0, 1, 1, 0, 0, 1, 0, 0, 0});
  for (DType dtype : kAllDTypes) {
    INFO(dtype);
    Tensor m = sample({3, 3}, dtype);
    CHECK(m.tril().dtype() == dtype);
    CHECK(values_of(m.tril() + m.triu(1)) == values_of(m));  // the two parts are disjoint
  }
  CHECK(zeros({0, 2, 2}).tril().shape() == Shape{0, 2, 2});
  REQUIRE_ERROR(zeros({3}).tril(), "tril: expected a tensor with at least 2 dimensions, got shape [3]");
  REQUIRE_ERROR(tensor(1.0).triu(), "triu: expected a tensor with at least 2 dimensions, got shape []");
}
