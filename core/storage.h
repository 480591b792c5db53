// Storage: the memory a tensor and all its views share, with the device it
// lives on, how to free it, and the version counter autograd checks.
// Who allocates is up to the caller (ops/ picks the CPU or CUDA allocator).
#pragma once

#include <ember/core/device.h>
#include <ember/core/intrusive_ptr.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace ember {

// Frees `data` given the context it was created with (e.g. a block size, a
// user deleter, a Python object).
using Deleter = void (*)(void* data, void* context);

class StorageImpl : public RefCounted {
 public:
  StorageImpl(void* data, size_t nbytes, Device device, Deleter deleter, void* context)
      : data_(data), nbytes_(nbytes), device_(device), deleter_(deleter), context_(context) {}
  ~StorageImpl() {
    if (deleter_) deleter_(data_, context_);
  }

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

  // Note [Storage versions]: every in-place write to the storage bumps the
  // version; autograd saves the version with a tensor and compares at backward.
  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void* data_;
  size_t nbytes_;
  Device device_;
  Deleter deleter_;
  void* context_;
  std::atomic<uint32_t> version_{0};
};

using Storage = intrusive_ptr<StorageImpl>;

}  // namespace ember
