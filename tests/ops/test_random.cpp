// Tests for ops/random.cpp and core/philox.h: Philox4x32-10 known answers,
// the per-element counter mapping, reproducibility under manual_seed and any
// thread count, distribution statistics on 1M samples, dtypes, and errors.
#include "harness.h"

#include <ember/core/philox.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>

using namespace ember;
using ember::testing::values_of;

namespace {

struct Moments {
  double mean = 0, var = 0;
};

Moments moments(const std::vector<double>& v) {
  Moments m;
  for (double x : v) m.mean += x;
  m.mean /= static_cast<double>(v.size());
  for (double x : v) m.var += (x - m.mean) * (x - m.mean);
  m.var /= static_cast<double>(v.size() - 1);
  return m;
}

// |got - expected| within 5 standard deviations `sigma` of the estimate.
void check_within_5_sigma(const char* what, double got, double expected, double sigma) {
  INFO(what << ": got " << got << ", expected " << expected << " +- 5 * " << sigma);
  CHECK(std::abs(got - expected) <= 5 * sigma);
}

// Restores the thread count a test changed.
struct ThreadCountGuard {
  int saved = get_num_threads();
  ~ThreadCountGuard() { set_num_threads(saved); }
};

constexpr int64_t kSamples = 1 << 20;

}  // namespace

TEST_CASE("random: Philox4x32-10 matches the Random123 known-answer vectors", "[random]") {
  struct Vector {
    uint32_t counter[4];
    uint32_t key[2];
    uint32_t expected[4];
  };
  // From Random123's kat_vectors (philox4x32_10).
  const Vector vectors[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const Vector& v : vectors) {
    uint32_t out[4];
    Philox4x32::philox10(v.counter, v.key, out);
    for (int k = 0; k < 4; ++k) {
      INFO("word " << k);
      CHECK(out[k] == v.expected[k]);
    }
  }
  // generate() is philox10 on counter {lo, hi, redraw, 0} under key {seed lo, seed hi}.
  uint32_t from_generate[4], from_philox10[4];
  Philox4x32::generate(0xa4093822299f31d0ull, 0x85a308d3243f6a88ull, from_generate, /*redraw=*/7);
  const uint32_t counter[4] = {0x243f6a88, 0x85a308d3, 7, 0};
  const uint32_t key[2] = {0x299f31d0, 0xa4093822};
  Philox4x32::philox10(counter, key, from_philox10);
  CHECK(std::equal(from_generate, from_generate + 4, from_philox10));
}

TEST_CASE("random: element i reads the counter words the Philox element mapping names", "[random]") {
  const uint64_t seed = 1234;
  manual_seed(seed);
  std::vector<float> u = rand({11}).to_vector<float>();      // 1 word each: counters 0..2
  std::vector<double> z = randn({5}, kFloat64).to_vector<double>();  // 4 words each: counters 3..7
  std::vector<int64_t> r = randint(-5, 1000, {7}).to_vector<int64_t>();  // 2 words each: counters 8..11
  for (int64_t i = 0; i < 11; ++i) {
    uint32_t w[1];
    philox_element_words<1>(seed, 0, i, w);
    CHECK(u[static_cast<size_t>(i)] == philox_uniform<float>(w));
  }
  for (int64_t i = 0; i < 5; ++i) {
    uint32_t w[4];
    philox_element_words<4>(seed, 3, i, w);
    CHECK(z[static_cast<size_t>(i)] == philox_normal<double>(w));
  }
  for (int64_t i = 0; i < 7; ++i) {
    CHECK(r[static_cast<size_t>(i)] == -5 + static_cast<int64_t>(philox_bounded(seed, 8, i, 1005)));
  }
  // The next op starts right after: counter 12.
  uint32_t w[1];
  philox_element_words<1>(seed, 12, 0, w);
  CHECK(rand({1}).item<float>() == philox_uniform<float>(w));
}

TEST_CASE("random: manual_seed reproduces a stream and other seeds or later draws differ", "[random]") {
  auto draw = [] {
    return std::vector<std::vector<double>>{values_of(rand({64})), values_of(randn({64})),
                                            values_of(randint(0, 1000000, {64})), values_of(randperm(64)),
                                            values_of(bernoulli(full({64}, 0.5)))};
  };
  manual_seed(42);
  auto first = draw();
  manual_seed(42);
  auto again = draw();
  manual_seed(43);
  auto other = draw();
  for (size_t op = 0; op < first.size(); ++op) {
    INFO("op " << op);
    CHECK(first[op] == again[op]);
    CHECK(first[op] != other[op]);
  }
  manual_seed(42);
  CHECK(values_of(rand({64})) != values_of(rand({64})));  // the second call continues the stream
  manual_seed(7);
  CHECK(initial_seed() == 7);
}

TEST_CASE("random: a Generator is its own stream, the default one's for the same seed", "[random]") {
  Generator generator(5);
  manual_seed(5);
  const std::vector<double> perm = values_of(randperm(50)), ints = values_of(randint(0, 1000, {50}));
  const std::vector<double> after = values_of(rand({8}));
  manual_seed(5);
  // Draws from `generator` leave the default stream where it was.
  CHECK(values_of(randperm(50, {}, &generator)) == perm);
  CHECK(values_of(randint(1000, {50}, {}, &generator)) == ints);
  CHECK(values_of(randperm(50)) == perm);
  CHECK(values_of(randint(0, 1000, {50})) == ints);
  CHECK(values_of(rand({8})) == after);
  generator.manual_seed(6);
  CHECK(generator.initial_seed() == 6);
  CHECK(values_of(randperm(50, {}, &generator)) != perm);
  CHECK(&default_generator() != &generator);
}

TEST_CASE("random: values do not depend on the thread count", "[random]") {
  ThreadCountGuard guard;
  const int64_t n = 200000;  // many parallel_for chunks
  auto draw = [&] {
    manual_seed(5);
    return std::vector<std::vector<double>>{values_of(rand({n})), values_of(randn({n}, kFloat64)),
                                            values_of(randint(-7, 7, {n})), values_of(bernoulli(zeros({n}, kFloat32), 0.25)),
                                            values_of(empty({n / 2, 2}, kBFloat16).normal_(1.0, 3.0))};
  };
  set_num_threads(1);
  auto one = draw();
  set_num_threads(2);
  auto two = draw();
  for (size_t op = 0; op < one.size(); ++op) {
    INFO("op " << op);
    CHECK(one[op] == two[op]);
  }
}

TEST_CASE("random: rand and uniform_ statistics", "[random]") {
  manual_seed(11);
  for (DType dtype : {kFloat32, kFloat64}) {
    INFO("dtype " << dtype_name(dtype));
    std::vector<double> v = values_of(rand({kSamples}, dtype));
    CHECK(*std::min_element(v.begin(), v.end()) >= 0.0);
    CHECK(*std::max_element(v.begin(), v.end()) < 1.0);
    Moments m = moments(v);
    double n = static_cast<double>(kSamples);
    check_within_5_sigma("mean", m.mean, 0.5, std::sqrt(1.0 / 12.0 / n));
    check_within_5_sigma("var", m.var, 1.0 / 12.0, std::sqrt((1.0 / 80.0 - 1.0 / 144.0) / n));
  }
  for (DType dtype : {kFloat16, kBFloat16}) {
    INFO("dtype " << dtype_name(dtype));
    std::vector<double> v = values_of(rand({100000}, dtype));
    CHECK(*std::max_element(v.begin(), v.end()) < 1.0);  // never rounds up to 1
    CHECK(*std::min_element(v.begin(), v.end()) >= 0.0);
    check_within_5_sigma("mean", moments(v).mean, 0.5, std::sqrt(1.0 / 12.0 / 100000.0));
  }
  Tensor t = empty({kSamples}, kFloat64);
  CHECK(&t.uniform_(-2.0, 6.0) == &t);
  std::vector<double> v = values_of(t);
  CHECK(*std::min_element(v.begin(), v.end()) >= -2.0);
  CHECK(*std::max_element(v.begin(), v.end()) < 6.0);
  Moments m = moments(v);
  check_within_5_sigma("uniform_ mean", m.mean, 2.0, std::sqrt(64.0 / 12.0 / static_cast<double>(kSamples)));
  check_within_5_sigma("uniform_ var", m.var, 64.0 / 12.0,
                       64.0 * std::sqrt((1.0 / 80.0 - 1.0 / 144.0) / static_cast<double>(kSamples)));
}

TEST_CASE("random: randn and normal_ statistics", "[random]") {
  manual_seed(12);
  const double n = static_cast<double>(kSamples);
  for (DType dtype : {kFloat32, kFloat64}) {
    INFO("dtype " << dtype_name(dtype));
    Moments m = moments(values_of(randn({kSamples}, dtype)));
    check_within_5_sigma("mean", m.mean, 0.0, std::sqrt(1.0 / n));
    check_within_5_sigma("var", m.var, 1.0, std::sqrt(2.0 / n));
  }
  Tensor t = empty({kSamples}, kFloat32);
  t.normal_(3.0, 0.5);
  Moments m = moments(values_of(t));
  check_within_5_sigma("normal_ mean", m.mean, 3.0, 0.5 / std::sqrt(n));
  check_within_5_sigma("normal_ var", m.var, 0.25, 0.25 * std::sqrt(2.0 / n));
  // std = 0 gives the mean itself.
  CHECK(values_of(empty({3}, kFloat16).normal_(1.5, 0.0)) == std::vector<double>{1.5, 1.5, 1.5});
}

TEST_CASE("random: randint covers low to high - 1 uniformly", "[random]") {
  manual_seed(13);
  const int64_t low = -3, high = 7;
  std::vector<int64_t> v = randint(low, high, {kSamples}).to_vector<int64_t>();
  std::map<int64_t, int64_t> counts;
  for (int64_t x : v) ++counts[x];
  REQUIRE(counts.size() == 10);
  CHECK(counts.begin()->first == low);
  CHECK(counts.rbegin()->first == high - 1);
  const double n = static_cast<double>(kSamples), p = 0.1;
  for (auto [value, count] : counts) {
    INFO("value " << value);
    check_within_5_sigma("count", static_cast<double>(count), n * p, std::sqrt(n * p * (1 - p)));
  }
  // The full int64 range, and a range that is not a power of two near 2^63.
  std::vector<int64_t> full_range =
      randint(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), {1000}).to_vector<int64_t>();
  CHECK(*std::max_element(full_range.begin(), full_range.end()) < std::numeric_limits<int64_t>::max());
  CHECK(*std::min_element(full_range.begin(), full_range.end()) < 0);  // both halves of the range are drawn
  CHECK(*std::max_element(full_range.begin(), full_range.end()) > 0);
  const int64_t big = (int64_t{3} << 61) + 12345;
  std::vector<int64_t> w = randint(big, {10000}).to_vector<int64_t>();
  CHECK(*std::min_element(w.begin(), w.end()) >= 0);
  CHECK(*std::max_element(w.begin(), w.end()) < big);
  // randint(high, size) is randint(0, high, size).
  std::vector<int64_t> one = randint(1, {5}).to_vector<int64_t>();
  CHECK(one == std::vector<int64_t>(5, 0));
}

TEST_CASE("random: randint dtypes", "[random]") {
  manual_seed(14);
  CHECK(randint(0, 5, {3}).dtype() == kInt64);
  struct Case {
    DType dtype;
    int64_t low, high;
  };
  for (Case c : {Case{kInt32, -100, 100}, Case{kUInt8, 0, 256}, Case{kFloat32, -10, 10}, Case{kFloat64, 0, 1000},
                 Case{kFloat16, 0, 100}, Case{kBFloat16, 0, 50}, Case{kBool, 0, 2}}) {
    INFO("dtype " << dtype_name(c.dtype));
    Tensor t = randint(c.low, c.high, {4000}, c.dtype);
    CHECK(t.dtype() == c.dtype);
    std::vector<double> v = values_of(t);
    CHECK(*std::min_element(v.begin(), v.end()) == static_cast<double>(c.low));  // 4000 draws reach both ends
    CHECK(*std::max_element(v.begin(), v.end()) == static_cast<double>(c.high - 1));
    CHECK(std::all_of(v.begin(), v.end(), [](double x) { return x == std::floor(x); }));
  }
}

TEST_CASE("random: bernoulli frequencies", "[random]") {
  manual_seed(15);
  const double n = static_cast<double>(kSamples);
  Tensor draws = bernoulli(full({kSamples}, 0.3));
  CHECK(draws.dtype() == kFloat32);
  std::vector<double> v = values_of(draws);
  CHECK(std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0 || x == 1.0; }));
  check_within_5_sigma("frequency", std::accumulate(v.begin(), v.end(), 0.0), 0.3 * n, std::sqrt(n * 0.3 * 0.7));
  // p = 0 and p = 1 are certain, elementwise, in float64 and through a transposed view.
  Tensor p = tensor({{0.0, 1.0, 0.0}, {1.0, 1.0, 0.0}}, kFloat64).t();
  Tensor certain = bernoulli(p);
  CHECK(certain.dtype() == kFloat64);
  CHECK(values_of(certain) == values_of(p));
  // bernoulli(self, p): self's shape and dtype.
  Tensor ints = bernoulli(zeros({kSamples}, kInt64), 0.7);
  CHECK(ints.dtype() == kInt64);
  std::vector<double> iv = values_of(ints);
  check_within_5_sigma("frequency", std::accumulate(iv.begin(), iv.end(), 0.0), 0.7 * n, std::sqrt(n * 0.7 * 0.3));
  CHECK(values_of(bernoulli(zeros({2, 3}, kBool), 1.0)) == std::vector<double>(6, 1.0));
  CHECK(bernoulli(zeros({2, 0}, kFloat32), 0.5).shape() == Shape{2, 0});
}

TEST_CASE("random: randperm is a uniform permutation", "[random]") {
  manual_seed(16);
  for (int64_t n : {0, 1, 2, 1000, 100000}) {
    INFO("n " << n);
    Tensor t = randperm(n);
    CHECK(t.dtype() == kInt64);
    std::vector<int64_t> v = t.to_vector<int64_t>();
    std::sort(v.begin(), v.end());
    std::vector<int64_t> expected(static_cast<size_t>(n));
    std::iota(expected.begin(), expected.end(), 0);
    CHECK(v == expected);
  }
  // Each of the 3! permutations of randperm(3) equally often.
  const int64_t trials = 60000;
  std::map<std::vector<int64_t>, int64_t> counts;
  for (int64_t k = 0; k < trials; ++k) ++counts[randperm(3).to_vector<int64_t>()];
  REQUIRE(counts.size() == 6);
  for (const auto& [perm, count] : counts) {
    check_within_5_sigma("count", static_cast<double>(count), trials / 6.0, std::sqrt(trials * (1 / 6.0) * (5 / 6.0)));
  }
  std::vector<double> f = values_of(randperm(5, kFloat32));
  std::sort(f.begin(), f.end());
  CHECK(f == std::vector<double>{0, 1, 2, 3, 4});
  CHECK(randperm(256, kUInt8).numel() == 256);
}

TEST_CASE("random: dtypes and devices and shapes and options", "[random]") {
  CHECK(rand({2, 3}).dtype() == kFloat32);
  CHECK(rand({2, 3}).shape() == Shape{2, 3});
  CHECK(randn({}).dim() == 0);
  CHECK(rand({0, 4}).numel() == 0);
  CHECK(randn({2}, kFloat16).dtype() == kFloat16);
  Tensor base = zeros({3, 2}, kFloat64);
  CHECK(rand_like(base).dtype() == kFloat64);
  CHECK(randn_like(base).shape() == Shape{3, 2});
  CHECK(rand_like(base, kBFloat16).dtype() == kBFloat16);
  TensorOptions grad;
  grad.requires_grad = true;
  CHECK(rand({2}, grad).requires_grad());
  CHECK(!rand({2}).requires_grad());
  // In place through a non-contiguous view: the values land in row-major order of the view.
  manual_seed(17);
  Tensor contiguous = empty({3, 4}).uniform_(1.0, 2.0);
  manual_seed(17);
  Tensor storage = zeros({4, 3}, kFloat32);
  Tensor view = storage.t();
  view.uniform_(1.0, 2.0);
  CHECK(values_of(view) == values_of(contiguous));
}

TEST_CASE("random: CUDA tensors draw the CPU stream", "[random]") {
  if (!cuda::is_available()) {
    WARN("skipped: no CUDA device");
    return;
  }
  manual_seed(18);
  std::vector<double> cpu_values = values_of(randn({1000}));
  manual_seed(18);
  Tensor gpu = randn({1000}, Device("cuda:0"));
  CHECK(gpu.is_cuda());
  CHECK(values_of(gpu) == cpu_values);
  manual_seed(18);
  Tensor gpu_inplace = empty({1000}, Device("cuda:0")).normal_();
  CHECK(values_of(gpu_inplace) == cpu_values);
}

TEST_CASE("random: errors", "[random]") {
  REQUIRE_ERROR(randint(5, 3, {2}), "randint: expected low < high, got low=5 >= high=3");
  REQUIRE_ERROR(randint(3, 3, {2}), "randint: expected low < high, got low=3 >= high=3");
  REQUIRE_ERROR(randint(0, 300, {2}, kUInt8), "randint: expected [low, high) within the range of uint8, got low=0, high=300");
  REQUIRE_ERROR(randint(-1, 3, {2}, kBool), "within the range of bool");
  REQUIRE_ERROR(randint(0, int64_t{1} << 40, {2}, kInt32), "within the range of int32");
  Tensor t = zeros({3}, kFloat32);
  REQUIRE_ERROR(t.normal_(0.0, -1.0), "normal_: expected std >= 0, got -1");
  REQUIRE_ERROR(t.normal_(0.0, NAN), "normal_: expected std >= 0, got nan");
  REQUIRE_ERROR(t.uniform_(2.0, 1.0), "uniform_: expected from <= to, got from=2 > to=1");
  REQUIRE_ERROR(t.uniform_(0.0, INFINITY), "uniform_: expected from, to and to - from within the finite range of float32");
  Tensor h = zeros({3}, kFloat16);
  REQUIRE_ERROR(h.uniform_(0.0, 1e6), "within the finite range of float16");
  REQUIRE_ERROR(rand({2}, kInt64), "rand: expected a floating point dtype");
  REQUIRE_ERROR(randn({2}, kInt32), "randn: expected a floating point dtype");
  REQUIRE_ERROR(rand_like(zeros({2}, kInt64)), "rand_like: expected a floating point dtype");
  REQUIRE_ERROR(randn_like(zeros({2}, kBool)), "randn_like: expected a floating point dtype");
  Tensor ints = zeros({2}, kInt64);
  REQUIRE_ERROR(ints.uniform_(), "uniform_: expected a floating point dtype");
  REQUIRE_ERROR(ints.normal_(), "normal_: expected a floating point dtype");
  REQUIRE_ERROR(bernoulli(full({2}, 1.5)), "bernoulli: expected probabilities in [0, 1], got 1.5 at flat index 0");
  REQUIRE_ERROR(bernoulli(tensor({0.5, -0.25})), "got -0.25 at flat index 1");
  REQUIRE_ERROR(bernoulli(ints), "bernoulli: expected a floating point dtype");
  REQUIRE_ERROR(bernoulli(zeros({2}, kFloat32), 1.5), "bernoulli: expected p in [0, 1], got p=1.5");
  REQUIRE_ERROR(randperm(-1), "randperm: expected n >= 0, got -1");
  REQUIRE_ERROR(randperm(300, kUInt8), "randperm: expected n - 1 representable in uint8, got n=300");
  REQUIRE_ERROR(randperm(3000, kFloat16), "randperm: expected n - 1 representable in float16");
  REQUIRE_ERROR(randperm(3, kBool), "randperm: expected a numeric dtype");
  REQUIRE_ERROR(rand_like(Tensor()), "rand_like");
  Tensor undefined;
  REQUIRE_ERROR(undefined.uniform_(), "uniform_");
}
