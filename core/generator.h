// Random generators: a seed and a running Philox counter offset. Each random
// op reserves a block of counters (one per 4 words it draws) from the generator
// it is given, else from the default one, so ops that run one after the other
// never reuse a counter.
#pragma once

#include <cstdint>
#include <mutex>

namespace ember {

struct PhiloxState {
  uint64_t seed;
  uint64_t offset;  // first counter this op may use
};

// torch.Generator's counterpart: an independent stream, e.g. for a sampler's
// order, that other random ops (dropout, init) do not advance.
class Generator {
 public:
  static constexpr uint64_t kDefaultSeed = 67280421310721ull;  // PyTorch's default seed

  explicit Generator(uint64_t seed = kDefaultSeed) : seed_(seed) {}
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Restarts the stream of `seed`.
  void manual_seed(uint64_t seed);
  uint64_t initial_seed() const;
  // Reserves `counters` Philox counters for one op and returns where they start.
  PhiloxState reserve(uint64_t counters);

 private:
  // Guarded: random ops are not hot enough per call for a lock to matter, and DataLoader threads may draw too.
  mutable std::mutex mutex_;
  uint64_t seed_;
  uint64_t offset_ = 0;
};

// The generator of every random op not given one; manual_seed seeds it.
Generator& default_generator();
void manual_seed(uint64_t seed);
uint64_t initial_seed();

}  // namespace ember
