// TensorImpl: what a Tensor handle points to. A strided view (sizes, strides in
// elements, storage offset) of a shared Storage, plus its dtype and the autograd
// fields, which are allocated only for tensors that take part in autograd.
// core/ knows the autograd Node only by name.
#pragma once

#include <ember/core/dtype.h>
#include <ember/core/intrusive_ptr.h>
#include <ember/core/shape.h>
#include <ember/core/storage.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ember {

namespace autograd {
class Node;
}

class Tensor;
class TensorImpl;
using TensorImplPtr = intrusive_ptr<TensorImpl>;

// Allocated on first use by autograd; a tensor that never requires grad has none.
// autograd/ reads and writes these fields; core only stores them.
struct AutogradMeta {
  using Hook = std::function<Tensor(const Tensor&)>;  // may return an undefined tensor: keep the gradient
  bool requires_grad = false;
  TensorImplPtr grad;                       // accumulated gradient of a leaf
  std::shared_ptr<autograd::Node> grad_fn;  // the node that produced this tensor, null for leaves
  const char* grad_fn_op = nullptr;         // grad_fn's op name, for printing (core cannot ask the Node)
  uint32_t output_nr = 0;                   // which output of grad_fn this tensor is
  std::weak_ptr<autograd::Node> grad_accumulator;  // a leaf's AccumulateGrad, while a graph holds it
  std::vector<Hook> hooks;                         // a leaf's gradient hooks (non-leaves keep theirs on grad_fn)
  std::vector<std::function<void(const Tensor&)>> post_accumulate_hooks;
  std::shared_ptr<TensorImplPtr> retained_grad;  // retain_grad() of a non-leaf: written by a hook on grad_fn
};

// How a view came to be, for the rules of in-place ops on views (see Note
// [In-place ops on views] in autograd/inplace.cpp).
enum class ViewCreation : uint8_t {
  kGradMode,     // an ordinary view op while grad mode was on
  kNoGradMode,   // made under no_grad: writing it in place with grad mode on is ambiguous, refused
  kMultiOutput,  // one of several views made by one op (split, chunk, unbind): refused in place too
};

// The name PyTorch users know a node by: "mul" -> "MulBackward", "log_softmax" -> "LogSoftmaxBackward".
std::string backward_name(const char* op);

class TensorImpl : public RefCounted {
 public:
  TensorImpl(Storage storage, Shape sizes, Shape strides, int64_t offset, DType dtype);

  const Storage& storage() const { return storage_; }
  const Shape& sizes() const { return sizes_; }
  const Shape& strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  int64_t numel() const { return numel_; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  bool is_contiguous() const { return is_contiguous_; }
  // Address of element 0 (storage base + offset).
  void* data() const {
    return static_cast<char*>(storage_->data()) + offset_ * static_cast<int64_t>(element_size(dtype_));
  }

  // Re-points this impl at other memory (Tensor::set_data: Module::to swaps a
  // parameter's data while every handle, and its autograd fields, stay).
  void set_data(Storage storage, Shape sizes, Shape strides, int64_t offset, DType dtype);

  AutogradMeta* autograd() const { return autograd_.get(); }
  AutogradMeta& autograd_or_create();
  // Its own flag, or, for a view, its base's (a view of a leaf that requires
  // grad requires grad even when made under no_grad, as in PyTorch).
  bool requires_grad() const {
    return (autograd_ && autograd_->requires_grad) || (view_base_ && view_base_->requires_grad());
  }

  // A view op's result knows the tensor it views (the root: a view of a view
  // points at the first base), how it was made, and the storage version its
  // grad_fn was made at (autograd remakes it when the storage changed since).
  const TensorImplPtr& view_base() const { return view_base_; }
  ViewCreation view_creation() const { return view_creation_; }
  uint32_t view_version() const { return view_version_; }
  void set_view_version(uint32_t version) { view_version_ = version; }
  // Marks this impl as a view of `self` (an impl over the same storage), or no longer a view.
  void set_view_of(TensorImpl& self, ViewCreation creation);
  void forget_view_base() { view_base_ = TensorImplPtr(); }

 private:
  void refresh();

  Storage storage_;
  Shape sizes_;
  Shape strides_;
  int64_t offset_;
  int64_t numel_;
  DType dtype_;
  bool is_contiguous_;
  ViewCreation view_creation_ = ViewCreation::kGradMode;
  uint32_t view_version_ = 0;
  TensorImplPtr view_base_;
  std::unique_ptr<AutogradMeta> autograd_;
};

}  // namespace ember
