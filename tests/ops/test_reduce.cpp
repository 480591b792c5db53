// Tests ops/reduce.cpp: every reduction over every set of dims of contiguous
// and transposed inputs against a float64 fold written here, the dtype rules
// (int -> int64 sums, uint8 all/any), NaN propagation and first-index ties,
// empty and 0-d inputs, the parallel paths of long inputs, and the error paths.
#include "harness.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <numeric>

using namespace ember;
using namespace ember::testing;

namespace {

using Fold = std::function<double(const std::vector<double>&)>;

// The float64 reference: fold(the elements reduced into each result), results
// in row-major order of the kept dims. dims = {} folds all.
std::vector<double> reference(const Tensor& x, std::vector<int64_t> dims, const Fold& fold) {
  const Shape shape = x.shape();
  const int64_t ndim = x.dim();
  if (dims.empty()) {
    dims.resize(static_cast<size_t>(ndim));
    std::iota(dims.begin(), dims.end(), 0);
  }
  std::vector<bool> reduced(static_cast<size_t>(ndim), false);
  for (int64_t d : dims) reduced[static_cast<size_t>(d < 0 ? d + ndim : d)] = true;
  Shape kept;
  for (int64_t d = 0; d < ndim; ++d) kept.push_back(reduced[d] ? 1 : shape[d]);
  std::vector<std::vector<double>> groups(static_cast<size_t>(numel_of(kept)));
  const std::vector<double> values = values_of(x);
  for (int64_t i = 0; i < x.numel(); ++i) {
    Coords c = unravel(i, shape);
    for (int64_t d = 0; d < ndim; ++d) {
      if (reduced[d]) c[d] = 0;
    }
    groups[static_cast<size_t>(ravel(c, kept))].push_back(values[static_cast<size_t>(i)]);
  }
  std::vector<double> out;
  for (const auto& g : groups) out.push_back(fold(g));
  return out;
}

// The result shape of reducing `dims` of `shape`.
Shape reduced_shape(IntArrayRef shape, std::vector<int64_t> dims, bool keepdim) {
  const auto ndim = static_cast<int64_t>(shape.size());
  Shape out;
  for (int64_t d = 0; d < ndim; ++d) {
    const bool folded =
        dims.empty() || std::any_of(dims.begin(), dims.end(), [&](int64_t k) { return (k < 0 ? k + ndim : k) == d; });
    if (!folded) out.push_back(shape[d]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

double fold_sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }
double fold_mean(const std::vector<double>& v) { return fold_sum(v) / static_cast<double>(v.size()); }
double fold_prod(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 1.0, std::multiplies<>()); }
double fold_max(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }
double fold_min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
Fold fold_var(double correction) {
  return [correction](const std::vector<double>& v) {
    const double m = fold_mean(v);
    double ss = 0;
    for (double x : v) ss += (x - m) * (x - m);
    return ss / std::max(0.0, static_cast<double>(v.size()) - correction);
  };
}
double fold_logsumexp(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += std::exp(x);
  return std::log(s);
}
Fold fold_norm(double p) {
  return [p](const std::vector<double>& v) {
    double s = 0, m = 0;
    for (double x : v) {
      s += std::pow(std::abs(x), p);
      m = std::max(m, std::abs(x));
    }
    return p == INFINITY ? m : std::pow(s, 1.0 / p);
  };
}

struct Case {
  const char* name;
  std::function<Tensor(const Tensor&, std::vector<int64_t>, bool)> op;
  Fold fold;
};

// The op table: each reduction with its float64 fold.
const std::vector<Case>& reduction_cases() {
  static const std::vector<Case> cases = {
      {"sum", [](const Tensor& x, std::vector<int64_t> d, bool k) { return sum(x, d, k); }, fold_sum},
      {"mean", [](const Tensor& x, std::vector<int64_t> d, bool k) { return mean(x, d, k); }, fold_mean},
      {"amax", [](const Tensor& x, std::vector<int64_t> d, bool k) { return amax(x, d, k); }, fold_max},
      {"amin", [](const Tensor& x, std::vector<int64_t> d, bool k) { return amin(x, d, k); }, fold_min},
      {"var", [](const Tensor& x, std::vector<int64_t> d, bool k) { return var(x, d, 1, k); }, fold_var(1)},
      {"var0", [](const Tensor& x, std::vector<int64_t> d, bool k) { return var(x, d, 0, k); }, fold_var(0)},
      {"std", [](const Tensor& x, std::vector<int64_t> d, bool k) { return ember::std(x, d, 1, k); },
       [](const std::vector<double>& v) { return std::sqrt(fold_var(1)(v)); }},
      {"logsumexp", [](const Tensor& x, std::vector<int64_t> d, bool k) { return logsumexp(x, d, k); },
       fold_logsumexp},
      {"norm2", [](const Tensor& x, std::vector<int64_t> d, bool k) { return norm(x, 2, d, k); }, fold_norm(2)},
      {"norm1", [](const Tensor& x, std::vector<int64_t> d, bool k) { return norm(x, 1, d, k); }, fold_norm(1)},
      {"norm3", [](const Tensor& x, std::vector<int64_t> d, bool k) { return norm(x, 3, d, k); }, fold_norm(3)},
      {"norm_inf", [](const Tensor& x, std::vector<int64_t> d, bool k) { return norm(x, INFINITY, d, k); },
       fold_norm(INFINITY)},
  };
  return cases;
}

const std::vector<std::vector<int64_t>> kDimSets = {{}, {0}, {1}, {2}, {-1}, {0, 1}, {0, 2}, {2, 1}, {0, 1, 2}};

}  // namespace

TEST_CASE("reductions over every set of dims of contiguous and transposed inputs", "[reduce]") {
  const std::vector<Case>& cases = reduction_cases();
  for (Layout layout : {Layout::Contiguous, Layout::Transposed}) {
    const Tensor x = make_tensor({3, 4, 5}, kFloat64, -2, 2, 7, layout);
    for (const Case& c : cases) {
      for (const auto& dims : kDimSets) {
        for (bool keepdim : {false, true}) {
          INFO(c.name << " dims " << Shape(dims) << " keepdim " << keepdim << " transposed "
                      << (layout == Layout::Transposed));
          const Tensor got = c.op(x, dims, keepdim);
          REQUIRE(got.shape() == reduced_shape(x.shape(), dims, keepdim));
          CHECK(got.dtype() == kFloat64);
          check_close(got, reference(x, dims, c.fold), 1e-12, 1e-12);
        }
      }
    }
    // prod takes one dim (or none).
    check_close(prod(x), reference(x, {}, fold_prod));
    for (int64_t d = 0; d < 3; ++d) check_close(prod(x, d), reference(x, {d}, fold_prod));
    CHECK(prod(x, 1, /*keepdim=*/true).shape() == Shape{3, 1, 5});
  }
}

TEST_CASE("reduction table: gradcheck and gradgradcheck over sets of dims", "[reduce][autograd]") {
  const std::vector<std::vector<int64_t>> dim_sets = {{}, {1}, {0, 2}, {-1}};
  for (const Case& c : reduction_cases()) {
    for (Layout layout : {Layout::Contiguous, Layout::Transposed}) {
      for (const auto& dims : dim_sets) {
        for (bool keepdim : {false, true}) {
          INFO(c.name << " dims " << Shape(dims) << " keepdim " << keepdim);
          Tensor x = make_tensor({3, 4, 2}, kFloat64, -2, 2, 7, layout).requires_grad_();
          auto fn = [&](const autograd::TensorList& in) { return c.op(in[0], dims, keepdim); };
          CHECK(autograd::gradcheck(fn, {x}));
          CHECK(autograd::gradgradcheck(fn, {x}));
        }
      }
    }
  }
}

TEST_CASE("long inputs take the parallel paths and stay accurate", "[reduce]") {
  // A full reduction split over threads, many short rows, and a strided middle dim.
  const Tensor flat = make_tensor({1 << 20}, kFloat32, 0, 1, 3);
  check_close(flat.sum(), reference(flat, {}, fold_sum), 1e-6);
  check_close(flat.mean(), reference(flat, {}, fold_mean), 1e-6);
  check_close(flat.amax(), reference(flat, {}, fold_max), 0, 0);
  const Tensor wide = make_tensor({7, 3001, 13}, kFloat32, -1, 1, 4);
  check_close(wide.sum({1}), reference(wide, {1}, fold_sum), 1e-5, 1e-5);
  check_close(wide.sum({0, 2}), reference(wide, {0, 2}, fold_sum), 1e-5, 1e-5);
  check_close(wide.amin({1}), reference(wide, {1}, fold_min), 0, 0);
  const Tensor columns = make_tensor({4000, 300}, kFloat64, -1, 1, 5);
  check_close(columns.sum({0}), reference(columns, {0}, fold_sum));
  check_close(columns.t().sum({1}), reference(columns, {0}, fold_sum));
  check_close(columns.sum({1}), reference(columns, {1}, fold_sum));
}

TEST_CASE("reduction dtypes follow PyTorch", "[reduce]") {
  for (DType dtype : kAllDTypes) {
    INFO("dtype " << dtype);
    const Tensor x = make_tensor({4, 6}, dtype, 0, 3, 2);
    const DType sum_dtype = is_integral(dtype, /*include_bool=*/true) ? kInt64 : dtype;
    const double tol = rtol_for(dtype) * 4;
    CHECK(x.sum().dtype() == sum_dtype);
    check_close(x.sum({1}), reference(x, {1}, fold_sum), tol, tol);
    CHECK(x.prod().dtype() == sum_dtype);
    check_close(x.prod(0), reference(x, {0}, fold_prod), tol, tol);
    CHECK(x.cumsum(1).dtype() == sum_dtype);
    CHECK(x.amax({0}).dtype() == dtype);
    check_close(x.amax({0}), reference(x, {0}, fold_max), 0, 0);
    check_close(x.amin({1}), reference(x, {1}, fold_min), 0, 0);
    CHECK(x.max(1).first.dtype() == dtype);
    CHECK(x.all().dtype() == (dtype == kUInt8 ? kUInt8 : kBool));
    if (is_floating_point(dtype)) {
      CHECK(x.mean().dtype() == dtype);
      check_close(x.mean({0}), reference(x, {0}, fold_mean), tol, tol);
      check_close(x.var({1}), reference(x, {1}, fold_var(1)), tol * 4, tol * 4);
      CHECK(x.norm().dtype() == dtype);
      check_close(x.norm(), reference(x, {}, fold_norm(2)), tol, tol);
    }
  }
  // dtype= converts before summing; mean(dtype=) accepts integer input.
  const Tensor ints = tensor({1, 2, 4});
  CHECK(ints.sum(kFloat64).dtype() == kFloat64);
  check_close(ints.mean(kFloat32), {7.0 / 3}, 1e-6);
  check_close(tensor({100, 100, 100}, kUInt8).sum(kUInt8), {44}, 0, 0);  // 300 wraps mod 256
  check_close(tensor({true, true, false}).sum(), {2}, 0, 0);
  // int64 sums wrap around instead of overflowing (UB): max + 1 = min.
  const int64_t big = std::numeric_limits<int64_t>::max();
  CHECK(tensor({big, int64_t{1}}).sum().item<int64_t>() == std::numeric_limits<int64_t>::min());
}

TEST_CASE("max and min with indices take the first extreme and propagate NaN", "[reduce]") {
  // Expectations from torch 1.13.
  const Tensor x = tensor({{1.0f, 3.0f, 3.0f, -2.0f}, {NAN, 5.0f, NAN, 5.0f}, {0.0f, 0.0f, -7.0f, -7.0f}});
  auto [values, indices] = x.max(1);
  check_close(values, {3, NAN, 0}, 0, 0);
  CHECK(indices.to_vector<int64_t>() == std::vector<int64_t>{1, 0, 0});
  auto [low, low_idx] = x.min(1, /*keepdim=*/true);
  CHECK(low.shape() == Shape{3, 1});
  check_close(low, {-2, NAN, -7}, 0, 0);
  CHECK(low_idx.to_vector<int64_t>() == std::vector<int64_t>{3, 0, 2});
  CHECK(x.argmax(0).to_vector<int64_t>() == std::vector<int64_t>{1, 1, 1, 1});
  check_close(x.amax({0}), {NAN, 5, NAN, 5}, 0, 0);
  check_close(x.max(), {NAN}, 0, 0);
  check_close(tensor({2.0, -INFINITY}).max(), {2}, 0, 0);
  check_close(tensor({-INFINITY, -INFINITY}).amax(), {-INFINITY}, 0, 0);
  // argmax/argmin without a dim index the flattened tensor.
  const Tensor m = tensor({{4, 9, 2}, {9, 1, 1}});
  CHECK(m.argmax().item<int64_t>() == 1);
  CHECK(m.argmin().item<int64_t>() == 4);
  CHECK(m.argmax().dim() == 0);
  CHECK(m.argmax(std::nullopt, /*keepdim=*/true).shape() == Shape{1, 1});
  CHECK(m.argmin(-1).to_vector<int64_t>() == std::vector<int64_t>{2, 1});
  // Strided rows: the transpose's dim 1 runs down a column of m.
  auto [col_max, col_idx] = m.t().max(1);
  CHECK(col_max.to_vector<int64_t>() == std::vector<int64_t>{9, 9, 2});
  CHECK(col_idx.to_vector<int64_t>() == std::vector<int64_t>{1, 0, 0});
  CHECK(tensor({false, true, true}).max().item<bool>());
}

TEST_CASE("all and any", "[reduce]") {
  const Tensor x = tensor({{1.0, 0.0, NAN}, {2.0, 3.0, -1.0}});
  CHECK_FALSE(x.all().item<bool>());
  CHECK(x.any().item<bool>());
  CHECK(x.all(1).to_vector<bool>() == std::vector<bool>{false, true});
  CHECK(x.any(0, /*keepdim=*/true).shape() == Shape{1, 3});
  CHECK(x.all(0).to_vector<bool>() == std::vector<bool>{true, false, true});  // NaN is truthy
  CHECK(zeros({3}, kFloat32).any().item<bool>() == false);
  const Tensor bytes = tensor({{0, 7}, {1, 1}}, kUInt8);
  CHECK(bytes.all(1).dtype() == kUInt8);
  CHECK(bytes.all(1).to_vector<int64_t>() == std::vector<int64_t>{0, 1});
  CHECK(empty({0}).all().item<bool>());
  CHECK_FALSE(empty({0}).any().item<bool>());
}

TEST_CASE("cumsum along every dim of strided inputs", "[reduce]") {
  const Tensor x = make_tensor({3, 4, 5}, kFloat64, -2, 2, 9, Layout::Transposed);
  const std::vector<double> v = values_of(x);
  for (int64_t d = 0; d < 3; ++d) {
    std::vector<double> expected(v.size());
    for (int64_t i = 0; i < x.numel(); ++i) {
      Coords c = unravel(i, x.shape());
      double s = 0;
      for (int64_t k = 0; k <= c[d]; ++k) {
        Coords e = c;
        e[d] = k;
        s += v[static_cast<size_t>(ravel(e, x.shape()))];
      }
      expected[static_cast<size_t>(i)] = s;
    }
    check_close(x.cumsum(d), expected);
    check_close(x.cumsum(d - 3), expected);
  }
  CHECK(tensor({1, 2, 3}, kInt32).cumsum(0).to_vector<int64_t>() == std::vector<int64_t>{1, 3, 6});
  CHECK(tensor({1, 2, 3}, kInt32).cumsum(0, kInt32).dtype() == kInt32);
  check_close(tensor(2.5).cumsum(0), {2.5}, 0, 0);
  CHECK(empty({0, 3}).cumsum(1).shape() == Shape{0, 3});
}

TEST_CASE("empty and 0-d reductions", "[reduce]") {
  const Tensor none = empty({0, 3});
  check_close(none.sum(), {0}, 0, 0);
  check_close(none.prod(), {1}, 0, 0);
  check_close(none.mean(), {NAN}, 0, 0);
  check_close(none.sum({0}), {0, 0, 0}, 0, 0);
  CHECK(none.sum({1}).shape() == Shape{0});
  CHECK(none.amax({1}).shape() == Shape{0});
  check_close(none.logsumexp({0}), {-INFINITY, -INFINITY, -INFINITY}, 0, 0);
  const Tensor scalar = tensor(3.0);
  check_close(scalar.sum(), {3}, 0, 0);
  check_close(scalar.sum({0}), {3}, 0, 0);
  check_close(scalar.sum({-1}, /*keepdim=*/true), {3}, 0, 0);
  CHECK(scalar.sum({0}, /*keepdim=*/true).dim() == 0);
  auto [value, index] = scalar.max(0);
  CHECK(value.dim() == 0);
  CHECK(index.item<int64_t>() == 0);
  check_close(scalar.var(), {NAN}, 0, 0);  // one element, correction 1: 0 / 0
  check_close(scalar.var({}, 0), {0}, 0, 0);
  check_close(tensor({1.0, 1e10}).logsumexp({0}), {1e10}, 1e-15);
  check_close(tensor({INFINITY, 1.0}).logsumexp({0}), {INFINITY}, 0, 0);
}

TEST_CASE("every reduction over a list of dims refuses a dim named twice, on 0-d tensors too", "[reduce]") {
  using Reduce = std::function<Tensor(const Tensor&, IntArrayRef)>;
  const std::vector<std::pair<std::string, Reduce>> reductions = {
      {"sum", [](const Tensor& t, IntArrayRef dims) { return t.sum(dims); }},
      {"mean", [](const Tensor& t, IntArrayRef dims) { return t.mean(dims); }},
      {"var", [](const Tensor& t, IntArrayRef dims) { return t.var(dims); }},
      {"std", [](const Tensor& t, IntArrayRef dims) { return t.std(dims); }},
      {"amax", [](const Tensor& t, IntArrayRef dims) { return t.amax(dims); }},
      {"amin", [](const Tensor& t, IntArrayRef dims) { return t.amin(dims); }},
      {"logsumexp", [](const Tensor& t, IntArrayRef dims) { return t.logsumexp(dims); }},
      {"norm", [](const Tensor& t, IntArrayRef dims) { return t.norm(2, dims); }},
  };
  const Tensor scalar = tensor(1.0), x = make_tensor({2, 3, 4}, kFloat64);
  for (const auto& [op, reduce] : reductions) {
    INFO(op);
    const auto twice = [&op](int64_t d) {
      return fmt::format("{}: dim {} appears multiple times in the list of dims", op, d);
    };
    // As torch: a 0-d tensor takes dim 0 (or -1) once; both name the same dim.
    CHECK(reduce(scalar, {0}).dim() == 0);
    CHECK(reduce(scalar, {-1}).dim() == 0);
    REQUIRE_ERROR(reduce(scalar, {0, 0}), twice(0));
    REQUIRE_ERROR(reduce(scalar, {0, -1}), twice(0));
    REQUIRE_ERROR(reduce(x, {2, 0, -1}), twice(2));
    REQUIRE_ERROR(reduce(x, {1, -2}), twice(1));
    CHECK(reduce(x, {2, 0}).shape() == Shape{3});
  }
}

TEST_CASE("reduction errors name the op and the problem", "[reduce]") {
  const Tensor x = zeros({2, 3}, kFloat32);
  REQUIRE_ERROR(x.sum({0, 0}), "sum: dim 0 appears multiple times in the list of dims");
  REQUIRE_ERROR(x.sum({1, -1}), "sum: dim 1 appears multiple times in the list of dims");
  REQUIRE_ERROR(x.sum({2}), "sum: dimension out of range (expected to be in range of [-2, 1], but got 2)");
  REQUIRE_ERROR(x.max(5), "max: dimension out of range");
  REQUIRE_ERROR(tensor({1, 2}).mean(), "mean(): could not infer output dtype. Input dtype must be either a floating "
                                       "point or complex dtype. Got: int64");
  REQUIRE_ERROR(tensor({1, 2}).var(), "var: std and var only support floating point dtypes, got int64");
  REQUIRE_ERROR(tensor({1, 2}).norm(), "norm(): input dtype should be either floating point or complex dtypes. Got "
                                       "int64 instead.");
  REQUIRE_ERROR(tensor({true, false}).argmax(), "argmax");
  REQUIRE_ERROR(empty({0}).max(), "max(): Expected reduction dim to be specified for input.numel() == 0.");
  REQUIRE_ERROR(empty({2, 0}).amax({1}), "amax: Expected reduction dim 1 to have non-zero size.");
  REQUIRE_ERROR(empty({2, 0}).argmin(1), "argmin: Expected reduction dim 1 to have non-zero size.");
  REQUIRE_ERROR(empty({0}).max(0), "max: Expected reduction dim 0 to have non-zero size.");
  REQUIRE_ERROR(sum(Tensor()), "sum");
  REQUIRE_ERROR(cumsum(x, 2), "cumsum: dimension out of range");
}
