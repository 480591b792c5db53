// The CUDA caching allocator: per-device pools of freed blocks by rounded size,
// so a training step reuses the last step's memory without cudaMalloc/cudaFree.
// See Note [CUDA caching allocator].
#include <ember/cuda/kernels.h>
#include <ember/cuda/runtime.h>

#include <algorithm>
#include <bit>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace ember::cuda {
namespace {

// Note [CUDA caching allocator]
// cudaMalloc and cudaFree cost tens of microseconds and cudaFree synchronises
// the device, so a freed block goes back to its device's pool, filed under its
// rounded size, and the next request of that size takes it: after the first
// step of a training loop no allocation reaches cudaMalloc. cudaFree runs only
// in empty_cache() and when cudaMalloc reports out-of-memory (release the pool,
// retry once). Blocks are never split or merged: rounding bounds the waste instead.
// Reuse is safe without events because every kernel and copy runs on the legacy
// default stream: work that reads a block was queued before the block was freed,
// so the next owner's work is ordered after it. Per-stream pools come with streams.

constexpr int kMaxDevices = 64;
constexpr size_t kSmallLimit = size_t{1} << 20;
constexpr size_t kSmallStep = 512;  // also the alignment that keeps the low bits of a size free

// Below 1 MiB: multiples of 512 bytes (many small tensors of nearby sizes share a
// few classes). Above: eight steps per power of two (at most 12.5% waste).
size_t round_size(size_t nbytes) {
  if (nbytes < kSmallLimit) return (std::max<size_t>(nbytes, 1) + kSmallStep - 1) / kSmallStep * kSmallStep;
  const size_t step = (std::bit_floor(nbytes - 1)) / 8;
  return (nbytes + step - 1) / step * step;
}

struct Pool {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;  // rounded size -> blocks
  AllocatorStats stats;
};

Pool& pool(int device) {
  static Pool* pools = new Pool[kMaxDevices];  // leaked on purpose: tensors may die after static destructors ran
  return pools[device];
}

// The deleter's context packs the block's rounded size (a multiple of 512) and its device.
void* pack_context(size_t rounded, int device) { return reinterpret_cast<void*>(rounded | static_cast<size_t>(device)); }

void free_block(void* data, void* context) {
  const size_t packed = reinterpret_cast<size_t>(context);
  const size_t rounded = packed & ~(kSmallStep - 1);
  Pool& p = pool(static_cast<int>(packed & (kSmallStep - 1)));
  std::lock_guard lock(p.mutex);
  p.free_blocks[rounded].push_back(data);
  p.stats.allocated_bytes -= static_cast<int64_t>(rounded);
  p.stats.cached_bytes += static_cast<int64_t>(rounded);
}

// Caller holds p.mutex.
void note_allocated(Pool& p, size_t rounded) {
  p.stats.allocated_bytes += static_cast<int64_t>(rounded);
  p.stats.peak_allocated_bytes = std::max(p.stats.peak_allocated_bytes, p.stats.allocated_bytes);
}

// cudaFree of every cached block of one device. Caller holds p.mutex.
void release_cached(Pool& p, int device) {
  DeviceGuard guard(device);
  for (auto& [size, blocks] : p.free_blocks) {
    for (void* block : blocks) CUDA_CHECK(cudaFree(block));
  }
  p.free_blocks.clear();
  p.stats.cached_bytes = 0;
}

void* cuda_malloc(Pool& p, size_t rounded, int device) {
  DeviceGuard guard(device);
  void* data = nullptr;
  cudaError_t status = cudaMalloc(&data, rounded);
  if (status == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();  // clear the error; a retry after releasing the cache may succeed
    {
      std::lock_guard lock(p.mutex);
      release_cached(p, device);
    }
    status = cudaMalloc(&data, rounded);
  }
  if (status == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();
    size_t free_bytes = 0, total_bytes = 0;
    (void)cudaMemGetInfo(&free_bytes, &total_bytes);
    std::lock_guard lock(p.mutex);
    ember::detail::fail(ErrorKind::Runtime,
                        "allocate: CUDA out of memory: tried to allocate {} bytes on cuda:{} ({} bytes held by live "
                        "tensors, {} of {} bytes free on the device)",
                        rounded, device, p.stats.allocated_bytes, free_bytes, total_bytes);
  }
  CUDA_CHECK(status);
  return data;
}

}  // namespace

Storage allocate_storage(size_t nbytes, Device device) {
  const int index = device_index("allocate", device);
  if (nbytes == 0) return Storage::make(nullptr, 0, Device(kCUDA, index), nullptr, nullptr);
  const size_t rounded = round_size(nbytes);
  Pool& p = pool(index);
  void* data = nullptr;
  {
    std::lock_guard lock(p.mutex);
    auto it = p.free_blocks.find(rounded);
    if (it != p.free_blocks.end() && !it->second.empty()) {
      data = it->second.back();
      it->second.pop_back();
      p.stats.cached_bytes -= static_cast<int64_t>(rounded);
      ++p.stats.cache_hits;
      note_allocated(p, rounded);
    } else {
      ++p.stats.cache_misses;
    }
  }
  if (data == nullptr) {
    data = cuda_malloc(p, rounded, index);
    std::lock_guard lock(p.mutex);
    note_allocated(p, rounded);
  }
  return Storage::make(data, nbytes, Device(kCUDA, index), free_block, pack_context(rounded, index));
}

void empty_cache() {
  for (int device = 0; device < device_count(); ++device) {
    Pool& p = pool(device);
    std::lock_guard lock(p.mutex);
    release_cached(p, device);
  }
}

AllocatorStats memory_stats(Device device) {
  Pool& p = pool(device_index("memory_stats", device));
  std::lock_guard lock(p.mutex);
  return p.stats;
}

}  // namespace ember::cuda
