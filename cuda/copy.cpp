// Byte copies between host and device memory and between devices (cudaMemcpy,
// cudaMemcpyPeer). Strides and dtype conversion are the caller's business:
// ops/copy.cpp stages through contiguous buffers and casts on one device.
#include <ember/cuda/kernels.h>
#include <ember/cuda/runtime.h>

#include <cstring>

namespace ember::cuda {

// Host <-> device copies from pageable memory are synchronous with the host;
// device -> device copies are ordered on the default stream like every kernel.
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes) {
  if (nbytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    std::memcpy(dst, src, nbytes);
    return;
  }
  if (src_device.is_cpu()) {
    DeviceGuard guard(device_index("copy_bytes", dst_device));
    CUDA_CHECK(cudaMemcpy(dst, src, nbytes, cudaMemcpyHostToDevice));
    return;
  }
  const int src_index = device_index("copy_bytes", src_device);
  if (dst_device.is_cpu()) {
    DeviceGuard guard(src_index);
    CUDA_CHECK(cudaMemcpy(dst, src, nbytes, cudaMemcpyDeviceToHost));
    return;
  }
  const int dst_index = device_index("copy_bytes", dst_device);
  if (dst_index == src_index) {
    DeviceGuard guard(src_index);
    CUDA_CHECK(cudaMemcpy(dst, src, nbytes, cudaMemcpyDeviceToDevice));
  } else {
    CUDA_CHECK(cudaMemcpyPeer(dst, dst_index, src, src_index, nbytes));
  }
}

}  // namespace ember::cuda
