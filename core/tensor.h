// Tensor: a cheap ref-counted handle to a TensorImpl. Copying a Tensor shares
// the data (like PyTorch); use clone() for a copy of the values.
// The metadata accessors are defined here and in core/tensor.cpp; the methods
// that are operations (t.sum(), t.view(...)) are declared here and defined in
// the ops/ file of their family, beside the free function they forward to.
#pragma once

#include <ember/core/scalar.h>
#include <ember/core/tensor_impl.h>
#include <ember/core/tensor_options.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ember {

class Tensor {
 public:
  Tensor() = default;  // undefined: no storage; most ops reject it
  explicit Tensor(TensorImplPtr impl) : impl_(std::move(impl)) {}

  // A new tensor over `storage` with the given geometry (no copy).
  static Tensor make(Storage storage, Shape sizes, Shape strides, int64_t offset, DType dtype) {
    return Tensor(TensorImplPtr::make(std::move(storage), std::move(sizes), std::move(strides), offset, dtype));
  }

  // ---- metadata (core) ----
  bool defined() const { return static_cast<bool>(impl_); }
  TensorImpl* impl() const { return impl_.get(); }
  const TensorImplPtr& impl_ptr() const { return impl_; }
  const Shape& shape() const { return impl_->sizes(); }
  const Shape& strides() const { return impl_->strides(); }
  int64_t size(int64_t dim) const;
  int64_t stride(int64_t dim) const;
  int64_t dim() const { return static_cast<int64_t>(impl_->sizes().size()); }
  int64_t numel() const { return impl_->numel(); }
  int64_t storage_offset() const { return impl_->offset(); }
  DType dtype() const { return impl_->dtype(); }
  Device device() const { return impl_->device(); }
  bool is_cuda() const { return device().is_cuda(); }
  bool is_cpu() const { return device().is_cpu(); }
  bool is_floating_point() const { return ember::is_floating_point(dtype()); }
  bool is_contiguous() const { return impl_->is_contiguous(); }
  size_t element_size() const { return ember::element_size(dtype()); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * element_size(); }
  TensorOptions options() const { return {dtype(), device()}; }
  // Same storage (views of one another)?
  bool is_alias_of(const Tensor& other) const { return impl_->storage() == other.impl_->storage(); }
  uint32_t version() const { return impl_->storage()->version(); }
  void bump_version() const { impl_->storage()->bump_version(); }

  // Raw data: the address of element 0. data_ptr<T>() checks T against the dtype.
  void* data_ptr() const { return impl_->data(); }
  template <class T>
  T* data_ptr() const {
    check_data_ptr(dtype_of_v<T>);
    return static_cast<T*>(impl_->data());
  }

  // ---- autograd (autograd/tensor_methods.cpp, autograd/engine.cpp) ----
  bool requires_grad() const { return impl_->requires_grad(); }
  Tensor& requires_grad_(bool requires_grad = true);
  // A leaf's accumulated gradient (or a retained one); undefined until backward reaches it.
  Tensor grad() const;
  void set_grad(const Tensor& grad) const;  // an undefined tensor clears it
  // This tensor (every handle to it) now shows other's data: storage, shape,
  // strides and dtype; its autograd fields stay. PyTorch's `t.data = other`.
  void set_data(const Tensor& other) const;
  // The node that produced this tensor (null for leaves and tensors outside autograd).
  // For a view whose base was written in place since, a node viewing the base's new history.
  std::shared_ptr<autograd::Node> grad_fn() const;
  bool is_leaf() const { return !grad_fn(); }
  // The tensor a view views (PyTorch's `_base`); undefined when this is not a view.
  Tensor view_base() const { return impl_->view_base() ? Tensor(impl_->view_base()) : Tensor(); }
  void backward(const Tensor& gradient = {}, std::optional<bool> retain_graph = {}, bool create_graph = false) const;
  // Keep the gradient of this non-leaf in grad() after backward.
  void retain_grad() const;
  bool retains_grad() const { return impl_->autograd() && impl_->autograd()->retained_grad != nullptr; }
  // hook(grad) runs when this tensor's gradient is computed; a defined result replaces the gradient.
  void register_hook(std::function<Tensor(const Tensor&)> hook) const;
  // hook(leaf) runs after a gradient has been accumulated into this leaf's grad().
  void register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const;

  // ---- conversion (ops/copy.cpp) ----
  Tensor to(DType dtype) const;
  Tensor to(Device device) const;
  Tensor to(Device device, DType dtype) const;
  Tensor cpu() const { return to(Device(kCPU)); }
  Tensor cuda() const { return to(Device(kCUDA)); }
  Tensor& copy_(const Tensor& src);
  Tensor& fill_(const Scalar& value);
  Tensor& zero_();
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor detach() const;
  Scalar item() const;
  template <class T>
  T item() const {
    return item().to<T>();
  }
  // The values in row-major order, converted to T (like tolist() flattened).
  template <class T>
  std::vector<T> to_vector() const {
    Tensor c = to(Device(kCPU), dtype_of_v<T>).contiguous();
    const T* p = c.data_ptr<T>();
    return std::vector<T>(p, p + c.numel());
  }

  // ---- views and shape (ops/shape.cpp) ----
  Tensor view(IntArrayRef shape) const;
  Tensor reshape(IntArrayRef shape) const;
  Tensor permute(IntArrayRef dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;
  Tensor expand(IntArrayRef shape) const;
  Tensor expand_as(const Tensor& other) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor unflatten(int64_t dim, IntArrayRef sizes) const;
  Tensor slice(int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor diagonal(int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1) const;
  Tensor as_strided(IntArrayRef size, IntArrayRef stride, std::optional<int64_t> storage_offset = {}) const;

  // ---- elementwise (ops/elementwise.cpp, ops/activation.cpp, ops/compare.cpp) ----
  Tensor add(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor add(const Scalar& other) const;
  Tensor sub(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor sub(const Scalar& other) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(const Scalar& other) const;
  Tensor div(const Tensor& other, std::optional<std::string_view> rounding_mode = {}) const;
  Tensor div(const Scalar& other, std::optional<std::string_view> rounding_mode = {}) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(const Scalar& exponent) const;
  Tensor& add_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& add_(const Scalar& other);
  Tensor& sub_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& sub_(const Scalar& other);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(const Scalar& other);
  Tensor& div_(const Tensor& other, std::optional<std::string_view> rounding_mode = {});
  Tensor& div_(const Scalar& other, std::optional<std::string_view> rounding_mode = {});
  Tensor& pow_(const Scalar& exponent);
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  Tensor lerp(const Tensor& end, const Scalar& weight) const;
  Tensor lerp(const Tensor& end, const Tensor& weight) const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = {}) const;
  Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = {});
  Tensor nan_to_num(std::optional<double> nan = 0.0, std::optional<double> posinf = {},
                    std::optional<double> neginf = {}) const;
  Tensor where(const Tensor& condition, const Tensor& other) const;
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  Tensor& masked_fill_(const Tensor& mask, const Scalar& value);
#define EMBER_DECLARE_UNARY_METHOD(name) \
  Tensor name() const;                   \
  Tensor& name##_();
  EMBER_DECLARE_UNARY_METHOD(neg)
  EMBER_DECLARE_UNARY_METHOD(abs)
  EMBER_DECLARE_UNARY_METHOD(sign)
  EMBER_DECLARE_UNARY_METHOD(exp)
  EMBER_DECLARE_UNARY_METHOD(exp2)
  EMBER_DECLARE_UNARY_METHOD(log)
  EMBER_DECLARE_UNARY_METHOD(log2)
  EMBER_DECLARE_UNARY_METHOD(log1p)
  EMBER_DECLARE_UNARY_METHOD(expm1)
  EMBER_DECLARE_UNARY_METHOD(sqrt)
  EMBER_DECLARE_UNARY_METHOD(rsqrt)
  EMBER_DECLARE_UNARY_METHOD(sin)
  EMBER_DECLARE_UNARY_METHOD(cos)
  EMBER_DECLARE_UNARY_METHOD(tan)
  EMBER_DECLARE_UNARY_METHOD(tanh)
  EMBER_DECLARE_UNARY_METHOD(sigmoid)
  EMBER_DECLARE_UNARY_METHOD(relu)
  EMBER_DECLARE_UNARY_METHOD(floor)
  EMBER_DECLARE_UNARY_METHOD(ceil)
  EMBER_DECLARE_UNARY_METHOD(round)
  EMBER_DECLARE_UNARY_METHOD(trunc)
  EMBER_DECLARE_UNARY_METHOD(reciprocal)
  EMBER_DECLARE_UNARY_METHOD(erf)
#undef EMBER_DECLARE_UNARY_METHOD
  Tensor eq(const Tensor& other) const;
  Tensor eq(const Scalar& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor ne(const Scalar& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor lt(const Scalar& other) const;
  Tensor le(const Tensor& other) const;
  Tensor le(const Scalar& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor gt(const Scalar& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor ge(const Scalar& other) const;
  Tensor logical_not() const;
  Tensor logical_and(const Tensor& other) const;
  Tensor logical_or(const Tensor& other) const;
  Tensor isnan() const;
  Tensor isinf() const;
  Tensor isfinite() const;

  // ---- reductions (ops/reduce.cpp, ops/softmax.cpp) ----
  Tensor sum(std::optional<DType> dtype = {}) const;
  Tensor sum(IntArrayRef dims, bool keepdim = false, std::optional<DType> dtype = {}) const;
  Tensor mean(std::optional<DType> dtype = {}) const;
  Tensor mean(IntArrayRef dims, bool keepdim = false, std::optional<DType> dtype = {}) const;
  Tensor prod(std::optional<DType> dtype = {}) const;
  Tensor prod(int64_t dim, bool keepdim = false, std::optional<DType> dtype = {}) const;
  Tensor amax(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor amin(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor max() const;
  std::pair<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  std::pair<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = {}, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = {}, bool keepdim = false) const;
  Tensor var(IntArrayRef dims = {}, double correction = 1, bool keepdim = false) const;
  Tensor std(IntArrayRef dims = {}, double correction = 1, bool keepdim = false) const;
  Tensor logsumexp(IntArrayRef dims, bool keepdim = false) const;
  Tensor norm(double p = 2, IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor all() const;
  Tensor all(int64_t dim, bool keepdim = false) const;
  Tensor any() const;
  Tensor any(int64_t dim, bool keepdim = false) const;
  Tensor cumsum(int64_t dim, std::optional<DType> dtype = {}) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;

  // ---- linear algebra (ops/linalg.cpp) ----
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor bmm(const Tensor& other) const;
  Tensor mv(const Tensor& vec) const;
  Tensor dot(const Tensor& other) const;

  // ---- joining, indexing, sorting (ops/join.cpp, ops/index.cpp, ops/sort.cpp) ----
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> split(IntArrayRef split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  Tensor repeat(IntArrayRef repeats) const;
  Tensor tile(IntArrayRef dims) const;
  Tensor flip(IntArrayRef dims) const;
  Tensor roll(IntArrayRef shifts, IntArrayRef dims = {}) const;
  Tensor tril(int64_t diagonal = 0) const;
  Tensor triu(int64_t diagonal = 0) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Scalar& value) const;
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor index_add(int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha = 1) const;
  Tensor masked_select(const Tensor& mask) const;
  Tensor nonzero() const;
  Tensor take(const Tensor& index) const;
  std::pair<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) const;
  std::pair<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false) const;
  Tensor argsort(int64_t dim = -1, bool descending = false) const;

  // ---- random fill, in place (ops/random.cpp) ----
  Tensor& uniform_(double from = 0.0, double to = 1.0);
  Tensor& normal_(double mean = 0.0, double std = 1.0);

  std::string str() const;  // PyTorch's repr (core/print.cpp)

 private:
  void check_data_ptr(DType requested) const;
  TensorImplPtr impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace ember
