// The CPU allocator. Blocks of at least kCachedMinBytes are cached by size
// class when freed and handed out again, so a training loop reuses the memory
// of the last step instead of page-faulting fresh pages for every activation.
// Smaller blocks go to malloc, whose per-thread caches are already fast
// and lock-free; only the big-block path takes a (short, uncontended) lock.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember {

struct AllocatorStats {
  int64_t allocated_bytes = 0;   // in live tensors' storage
  int64_t cached_bytes = 0;      // freed and kept for reuse
  int64_t peak_allocated_bytes = 0;
  int64_t cache_hits = 0;        // big allocations served from the cache
  int64_t cache_misses = 0;      // big allocations that went to the system
};

namespace cpu {

inline constexpr size_t kCachedMinBytes = 64 * 1024;
inline constexpr size_t kAlignment = 64;  // of cached (big) blocks: a cache line, a full AVX-512 register

void* allocate(size_t nbytes);
void deallocate(void* ptr, size_t nbytes);

// Returns cached blocks to the system.
void empty_cache();
AllocatorStats allocator_stats();
// The most the cache may hold (default: 2 GiB, or EMBER_CPU_CACHE_LIMIT_MB); beyond it freed blocks are released.
void set_cache_limit(size_t bytes);

}  // namespace cpu
}  // namespace ember
