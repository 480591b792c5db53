// cuda/-internal runtime helpers (includes cuda_runtime.h, so nothing outside
// cuda/ may include it): CUDA_CHECK, the device guard, device lookups.
// ops/ sees only the plain declarations of cuda/kernels.h.
#pragma once

#include <ember/core/device.h>

#include <cuda_runtime.h>

namespace ember::cuda {

namespace detail {
[[noreturn]] void fail_cuda(cudaError_t error, const char* call, const char* file, int line);
}

// CUDA_CHECK(cudaMemcpy(...)): throws ember::Error naming the failing call, CUDA's message and file:line.
#define CUDA_CHECK(call)                                                        \
  do {                                                                          \
    const cudaError_t ember_cuda_error_ = (call);                               \
    if (__builtin_expect(ember_cuda_error_ != cudaSuccess, 0)) {                \
      ::ember::cuda::detail::fail_cuda(ember_cuda_error_, #call, __FILE__, __LINE__); \
    }                                                                           \
  } while (0)

// Makes `index` the current device for its scope and restores the previous one
// (no CUDA call when it already is current, so a guard is cheap on one GPU).
class DeviceGuard {
 public:
  explicit DeviceGuard(int index);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_;
  int current_;
};

// The ordinal `device` names ("cuda" without an index: the current device),
// checked against the devices present; `op` names the caller in the error.
int device_index(const char* op, Device device);
// The device that owns a pointer from allocate_storage (no CUDA call on a one-GPU machine).
int device_of(const void* ptr);
// Streaming multiprocessors of the current device (cached per device): sizes grids.
int multiprocessor_count();

}  // namespace ember::cuda
