// Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"):
// a counter-based generator, so element i of a random tensor depends only on
// (seed, offset + i) and the CPU and CUDA kernels draw the very same stream.
#pragma once

#include <ember/core/macros.h>

#include <cstdint>

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

  // Four 32-bit random words for counter `counter` under `seed`.
  EMBER_HOST_DEVICE static void generate(uint64_t seed, uint64_t counter, uint32_t out[4]) {
    uint32_t key[2] = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
    uint32_t ctr[4] = {static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), 0u, 0u};
    for (int i = 0; i < 10; ++i) {
      round(ctr, key);
      if (i < 9) {
        key[0] += 0x9E3779B9u;
        key[1] += 0xBB67AE85u;
      }
    }
    for (int i = 0; i < 4; ++i) out[i] = ctr[i];
  }

  // Uniform in [0, 1) from 24 (float) or 53 (double) random bits.
  EMBER_HOST_DEVICE static float uniform_float(uint32_t bits) { return (bits >> 8) * (1.0f / 16777216.0f); }
  EMBER_HOST_DEVICE static double uniform_double(uint32_t hi, uint32_t lo) {
    uint64_t bits = (static_cast<uint64_t>(hi) << 32 | lo) >> 11;
    return bits * (1.0 / 9007199254740992.0);
  }
};

}  // namespace ember
