// TensorOptions: the trailing "dtype / device" arguments of creation ops, as
// in `zeros({2, 3}, kFloat64)`, `ones({4}, kCUDA)` or `empty({2}, {kHalf, "cuda:1"})`.
#pragma once

#include <ember/core/device.h>
#include <ember/core/dtype.h>

#include <optional>

namespace ember {

struct TensorOptions {
  std::optional<DType> dtype;  // unset: float32, or what the data says (tensor({1, 2}) is int64)
  std::optional<Device> device;  // unset: CPU (or the other tensor's device for *_like)
  bool requires_grad = false;

  TensorOptions() = default;
  TensorOptions(DType d) : dtype(d) {}
  TensorOptions(Device dev) : device(dev) {}
  TensorOptions(DeviceType dev) : device(dev) {}
  TensorOptions(const char* dev) : device(dev) {}
  TensorOptions(DType d, Device dev) : dtype(d), device(dev) {}

  DType dtype_or_default() const { return dtype.value_or(kFloat32); }
  Device device_or_default() const { return device.value_or(Device(kCPU)); }
  // For *_like ops: what is unset here comes from the other tensor's dtype and device.
  TensorOptions or_like(DType other_dtype, Device other_device) const {
    TensorOptions out = *this;
    if (!out.dtype) out.dtype = other_dtype;
    if (!out.device) out.device = other_device;
    return out;
  }
};

}  // namespace ember
