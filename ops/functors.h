// The elementwise math, written once. Each op is a small struct with a
// host+device operator() over opmath values (float for Half/BFloat16), its
// arity and the dtypes it is instantiated for. The CPU loop (ops/cpu/loops.h)
// and the CUDA kernel (cuda/elementwise.cu) run the very same structs, so the
// CPU tests check the formulas the GPU runs. EMBER_ELEMENTWISE_FUNCTORS names them all.
// Plain C++ only: no CUDA headers (nvcc sees EMBER_HOST_DEVICE as __host__ __device__).
#pragma once

#include <ember/core/dtype.h>
#include <ember/core/macros.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

namespace ember::functors {

template <class T> inline constexpr bool is_int_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// Integer arithmetic wraps around (two's complement) as in PyTorch, instead of
// the undefined behaviour of signed overflow: integers compute in the unsigned
// type; floats (and bool) use the plain operator.
template <class T> EMBER_HOST_DEVICE T wrapping_add(T a, T b) {
  if constexpr (is_int_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return static_cast<T>(a + b);
  }
}
template <class T> EMBER_HOST_DEVICE T wrapping_mul(T a, T b) {
  if constexpr (is_int_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
  } else {
    return static_cast<T>(a * b);
  }
}
template <class T> EMBER_HOST_DEVICE T wrapping_neg(T a) {
  if constexpr (is_int_v<T>) return wrapping_mul(a, static_cast<T>(-1));
  else return -a;
}

#define EMBER_UNARY(Name, Group, expr)                         \
  struct Name {                                               \
    static constexpr int arity = 1;                           \
    static constexpr DTypes dtypes = DTypes::Group;           \
    template <class T>                                        \
    EMBER_HOST_DEVICE T operator()(T x) const { return expr; } \
  };

// ---- unary math on floating types (ops promote integer inputs to float32 first) ----
EMBER_UNARY(Exp, Floating, std::exp(x))
EMBER_UNARY(Exp2, Floating, std::exp2(x))
EMBER_UNARY(Log, Floating, std::log(x))
EMBER_UNARY(Log2, Floating, std::log2(x))
EMBER_UNARY(Log1p, Floating, std::log1p(x))
EMBER_UNARY(Expm1, Floating, std::expm1(x))
EMBER_UNARY(Sqrt, Floating, std::sqrt(x))
EMBER_UNARY(Rsqrt, Floating, T(1) / std::sqrt(x))
EMBER_UNARY(Sin, Floating, std::sin(x))
EMBER_UNARY(Cos, Floating, std::cos(x))
EMBER_UNARY(Tan, Floating, std::tan(x))
EMBER_UNARY(Tanh, Floating, std::tanh(x))
EMBER_UNARY(Sigmoid, Floating, T(1) / (T(1) + std::exp(-x)))
EMBER_UNARY(Reciprocal, Floating, T(1) / x)
EMBER_UNARY(Erf, Floating, std::erf(x))
EMBER_UNARY(Silu, Floating, x / (T(1) + std::exp(-x)))
EMBER_UNARY(Gelu, Floating, T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440))))
// gelu(approximate="tanh"): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
EMBER_UNARY(GeluTanh, Floating,
            T(0.5) * x * (T(1) + std::tanh(T(0.79788456080286535588) * (x + T(0.044715) * x * x * x))))

// ---- unary ops that keep the dtype (numeric types) ----
EMBER_UNARY(Neg, Numeric, wrapping_neg(x))
// relu keeps NaN (x < 0 is false for NaN), as PyTorch's does.
EMBER_UNARY(Relu, Numeric, x < T(0) ? T(0) : x)
EMBER_UNARY(Sign, Numeric, static_cast<T>((T(0) < x) - (x < T(0))))
EMBER_UNARY(Floor, Numeric, is_int_v<T> ? x : static_cast<T>(std::floor(x)))
EMBER_UNARY(Ceil, Numeric, is_int_v<T> ? x : static_cast<T>(std::ceil(x)))
// Round half to even, like torch.round and NumPy.
EMBER_UNARY(Round, Numeric, is_int_v<T> ? x : static_cast<T>(std::nearbyint(x)))
EMBER_UNARY(Trunc, Numeric, is_int_v<T> ? x : static_cast<T>(std::trunc(x)))
#undef EMBER_UNARY

struct Abs {
  static constexpr int arity = 1;
  static constexpr DTypes dtypes = DTypes::Numeric;
  template <class T>
  EMBER_HOST_DEVICE T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>) return x;
    else return x < T(0) ? wrapping_neg(x) : x;
  }
};

// ---- parameterised activations ----
struct LeakyRelu {
  static constexpr int arity = 1;
  static constexpr DTypes dtypes = DTypes::Floating;
  double negative_slope;
  template <class T> EMBER_HOST_DEVICE T operator()(T x) const { return x > T(0) ? x : x * T(negative_slope); }
};
struct Elu {
  static constexpr int arity = 1;
  static constexpr DTypes dtypes = DTypes::Floating;
  double alpha;
  template <class T> EMBER_HOST_DEVICE T operator()(T x) const { return x > T(0) ? x : T(alpha) * std::expm1(x); }
};
// softplus: log(1 + exp(beta x)) / beta, linear above threshold (as PyTorch).
struct Softplus {
  static constexpr int arity = 1;
  static constexpr DTypes dtypes = DTypes::Floating;
  double beta, threshold;
  template <class T> EMBER_HOST_DEVICE T operator()(T x) const {
    T bx = x * T(beta);
    return bx > T(threshold) ? x : std::log1p(std::exp(bx)) / T(beta);
  }
};
// clamp to [min, max] (either bound optional); NaN passes through. Also hardtanh.
struct Clamp {
  static constexpr int arity = 1;
  static constexpr DTypes dtypes = DTypes::Numeric;
  double min, max;
  bool has_min, has_max;
  template <class T> EMBER_HOST_DEVICE T operator()(T x) const {
    if (has_min && x < static_cast<T>(min)) x = static_cast<T>(min);
    if (has_max && x > static_cast<T>(max)) x = static_cast<T>(max);
    return x;
  }
};
struct NanToNum {
  static constexpr int arity = 1;
  static constexpr DTypes dtypes = DTypes::Floating;
  double nan, posinf, neginf;
  template <class T> EMBER_HOST_DEVICE T operator()(T x) const {
    if (x != x) return T(nan);
    if (x == std::numeric_limits<T>::infinity()) return T(posinf);
    if (x == -std::numeric_limits<T>::infinity()) return T(neginf);
    return x;
  }
};

// ---- predicates (bool results) ----
struct IsNan {
  static constexpr int arity = 1;
  static constexpr DTypes dtypes = DTypes::All;
  template <class T> EMBER_HOST_DEVICE bool operator()(T x) const { return x != x; }
};
struct IsInf {
  static constexpr int arity = 1;
  static constexpr DTypes dtypes = DTypes::All;
  template <class T> EMBER_HOST_DEVICE bool operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) return x == std::numeric_limits<T>::infinity() || x == -std::numeric_limits<T>::infinity();
    else return false;
  }
};
struct IsFinite {
  static constexpr int arity = 1;
  static constexpr DTypes dtypes = DTypes::All;
  template <class T> EMBER_HOST_DEVICE bool operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) return x == x && x - x == T(0);
    else return true;
  }
};
struct LogicalNot {
  static constexpr int arity = 1;
  static constexpr DTypes dtypes = DTypes::All;
  template <class T> EMBER_HOST_DEVICE bool operator()(T x) const { return !static_cast<bool>(x); }
};

// ---- binary ----
#define EMBER_BINARY(Name, Group, R, expr)                           \
  struct Name {                                                     \
    static constexpr int arity = 2;                                 \
    static constexpr DTypes dtypes = DTypes::Group;                 \
    template <class T>                                              \
    EMBER_HOST_DEVICE R operator()(T a, T b) const { return expr; } \
  };
EMBER_BINARY(Mul, All, T, wrapping_mul(a, b))
EMBER_BINARY(Div, Floating, T, a / b)
EMBER_BINARY(Eq, All, bool, a == b)
EMBER_BINARY(Ne, All, bool, a != b)
EMBER_BINARY(Lt, All, bool, a < b)
EMBER_BINARY(Le, All, bool, a <= b)
EMBER_BINARY(Gt, All, bool, a > b)
EMBER_BINARY(Ge, All, bool, a >= b)
EMBER_BINARY(LogicalAnd, All, bool, static_cast<bool>(a) && static_cast<bool>(b))
EMBER_BINARY(LogicalOr, All, bool, static_cast<bool>(a) || static_cast<bool>(b))
// maximum/minimum propagate NaN, as PyTorch's do.
EMBER_BINARY(Maximum, All, T, a != a ? a : b != b ? b : (a > b ? a : b))
EMBER_BINARY(Minimum, All, T, a != a ? a : b != b ? b : (a < b ? a : b))
#undef EMBER_BINARY

// a + alpha * b (sub is add with -alpha). bool + bool is logical or, as in PyTorch.
struct Add {
  static constexpr int arity = 2;
  static constexpr DTypes dtypes = DTypes::All;
  double alpha;
  template <class T> EMBER_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) return a || (b && alpha != 0);
    else if constexpr (is_int_v<T>) return wrapping_add(a, wrapping_mul(static_cast<T>(alpha), b));
    else return alpha == 1 ? a + b : a + static_cast<T>(alpha) * b;
  }
};

// Integer division wraps like two's complement for INT_MIN / -1 (no SIGFPE);
// division by zero is rejected by the op before the loop runs.
template <class T> EMBER_HOST_DEVICE T int_div_trunc(T a, T b) {
  if constexpr (std::is_signed_v<T>) {
    if (b == T(-1)) return static_cast<T>(T(0) - static_cast<std::make_unsigned_t<T>>(a));
  }
  return a / b;
}
struct DivTrunc {
  static constexpr int arity = 2;
  static constexpr DTypes dtypes = DTypes::Numeric;
  template <class T> EMBER_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (is_int_v<T>) return int_div_trunc(a, b);
    else return std::trunc(a / b);
  }
};
// Floor division; for floats, Python's // semantics (as torch.div(rounding_mode="floor")).
struct DivFloor {
  static constexpr int arity = 2;
  static constexpr DTypes dtypes = DTypes::Numeric;
  template <class T> EMBER_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (is_int_v<T>) {
      T q = int_div_trunc(a, b);
      if constexpr (std::is_signed_v<T>) {
        if (q * b != a && ((a < 0) != (b < 0))) q = static_cast<T>(q - 1);
      }
      return q;
    } else {
      if (b == T(0)) return a / b;
      T mod = std::fmod(a, b);
      T div = (a - mod) / b;
      if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) div -= T(1);
      if (div == T(0)) return std::copysign(T(0), a / b);
      T floor_div = std::floor(div);
      if (div - floor_div > T(0.5)) floor_div += T(1);
      return floor_div;
    }
  }
};
struct Pow {
  static constexpr int arity = 2;
  static constexpr DTypes dtypes = DTypes::Numeric;
  template <class T> EMBER_HOST_DEVICE T operator()(T base, T exp) const {
    if constexpr (is_int_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (exp < 0) return base == 1 ? T(1) : base == -1 ? T((exp & 1) ? -1 : 1) : T(0);
      }
      using U = std::make_unsigned_t<T>;  // wrap on overflow instead of UB
      U result = 1, b = static_cast<U>(base);
      for (T e = exp; e > 0; e >>= 1) {
        if (e & 1) result *= b;
        b *= b;
      }
      return static_cast<T>(result);
    } else {
      return std::pow(base, exp);
    }
  }
};

// ---- ternary ----
struct Where {
  static constexpr int arity = 3;
  static constexpr DTypes dtypes = DTypes::All;
  using condition_type = bool;  // input 0 is a bool tensor; see functor_input_t
  template <class T> EMBER_HOST_DEVICE T operator()(bool cond, T a, T b) const { return cond ? a : b; }
};
struct ClampTensor {
  static constexpr int arity = 3;
  static constexpr DTypes dtypes = DTypes::Numeric;
  template <class T> EMBER_HOST_DEVICE T operator()(T x, T lo, T hi) const {
    if (x != x) return x;
    T y = x < lo ? lo : x;
    return y > hi ? hi : y;
  }
};
// start + weight * (end - start), in PyTorch's two-sided form for accuracy near weight = 1.
struct Lerp {
  static constexpr int arity = 3;
  static constexpr DTypes dtypes = DTypes::Floating;
  template <class T> EMBER_HOST_DEVICE T operator()(T start, T end, T weight) const {
    T diff = end - start;
    return (weight < T(0.5) && weight > -T(0.5)) ? start + weight * diff : end - diff * (T(1) - weight);
  }
};

// The element types a functor's loop reads and writes for dtype T: every input
// is T except a Where-style condition (bool); the output is bool for predicates.
template <class F, class T, int I>
struct functor_input {
  using type = T;
};
template <class F, class T>
  requires requires { typename F::condition_type; }
struct functor_input<F, T, 0> {
  using type = typename F::condition_type;
};
template <class F, class T, int I> using functor_input_t = typename functor_input<F, T, I>::type;
template <class F, class T, size_t... I>
auto functor_result(std::index_sequence<I...>)
    -> decltype(std::declval<const F&>()(std::declval<opmath_t<functor_input_t<F, T, I>>>()...));
template <class F, class T>
using functor_output_t =
    std::conditional_t<std::is_same_v<decltype(functor_result<F, T>(std::make_index_sequence<F::arity>{})), bool>,
                       bool, T>;

// Calls launch.template operator()<Out, In...>() with the element types of
// functor F for dtype `dtype` (the one dtype dispatch of the CPU loop and the CUDA kernel).
template <class F, class Launch>
void dispatch_functor(const char* op, DType dtype, const Launch& launch) {
  dispatch_dtype<F::dtypes>(op, dtype, [&]<class T>() {
    [&]<size_t... I>(std::index_sequence<I...>) {
      launch.template operator()<functor_output_t<F, T>, functor_input_t<F, T, I>...>();
    }(std::make_index_sequence<F::arity>{});
  });
}

// Every functor, for explicit instantiation of the CUDA kernels (cuda/elementwise.cu).
#define EMBER_ELEMENTWISE_FUNCTORS(X)                                                                             \
  X(Exp) X(Exp2) X(Log) X(Log2) X(Log1p) X(Expm1) X(Sqrt) X(Rsqrt) X(Sin) X(Cos) X(Tan) X(Tanh) X(Sigmoid)         \
  X(Reciprocal) X(Erf) X(Silu) X(Gelu) X(GeluTanh) X(Neg) X(Relu) X(Sign) X(Floor) X(Ceil) X(Round) X(Trunc) X(Abs)       \
  X(LeakyRelu) X(Elu) X(Softplus) X(Clamp) X(NanToNum) X(IsNan) X(IsInf) X(IsFinite) X(LogicalNot) X(Mul) X(Div) \
  X(Eq) X(Ne) X(Lt) X(Le) X(Gt) X(Ge) X(LogicalAnd) X(LogicalOr) X(Maximum) X(Minimum) X(Add) X(DivTrunc)        \
  X(DivFloor) X(Pow) X(Where) X(ClampTensor) X(Lerp)

}  // namespace ember::functors
