// The default generator's state. Guarded by a mutex: random ops are not hot
// enough per call for this to matter, and DataLoader threads may draw too.
#include <ember/core/generator.h>

#include <mutex>

namespace ember {
namespace {
struct DefaultGenerator {
  std::mutex mutex;
  uint64_t seed = 67280421310721ull;  // PyTorch's default seed
  uint64_t offset = 0;
};
DefaultGenerator& generator() {
  static DefaultGenerator g;
  return g;
}
}  // namespace

void manual_seed(uint64_t seed) {
  auto& g = generator();
  std::lock_guard lock(g.mutex);
  g.seed = seed;
  g.offset = 0;
}

uint64_t initial_seed() {
  auto& g = generator();
  std::lock_guard lock(g.mutex);
  return g.seed;
}

PhiloxState reserve_philox(uint64_t counters) {
  auto& g = generator();
  std::lock_guard lock(g.mutex);
  PhiloxState state{g.seed, g.offset};
  g.offset += counters;
  return state;
}

}  // namespace ember
