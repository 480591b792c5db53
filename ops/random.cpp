// Random ops on Philox generators (core/generator.h, core/philox.h): rand,
// randn, randint, *_like, bernoulli, randperm, uniform_, normal_; randint and
// randperm (what samplers draw) take a Generator, the others use the default.
// Values are drawn on the CPU, element i from its own counter words (see Note
// [Philox element mapping]); CUDA tensors receive a copy of that same stream.
#include <ember/core/generator.h>
#include <ember/core/philox.h>
#include <ember/ops/toolkit.h>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace ember {
namespace {

constexpr int64_t kCountersPerTask = 2048;  // parallel_for grain, in Philox calls

Generator& or_default(Generator* generator) { return generator != nullptr ? *generator : default_generator(); }

// Reserves counters for n elements of W words and calls fn(i, words) for each
// element, one Philox call per counter; the counters are split over threads.
template <int W, class Fn>
void philox_for_each(int64_t n, const Fn& fn) {
  using Map = PhiloxMapping<W>;
  const PhiloxState state = default_generator().reserve(Map::counters(n));
  parallel_for(0, static_cast<int64_t>(Map::counters(n)), kCountersPerTask, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      uint32_t words[4];
      Philox4x32::generate(state.seed, state.offset + static_cast<uint64_t>(c), words);
      for (int k = 0; k < Map::kPerCounter; ++k) {
        int64_t i = c * Map::kPerCounter + k;
        if (i < n) fn(i, words + k * W);
      }
    }
  });
}

// Runs fill(T* data, n) on `self`'s values in row-major order: in place when self is
// a contiguous CPU tensor, else into a contiguous CPU buffer that is then copied in.
// Under autograd the buffer is the op's result, written in with assign_with_history.
template <DTypes Group, class Fill>
Tensor& fill_random_(const char* op, Tensor& self, const Fill& fill) {
  detail::check_defined(op, self);
  const bool recorded = autograd::needs_grad(self);
  dispatch_dtype<Group>(op, self.dtype(), [&]<class T>() {
    Tensor target =
        !recorded && self.is_cpu() && self.is_contiguous() ? self : empty(self.shape(), {self.dtype(), kCPU});
    fill(target.data_ptr<T>(), target.numel());
    if (target.impl() == self.impl()) {
      self.bump_version();
    } else if (recorded) {
      detail::assign_with_history(op, self, target.to(self.device()));
    } else {
      self.copy_(target);
    }
  });
  return self;
}

// A new random tensor: fill_random_ on a fresh one (requires_grad set once it is filled).
template <DTypes Group, class Fill>
Tensor make_random(const char* op, IntArrayRef size, TensorOptions options, const Fill& fill) {
  bool requires_grad = std::exchange(options.requires_grad, false);
  // Check the dtype before allocating anything.
  dispatch_dtype<Group>(op, options.dtype_or_default(), []<class T>() {});
  Tensor out = empty(size, options);
  fill_random_<Group>(op, out, fill);
  if (requires_grad) out.requires_grad_();
  return out;
}

// An integer as T, through float for Half and BFloat16 (which convert from float only).
template <class T>
T from_int(int64_t v) {
  return static_cast<T>(static_cast<opmath_t<T>>(v));
}

// The largest finite value of a floating dtype (Half has no numeric_limits).
double max_finite(DType dtype) {
  switch (dtype) {
    case kFloat16:
      return 65504.0;
    case kBFloat16:
      return 3.3895313892515355e38;
    case kFloat32:
      return std::numeric_limits<float>::max();
    default:
      return std::numeric_limits<double>::max();
  }
}

auto uniform_fill(double from, double to) {
  return [from, to]<class T>(T* out, int64_t n) {
    using Acc = opmath_t<T>;
    const Acc lo = static_cast<Acc>(from), span = static_cast<Acc>(to - from);
    philox_for_each<kUniformWords<T>>(
        n, [&](int64_t i, const uint32_t* words) { out[i] = static_cast<T>(lo + span * philox_uniform<T>(words)); });
  };
}

auto normal_fill(double mean, double std) {
  return [mean, std]<class T>(T* out, int64_t n) {
    philox_for_each<2 * kUniformWords<T>>(
        n, [&](int64_t i, const uint32_t* words) { out[i] = static_cast<T>(mean + std * philox_normal<T>(words)); });
  };
}

Tensor& uniform_checked(const char* op, Tensor& self, double from, double to) {
  detail::check_defined(op, self);
  EMBER_CHECK(from <= to, "{}: expected from <= to, got from={} > to={}", op, from, to);
  if (is_floating_point(self.dtype())) {
    double limit = max_finite(self.dtype());
    EMBER_CHECK(std::abs(from) <= limit && std::abs(to) <= limit && to - from <= limit,
                "{}: expected from, to and to - from within the finite range of {}, got from={}, to={}", op,
                self.dtype(), from, to);
  }
  return fill_random_<DTypes::Floating>(op, self, uniform_fill(from, to));
}

Tensor& normal_checked(const char* op, Tensor& self, double mean, double std) {
  detail::check_defined(op, self);
  EMBER_CHECK(std >= 0.0, "{}: expected std >= 0, got {}", op, std);
  return fill_random_<DTypes::Floating>(op, self, normal_fill(mean, std));
}

}  // namespace

Tensor& uniform_(Tensor& self, double from, double to) { return uniform_checked("uniform_", self, from, to); }
Tensor& Tensor::uniform_(double from, double to) { return ember::uniform_(*this, from, to); }

Tensor& normal_(Tensor& self, double mean, double std) { return normal_checked("normal_", self, mean, std); }
Tensor& Tensor::normal_(double mean, double std) { return ember::normal_(*this, mean, std); }

Tensor rand(IntArrayRef size, TensorOptions options) {
  return make_random<DTypes::Floating>("rand", size, options, uniform_fill(0.0, 1.0));
}

Tensor randn(IntArrayRef size, TensorOptions options) {
  return make_random<DTypes::Floating>("randn", size, options, normal_fill(0.0, 1.0));
}

Tensor rand_like(const Tensor& other, TensorOptions options) {
  detail::check_defined("rand_like", other);
  return make_random<DTypes::Floating>("rand_like", other.shape(), options.or_like(other.dtype(), other.device()),
                                       uniform_fill(0.0, 1.0));
}

Tensor randn_like(const Tensor& other, TensorOptions options) {
  detail::check_defined("randn_like", other);
  return make_random<DTypes::Floating>("randn_like", other.shape(), options.or_like(other.dtype(), other.device()),
                                       normal_fill(0.0, 1.0));
}

Tensor randint(int64_t low, int64_t high, IntArrayRef size, TensorOptions options, Generator* generator) {
  EMBER_CHECK(low < high, "randint: expected low < high, got low={} >= high={}", low, high);
  if (!options.dtype) options.dtype = kInt64;
  // Integer dtypes must hold every value of [low, high); floats take what they can, as in PyTorch.
  dispatch_dtype("randint", *options.dtype, [&]<class T>() {
    if constexpr (!is_floating_v<T>) {
      using Limits = std::numeric_limits<T>;
      EMBER_CHECK(low >= static_cast<int64_t>(Limits::lowest()) && high - 1 <= static_cast<int64_t>(Limits::max()),
                  "randint: expected [low, high) within the range of {}, got low={}, high={}", *options.dtype, low,
                  high);
    }
  });
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  auto fill = [low, range, &stream = or_default(generator)]<class T>(T* out, int64_t n) {
    const PhiloxState state = stream.reserve(PhiloxMapping<2>::counters(n));
    parallel_for(0, n, 2 * kCountersPerTask, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        // Two's complement wrap-around: low + a value below range always lands in [low, high).
        auto v = static_cast<int64_t>(static_cast<uint64_t>(low) + philox_bounded(state.seed, state.offset, i, range));
        out[i] = from_int<T>(v);
      }
    });
  };
  return make_random<DTypes::All>("randint", size, options, fill);
}

Tensor randint(int64_t high, IntArrayRef size, TensorOptions options, Generator* generator) {
  return randint(0, high, size, options, generator);
}

Tensor bernoulli(const Tensor& probabilities) {
  detail::check_defined("bernoulli", probabilities);
  Tensor p = probabilities.to(Device(kCPU)).contiguous();
  Tensor out;
  dispatch_dtype<DTypes::Floating>("bernoulli", p.dtype(), [&]<class T>() {
    const T* prob = p.data_ptr<T>();
    for (int64_t i = 0; i < p.numel(); ++i) {
      double v = static_cast<double>(static_cast<opmath_t<T>>(prob[i]));
      EMBER_CHECK(v >= 0.0 && v <= 1.0, "bernoulli: expected probabilities in [0, 1], got {} at flat index {}", v, i);
    }
    out = empty(p.shape(), {p.dtype(), kCPU});
    T* dst = out.data_ptr<T>();
    philox_for_each<2>(out.numel(), [&](int64_t i, const uint32_t* words) {
      dst[i] = from_int<T>(philox_uniform<double>(words) < static_cast<double>(static_cast<opmath_t<T>>(prob[i])));
    });
  });
  return out.to(probabilities.device());
}

Tensor bernoulli(const Tensor& self, double p) {
  detail::check_defined("bernoulli", self);
  EMBER_CHECK(p >= 0.0 && p <= 1.0, "bernoulli: expected p in [0, 1], got p={}", p);
  auto fill = [p]<class T>(T* out, int64_t n) {
    philox_for_each<2>(
        n, [&](int64_t i, const uint32_t* words) { out[i] = from_int<T>(philox_uniform<double>(words) < p); });
  };
  return make_random<DTypes::All>("bernoulli", self.shape(), self.options(), fill);
}

Tensor randperm(int64_t n, TensorOptions options, Generator* generator) {
  EMBER_CHECK(n >= 0, "randperm: expected n >= 0, got {}", n);
  if (!options.dtype) options.dtype = kInt64;
  dispatch_dtype<DTypes::Numeric>("randperm", *options.dtype, [&]<class T>() {
    auto largest = static_cast<double>(n - 1);
    EMBER_CHECK(n == 0 || static_cast<double>(static_cast<opmath_t<T>>(from_int<T>(n - 1))) == largest,
                "randperm: expected n - 1 representable in {}, got n={}", *options.dtype, n);
  });
  auto fill = [&stream = or_default(generator)]<class T>(T* out, int64_t count) {
    std::vector<int64_t> perm(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) perm[static_cast<size_t>(i)] = i;
    // Fisher-Yates: step i swaps perm[i] with perm[j], j uniform in [0, i], from element i's words.
    const PhiloxState state = stream.reserve(PhiloxMapping<2>::counters(count));
    for (int64_t i = count - 1; i > 0; --i) {
      auto j = static_cast<int64_t>(philox_bounded(state.seed, state.offset, i, static_cast<uint64_t>(i) + 1));
      std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(j)]);
    }
    for (int64_t i = 0; i < count; ++i) out[i] = from_int<T>(perm[static_cast<size_t>(i)]);
  };
  return make_random<DTypes::Numeric>("randperm", {n}, options, fill);
}

}  // namespace ember
