// Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"):
// a counter-based generator, so element i of a random tensor depends only on
// (seed, offset + i) and the CPU and CUDA kernels draw the very same stream.
// Also here: which counter words each element reads, and the words -> value
// transforms (uniform, normal, bounded integer), all host-device.
#pragma once

#include <ember/core/half.h>
#include <ember/core/macros.h>

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace ember {

struct Philox4x32 {
  EMBER_HOST_DEVICE static void round(uint32_t ctr[4], const uint32_t key[2]) {
    constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
    uint64_t p0 = static_cast<uint64_t>(kMul0) * ctr[0];
    uint64_t p1 = static_cast<uint64_t>(kMul1) * ctr[2];
    uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    ctr[0] = hi1 ^ ctr[1] ^ key[0];
    ctr[1] = lo1;
    ctr[2] = hi0 ^ ctr[3] ^ key[1];
    ctr[3] = lo0;
  }

  // The full function on a 128-bit counter and 64-bit key: Random123's philox4x32(ctr, key),
  // checked against its known-answer vectors in tests/ops/test_random.cpp.
  EMBER_HOST_DEVICE static void philox10(const uint32_t counter[4], const uint32_t key_in[2], uint32_t out[4]) {
    uint32_t ctr[4] = {counter[0], counter[1], counter[2], counter[3]};
    uint32_t key[2] = {key_in[0], key_in[1]};
    for (int i = 0; i < 10; ++i) {
      round(ctr, key);
      if (i < 9) {
        key[0] += 0x9E3779B9u;
        key[1] += 0xBB67AE85u;
      }
    }
    for (int i = 0; i < 4; ++i) out[i] = ctr[i];
  }

  // Four 32-bit random words for `counter` under `seed`. `redraw` (counter word 2) is 0 for
  // every first draw; rejection sampling takes its k-th redraw of an element from redraw = k,
  // which no other op or element can reach.
  EMBER_HOST_DEVICE static void generate(uint64_t seed, uint64_t counter, uint32_t out[4], uint32_t redraw = 0) {
    uint32_t key[2] = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
    uint32_t ctr[4] = {static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), redraw, 0u};
    philox10(ctr, key, out);
  }
};

// Note [Philox element mapping]
// An op that draws W words per element (W = 1, 2 or 4) and was given counters
// from `offset` (Generator::reserve) reads, for element i of its output in row-major
// order, words [(i % (4/W)) * W, (i % (4/W)) * W + W) of counter offset + i / (4/W).
// Element i's value depends on nothing else, so it is the same for any thread
// count, and a CUDA kernel with one thread per element (philox_element_words)
// draws exactly what the CPU loop (one Philox call per counter) draws.
template <int W>
struct PhiloxMapping {
  static_assert(W == 1 || W == 2 || W == 4, "an element reads 1, 2 or 4 words of one counter");
  static constexpr int kPerCounter = 4 / W;
  EMBER_HOST_DEVICE static uint64_t counter(uint64_t offset, int64_t i) {
    return offset + static_cast<uint64_t>(i) / kPerCounter;
  }
  EMBER_HOST_DEVICE static int first_word(int64_t i) { return static_cast<int>(i % kPerCounter) * W; }
  // Counters an op with n elements must reserve.
  EMBER_HOST_DEVICE static uint64_t counters(int64_t n) { return (static_cast<uint64_t>(n) + kPerCounter - 1) / kPerCounter; }
};

// Element i's W words (see Note [Philox element mapping]).
template <int W>
EMBER_HOST_DEVICE void philox_element_words(uint64_t seed, uint64_t offset, int64_t i, uint32_t out[W],
                                            uint32_t redraw = 0) {
  uint32_t words[4];
  Philox4x32::generate(seed, PhiloxMapping<W>::counter(offset, i), words, redraw);
  for (int k = 0; k < W; ++k) out[k] = words[PhiloxMapping<W>::first_word(i) + k];
}

// ---- words -> values ----

// Words one uniform of T takes: 53 random bits for double, 32 bits hold the others.
template <class T>
inline constexpr int kUniformWords = std::is_same_v<T, double> ? 2 : 1;

// Mantissa digits of T: a uniform with this many random bits is exactly representable,
// so rand() of a 16-bit float never rounds up to 1.
template <class T>
inline constexpr int kUniformBits = std::is_same_v<T, double>     ? 53
                                    : std::is_same_v<T, Half>     ? 11
                                    : std::is_same_v<T, BFloat16> ? 8
                                                                  : 24;

// Uniform in [0, 1) from kUniformWords<T> words, as double for double and float otherwise.
template <class T>
EMBER_HOST_DEVICE auto philox_uniform(const uint32_t* words) {
  if constexpr (std::is_same_v<T, double>) {
    uint64_t bits = (static_cast<uint64_t>(words[0]) << 32 | words[1]) >> (64 - 53);
    return static_cast<double>(bits) * (1.0 / 9007199254740992.0);
  } else {
    constexpr int kBits = kUniformBits<T>;
    return static_cast<float>(words[0] >> (32 - kBits)) * (1.0f / static_cast<float>(1u << kBits));
  }
}

// A standard normal by Box-Muller from two uniforms (2 * kUniformWords<T> words), in double.
template <class T>
EMBER_HOST_DEVICE double philox_normal(const uint32_t* words) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  double u1 = 1.0 - static_cast<double>(philox_uniform<T>(words));  // (0, 1]: log stays finite
  double u2 = static_cast<double>(philox_uniform<T>(words + kUniformWords<T>));
  return ::sqrt(-2.0 * ::log(u1)) * ::cos(kTwoPi * u2);  // :: skips ember::log (a tensor op)
}

EMBER_HOST_DEVICE inline uint64_t mul_hi64(uint64_t a, uint64_t b, uint64_t* lo) {
  *lo = a * b;
#if defined(__CUDA_ARCH__)
  return __umul64hi(a, b);
#else
  return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
#endif
}

// Element i's unbiased integer in [0, range), range >= 1, from 2 words per draw: Lemire's
// multiply-shift, redrawing (redraw = 1, 2, ...) the rare draws that would bias it.
EMBER_HOST_DEVICE inline uint64_t philox_bounded(uint64_t seed, uint64_t offset, int64_t i, uint64_t range) {
  uint64_t threshold = (0 - range) % range;  // 2^64 mod range: this many low products are rejected
  for (uint32_t redraw = 0;; ++redraw) {
    uint32_t w[2];
    philox_element_words<2>(seed, offset, i, w, redraw);
    uint64_t lo, hi = mul_hi64(static_cast<uint64_t>(w[0]) << 32 | w[1], range, &lo);
    if (lo >= threshold) return hi;
  }
}

}  // namespace ember
