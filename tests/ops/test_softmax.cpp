// Tests ops/softmax.cpp: softmax and log_softmax along every dim of contiguous
// and transposed inputs, stability for large magnitudes, -inf/+inf/NaN rows,
// 0-d and empty inputs, the floating dtype sweep, long rows (the SLEEF vector
// path and its tail) and the error paths. The reference is a float64 loop per row.
#include "harness.h"

#include <limits>

using namespace ember;
using namespace ember::testing;

namespace {

enum class Kind { Softmax, LogSoftmax };

// softmax or log_softmax of every row of x along dim (wrapped), in float64 from
// x's own (already rounded) values; laid out row-major in x's shape.
std::vector<double> reference(const Tensor& x, int64_t dim, Kind kind) {
  const std::vector<double> v = values_of(x);
  if (x.dim() == 0) return {kind == Kind::Softmax ? 1.0 : 0.0};
  const Shape shape = x.shape();
  const int64_t n = shape[dim];
  int64_t inner = 1;
  for (size_t d = dim + 1; d < shape.size(); ++d) inner *= shape[d];
  const int64_t outer = x.numel() / std::max<int64_t>(n * inner, 1);
  std::vector<double> out(v.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) -> size_t { return static_cast<size_t>((o * n + j) * inner + i); };
      double max = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j < n; ++j) max = v[at(j)] > max ? v[at(j)] : max;
      double sum = 0;
      for (int64_t j = 0; j < n; ++j) sum += std::exp(v[at(j)] - max);
      for (int64_t j = 0; j < n; ++j) {
        out[at(j)] = kind == Kind::Softmax ? std::exp(v[at(j)] - max) / sum : v[at(j)] - max - std::log(sum);
      }
    }
  }
  return out;
}

// Both ops on x along dim vs the reference: a new contiguous tensor of x's shape
// and dtype. atol = rtol: softmax's tiny outputs and log_softmax's outputs near
// 0 carry the absolute rounding error of the row's sum.
void check_both(const Tensor& x, int64_t dim, double rtol) {
  const int64_t d = x.dim() == 0 ? 0 : (dim < 0 ? dim + x.dim() : dim);
  for (Kind kind : {Kind::Softmax, Kind::LogSoftmax}) {
    INFO((kind == Kind::Softmax ? "softmax" : "log_softmax") << " dim " << dim);
    Tensor got = kind == Kind::Softmax ? x.softmax(dim) : x.log_softmax(dim);
    REQUIRE(got.shape() == x.shape());
    CHECK(got.dtype() == x.dtype());
    CHECK(got.is_contiguous());
    check_close(got, reference(x, d, kind), rtol, rtol);
  }
}

const double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("softmax and log_softmax along every dim of contiguous and transposed inputs", "[softmax]") {
  for (DType dtype : {kFloat64, kFloat32}) {
    for (Layout layout : {Layout::Contiguous, Layout::Transposed}) {
      INFO(dtype << (layout == Layout::Transposed ? " transposed" : " contiguous"));
      Tensor x = make_tensor({4, 5, 6}, dtype, -3, 3, 1, layout);
      for (int64_t dim : {0, 1, 2, -1, -3}) check_both(x, dim, rtol_for(dtype));
    }
  }
  // A stepped slice: neither contiguous nor a transpose.
  Tensor stepped = make_tensor({3, 10}, kFloat32, -5, 5, 2).slice(1, 1, 10, 3);
  check_both(stepped, 1, rtol_for(kFloat32));
  check_both(stepped, 0, rtol_for(kFloat32));
  // Functions and methods agree; rows sum to 1.
  Tensor y = make_tensor({2, 3}, kFloat64, -1, 1, 3);
  check_close(softmax(y, 1), y.softmax(1), 0, 0);
  check_close(log_softmax(y, 0), y.log_softmax(0), 0, 0);
  std::vector<double> p = values_of(y.softmax(1));
  CHECK(std::abs(p[0] + p[1] + p[2] - 1.0) < 1e-15);
}

TEST_CASE("softmax is stable for large magnitudes", "[softmax]") {
  // Expectations from torch 1.13: naive exp(1000) would overflow to inf.
  Tensor x = tensor({1000.0f, -1000.0f, 999.0f});
  check_close(x.softmax(0), {0.7310585975646973, 0.0, 0.2689414322376251}, 1e-6, 1e-7);
  check_close(x.log_softmax(0), {-0.31326165795326233, -2000.313232421875, -1.31326162815094}, 1e-6, 0);
  for (DType dtype : {kFloat64, kFloat32}) {
    INFO(dtype);
    for (Layout layout : {Layout::Contiguous, Layout::Transposed}) {
      Tensor big = make_tensor({6, 40}, dtype, -1000, 1000, 4, layout);
      check_both(big, 1, rtol_for(dtype));
      check_both(big, 0, rtol_for(dtype));
    }
  }
}

TEST_CASE("softmax handles -inf entries and gives NaN rows for all -inf +inf or NaN", "[softmax]") {
  // Expectations from torch 1.13.
  // [-inf, 0, 1] -> [0, 1 / (1 + e), e / (1 + e)] (torch 1.13: [0, 0.2689, 0.7311]).
  const double e = std::exp(1.0);
  const std::vector<double> expected_softmax{0.0, 1 / (1 + e), e / (1 + e)};
  const std::vector<double> expected_log{-kInf, -std::log1p(e), 1 - std::log1p(e)};
  Tensor x = tensor({-INFINITY, 0.0f, 1.0f});
  check_close(x.softmax(0), expected_softmax, rtol_for(kFloat32), 0);
  check_close(x.log_softmax(0), expected_log, rtol_for(kFloat32), 0);
  // Row 0 all -inf, row 1 has +inf, row 2 a NaN, row 3 finite: only row 3 is finite.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (DType dtype : {kFloat32, kFloat64, kFloat16, kBFloat16}) {
    INFO(dtype);
    Tensor rows =
        tensor({-kInf, -kInf, -kInf, kInf, 1.0, 2.0, 1.0, nan, 2.0, -kInf, 0.0, 1.0}, kFloat64).view({4, 3}).to(dtype);
    std::vector<double> rows_softmax(9, nan), rows_log(9, nan);
    rows_softmax.insert(rows_softmax.end(), expected_softmax.begin(), expected_softmax.end());
    rows_log.insert(rows_log.end(), expected_log.begin(), expected_log.end());
    check_close(rows.softmax(1), rows_softmax, rtol_for(dtype), 0);
    check_close(rows.log_softmax(1), rows_log, rtol_for(dtype), 0);
    // The same rows as columns (the strided path).
    check_close(rows.t().softmax(0).t(), rows_softmax, rtol_for(dtype), 0);
    check_close(rows.t().log_softmax(0).t(), rows_log, rtol_for(dtype), 0);
  }
  check_close(tensor({-INFINITY}).softmax(0), {NAN}, 0, 0);
  check_close(tensor({-INFINITY}).log_softmax(0), {NAN}, 0, 0);
}

TEST_CASE("softmax of 0-d and empty tensors", "[softmax]") {
  // torch 1.13: softmax(tensor(3.), 0) -> 1, log_softmax(tensor(3.), -1) -> 0.
  for (int64_t dim : {0, -1}) {
    Tensor s = tensor(3.0).softmax(dim), l = tensor(3.0).log_softmax(dim);
    CHECK(s.dim() == 0);
    CHECK(l.dim() == 0);
    CHECK(s.item<double>() == 1.0);
    CHECK(l.item<double>() == 0.0);
  }
  CHECK(tensor(-1000.0f).softmax(0).item<float>() == 1.0f);
  CHECK(zeros({2, 0}).softmax(1).shape() == Shape{2, 0});
  CHECK(zeros({2, 0}).softmax(0).shape() == Shape{2, 0});
  CHECK(zeros({0, 3}).log_softmax(1).shape() == Shape{0, 3});
  CHECK(zeros({0}, kFloat16).log_softmax(0).dtype() == kFloat16);
}

TEST_CASE("softmax over the floating dtypes", "[softmax]") {
  for (DType dtype : {kFloat32, kFloat64, kFloat16, kBFloat16}) {
    for (Layout layout : {Layout::Contiguous, Layout::Transposed}) {
      INFO(dtype << (layout == Layout::Transposed ? " transposed" : " contiguous"));
      Tensor x = make_tensor({5, 7}, dtype, -4, 4, 5, layout);
      check_both(x, 1, rtol_for(dtype));
      check_both(x, 0, rtol_for(dtype));
    }
  }
}

TEST_CASE("softmax on long rows runs the vector path and its tail", "[softmax]") {
  // 1003 = whole vectors of 8 or 16 floats plus a tail; -inf in both parts.
  Tensor x = make_tensor({4, 1003}, kFloat32, -20, 20, 6);
  x.select(0, 1).slice(0, 0, 1003, 97).fill_(-INFINITY);  // indices 0, 97, ..., 970
  x.select(0, 2).slice(0, 1000, 1003).fill_(-INFINITY);   // only in the tail
  for (DType dtype : {kFloat32, kFloat64, kFloat16, kBFloat16}) {
    INFO(dtype);
    Tensor y = x.to(dtype);
    check_both(y, 1, rtol_for(dtype));                       // contiguous rows
    check_both(y.t().contiguous().t(), 1, rtol_for(dtype));  // strided rows, gathered
  }
  // An all -inf long row and one with a NaN in the vector part: NaN rows.
  Tensor special = make_tensor({2, 1003}, kFloat32, -1, 1, 7);
  special.select(0, 0).fill_(-INFINITY);
  special.select(0, 1).select(0, 5).fill_(NAN);
  for (Tensor got : {special.softmax(1), special.log_softmax(1)}) {
    for (double v : values_of(got)) REQUIRE(std::isnan(v));
  }
  // Many rows, in parallel chunks, along either dim.
  Tensor many = make_tensor({5000, 37}, kFloat32, -10, 10, 8);
  check_both(many, 1, rtol_for(kFloat32));
  check_both(many, 0, rtol_for(kFloat32));
}

TEST_CASE("softmax rejects bad inputs", "[softmax]") {
  Tensor x = zeros({2, 3});
  REQUIRE_ERROR(x.softmax(2), "softmax: dimension out of range (expected to be in range of [-2, 1], but got 2)");
  REQUIRE_ERROR(x.log_softmax(-3),
                "log_softmax: dimension out of range (expected to be in range of [-2, 1], but got -3)");
  REQUIRE_ERROR(tensor(1.0).softmax(1),
                "softmax: dimension out of range (expected to be in range of [-1, 0], but got 1)");
  REQUIRE_ERROR(tensor({1, 2}).softmax(0),
                "softmax: expected a floating point dtype (float32, float64, float16, bfloat16), got int64");
  REQUIRE_ERROR(tensor({true, false}).log_softmax(0), "log_softmax: expected a floating point dtype");
  REQUIRE_ERROR(zeros({0}, kInt32).softmax(0), "softmax: expected a floating point dtype");
  REQUIRE_ERROR(softmax(Tensor(), 0), "softmax: expected a defined tensor");
  REQUIRE_ERROR(log_softmax(Tensor(), 0), "log_softmax: expected a defined tensor");
  try {
    tensor({1, 2}).softmax(0);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Runtime);  // PyTorch's RuntimeError: "not implemented for 'Long'"
  }
  try {
    x.softmax(5);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Index);
  }
}

TEST_CASE("softmax rejects CUDA tensors until it has a kernel", "[softmax]") {
  if (!cuda::is_available()) {
    WARN("skipped: no CUDA device");
    return;
  }
  Tensor x = ones({2, 3}, Device("cuda:0"));
  REQUIRE_ERROR(x.softmax(1), "softmax: expected a CPU tensor, got one on cuda:0");
  REQUIRE_ERROR(x.log_softmax(1), "log_softmax: expected a CPU tensor, got one on cuda:0");
}
