// Generator's state and the default generator.
#include <ember/core/generator.h>

namespace ember {

void Generator::manual_seed(uint64_t seed) {
  std::lock_guard lock(mutex_);
  seed_ = seed;
  offset_ = 0;
}

uint64_t Generator::initial_seed() const {
  std::lock_guard lock(mutex_);
  return seed_;
}

PhiloxState Generator::reserve(uint64_t counters) {
  std::lock_guard lock(mutex_);
  PhiloxState state{seed_, offset_};
  offset_ += counters;
  return state;
}

Generator& default_generator() {
  static Generator generator;
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }
uint64_t initial_seed() { return default_generator().initial_seed(); }

}  // namespace ember
