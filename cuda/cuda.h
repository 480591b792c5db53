// The user-facing CUDA queries (ember::cuda::is_available(), ...), part of
// <ember/ember.h>. Plain C++; what ops/ call lives in cuda/kernels.h.
#pragma once

#include <ember/core/allocator.h>
#include <ember/core/device.h>

namespace ember::cuda {

// ---- runtime (cuda/runtime.cpp) ----
bool is_available();
int device_count();
int current_device();
void set_device(int index);
void synchronize();

// ---- memory (cuda/allocator.cpp): a caching allocator, never cudaMalloc on the hot path ----
// cudaFree of every cached block (the next allocations go to cudaMalloc again).
void empty_cache();
// Bytes in live tensors and in the cache, cache hits and misses, of one device.
AllocatorStats memory_stats(Device device = Device(kCUDA));

}  // namespace ember::cuda
