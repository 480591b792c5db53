// CPU caching allocator: size classes of 1/4-powers of two, a free list per
// class, and a bound on the bytes held. See core/allocator.h for the why.
#include <ember/core/allocator.h>
#include <ember/core/error.h>

#include <sys/mman.h>

#include <array>
#include <bit>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace ember::cpu {
namespace {

// Sizes are rounded up to one of four steps per power of two (at most 25% waste).
constexpr int kNumClasses = 4 * 64;
int size_class(size_t nbytes, size_t* rounded) {
  int log2 = std::bit_width(nbytes - 1) - 1;  // nbytes in (2^log2, 2^(log2+1)]
  size_t base = size_t{1} << log2, step = base / 4;
  size_t quarter = (nbytes - base + step - 1) / step;  // 1..4
  *rounded = base + quarter * step;
  return log2 * 4 + static_cast<int>(quarter) - 1;
}

size_t default_limit() {
  if (const char* env = std::getenv("EMBER_CPU_CACHE_LIMIT_MB")) return size_t(std::strtoull(env, nullptr, 10)) << 20;
  return size_t{2} << 30;
}

struct Cache {
  std::mutex mutex;
  std::array<std::vector<void*>, kNumClasses> free_blocks;
  size_t limit = default_limit();
  AllocatorStats stats;
};

Cache& cache() {
  static Cache* c = new Cache();  // leaked on purpose: tensors may die after static destructors ran
  return *c;
}

void* system_allocate(size_t nbytes) {
  void* p = std::aligned_alloc(kAlignment, (nbytes + kAlignment - 1) / kAlignment * kAlignment);
  EMBER_CHECK(p != nullptr, "allocate: out of CPU memory: tried to allocate {} bytes", nbytes);
  if (nbytes >= (size_t{2} << 20)) madvise(p, nbytes, MADV_HUGEPAGE);  // fewer page faults for big tensors
  return p;
}

}  // namespace

void* allocate(size_t nbytes) {
  if (nbytes < kCachedMinBytes) {
    // Plain malloc (16-byte aligned) keeps glibc's per-thread fast path; aligned_alloc would skip it.
    void* p = std::malloc(std::max<size_t>(nbytes, 1));
    EMBER_CHECK(p != nullptr, "allocate: out of CPU memory: tried to allocate {} bytes", nbytes);
    return p;
  }
  size_t rounded;
  int cls = size_class(nbytes, &rounded);
  Cache& c = cache();
  {
    std::lock_guard lock(c.mutex);
    c.stats.allocated_bytes += rounded;
    c.stats.peak_allocated_bytes = std::max(c.stats.peak_allocated_bytes, c.stats.allocated_bytes);
    auto& list = c.free_blocks[cls];
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      c.stats.cached_bytes -= rounded;
      ++c.stats.cache_hits;
      return p;
    }
    ++c.stats.cache_misses;
  }
  return system_allocate(rounded);
}

void deallocate(void* ptr, size_t nbytes) {
  if (nbytes < kCachedMinBytes) {
    std::free(ptr);
    return;
  }
  size_t rounded;
  int cls = size_class(nbytes, &rounded);
  Cache& c = cache();
  {
    std::lock_guard lock(c.mutex);
    c.stats.allocated_bytes -= rounded;
    if (static_cast<size_t>(c.stats.cached_bytes) + rounded <= c.limit) {
      c.free_blocks[cls].push_back(ptr);
      c.stats.cached_bytes += rounded;
      return;
    }
  }
  std::free(ptr);
}

void empty_cache() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  for (auto& list : c.free_blocks) {
    for (void* p : list) std::free(p);
    list.clear();
  }
  c.stats.cached_bytes = 0;
}

AllocatorStats allocator_stats() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  return c.stats;
}

void set_cache_limit(size_t bytes) {
  Cache& c = cache();
  {
    std::lock_guard lock(c.mutex);
    c.limit = bytes;
    if (c.stats.cached_bytes <= static_cast<int64_t>(bytes)) return;
  }
  empty_cache();
}

}  // namespace ember::cpu
