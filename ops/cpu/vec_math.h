// SLEEF-vectorised float32 loops for the transcendental functors (exp, log,
// tanh, ...): the scalar std:: calls do not vectorise, and these ops are
// compute-bound. Used by the CPU loop's contiguous path (ops/cpu/loops.h) when
// the functor has a specialisation here; the tail and every other case run the
// functor of ops/functors.h. SLEEF's u10 functions are within 1.0 ULP.
#pragma once

#include <ember/ops/functors.h>

#include <cstdint>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#include <sleef.h>
#endif

namespace ember::cpu {

template <class F>
struct VecMath {
  static constexpr bool available = false;
};

#if defined(__AVX512F__)
#define EMBER_VEC_WIDTH 16
using vfloat = __m512;
#define EMBER_VLOAD _mm512_loadu_ps
#define EMBER_VSTORE _mm512_storeu_ps
#define EMBER_SLEEF(name) Sleef_##name##f16_u10
#define EMBER_VSET1 _mm512_set1_ps
#define EMBER_VADD _mm512_add_ps
#define EMBER_VDIV _mm512_div_ps
#define EMBER_VSUB _mm512_sub_ps
// The masked max with every lane set: _mm512_max_ps trips GCC 12's
// -Wmaybe-uninitialized through _mm512_undefined_ps (GCC bug 105593).
#define EMBER_VMAX(a, b) _mm512_mask_max_ps(_mm512_setzero_ps(), __mmask16(0xFFFF), (a), (b))
#elif defined(__AVX2__)
#define EMBER_VEC_WIDTH 8
using vfloat = __m256;
#define EMBER_VLOAD _mm256_loadu_ps
#define EMBER_VSTORE _mm256_storeu_ps
#define EMBER_SLEEF(name) Sleef_##name##f8_u10
#define EMBER_VSET1 _mm256_set1_ps
#define EMBER_VADD _mm256_add_ps
#define EMBER_VDIV _mm256_div_ps
#define EMBER_VSUB _mm256_sub_ps
#define EMBER_VMAX _mm256_max_ps
#endif

#ifdef EMBER_VEC_WIDTH
// out[i] = vector_op(in[i]) for whole vectors, the scalar functor for the tail.
template <class F, class VectorOp>
void vec_unary(const F& f, const VectorOp& vector_op, float* out, const float* in, int64_t n) {
  int64_t i = 0;
  for (; i + EMBER_VEC_WIDTH <= n; i += EMBER_VEC_WIDTH) EMBER_VSTORE(out + i, vector_op(EMBER_VLOAD(in + i)));
  for (; i < n; ++i) out[i] = f(in[i]);
}

#define EMBER_VEC_MATH(Functor, expr)                                                        \
  template <>                                                                                \
  struct VecMath<functors::Functor> {                                                        \
    static constexpr bool available = true;                                                  \
    static void apply(const functors::Functor& f, float* out, const float* in, int64_t n) { \
      vec_unary(f, [](vfloat x) { return expr; }, out, in, n);                               \
    }                                                                                        \
  };
EMBER_VEC_MATH(Exp, EMBER_SLEEF(exp)(x))
EMBER_VEC_MATH(Exp2, EMBER_SLEEF(exp2)(x))
EMBER_VEC_MATH(Expm1, EMBER_SLEEF(expm1)(x))
EMBER_VEC_MATH(Log, EMBER_SLEEF(log)(x))
EMBER_VEC_MATH(Log2, EMBER_SLEEF(log2)(x))
EMBER_VEC_MATH(Log1p, EMBER_SLEEF(log1p)(x))
EMBER_VEC_MATH(Sin, EMBER_SLEEF(sin)(x))
EMBER_VEC_MATH(Cos, EMBER_SLEEF(cos)(x))
EMBER_VEC_MATH(Tan, EMBER_SLEEF(tan)(x))
EMBER_VEC_MATH(Tanh, EMBER_SLEEF(tanh)(x))
// sigmoid = 1 / (1 + exp(-x)); silu = x * sigmoid(x)
EMBER_VEC_MATH(Sigmoid, EMBER_VDIV(EMBER_VSET1(1.0f),
                                   EMBER_VADD(EMBER_VSET1(1.0f), EMBER_SLEEF(exp)(EMBER_VSUB(EMBER_VSET1(0.0f), x)))))
EMBER_VEC_MATH(Silu, EMBER_VDIV(x, EMBER_VADD(EMBER_VSET1(1.0f), EMBER_SLEEF(exp)(EMBER_VSUB(EMBER_VSET1(0.0f), x)))))
#undef EMBER_VEC_MATH
#endif

}  // namespace ember::cpu
