// TensorImpl geometry bookkeeping.
#include <ember/core/tensor_impl.h>

#include <cctype>

namespace ember {

TensorImpl::TensorImpl(Storage storage, Shape sizes, Shape strides, int64_t offset, DType dtype)
    : storage_(std::move(storage)), sizes_(std::move(sizes)), strides_(std::move(strides)), offset_(offset),
      dtype_(dtype) {
  refresh();
}

void TensorImpl::set_data(Storage storage, Shape sizes, Shape strides, int64_t offset, DType dtype) {
  storage_ = std::move(storage);
  dtype_ = dtype;
  sizes_ = std::move(sizes);
  strides_ = std::move(strides);
  offset_ = offset;
  refresh();
}

void TensorImpl::refresh() {
  EMBER_INTERNAL_ASSERT(sizes_.size() == strides_.size(), "sizes {} vs strides {}", sizes_, strides_);
  numel_ = numel_of(sizes_);
  // Contiguous means row-major; sizes of 1 may carry any stride (PyTorch's rule).
  is_contiguous_ = true;
  int64_t expected = 1;
  for (size_t i = sizes_.size(); i-- > 0;) {
    if (sizes_[i] == 1) continue;
    if (strides_[i] != expected) {
      is_contiguous_ = numel_ == 0;
      break;
    }
    expected *= sizes_[i];
  }
}

AutogradMeta& TensorImpl::autograd_or_create() {
  if (!autograd_) autograd_ = std::make_unique<AutogradMeta>();
  return *autograd_;
}

void TensorImpl::set_view_of(TensorImpl& self, ViewCreation creation) {
  EMBER_INTERNAL_ASSERT(self.storage_.get() == storage_.get(), "a view shares its base's storage");
  view_base_ = self.view_base_ ? self.view_base_ : TensorImplPtr(&self);
  view_creation_ = creation;
  view_version_ = storage_->version();
}

std::string backward_name(const char* op) {
  std::string name;
  bool upper = true;
  for (const char* c = op; *c; ++c) {
    if (*c == '_') {
      upper = true;
      continue;
    }
    name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(*c))) : *c;
    upper = false;
  }
  return name + "Backward";
}

}  // namespace ember
