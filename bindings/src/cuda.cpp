// ember._C.cuda: the CUDA queries of cuda/cuda.h, for ember.cuda (torch.cuda's
// names). In a build without CUDA they answer as torch does on a machine
// without a GPU: is_available() is False, device_count() is 0.
#include "bindings.h"

namespace ember::python {

void bind_cuda(py::module_& m) {
  py::module_ cuda = m.def_submodule("cuda", "the CUDA runtime queries (ember.cuda)");
  cuda.def("is_available", &ember::cuda::is_available);
  cuda.def("device_count", &ember::cuda::device_count);
  cuda.def("current_device", &ember::cuda::current_device);
  cuda.def("set_device", &ember::cuda::set_device, py::arg("device"));
  cuda.def("synchronize", &ember::cuda::synchronize, py::call_guard<py::gil_scoped_release>());
  cuda.def("empty_cache", &ember::cuda::empty_cache);
  // Bytes in live tensors / held by the caching allocator / the peak of the first, of one device.
  cuda.def("memory_stats", [](int device) {
    const AllocatorStats stats = ember::cuda::memory_stats(Device(kCUDA, device));
    return py::make_tuple(stats.allocated_bytes, stats.cached_bytes, stats.peak_allocated_bytes);
  });
}

}  // namespace ember::python
