// The CUDA runtime as ember sees it: device count and selection, the device
// guard, and CUDA_CHECK's error path. Device properties are looked up once and
// cached, so nothing here costs a driver call on an op's hot path.
#include <ember/cuda/kernels.h>
#include <ember/cuda/runtime.h>

#include <array>
#include <atomic>

namespace ember::cuda {
namespace {

constexpr int kMaxDevices = 64;

// No driver, no device or a driver too old all mean "no CUDA here": zero devices.
int query_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky error so later calls start clean
    return 0;
  }
  return count < kMaxDevices ? count : kMaxDevices;
}

}  // namespace

namespace detail {
void fail_cuda(cudaError_t error, const char* call, const char* file, int line) {
  ember::detail::fail(ErrorKind::Runtime, "CUDA error: {} ({}) in {} at {}:{}", cudaGetErrorString(error),
                      cudaGetErrorName(error), call, file, line);
}
}  // namespace detail

void fail_without_cuda(const char* op) {
  ember::detail::fail(ErrorKind::Runtime,
                      "{}: expected a CUDA device, got none (no GPU or no CUDA driver on this machine)", op);
}

int device_count() {
  static const int count = query_device_count();
  return count;
}

bool is_available() { return device_count() > 0; }

int current_device() {
  if (!is_available()) fail_without_cuda("cuda::current_device");
  int index = 0;
  CUDA_CHECK(cudaGetDevice(&index));
  return index;
}

void set_device(int index) {
  CUDA_CHECK(cudaSetDevice(device_index("cuda::set_device", Device(kCUDA, index))));
}

void synchronize() {
  if (!is_available()) fail_without_cuda("cuda::synchronize");
  CUDA_CHECK(cudaDeviceSynchronize());
}

int device_index(const char* op, Device device) {
  EMBER_INTERNAL_ASSERT(device.is_cuda());
  const int count = device_count();
  if (count == 0) fail_without_cuda(op);
  if (device.index() < 0) return current_device();
  EMBER_CHECK(device.index() < count, "{}: expected a CUDA device index in [0, {}), got {}", op, count, device);
  return device.index();
}

int device_of(const void* ptr) {
  if (device_count() == 1) return 0;
  cudaPointerAttributes attributes;
  CUDA_CHECK(cudaPointerGetAttributes(&attributes, ptr));
  return attributes.device;
}

int multiprocessor_count() {
  static std::array<std::atomic<int>, kMaxDevices> counts{};  // 0: not looked up yet (racing lookups agree)
  const int device = current_device();
  int count = counts[device].load(std::memory_order_relaxed);
  if (count == 0) {
    CUDA_CHECK(cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, device));
    counts[device].store(count, std::memory_order_relaxed);
  }
  return count;
}

DeviceGuard::DeviceGuard(int index) : previous_(current_device()), current_(previous_) {
  if (index >= 0 && index != previous_) {
    CUDA_CHECK(cudaSetDevice(index));
    current_ = index;
  }
}

DeviceGuard::~DeviceGuard() {
  if (current_ != previous_) (void)cudaSetDevice(previous_);  // a destructor must not throw
}

}  // namespace ember::cuda
