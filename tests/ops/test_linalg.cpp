// Tests for ops/linalg.cpp and ops/einsum.cpp: every product against naive
// float64 loops written here (matmul with NumPy broadcasting, and a brute-force
// einsum over all subscript values), layouts, empty sizes, dtypes, errors.
#include "harness.h"

#include <map>
#include <string>

using namespace ember;
using namespace ember::testing;

namespace {

// ---- references ----

// NumPy's matmul on float64 values: 1-D promotion, broadcast batch dims.
Tensor ref_matmul(const Tensor& self, const Tensor& other) {
  Shape as = self.shape(), bs = other.shape();
  const bool vec_a = as.size() == 1, vec_b = bs.size() == 1;
  if (vec_a) as.insert(0, 1);
  if (vec_b) bs.push_back(1);
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  IntArrayRef a_batch(as.data(), as.size() - 2), b_batch(bs.data(), bs.size() - 2);
  Shape batch = broadcast_shapes("ref", a_batch, b_batch);
  std::vector<double> a = values_of(self), b = values_of(other);
  const int64_t nb = numel_of(batch);
  std::vector<double> out(static_cast<size_t>(nb * m * n), 0.0);
  for (int64_t bi = 0; bi < nb; ++bi) {
    // Offset of batch bi in an operand with batch dims `dims` (size 1 broadcasts).
    auto batch_offset = [&](IntArrayRef dims) {
      int64_t rem = bi, off = 0, scale = 1;
      for (int64_t d = static_cast<int64_t>(batch.size()) - 1; d >= 0; --d) {
        int64_t idx = rem % batch[d];
        rem /= batch[d];
        int64_t od = d - static_cast<int64_t>(batch.size() - dims.size());
        if (od >= 0) {
          off += (dims[od] == 1 ? 0 : idx) * scale;
          scale *= dims[od];
        }
      }
      return off;
    };
    const int64_t oa = batch_offset(a_batch) * m * k, ob = batch_offset(b_batch) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p) s += a[oa + i * k + p] * b[ob + p * n + j];
        out[(bi * m + i) * n + j] = s;
      }
  }
  Shape shape = batch;
  if (!vec_a) shape.push_back(m);
  if (!vec_b) shape.push_back(n);
  return from_blob(out.data(), shape, kFloat64).clone();
}

// Brute-force einsum over every assignment of subscript values. Letters only,
// explicit output; a size-1 dim broadcasts against the subscript's full size.
Tensor ref_einsum(const std::string& equation, const std::vector<Tensor>& operands) {
  const size_t arrow = equation.find("->");
  std::vector<std::string> terms(1);
  for (char c : equation.substr(0, arrow)) {
    if (c == ',') terms.emplace_back();
    else terms.back() += c;
  }
  const std::string out_term = equation.substr(arrow + 2);
  std::map<char, int64_t> size;
  for (size_t i = 0; i < terms.size(); ++i)
    for (size_t d = 0; d < terms[i].size(); ++d) {
      int64_t s = operands[i].size(static_cast<int64_t>(d));
      if (s != 1 || !size.count(terms[i][d])) size[terms[i][d]] = s;
    }
  std::vector<char> labels;
  for (auto& [c, s] : size) labels.push_back(c);
  std::vector<std::vector<double>> values;
  for (const Tensor& t : operands) values.push_back(values_of(t));
  Shape out_shape;
  for (char c : out_term) out_shape.push_back(size[c]);
  std::vector<double> out(static_cast<size_t>(numel_of(out_shape)), 0.0);
  std::map<char, int64_t> at;
  int64_t total = 1;
  for (char c : labels) total *= size[c];
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rem = flat;
    for (char c : labels) {
      at[c] = rem % size[c];
      rem /= size[c];
    }
    double prod = 1;
    for (size_t i = 0; i < terms.size(); ++i) {
      int64_t off = 0;
      for (size_t d = 0; d < terms[i].size(); ++d) {
        int64_t s = operands[i].size(static_cast<int64_t>(d));
        off = off * s + (s == 1 ? 0 : at[terms[i][d]]);
      }
      prod *= values[i][static_cast<size_t>(off)];
    }
    int64_t o = 0;
    for (size_t d = 0; d < out_term.size(); ++d) o = o * out_shape[d] + at[out_term[d]];
    out[static_cast<size_t>(o)] += prod;
  }
  return from_blob(out.data(), out_shape, kFloat64).clone();
}

// A [rows*2, cols*3] tensor sliced with steps back to [rows, cols]: no BLAS layout fits it.
Tensor strided_sample(int64_t rows, int64_t cols, DType dtype, uint64_t seed) {
  return make_tensor({rows * 2, cols * 3}, dtype, -2, 2, seed).slice(0, 0, rows * 2, 2).slice(1, 1, cols * 3, 3);
}

void check_matmul(const Tensor& a, const Tensor& b, double rtol = 1e-12) {
  INFO("matmul " << fmt::format("{}", a.shape()) << " @ " << fmt::format("{}", b.shape()));
  Tensor got = matmul(a, b);
  CHECK(got.dtype() == a.dtype());
  check_close(got, ref_matmul(a, b), rtol, rtol);
}

}  // namespace

// ---- matmul ----

TEST_CASE("matmul: every rank combination against the NumPy rules", "[linalg]") {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3}, {3}},             // dot
      {{2, 3}, {3}},          // mv
      {{3}, {3, 4}},          // row vector @ matrix
      {{2, 3}, {3, 4}},       // mm
      {{2, 2, 3}, {3, 4}},    // batch folded into one GEMM
      {{2, 2, 3}, {3}},       // batched mv
      {{3}, {2, 3, 4}},       // vector @ batch
      {{2, 3}, {4, 3, 5}},    // matrix @ batch
      {{2, 1, 3, 4}, {5, 4, 2}},  // broadcast batch dims on both sides
      {{1, 3, 4}, {2, 4, 5}},
      {{3, 2, 4, 5}, {3, 2, 5, 1}},
  };
  uint64_t seed = 1;
  for (const auto& [sa, sb] : cases) {
    check_matmul(make_tensor(sa, kFloat64, -2, 2, seed), make_tensor(sb, kFloat64, -2, 2, seed + 100));
    ++seed;
  }
}

TEST_CASE("matmul: transposed, sliced and expanded operands", "[linalg]") {
  for (DType dtype : {kFloat64, kFloat32, kInt64}) {
    INFO("dtype " << dtype_name(dtype));
    const double tol = dtype == kFloat32 ? 1e-5 : 1e-12;
    Tensor at = make_tensor({5, 4}, dtype, -2, 2, 1, Layout::Transposed);
    Tensor bt = make_tensor({4, 6}, dtype, -2, 2, 2, Layout::Transposed);
    Tensor a = make_tensor({5, 4}, dtype, -2, 2, 3), b = make_tensor({4, 6}, dtype, -2, 2, 4);
    check_matmul(at, bt, tol);
    check_matmul(at, b, tol);
    check_matmul(a, bt, tol);
    check_matmul(strided_sample(5, 4, dtype, 5), strided_sample(4, 3, dtype, 6), tol);
    check_matmul(strided_sample(5, 4, dtype, 7), bt, tol);
    check_matmul(at, strided_sample(4, 3, dtype, 8), tol);
  }
  Tensor b = make_tensor({4, 6}, kFloat64, -2, 2, 4);
  // Batched operands with permuted inner dims; a batch with a stride that breaks folding.
  Tensor batch = make_tensor({3, 6, 5}, kFloat64, -2, 2, 8);
  check_matmul(batch.transpose(1, 2), make_tensor({6, 2}, kFloat64, -2, 2, 9));
  check_matmul(batch.slice(1, 0, 6, 2), make_tensor({3, 5, 2}, kFloat64, -2, 2, 10).transpose(1, 2).contiguous()
                                              .transpose(1, 2));
  check_matmul(batch.permute({1, 0, 2}), make_tensor({5, 4}, kFloat64, -2, 2, 11));
  // Expanded (stride 0) operands: a repeated row, a broadcast batch.
  Tensor row = make_tensor({1, 4}, kFloat64, -2, 2, 12).expand({5, 4});
  check_matmul(row, b);
  check_matmul(make_tensor({4, 3}, kFloat64, -2, 2, 13).expand({2, 4, 3}), make_tensor({2, 3, 2}, kFloat64, -2, 2, 14));
  check_matmul(make_tensor({4}, kFloat64, -2, 2, 15).expand({4}), make_tensor({4, 6}, kFloat64, -2, 2, 16));
}

TEST_CASE("matmul: empty sizes", "[linalg]") {
  // K = 0: every output element is an empty sum.
  Tensor zk = matmul(zeros({2, 0}, kFloat32), ones({0, 3}, kFloat32));
  CHECK(zk.shape() == Shape{2, 3});
  check_close(zk, std::vector<double>(6, 0.0));
  check_close(matmul(empty({4, 2, 0}, kFloat64), empty({0, 3}, kFloat64)), zeros({4, 2, 3}, kFloat64));
  check_close(matmul(empty({0}, kInt64), empty({0}, kInt64)), zeros({}, kInt64));
  check_close(mm(empty({2, 0}, kFloat16), empty({0, 2}, kFloat16)), zeros({2, 2}, kFloat32));
  // M, N or the batch is 0.
  CHECK(matmul(ones({0, 3}, kFloat32), ones({3, 4}, kFloat32)).shape() == Shape{0, 4});
  CHECK(matmul(ones({2, 3}, kFloat32), ones({3, 0}, kFloat32)).shape() == Shape{2, 0});
  CHECK(matmul(ones({0, 2, 3}, kFloat32), ones({0, 3, 4}, kFloat32)).shape() == Shape{0, 2, 4});
  CHECK(matmul(ones({0, 2, 3}, kFloat32), ones({3, 4}, kFloat32)).shape() == Shape{0, 2, 4});
  CHECK(matmul(ones({2, 1, 2, 3}, kFloat32), ones({0, 3, 4}, kFloat32)).shape() == Shape{2, 0, 2, 4});
  CHECK(bmm(ones({0, 2, 3}, kFloat32), ones({0, 3, 4}, kFloat32)).shape() == Shape{0, 2, 4});
}

TEST_CASE("matmul: sizes that reach the threaded GEMM and the parallel batch loop", "[linalg]") {
  for (DType dtype : {kFloat32, kFloat64}) {
    const double tol = dtype == kFloat32 ? 1e-5 : 1e-12;
    check_matmul(make_tensor({67, 130}, dtype, -1, 1, 1), make_tensor({130, 90}, dtype, -1, 1, 2), tol);
    check_matmul(make_tensor({130, 67}, dtype, -1, 1, 3, Layout::Transposed),
                 make_tensor({67, 90}, dtype, -1, 1, 4, Layout::Transposed), tol);
    check_matmul(make_tensor({64, 7, 9}, dtype, -1, 1, 5), make_tensor({64, 9, 5}, dtype, -1, 1, 6), tol);
  }
  check_matmul(make_tensor({33, 40}, kInt64, -50, 50, 7), make_tensor({40, 300}, kInt64, -50, 50, 8));
}

TEST_CASE("matmul: dtype sweep", "[linalg]") {
  for (DType dtype : {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kUInt8}) {
    INFO("dtype " << dtype_name(dtype));
    const double lo = dtype == kUInt8 ? 0 : -3, hi = 3;
    Tensor a = make_tensor({2, 3, 4}, dtype, lo, hi, 1), b = make_tensor({4, 5}, dtype, lo, hi, 2);
    Tensor at = make_tensor({3, 4}, dtype, lo, hi, 3, Layout::Transposed);
    Tensor out = matmul(a, b);
    CHECK(out.dtype() == dtype);
    // The result is rounded to dtype once; inputs are exact in dtype already.
    const double tol = is_floating_point(dtype) ? 4 * rtol_for(dtype) : 0;
    check_close(out, ref_matmul(a, b).to(dtype), tol, tol * 10);
    check_close(matmul(at, b), ref_matmul(at, b).to(dtype), tol, tol * 10);
    Tensor v = make_tensor({4}, dtype, lo, hi, 4);
    check_close(mv(at, v), ref_matmul(at, v).to(dtype), tol, tol * 10);
  }
}

TEST_CASE("matmul: integer overflow wraps around like PyTorch", "[linalg]") {
  // 2^62 * 4 = 2^64 wraps to 0; int32: 65536 * 65536 wraps to 0, + 7.
  Tensor a = tensor({{int64_t{1} << 62, int64_t{3}}}), b = tensor({{int64_t{4}}, {int64_t{5}}});
  CHECK(matmul(a, b).item<int64_t>() == 15);
  Tensor c = tensor({{65536, 7}}, kInt32), d = tensor({{65536}, {1}}, kInt32);
  CHECK(matmul(c, d).item<int64_t>() == 7);
}

// ---- mm, bmm, mv, dot, outer, addmm ----

TEST_CASE("mm, bmm, mv, dot and outer against the reference", "[linalg]") {
  Tensor a = make_tensor({4, 3}, kFloat64, -2, 2, 1), b = make_tensor({3, 5}, kFloat64, -2, 2, 2);
  check_close(mm(a, b), ref_matmul(a, b));
  check_close(a.mm(b), ref_matmul(a, b));
  check_close(mm(a.t().contiguous().t(), b.t().contiguous().t()), ref_matmul(a, b));
  Tensor ba = make_tensor({2, 4, 3}, kFloat64, -2, 2, 3), bb = make_tensor({2, 3, 5}, kFloat64, -2, 2, 4);
  check_close(bmm(ba, bb), ref_matmul(ba, bb));
  check_close(ba.bmm(bb.transpose(1, 2).contiguous().transpose(1, 2)), ref_matmul(ba, bb));
  Tensor v = make_tensor({3}, kFloat64, -2, 2, 5);
  check_close(mv(a, v), ref_matmul(a, v));
  check_close(a.mv(make_tensor({6}, kFloat64, -2, 2, 6).slice(0, 0, 6, 2)),
              ref_matmul(a, make_tensor({6}, kFloat64, -2, 2, 6).slice(0, 0, 6, 2)));
  Tensor w = make_tensor({3}, kFloat64, -2, 2, 7);
  Tensor d = dot(v, w);
  CHECK(d.dim() == 0);
  check_close(d, ref_matmul(v, w));
  check_close(v.dot(w), ref_matmul(v, w));
  CHECK(dot(tensor({1, 2}), tensor({3, 4})).item<int64_t>() == 11);  // torch.dot gives tensor(11)
  // The dot fast path with strided, stepped and expanded (stride 0) vectors, and inside addmm.
  for (DType dtype : {kFloat32, kFloat64}) {
    Tensor x = make_tensor({4, 9}, dtype, -2, 2, 8).select(1, 2), y = make_tensor({8}, dtype, -2, 2, 9).slice(0, 0, 8, 2);
    Tensor c = full({1}, 1.5, dtype).expand({4});
    check_close(dot(x, y), ref_matmul(x, y), 1e-6, 1e-6);
    check_close(dot(x, c), ref_matmul(x, c), 1e-6, 1e-6);
    check_close(matmul(c, y), ref_matmul(c, y), 1e-6, 1e-6);
    check_close(addmm(full({1, 1}, NAN, dtype), x.unsqueeze(0), y.unsqueeze(1), 0, 2), (ref_matmul(x, y) * 2.0).view({1, 1}), 1e-6,
                1e-6);
    check_close(addmm(full({1}, 3.0, dtype), x.unsqueeze(0), y.unsqueeze(1), 2, 1), (ref_matmul(x, y) + 6.0).view({1, 1}), 1e-6,
                1e-6);
  }
  check_close(outer(v, tensor({1.0, -2.0}, kFloat64)), ref_matmul(v.unsqueeze(1), tensor({{1.0, -2.0}}, kFloat64)));
  // outer promotes like PyTorch (it is a broadcast multiply).
  CHECK(outer(tensor({1, 2}), tensor({0.5f})).dtype() == kFloat32);
}

TEST_CASE("addmm: broadcast input, alpha and beta", "[linalg]") {
  Tensor m1 = make_tensor({3, 4}, kFloat64, -2, 2, 1), m2 = make_tensor({4, 2}, kFloat64, -2, 2, 2);
  Tensor prod = ref_matmul(m1, m2);
  for (Shape input_shape : {Shape{3, 2}, Shape{2}, Shape{1, 2}, Shape{3, 1}, Shape{}}) {
    INFO("input shape " << fmt::format("{}", input_shape));
    Tensor input = make_tensor(input_shape, kFloat64, -2, 2, 3);
    check_close(addmm(input, m1, m2), input + prod);
    check_close(addmm(input, m1, m2, 0.5, -2.0), input * 0.5 + prod * -2.0);
    check_close(addmm(input, m1.t().contiguous().t(), m2, 1, 3), input + prod * 3.0);
  }
  // beta = 0 ignores NaN in input (PyTorch's rule), beta != 0 propagates it.
  Tensor nan_input = full({3, 2}, NAN, kFloat64);
  check_close(addmm(nan_input, m1, m2, 0, 1), prod);
  CHECK(addmm(nan_input, m1, m2, 1, 1).isnan().to_vector<bool>() == std::vector<bool>(6, true));
  // Integer addmm truncates float alpha/beta to the dtype, as torch.addmm does:
  // torch.addmm(tensor([[10,20]]), tensor([[1,2],[3,4]]), eye(2), beta=1.7, alpha=2.6) == [[12,24],[16,28]].
  Tensor ii = tensor({{10, 20}}), im1 = tensor({{1, 2}, {3, 4}}), im2 = eye(2, kInt64);
  check_close(addmm(ii, im1, im2, 1.7, 2.6), std::vector<double>{12, 24, 16, 28});
  check_close(addmm(ii, im1, im2, 0.5, 2), std::vector<double>{2, 4, 6, 8});
  // Half: input and product summed in float32, rounded once.
  Tensor hm1 = make_tensor({3, 4}, kFloat16, -2, 2, 1), hm2 = make_tensor({4, 2}, kFloat16, -2, 2, 2);
  Tensor hin = make_tensor({2}, kFloat16, -2, 2, 4);
  check_close(addmm(hin, hm1, hm2, 2, 1), (hin.to(kFloat64) * 2.0 + ref_matmul(hm1, hm2)).to(kFloat16), 4e-3, 1e-2);
  // K = 0: beta * input only.
  check_close(addmm(tensor({{1.0, 2.0}}), empty({1, 0}), empty({0, 2}), 3, 1), std::vector<double>{3, 6});
}

// ---- einsum ----

TEST_CASE("einsum: the equations models use, against a brute-force sum", "[linalg]") {
  struct Case {
    std::string equation, reference;  // reference: the same contraction, letters only, explicit output
    std::vector<Shape> shapes;
  };
  const std::vector<Case> cases = {
      {"bij,bjk->bik", "bij,bjk->bik", {{2, 3, 4}, {2, 4, 5}}},
      {"ij->ji", "ij->ji", {{3, 4}}},
      {"bhqd,bhkd->bhqk", "bhqd,bhkd->bhqk", {{2, 3, 4, 5}, {2, 3, 6, 5}}},
      {"ii->i", "ii->i", {{4, 4}}},
      {"ii", "ii->", {{4, 4}}},
      {"i,i->", "i,i->", {{5}, {5}}},
      {"ij,j->i", "ij,j->i", {{3, 4}, {4}}},
      {"...ij,...jk->...ik", "abij,bjk->abik", {{2, 1, 3, 4}, {5, 4, 2}}},
      {"...ij,...jk->...ik", "ij,jk->ik", {{3, 4}, {4, 2}}},
      {"ij,jk,kl->il", "ij,jk,kl->il", {{2, 3}, {3, 4}, {4, 5}}},
      {"ij,jk,kl", "ij,jk,kl->il", {{2, 3}, {3, 4}, {4, 5}}},
      {"ij,jk", "ij,jk->ik", {{2, 3}, {3, 4}}},
      {"ba", "ba->ab", {{3, 2}}},
      {"bA", "bA->Ab", {{3, 2}}},  // implicit output sorts uppercase first, as PyTorch
      {"ijk->i", "ijk->i", {{3, 4, 5}}},
      {"ij,ij->ij", "ij,ij->ij", {{3, 4}, {3, 4}}},
      {"i,j->ij", "i,j->ij", {{3}, {4}}},
      {"iij,jk->ik", "iij,jk->ik", {{3, 3, 4}, {4, 2}}},
      {"ij,jk->", "ij,jk->", {{3, 4}, {4, 2}}},
      {"bij,bkj->bik", "bij,bkj->bik", {{1, 3, 4}, {2, 5, 4}}},  // size-1 subscript broadcasts
      {"...i->i", "abi->i", {{2, 3, 4}}},  // ellipsis dims not in the output are summed
      {"i...->...", "iab->ab", {{4, 2, 3}}},
      {"ab,cd,bd->ac", "ab,cd,bd->ac", {{2, 3}, {4, 5}, {3, 5}}},  // sums in one operand before the pair
      {"i j , j k -> i k", "ij,jk->ik", {{2, 3}, {3, 4}}},       // spaces are ignored
      {"iji->j", "iji->j", {{3, 4, 3}}},
      {"i,->i", "i,->i", {{3}, {}}},                       // a 0-d operand
      {"ij,jk,jl->ikl", "ij,jk,jl->ikl", {{2, 3}, {3, 4}, {3, 2}}},  // j kept until its last operand
      {"bn,anm,bm->ba", "bn,anm,bm->ba", {{2, 3}, {4, 3, 5}, {2, 5}}},  // bilinear
  };
  uint64_t seed = 1;
  for (const Case& c : cases) {
    INFO("einsum " << c.equation);
    std::vector<Tensor> ops;
    for (const Shape& s : c.shapes) ops.push_back(make_tensor(s, kFloat64, -2, 2, seed++));
    check_close(einsum(c.equation, ops), ref_einsum(c.reference, ops));
    // The same with non-contiguous operands.
    std::vector<Tensor> strided;
    for (const Tensor& t : ops) strided.push_back(t.dim() >= 2 ? t.transpose(0, 1).contiguous().transpose(0, 1) : t);
    check_close(einsum(c.equation, strided), ref_einsum(c.reference, ops));
  }
}

TEST_CASE("einsum: dtypes, empty sizes and views", "[linalg]") {
  for (DType dtype : {kFloat32, kFloat16, kBFloat16, kInt64}) {
    INFO("dtype " << dtype_name(dtype));
    Tensor a = make_tensor({2, 3, 4}, dtype, -3, 3, 1), b = make_tensor({2, 4, 5}, dtype, -3, 3, 2);
    Tensor got = einsum("bij,bjk->bik", {a, b});
    CHECK(got.dtype() == dtype);
    const double tol = is_floating_point(dtype) ? 4 * rtol_for(dtype) : 0;
    check_close(got, ref_einsum("bij,bjk->bik", {a, b}).to(dtype), tol, tol * 10);
    check_close(einsum("bij->j", {a}), ref_einsum("bij->j", {a}).to(dtype), tol, tol * 10);
  }
  // Empty sums are 0; empty kept dims give empty results.
  check_close(einsum("i,i->", {empty({0}), empty({0})}), std::vector<double>{0});
  check_close(einsum("ij,jk->ik", {empty({2, 0}), empty({0, 3})}), zeros({2, 3}, kFloat32));
  CHECK(einsum("bij,bjk->bik", {empty({0, 2, 3}), empty({0, 3, 4})}).shape() == Shape{0, 2, 4});
  CHECK(einsum("ij->i", {empty({0, 3})}).shape() == Shape{0});
  // A permutation or a diagonal is a view, as in PyTorch.
  Tensor m = make_tensor({3, 3}, kFloat64, -2, 2, 9);
  CHECK(einsum("ij->ji", {m}).is_alias_of(m));
  CHECK(einsum("ii->i", {m}).is_alias_of(m));
}

// ---- errors ----

TEST_CASE("linalg: error messages", "[linalg]") {
  Tensor m23 = zeros({2, 3}, kFloat32), m45 = zeros({4, 5}, kFloat32), v3 = zeros({3}, kFloat32), v4 = zeros({4}, kFloat32);
  // matmul
  REQUIRE_ERROR(matmul(m23, m45), "matmul: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  REQUIRE_ERROR(matmul(v3, v4), "matmul: mat1 and mat2 shapes cannot be multiplied (3 and 4)");
  REQUIRE_ERROR(matmul(m23, v4), "(2x3 and 4)");
  REQUIRE_ERROR(matmul(zeros({2, 2, 3}, kFloat32), zeros({3, 3, 5}, kFloat32)), "matmul: expected shapes that broadcast, got [2] and [3]");
  REQUIRE_ERROR(matmul(zeros({}, kFloat32), v3), "both arguments to matmul need to be at least 1D, but they are 0D and 1D");
  REQUIRE_ERROR(matmul(m23, zeros({3, 4}, kFloat64)),
                "matmul: expected m1 and m2 to have the same dtype, but got: float32 != float64");
  REQUIRE_ERROR(matmul(zeros({2, 3}, kBool), zeros({3, 4}, kBool)), "matmul: expected a numeric dtype (not bool)");
  REQUIRE_ERROR(matmul(Tensor(), m23), "matmul");
  // mm / bmm / mv / dot / outer
  REQUIRE_ERROR(mm(m23, m45), "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  REQUIRE_ERROR(mm(v3, zeros({3, 5}, kFloat32)), "mm: expected self to be a 2-D tensor, got 1-D (shape [3])");
  REQUIRE_ERROR(mm(m23, zeros({3, 5}, kFloat64)), "mm: expected m1 and m2 to have the same dtype, but got: float32 != float64");
  REQUIRE_ERROR(bmm(m23, zeros({3, 5}, kFloat32)), "bmm: expected self to be a 3-D tensor, got 2-D");
  REQUIRE_ERROR(bmm(zeros({2, 2, 3}, kFloat32), zeros({3, 3, 5}, kFloat32)), "bmm: expected self and mat2 to have the same batch size");
  REQUIRE_ERROR(bmm(zeros({2, 2, 3}, kFloat32), zeros({2, 4, 5}, kFloat32)), "bmm: mat1 and mat2 shapes cannot be multiplied (2x2x3 and 2x4x5)");
  REQUIRE_ERROR(mv(m23, v4), "mv: mat1 and mat2 shapes cannot be multiplied (2x3 and 4)");
  REQUIRE_ERROR(mv(m23, zeros({3, 1}, kFloat32)), "mv: expected vec to be a 1-D tensor, got 2-D");
  REQUIRE_ERROR(dot(v3, v4), "dot: expected both vectors to have the same number of elements, got 3 and 4");
  REQUIRE_ERROR(dot(zeros({3, 1}, kFloat32), v3), "dot: expected self to be a 1-D tensor, got 2-D");
  REQUIRE_ERROR(dot(v3, zeros({3}, kFloat64)), "dot: expected m1 and m2 to have the same dtype, but got: float32 != float64");
  REQUIRE_ERROR(dot(zeros({3}, kBool), zeros({3}, kBool)), "dot: expected a numeric dtype (not bool)");
  REQUIRE_ERROR(outer(zeros({3, 1}, kFloat32), v3), "outer: expected self to be a 1-D tensor, got 2-D");
  // addmm
  REQUIRE_ERROR(addmm(v3, m23, zeros({3, 5}, kFloat32)), "addmm: expected input to broadcast to the product's shape [2, 5], got [3]");
  REQUIRE_ERROR(addmm(zeros({2, 5}, kFloat32), m23, m45), "addmm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  REQUIRE_ERROR(addmm(zeros({2, 5}, kFloat64), m23, zeros({3, 5}, kFloat32)),
                "addmm: expected input and mat1 to have the same dtype, but got: float64 != float32");
  REQUIRE_ERROR(addmm(zeros({1, 2, 5}, kFloat32), m23, zeros({3, 5}, kFloat32)), "addmm: expected input to broadcast");
}

TEST_CASE("einsum: error messages", "[linalg]") {
  Tensor m = zeros({2, 3}, kFloat32);
  REQUIRE_ERROR(einsum("ij,jk", {m}), "einsum(): fewer operands were provided than specified in the equation");
  REQUIRE_ERROR(einsum("ij", {m, m}), "einsum(): more operands were provided than specified in the equation");
  REQUIRE_ERROR(einsum("ij", {}), "einsum(): must provide at least one operand");
  REQUIRE_ERROR(einsum("ij,jk->ik", {m, zeros({4, 5}, kFloat32)}),
                "einsum(): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3");
  REQUIRE_ERROR(einsum("ij->k", {m}), "einsum(): output subscript k does not appear in the equation for any input operand");
  REQUIRE_ERROR(einsum("ijk->ij", {m}),
                "einsum(): the number of subscripts in the equation (3) does not match the number of dimensions (2) "
                "for operand 0 and no ellipsis was given");
  REQUIRE_ERROR(einsum("...ijk", {zeros({2}, kFloat32)}),
                "einsum(): the number of subscripts in the equation (3) is more than the number of dimensions (1) for "
                "operand 0");
  REQUIRE_ERROR(einsum("ii->i", {m}), "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2");
  REQUIRE_ERROR(einsum("ij->ii", {m}), "einsum(): output subscript i appears more than once in the output");
  REQUIRE_ERROR(einsum("i1->i", {m}), "einsum(): invalid subscript given at index 1 in the equation string");
  REQUIRE_ERROR(einsum("ij->j->", {m}), "einsum(): invalid subscript given at index 5 in the equation string");
  REQUIRE_ERROR(einsum("i.j", {m}), "einsum(): found '.' for operand 0 that is not part of any ellipsis");
  REQUIRE_ERROR(einsum("......", {m}), "einsum(): found more than one ellipsis for operand 0");
  REQUIRE_ERROR(einsum("ij->i,j", {m}), "einsum(): expected one output term after '->', got 2");
  REQUIRE_ERROR(einsum("...ij,...jk->...ik", {zeros({2, 2, 3}, kFloat32), zeros({3, 3, 4}, kFloat32)}),
                "einsum(): dimension 0 covered by ellipsis in operand 1 has size 3 which does not broadcast with "
                "previously seen ellipsis with size 2");
  REQUIRE_ERROR(einsum("ij,ij->ij", {m, zeros({2, 3}, kFloat64)}),
                "einsum(): expected all operands to have the same dtype, got float32 and float64");
  REQUIRE_ERROR(einsum("ij->", {zeros({2, 3}, kBool)}), "einsum(): expected a numeric dtype (not bool), got bool");
  REQUIRE_ERROR(einsum("ij", {Tensor()}), "einsum");
}
