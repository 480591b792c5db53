// DLPack (v0.6, Debian's libdlpack-dev): t.__dlpack__(), t.__dlpack_device__()
// and ember.from_dlpack(x), zero-copy both ways. A capsule named "dltensor"
// carries a DLManagedTensor; the consumer renames it "used_dltensor" and
// calls its deleter when its own tensor dies (the spec's protocol).
#include "bindings.h"

#include <dlpack/dlpack.h>

#include <fmt/format.h>

namespace ember::python {
namespace {

constexpr const char* kCapsuleName = "dltensor";
constexpr const char* kUsedCapsuleName = "used_dltensor";

DLDataType dl_dtype(DType dtype) {
  switch (dtype) {
    case kFloat32: return {kDLFloat, 32, 1};
    case kFloat64: return {kDLFloat, 64, 1};
    case kFloat16: return {kDLFloat, 16, 1};
    case kBFloat16: return {kDLBfloat, 16, 1};
    case kInt64: return {kDLInt, 64, 1};
    case kInt32: return {kDLInt, 32, 1};
    case kUInt8: return {kDLUInt, 8, 1};
    case kBool: break;
  }
  // DLPack 0.6 has no bool type (torch 1.13 refuses it the same way).
  throw py::type_error("Bool type is not supported by dlpack");
}

DType ember_dtype(DLDataType t) {
  EMBER_CHECK_TYPE(t.lanes == 1, "from_dlpack: expected one lane per element, got {} lanes", t.lanes);
  if (t.code == kDLFloat && t.bits == 32) return kFloat32;
  if (t.code == kDLFloat && t.bits == 64) return kFloat64;
  if (t.code == kDLFloat && t.bits == 16) return kFloat16;
  if (t.code == kDLBfloat && t.bits == 16) return kBFloat16;
  if (t.code == kDLInt && t.bits == 64) return kInt64;
  if (t.code == kDLInt && t.bits == 32) return kInt32;
  if (t.code == kDLUInt && t.bits == 8) return kUInt8;
  throw py::type_error(fmt::format("from_dlpack: unsupported DLPack dtype (code {}, {} bits)", t.code, t.bits));
}

// What a capsule owns: the DLManagedTensor, the tensor that keeps the memory
// alive, and the shape and strides the DLTensor points into.
struct Exported {
  DLManagedTensor managed;
  Tensor tensor;
  std::vector<int64_t> shape, strides;
};

py::capsule to_dlpack(const Tensor& t) {
  auto* exported = new Exported{{}, t, std::vector<int64_t>(t.shape().begin(), t.shape().end()),
                                std::vector<int64_t>(t.strides().begin(), t.strides().end())};
  DLTensor& dl = exported->managed.dl_tensor;
  dl.data = t.data_ptr();
  dl.device = {t.is_cuda() ? kDLCUDA : kDLCPU, t.is_cuda() ? std::max(t.device().index(), 0) : 0};
  dl.ndim = static_cast<int>(t.dim());
  dl.dtype = dl_dtype(t.dtype());
  dl.shape = exported->shape.data();
  dl.strides = exported->strides.data();
  dl.byte_offset = 0;
  exported->managed.manager_ctx = exported;
  exported->managed.deleter = [](DLManagedTensor* self) { delete static_cast<Exported*>(self->manager_ctx); };
  // An unconsumed capsule frees what it carries; a consumed one belongs to the consumer.
  return py::capsule(&exported->managed, kCapsuleName, [](PyObject* capsule) {
    if (PyCapsule_IsValid(capsule, kCapsuleName)) {
      auto* managed = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule, kCapsuleName));
      managed->deleter(managed);
    }
  });
}

Tensor from_dlpack(const py::object& source) {
  const py::object capsule = py::hasattr(source, "__dlpack__") ? source.attr("__dlpack__")() : source;
  EMBER_CHECK_TYPE(PyCapsule_IsValid(capsule.ptr(), kCapsuleName),
                   "from_dlpack: expected an object with __dlpack__ or an unused DLPack capsule");
  auto* managed = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule.ptr(), kCapsuleName));
  const DLTensor& dl = managed->dl_tensor;
  EMBER_CHECK_TYPE(dl.device.device_type == kDLCPU || dl.device.device_type == kDLCUDA,
                   "from_dlpack: expected a CPU or CUDA tensor, got DLPack device type {}",
                   static_cast<int>(dl.device.device_type));
  const DType dtype = ember_dtype(dl.dtype);
  std::vector<int64_t> shape(dl.shape, dl.shape + dl.ndim), strides(static_cast<size_t>(dl.ndim));
  if (dl.strides) {
    strides.assign(dl.strides, dl.strides + dl.ndim);
  } else {  // compact row-major
    int64_t stride = 1;
    for (int d = dl.ndim; d-- > 0;) {
      strides[d] = stride;
      stride *= shape[d];
    }
  }
  const Device device = dl.device.device_type == kDLCUDA ? Device(kCUDA, dl.device.device_id) : Device(kCPU);
  Tensor out = from_blob(static_cast<char*>(dl.data) + dl.byte_offset, shape, strides,
                         [managed](void*) {
                           // The producer's deleter may touch Python objects (NumPy's does).
                           py::gil_scoped_acquire gil;
                           if (managed->deleter) managed->deleter(managed);
                         },
                         TensorOptions(dtype, device));
  PyCapsule_SetName(capsule.ptr(), kUsedCapsuleName);
  return out;
}

}  // namespace

void bind_dlpack(py::module_& m, py::class_<Tensor>& tensor) {
  tensor.def("__dlpack__", [](const Tensor& t, const py::object& /*stream: ember syncs its own*/) {
    return to_dlpack(t);
  }, py::arg("stream") = py::none());
  tensor.def("__dlpack_device__", [](const Tensor& t) {
    return py::make_tuple(static_cast<int>(t.is_cuda() ? kDLCUDA : kDLCPU), t.is_cuda() ? std::max(t.device().index(), 0) : 0);
  });
  m.def("from_dlpack", &from_dlpack, py::arg("ext_tensor"));
}

}  // namespace ember::python
