// Creation ops: empty/zeros/ones/full, ranges, eye, *_like, tensor() from
// braced values and from_blob() over foreign memory. The only place that
// allocates new storage (CPU allocator or CUDA caching allocator).
#include <ember/core/allocator.h>
#include <ember/cuda/kernels.h>
#include <ember/ops/ops.h>

#include <cmath>

namespace ember {
namespace {

void free_cpu_block(void* data, void* nbytes) { cpu::deallocate(data, reinterpret_cast<size_t>(nbytes)); }

Storage allocate(size_t nbytes, Device device) {
  if (device.is_cuda()) return cuda::allocate_storage(nbytes, device);
  return Storage::make(cpu::allocate(nbytes), nbytes, Device(kCPU), free_cpu_block, reinterpret_cast<void*>(nbytes));
}

Tensor empty_checked(const char* op, IntArrayRef size, TensorOptions options) {
  int64_t numel = checked_numel(op, size);
  DType dtype = options.dtype_or_default();
  size_t nbytes;
  EMBER_CHECK_VALUE(!__builtin_mul_overflow(static_cast<size_t>(numel), element_size(dtype), &nbytes),
                    "{}: the byte size of a {} tensor of size {} overflows", op, dtype, size);
  Tensor out =
      Tensor::make(allocate(nbytes, options.device_or_default()), Shape(size), contiguous_strides(size), 0, dtype);
  if (options.requires_grad) out.requires_grad_();
  return out;
}

}  // namespace

Tensor empty(IntArrayRef size, TensorOptions options) { return empty_checked("empty", size, options); }

// zeros/ones default to float32 (only full() infers the dtype from its value).
Tensor zeros(IntArrayRef size, TensorOptions options) {
  if (!options.dtype) options.dtype = kFloat32;
  return full(size, 0, options);
}
Tensor ones(IntArrayRef size, TensorOptions options) {
  if (!options.dtype) options.dtype = kFloat32;
  return full(size, 1, options);
}

Tensor full(IntArrayRef size, const Scalar& value, TensorOptions options) {
  if (!options.dtype) options.dtype = value.is_bool() ? kBool : value.is_integral() ? kInt64 : kFloat32;
  Tensor out = empty_checked("full", size, {*options.dtype, options.device_or_default()});
  out.fill_(value);
  if (options.requires_grad) out.requires_grad_();
  return out;
}

Tensor scalar_tensor(const Scalar& value, TensorOptions options) { return full({}, value, options); }

Tensor arange(const Scalar& end, TensorOptions options) { return arange(0, end, 1, options); }

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, TensorOptions options) {
  bool floating = start.is_floating_point() || end.is_floating_point() || step.is_floating_point();
  if (!options.dtype) options.dtype = floating ? kFloat32 : kInt64;
  double lo = start.to_double(), hi = end.to_double(), st = step.to_double();
  EMBER_CHECK(st != 0, "arange: expected a non-zero step, got {}", st);
  EMBER_CHECK(std::isfinite(lo) && std::isfinite(hi), "arange: expected finite bounds, got start={} end={}", lo, hi);
  EMBER_CHECK((st > 0 && hi >= lo) || (st < 0 && hi <= lo),
              "arange: upper bound and larger bound inconsistent with step sign (start={}, end={}, step={})", lo, hi,
              st);
  double count = std::ceil((hi - lo) / st);
  EMBER_CHECK(count < 9.2e18, "arange: expected a representable number of elements, got {}", count);
  int64_t n = static_cast<int64_t>(count);
  Tensor out = empty_checked("arange", {n}, {*options.dtype, kCPU});
  bool integral_steps = !floating;
  dispatch_dtype<DTypes::Numeric>("arange", *options.dtype, [&]<class T>() {
    T* p = out.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) {
      p[i] = integral_steps ? static_cast<T>(start.to_int() + i * step.to_int()) : static_cast<T>(lo + i * st);
    }
  });
  out = out.to(options.device_or_default());
  if (options.requires_grad) out.requires_grad_();
  return out;
}

Tensor linspace(double start, double end, int64_t steps, TensorOptions options) {
  EMBER_CHECK(steps >= 0, "linspace: expected a non-negative number of steps, got {}", steps);
  Tensor out = empty_checked("linspace", {steps}, {options.dtype_or_default(), kCPU});
  double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  dispatch_dtype<DTypes::Numeric>("linspace", out.dtype(), [&]<class T>() {
    T* p = out.data_ptr<T>();
    // Both halves step from their own end, as PyTorch does, so the last value is exactly `end`.
    for (int64_t i = 0; i < steps; ++i) {
      double v = steps == 1      ? start
                 : i < steps / 2 ? start + step * static_cast<double>(i)
                                 : end - step * static_cast<double>(steps - 1 - i);
      p[i] = static_cast<T>(v);
    }
  });
  out = out.to(options.device_or_default());
  if (options.requires_grad) out.requires_grad_();
  return out;
}

Tensor eye(int64_t n, TensorOptions options) { return eye(n, n, options); }

Tensor eye(int64_t n, int64_t m, TensorOptions options) {
  EMBER_CHECK(n >= 0 && m >= 0, "eye: expected non-negative sizes, got n={} m={}", n, m);
  Tensor out = zeros({n, m}, {options.dtype_or_default(), options.device_or_default()});
  out.diagonal().fill_(1);
  if (options.requires_grad) out.requires_grad_();
  return out;
}

Tensor empty_like(const Tensor& other, TensorOptions options) {
  return empty(other.shape(), options.or_like(other.dtype(), other.device()));
}
Tensor zeros_like(const Tensor& other, TensorOptions options) {
  return zeros(other.shape(), options.or_like(other.dtype(), other.device()));
}
Tensor ones_like(const Tensor& other, TensorOptions options) {
  return ones(other.shape(), options.or_like(other.dtype(), other.device()));
}
Tensor full_like(const Tensor& other, const Scalar& value, TensorOptions options) {
  return full(other.shape(), value, options.or_like(other.dtype(), other.device()));
}

namespace {

// Walks nested braces: records the shape at first visit, checks every list
// at a depth has that length, and finds the widest kind of value.
void infer_shape(const TensorData& data, size_t depth, Shape& shape, bool& shape_done, Scalar::Kind& kind) {
  if (!data.is_list()) {
    EMBER_CHECK_VALUE(!shape_done || depth == shape.size(),
                      "tensor: expected a rectangular nested list, got a number at depth {} where depth {} was seen",
                      depth, shape.size());
    shape_done = true;
    kind = std::max(kind, data.scalar().kind());
    return;
  }
  int64_t n = static_cast<int64_t>(data.items().size());
  if (!shape_done && depth == shape.size()) {
    shape.push_back(n);
  } else {
    EMBER_CHECK_VALUE(depth < shape.size() && shape[depth] == n,
                      "tensor: expected a rectangular nested list, got a list of length {} at depth {} where {} was "
                      "seen",
                      n, depth, depth < shape.size() ? shape[depth] : 0);
  }
  if (n == 0) shape_done = true;
  for (const TensorData& item : data.items()) infer_shape(item, depth + 1, shape, shape_done, kind);
}

template <class T>
void write_values(const TensorData& data, T*& out) {
  if (!data.is_list()) {
    *out++ = data.scalar().to<T>();
    return;
  }
  for (const TensorData& item : data.items()) write_values(item, out);
}

}  // namespace

Tensor tensor(const TensorData& data, TensorOptions options) {
  Shape shape;
  bool shape_done = false;
  Scalar::Kind kind = Scalar::Kind::Bool;
  infer_shape(data, 0, shape, shape_done, kind);
  if (!options.dtype) {
    options.dtype = kind == Scalar::Kind::Float ? kFloat32 : kind == Scalar::Kind::Int ? kInt64 : kBool;
    if (data.is_list() && numel_of(shape) == 0) options.dtype = kFloat32;  // tensor({}) is float32, as in PyTorch
  }
  Tensor out = empty_checked("tensor", shape, {*options.dtype, kCPU});
  dispatch_dtype("tensor", out.dtype(), [&]<class T>() {
    T* p = out.data_ptr<T>();
    write_values(data, p);
  });
  out = out.to(options.device_or_default());
  if (options.requires_grad) out.requires_grad_();
  return out;
}

namespace {
void run_user_deleter(void* data, void* context) {
  auto* deleter = static_cast<std::function<void(void*)>*>(context);
  if (*deleter) (*deleter)(data);
  delete deleter;
}
}  // namespace

Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, std::function<void(void*)> deleter,
                 TensorOptions options) {
  EMBER_CHECK(data != nullptr || numel_of(sizes) == 0, "from_blob: expected a non-null data pointer");
  EMBER_CHECK(sizes.size() == strides.size(),
              "from_blob: expected as many strides as sizes, got sizes {} and strides {}", sizes, strides);
  int64_t numel = checked_numel("from_blob", sizes);
  int64_t extent = numel == 0 ? 0 : 1;
  for (size_t i = 0; i < sizes.size() && numel > 0; ++i) {
    EMBER_CHECK(strides[i] >= 0, "from_blob: expected non-negative strides, got {}", strides);
    extent += (sizes[i] - 1) * strides[i];
  }
  DType dtype = options.dtype_or_default();
  size_t nbytes = static_cast<size_t>(extent) * element_size(dtype);
  auto* context = new std::function<void(void*)>(std::move(deleter));
  Storage storage = Storage::make(data, nbytes, options.device_or_default(), run_user_deleter, context);
  Tensor out = Tensor::make(std::move(storage), Shape(sizes), Shape(strides), 0, dtype);
  if (options.requires_grad) out.requires_grad_();
  return out;
}

Tensor from_blob(void* data, IntArrayRef sizes, TensorOptions options) {
  return from_blob(data, sizes, contiguous_strides(sizes), nullptr, options);
}

}  // namespace ember
