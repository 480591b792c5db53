// Linked instead of the CUDA backend when ember is built without nvcc: every
// entry point of cuda/kernels.h throws one clear error; is_available() is false.
#include <ember/cuda/kernels.h>

namespace ember::cuda {
void fail_without_cuda(const char* op) {
  detail::fail(ErrorKind::Runtime, "{}: ember was built without CUDA (configure with EMBER_CUDA=ON where nvcc exists)",
               op);
}

bool is_available() { return false; }
int device_count() { return 0; }
int current_device() { fail_without_cuda("cuda::current_device"); }
void set_device(int) { fail_without_cuda("cuda::set_device"); }
void synchronize() { fail_without_cuda("cuda::synchronize"); }
Storage allocate_storage(size_t, Device) { fail_without_cuda("cuda::allocate_storage"); }
void empty_cache() {}
AllocatorStats memory_stats(Device) { fail_without_cuda("cuda::memory_stats"); }
void copy_bytes(void*, Device, const void*, Device, size_t) { fail_without_cuda("cuda::copy_bytes"); }
void cast(const ElementwiseIter&, DType, DType) { fail_without_cuda("cuda::cast"); }
void fill(const ElementwiseIter&, DType, double) { fail_without_cuda("cuda::fill"); }
void sum_contiguous(const void*, void*, DType, int64_t, int64_t) { fail_without_cuda("cuda::sum"); }

}  // namespace ember::cuda
