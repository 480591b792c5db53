// The default random generator: a seed and a running Philox counter offset.
// Each random op reserves a block of counters (one per 4 words it draws), so
// ops that run one after the other never reuse a counter.
#pragma once

#include <cstdint>

namespace ember {

void manual_seed(uint64_t seed);
uint64_t initial_seed();

struct PhiloxState {
  uint64_t seed;
  uint64_t offset;  // first counter this op may use
};
// Reserves `counters` Philox counters for one op and returns where they start.
PhiloxState reserve_philox(uint64_t counters);

}  // namespace ember
