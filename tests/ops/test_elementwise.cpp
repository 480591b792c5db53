// Tests ops/elementwise.cpp, ops/activation.cpp and ops/compare.cpp through one
// op table: every op x every sample layout (contiguous, transposed, strided
// slice, broadcast, 0-d, empty) x every floating dtype, against a float64
// reference applied to the same (dtype-rounded) inputs.
#include "harness.h"

#include <cmath>

using namespace ember;
using namespace ember::testing;

namespace {

struct UnaryCase {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  std::function<double(double)> reference;
  double lo = -3, hi = 3;     // input domain
  bool second_order = true;  // the backward is differentiable again (not for the step functions)
};

double gelu_ref(double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }
double gelu_tanh_ref(double x) {
  return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
}
double softplus_ref(double x) { return 2 * x > 20 ? x : std::log1p(std::exp(2 * x)) / 2; }

const std::vector<UnaryCase>& unary_cases() {
  static const std::vector<UnaryCase> cases = {
      {"exp", [](auto& x) { return exp(x); }, [](double x) { return std::exp(x); }},
      {"exp2", [](auto& x) { return exp2(x); }, [](double x) { return std::exp2(x); }},
      {"log", [](auto& x) { return log(x); }, [](double x) { return std::log(x); }, 0.1, 5},
      {"log2", [](auto& x) { return log2(x); }, [](double x) { return std::log2(x); }, 0.1, 5},
      {"log1p", [](auto& x) { return log1p(x); }, [](double x) { return std::log1p(x); }, -0.9, 3},
      {"expm1", [](auto& x) { return expm1(x); }, [](double x) { return std::expm1(x); }},
      {"sqrt", [](auto& x) { return sqrt(x); }, [](double x) { return std::sqrt(x); }, 0, 5},
      {"rsqrt", [](auto& x) { return rsqrt(x); }, [](double x) { return 1 / std::sqrt(x); }, 0.1, 5},
      {"sin", [](auto& x) { return sin(x); }, [](double x) { return std::sin(x); }},
      {"cos", [](auto& x) { return cos(x); }, [](double x) { return std::cos(x); }},
      {"tan", [](auto& x) { return tan(x); }, [](double x) { return std::tan(x); }, -1.2, 1.2},
      {"tanh", [](auto& x) { return tanh(x); }, [](double x) { return std::tanh(x); }},
      {"sigmoid", [](auto& x) { return sigmoid(x); }, [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"reciprocal", [](auto& x) { return reciprocal(x); }, [](double x) { return 1 / x; }, 0.25, 4},
      {"erf", [](auto& x) { return erf(x); }, [](double x) { return std::erf(x); }},
      {"neg", [](auto& x) { return neg(x); }, [](double x) { return -x; }},
      {"abs", [](auto& x) { return abs(x); }, [](double x) { return std::abs(x); }},
      {"sign", [](auto& x) { return sign(x); }, [](double x) { return double((0 < x) - (x < 0)); }, -3, 3, false},
      {"floor", [](auto& x) { return floor(x); }, [](double x) { return std::floor(x); }, -3, 3, false},
      {"ceil", [](auto& x) { return ceil(x); }, [](double x) { return std::ceil(x); }, -3, 3, false},
      {"round", [](auto& x) { return round(x); }, [](double x) { return std::nearbyint(x); }, -3, 3, false},
      {"trunc", [](auto& x) { return trunc(x); }, [](double x) { return std::trunc(x); }, -3, 3, false},
      {"relu", [](auto& x) { return relu(x); }, [](double x) { return x < 0 ? 0.0 : x; }},
      {"leaky_relu", [](auto& x) { return leaky_relu(x, 0.2); }, [](double x) { return x > 0 ? x : 0.2 * x; }},
      {"elu", [](auto& x) { return elu(x, 1.5); }, [](double x) { return x > 0 ? x : 1.5 * std::expm1(x); }},
      {"gelu", [](auto& x) { return gelu(x); }, gelu_ref},
      {"gelu_tanh", [](auto& x) { return gelu(x, "tanh"); }, gelu_tanh_ref},
      {"silu", [](auto& x) { return silu(x); }, [](double x) { return x / (1 + std::exp(-x)); }},
      {"softplus", [](auto& x) { return softplus(x, 2.0, 20.0); }, softplus_ref, -3, 12},
      {"hardtanh", [](auto& x) { return hardtanh(x, -1.0, 0.5); },
       [](double x) { return std::min(std::max(x, -1.0), 0.5); }},
      {"clamp", [](auto& x) { return clamp(x, -0.5, 1.0); }, [](double x) { return std::min(std::max(x, -0.5), 1.0); }},
      {"clamp_min", [](auto& x) { return clamp(x, 0.25); }, [](double x) { return std::max(x, 0.25); }},
      {"clamp_max", [](auto& x) { return clamp(x, std::nullopt, 0.25); }, [](double x) { return std::min(x, 0.25); }},
  };
  return cases;
}

// The layouts every op is run on: name and a maker from (dtype, lo, hi).
struct Sample {
  const char* name;
  std::function<Tensor(DType, double, double, uint64_t)> make;
};
const std::vector<Sample>& samples() {
  static const std::vector<Sample> s = {
      {"contiguous [3, 4]", [](DType d, double lo, double hi, uint64_t seed) { return make_tensor({3, 4}, d, lo, hi, seed); }},
      {"transposed [4, 3]",
       [](DType d, double lo, double hi, uint64_t seed) { return make_tensor({4, 3}, d, lo, hi, seed, Layout::Transposed); }},
      {"strided slice [3, 4] of [3, 8]",
       [](DType d, double lo, double hi, uint64_t seed) { return make_tensor({3, 8}, d, lo, hi, seed).slice(1, 0, {}, 2); }},
      {"0-d", [](DType d, double lo, double hi, uint64_t seed) { return make_tensor({}, d, lo, hi, seed); }},
      {"empty [0, 3]", [](DType d, double lo, double hi, uint64_t seed) { return make_tensor({0, 3}, d, lo, hi, seed); }},
      {"large [300, 257] (parallel)",
       [](DType d, double lo, double hi, uint64_t seed) { return make_tensor({300, 257}, d, lo, hi, seed); }},
  };
  return s;
}

std::vector<double> map_values(const std::vector<double>& in, const std::function<double(double)>& f) {
  std::vector<double> out(in.size());
  std::transform(in.begin(), in.end(), out.begin(), f);
  return out;
}

const DType kFloatDTypes[] = {kFloat64, kFloat32, kFloat16, kBFloat16};

}  // namespace

TEST_CASE("unary op table: every op layout and floating dtype vs float64 reference", "[elementwise]") {
  for (const UnaryCase& c : unary_cases()) {
    for (const Sample& sample : samples()) {
      for (DType dtype : kFloatDTypes) {
        INFO(c.name << " on " << sample.name << " in " << dtype);
        Tensor x = sample.make(dtype, c.lo, c.hi, 7);
        Tensor y = c.op(x);
        CHECK(y.shape() == x.shape());
        CHECK(y.dtype() == dtype);
        // Reference on the input as stored in dtype; output rounded to dtype once.
        double tol = rtol_for(dtype);
        check_close(y, map_values(values_of(x), c.reference), 2 * tol, tol);
      }
    }
  }
}

// The same table under autograd: float64 gradients against central differences
// on every sample small enough for a full Jacobian.
TEST_CASE("unary op table: gradcheck and gradgradcheck on every small sample", "[elementwise][autograd]") {
  for (const UnaryCase& c : unary_cases()) {
    for (const Sample& sample : samples()) {
      Tensor x = sample.make(kFloat64, c.lo, c.hi, 7);
      if (x.numel() > 64) continue;
      INFO(c.name << " on " << sample.name);
      x.requires_grad_();
      auto fn = [&c](const autograd::TensorList& in) { return c.op(in[0]); };
      CHECK(autograd::gradcheck(fn, {x}));
      if (c.second_order) CHECK(autograd::gradgradcheck(fn, {x}));
    }
  }
}

TEST_CASE("unary ops: in-place forms write the input and bump its version", "[elementwise]") {
  Tensor x = make_tensor({3, 4}, kFloat64, 0.1, 3);
  std::vector<double> expected = map_values(values_of(x), [](double v) { return std::exp(v); });
  uint32_t v0 = x.version();
  Tensor& same = x.exp_();
  CHECK(&same == &x);
  CHECK(x.version() > v0);
  check_close(x, expected);
  // In place on a non-contiguous view writes through to the base.
  Tensor base = zeros({3, 4}, kFloat64);
  Tensor col = base.select(1, 2);
  col.add_(1.5);
  CHECK(values_of(base) == std::vector<double>{0, 0, 1.5, 0, 0, 0, 1.5, 0, 0, 0, 1.5, 0});
}

TEST_CASE("float-only unary ops lift integer inputs to float32 as PyTorch", "[elementwise]") {
  Tensor i = tensor({0, 1, 2});
  Tensor e = exp(i);
  CHECK(e.dtype() == kFloat32);
  check_close(e, {1.0, std::exp(1.0), std::exp(2.0)}, 1e-6);
  CHECK(sqrt(tensor({true, false})).dtype() == kFloat32);
  // dtype-preserving ones keep ints
  CHECK(abs(tensor({-3, 2})).to_vector<int64_t>() == std::vector<int64_t>{3, 2});
  CHECK(neg(tensor({-3, 2}, kInt32)).dtype() == kInt32);
  CHECK(relu(tensor({-3, 2}, kUInt8)).to_vector<int>() == std::vector<int>{253, 2});
  CHECK(floor(tensor({true, false})).to_vector<bool>() == std::vector<bool>{true, false});
  REQUIRE_ERROR(tensor({1, 2}).exp_(), "exp_: result type float32 can't be cast to the desired output type int64");
}

TEST_CASE("special values: NaN propagates through relu clamp maximum - nan_to_num replaces", "[elementwise]") {
  Tensor x = tensor({NAN, INFINITY, -INFINITY, -1.0, 2.0});
  std::vector<double> r = values_of(relu(x));
  CHECK(std::isnan(r[0]));
  CHECK(r[1] == INFINITY);
  CHECK(r[2] == 0);
  CHECK(std::isnan(values_of(clamp(x, 0.0, 1.0))[0]));
  CHECK(std::isnan(values_of(maximum(x, zeros({5})))[0]));
  CHECK(std::isnan(values_of(minimum(zeros({5}), x))[0]));
  check_close(nan_to_num(x), {0, 3.4028234663852886e38, -3.4028234663852886e38, -1, 2});
  check_close(nan_to_num(x, 1.0, 2.0, -2.0), {1, 2, -2, -1, 2});
  check_close(nan_to_num(x.to(kHalf)), {0, 65504, -65504, -1, 2});
  CHECK(values_of(isnan(x)) == std::vector<double>{1, 0, 0, 0, 0});
  CHECK(values_of(isinf(x)) == std::vector<double>{0, 1, 1, 0, 0});
  CHECK(values_of(isfinite(x)) == std::vector<double>{0, 0, 0, 1, 1});
  CHECK(isfinite(tensor({1, 2})).to_vector<bool>() == std::vector<bool>{true, true});
  CHECK(values_of(sign(x)) == std::vector<double>{0, 1, -1, -1, 1});  // torch.sign(nan) == 0
}

namespace {

struct BinaryCase {
  const char* name;
  std::function<Tensor(const Tensor&, const Tensor&)> op;
  std::function<double(double, double)> reference;
  double lo = -3, hi = 3;
  bool bool_result = false;
  bool differentiable = true;  // false: bool results; the rounding divisions (gradient zero, checked elsewhere)
};

double floor_div(double a, double b) { return std::floor(a / b); }

const std::vector<BinaryCase>& binary_cases() {
  static const std::vector<BinaryCase> cases = {
      {"add", [](auto& a, auto& b) { return a + b; }, [](double a, double b) { return a + b; }},
      {"add alpha", [](auto& a, auto& b) { return add(a, b, 2.5); }, [](double a, double b) { return a + 2.5 * b; }},
      {"sub", [](auto& a, auto& b) { return a - b; }, [](double a, double b) { return a - b; }},
      {"mul", [](auto& a, auto& b) { return a * b; }, [](double a, double b) { return a * b; }},
      {"div", [](auto& a, auto& b) { return a / b; }, [](double a, double b) { return a / b; }, 0.5, 3},
      {"div trunc", [](auto& a, auto& b) { return div(a, b, "trunc"); },
       [](double a, double b) { return std::trunc(a / b); }, 0.5, 7, false, false},
      {"div floor", [](auto& a, auto& b) { return div(a, b, "floor"); }, floor_div, 0.5, 7, false, false},
      {"pow", [](auto& a, auto& b) { return pow(a, b); }, [](double a, double b) { return std::pow(a, b); }, 0.1, 2.5},
      {"maximum", [](auto& a, auto& b) { return maximum(a, b); }, [](double a, double b) { return std::max(a, b); }},
      {"minimum", [](auto& a, auto& b) { return minimum(a, b); }, [](double a, double b) { return std::min(a, b); }},
      {"lt", [](auto& a, auto& b) { return a < b; }, [](double a, double b) { return double(a < b); }, -3, 3, true, false},
      {"le", [](auto& a, auto& b) { return a <= b; }, [](double a, double b) { return double(a <= b); }, -3, 3, true, false},
      {"gt", [](auto& a, auto& b) { return a > b; }, [](double a, double b) { return double(a > b); }, -3, 3, true, false},
      {"ge", [](auto& a, auto& b) { return a >= b; }, [](double a, double b) { return double(a >= b); }, -3, 3, true, false},
      {"eq", [](auto& a, auto& b) { return a == b; }, [](double a, double b) { return double(a == b); }, -3, 3, true, false},
      {"ne", [](auto& a, auto& b) { return a != b; }, [](double a, double b) { return double(a != b); }, -3, 3, true, false},
      {"logical_and", [](auto& a, auto& b) { return logical_and(a, b); },
       [](double a, double b) { return double(a != 0 && b != 0); }, -1, 2, true, false},
      {"logical_or", [](auto& a, auto& b) { return logical_or(a, b); },
       [](double a, double b) { return double(a != 0 || b != 0); }, -1, 2, true, false},
  };
  return cases;
}

struct BinarySample {
  const char* name;
  Shape a_shape, b_shape;
  Layout a_layout = Layout::Contiguous;
};
const BinarySample kBinarySamples[] = {
    {"same shape", {3, 4}, {3, 4}},
    {"broadcast [3, 1] x [1, 4]", {3, 1}, {1, 4}},
    {"broadcast [2, 3, 4] x [4]", {2, 3, 4}, {4}},
    {"tensor x 0-d", {3, 4}, {}},
    {"transposed x contiguous", {4, 3}, {4, 3}, Layout::Transposed},
    {"empty", {0, 4}, {1, 4}},
};

std::vector<double> broadcast_reference(const Tensor& a, const Tensor& b, const BinaryCase& c) {
  Shape shape = broadcast_shapes("test", a.shape(), b.shape());
  std::vector<double> av = values_of(a.expand(shape)), bv = values_of(b.expand(shape)), out(av.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = c.reference(av[i], bv[i]);
  return out;
}

}  // namespace

TEST_CASE("binary op table: every op broadcast sample and floating dtype vs float64 reference", "[elementwise]") {
  for (const BinaryCase& c : binary_cases()) {
    for (const BinarySample& s : kBinarySamples) {
      for (DType dtype : kFloatDTypes) {
        INFO(c.name << " on " << s.name << " in " << dtype);
        Tensor a = make_tensor(s.a_shape, dtype, c.lo, c.hi, 3, s.a_layout);
        Tensor b = make_tensor(s.b_shape, dtype, c.lo, c.hi, 5);
        Tensor y = c.op(a, b);
        CHECK(y.dtype() == (c.bool_result ? kBool : dtype));
        CHECK(y.shape() == broadcast_shapes("test", a.shape(), b.shape()));
        double tol = c.bool_result ? 0 : rtol_for(dtype);
        check_close(y, broadcast_reference(a, b, c), 2 * tol, tol);
      }
    }
  }
}

TEST_CASE("binary op table: gradcheck and gradgradcheck with broadcasting", "[elementwise][autograd]") {
  for (const BinaryCase& c : binary_cases()) {
    if (!c.differentiable) continue;
    for (const BinarySample& s : kBinarySamples) {
      INFO(c.name << " on " << s.name);
      Tensor a = make_tensor(s.a_shape, kFloat64, c.lo, c.hi, 3, s.a_layout).requires_grad_();
      Tensor b = make_tensor(s.b_shape, kFloat64, c.lo, c.hi, 5).requires_grad_();
      auto fn = [&c](const autograd::TensorList& in) { return c.op(in[0], in[1]); };
      CHECK(autograd::gradcheck(fn, {a, b}));
      CHECK(autograd::gradgradcheck(fn, {a, b}));
    }
  }
}

TEST_CASE("binary ops with C++ scalars and on integers", "[elementwise]") {
  Tensor a = tensor({-7, -2, 0, 5, 9});
  CHECK((a + 1).to_vector<int64_t>() == std::vector<int64_t>{-6, -1, 1, 6, 10});
  CHECK((2 - a).to_vector<int64_t>() == std::vector<int64_t>{9, 4, 2, -3, -7});
  CHECK((a * 3).dtype() == kInt64);
  CHECK((a / 2).dtype() == kFloat32);  // true division of ints is float
  check_close(a / 2, {-3.5, -1, 0, 2.5, 4.5});
  // Python's floor division and C's truncation, incl. negative operands (from torch 1.13)
  CHECK(div(a, 2, "floor").to_vector<int64_t>() == std::vector<int64_t>{-4, -1, 0, 2, 4});
  CHECK(div(a, -2, "floor").to_vector<int64_t>() == std::vector<int64_t>{3, 1, 0, -3, -5});
  CHECK(div(a, 2, "trunc").to_vector<int64_t>() == std::vector<int64_t>{-3, -1, 0, 2, 4});
  check_close(div(tensor({-7.5, 7.5}), 2.0, "floor"), {-4, 3});
  // INT64_MIN / -1 wraps instead of trapping
  Tensor lowest = full({1}, std::numeric_limits<int64_t>::min());
  CHECK(div(lowest, -1, "trunc").item<int64_t>() == std::numeric_limits<int64_t>::min());
  CHECK(pow(tensor({2, 3, -2}), 3).to_vector<int64_t>() == std::vector<int64_t>{8, 27, -8});
  CHECK(pow(tensor({2, 1, -1}), tensor({-1, -2, -3})).to_vector<int64_t>() == std::vector<int64_t>{0, 1, -1});
  check_close(pow(2.0, tensor({0.0, 1.0, 3.0})), {1, 2, 8});
  check_close(1.0 / tensor({2.0, 4.0}), {0.5, 0.25});
  CHECK((tensor({true, false}) + tensor({true, true})).to_vector<bool>() == std::vector<bool>{true, true});
  CHECK((tensor({1, 2}, kUInt8) + 300).dtype() == kUInt8);
  CHECK((tensor({1, 2}) == 2).to_vector<bool>() == std::vector<bool>{false, true});
  CHECK((tensor({1, 2}) < tensor({1.5, 1.5})).to_vector<bool>() == std::vector<bool>{true, false});
}

TEST_CASE("where lerp clamp with tensors masked_fill", "[elementwise]") {
  Tensor cond = tensor({true, false, true});
  check_close(where(cond, tensor({1.0, 2.0, 3.0}), tensor({-1.0, -2.0, -3.0})), {1, -2, 3});
  check_close(where(cond, tensor({1.0, 2.0, 3.0}), 0.5), {1, 0.5, 3});
  CHECK(where(cond, tensor({1, 2, 3}), 0.5).dtype() == kFloat32);
  check_close(where(cond.unsqueeze(1), tensor({1.0, 2.0}), 0.0), {1, 2, 0, 0, 1, 2});
  check_close(lerp(tensor({0.0, 10.0}), tensor({10.0, 20.0}), 0.25), {2.5, 12.5});
  check_close(lerp(tensor({0.0, 10.0}), tensor({10.0, 20.0}), tensor({0.9, 1.0})), {9, 20});
  check_close(clamp(tensor({-2.0, 0.5, 3.0}), tensor({-1.0, 0.0, 0.0}), tensor({1.0, 1.0, 2.0})), {-1, 0.5, 2});
  Tensor x = zeros({2, 3});
  check_close(x.masked_fill(tensor({true, false, true}), 7.0), {7, 0, 7, 7, 0, 7});
  x.masked_fill_(tensor({false, true, false}), -1.0);
  check_close(x, {0, -1, 0, 0, -1, 0});
  Tensor y = ones({3});
  y.clamp_(std::nullopt, 0.5);
  check_close(y, {0.5, 0.5, 0.5});
}

TEST_CASE("in-place arithmetic follows PyTorch's casting and shape rules", "[elementwise]") {
  Tensor f = zeros({2, 3});
  f += ones({3});
  f *= 2;
  f -= tensor({1.0, 0.0, 1.0}, kFloat64);  // float64 operand into float32: allowed
  f /= 2;
  check_close(f, {0.5, 1, 0.5, 0.5, 1, 0.5});
  Tensor i = zeros({3}, kInt64);
  i += 2;
  i.mul_(tensor({1, 2, 3}));
  CHECK(i.to_vector<int64_t>() == std::vector<int64_t>{2, 4, 6});
  REQUIRE_ERROR(i += 0.5, "add_: result type float32 can't be cast to the desired output type int64");
  REQUIRE_ERROR(i.div_(2), "div_: result type float32 can't be cast to the desired output type int64");
  REQUIRE_ERROR(zeros({3}).add_(ones({2, 3})), "add_: output with shape [3] doesn't match the broadcast shape [2, 3]");
  Tensor flags = tensor({true});
  REQUIRE_ERROR(flags += tensor({1}), "add_: result type int64 can't be cast to the desired output type bool");
}

TEST_CASE("elementwise errors name the op shapes dtypes and devices", "[elementwise]") {
  REQUIRE_ERROR(ones({2, 3}) + ones({4}), "add: expected shapes that broadcast, got [2, 3] and [4]");
  REQUIRE_ERROR(mul(ones({2}), Tensor()), "mul: expected a defined tensor");
  REQUIRE_ERROR(div(tensor({1, 2}), tensor({1, 0}), "floor"), "div: ZeroDivisionError: integer division by zero");
  REQUIRE_ERROR(div(tensor({1, 2}), 0, "trunc"), "ZeroDivisionError");
  REQUIRE_ERROR(div(ones({2}), ones({2}), "round"),
                "div: expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'round'");
  REQUIRE_ERROR(tensor({true}) - tensor({false}), "sub: subtraction, the `-` operator, with two bool tensors");
  REQUIRE_ERROR(add(tensor({1}), tensor({1}), 0.5), "add: for integral input tensors, argument alpha must not be a");
  REQUIRE_ERROR(pow(tensor({2}), -1), "pow: integers to negative integer powers are not allowed");
  REQUIRE_ERROR(where(ones({2}), ones({2}), ones({2})), "where: expected condition to be a bool tensor, got float32");
  REQUIRE_ERROR(clamp(ones({2}), std::nullopt), "clamp: at least one of 'min' or 'max' must not be None");
  REQUIRE_ERROR(gelu(ones({2}), "fast"), "gelu: expected approximate to be 'none' or 'tanh', got 'fast'");
  REQUIRE_ERROR(hardtanh(ones({2}), 1.0, -1.0), "hardtanh: expected min_val <= max_val");
  REQUIRE_ERROR(masked_fill(ones({2}), ones({2}), 1.0), "masked_fill: expected a bool mask, got float32");
  REQUIRE_ERROR(masked_fill(ones({2}), tensor({{true, false}, {true, false}}), 1.0),
                "masked_fill: expected a mask that broadcasts to the input's shape [2], got [2, 2]");
  REQUIRE_ERROR(lerp(ones({2}), ones({2}, kFloat64), 0.5), "lerp: expected start, end and weight of one floating");
  if (cuda::is_available()) {
    REQUIRE_ERROR(ones({2}) + ones({2}, "cuda"), "add: expected all tensors on the same device, got cpu and cuda:0");
  } else {
    REQUIRE_ERROR(ones({2}) + ones({2}, "cuda"), "CUDA");  // no device, or built without CUDA
  }
}

TEST_CASE("integer arithmetic wraps around like PyTorch instead of overflowing", "[elementwise]") {
  const int64_t big = std::numeric_limits<int64_t>::max(), low = std::numeric_limits<int64_t>::min();
  CHECK((full({1}, big) + 1).item<int64_t>() == low);
  CHECK((full({1}, big) * 2).item<int64_t>() == -2);
  CHECK(neg(full({1}, low)).item<int64_t>() == low);
  CHECK(abs(full({1}, low)).item<int64_t>() == low);
  CHECK((full({1}, 2147483647, kInt32) + 1).item<int64_t>() == -2147483648LL);
  CHECK(sub(full({1}, low), full({1}, 1)).item<int64_t>() == big);
  CHECK(std::signbit(neg(zeros({1})).item<double>()));  // -0.0, as torch.neg(0.)
}

TEST_CASE("isclose / allclose / equal as torch's", "[elementwise]") {
  const double inf = INFINITY, nan = NAN;
  Tensor a = tensor({1.0, 1.0, inf, -inf, nan, nan, 100.0}, kFloat64);
  Tensor b = tensor({1.0 + 1e-6, 1.1, inf, inf, nan, 1.0, 100.002}, kFloat64);
  // torch.isclose(a, b) and with equal_nan=True, computed with torch 1.13.
  REQUIRE(isclose(a, b).to_vector<bool>() == std::vector<bool>{true, false, true, false, false, false, false});
  REQUIRE(isclose(a, b, 1e-5, 1e-8, /*equal_nan=*/true).to_vector<bool>() ==
          std::vector<bool>{true, false, true, false, true, false, false});
  REQUIRE(isclose(a, b, /*rtol=*/1e-4).to_vector<bool>()[6]);  // |diff| 2e-3 <= 1e-8 + 1e-4 * 100.002
  // Integers: within atol in float64, as torch.isclose(tensor([1, 5]), tensor([2, 5]), atol=1).
  REQUIRE(isclose(tensor({1, 5}), tensor({2, 5}), 0, 1).to_vector<bool>() == std::vector<bool>{true, true});
  REQUIRE(isclose(tensor({1, 5}), tensor({3, 5}), 0, 1).to_vector<bool>() == std::vector<bool>{false, true});
  REQUIRE(allclose(ones({2, 3}), ones({2, 3}) + 1e-7));
  REQUIRE_FALSE(allclose(ones({2, 3}), ones({2, 3}) + 1e-3));
  REQUIRE(allclose(ones({2, 3}), ones({3})));  // broadcasts, as torch
  REQUIRE(equal(tensor({1, 2}), tensor({1.0, 2.0})));  // values compared in the common dtype
  REQUIRE_FALSE(equal(ones({2}), ones({1})));
  REQUIRE_FALSE(equal(ones({2}), tensor({1.0, 2.0})));
  // Not recorded: a predicate of tensors that require grad.
  Tensor x = ones({2}).requires_grad_();
  REQUIRE_FALSE(isclose(x, x * 1.0).requires_grad());
  REQUIRE_ERROR(isclose(ones({1}), ones({1}, kFloat64)),
                "isclose: expected both inputs to have the same dtype, got float32 and float64");
  REQUIRE_ERROR(isclose(ones({1}), ones({1}), -1.0), "isclose: expected non-negative rtol and atol");
}
