// The table of contents of ember's public operations, grouped by family.
// Each family is one file in ops/ (named in its heading), where every op's
// forward sits (and, with the autograd issue, its backward beside it).
#pragma once

#include <ember/core/tensor.h>

#include <functional>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace ember {

// ---- creation (ops/create.cpp) ----
Tensor empty(IntArrayRef size, TensorOptions options = {});
Tensor zeros(IntArrayRef size, TensorOptions options = {});
Tensor ones(IntArrayRef size, TensorOptions options = {});
Tensor full(IntArrayRef size, const Scalar& value, TensorOptions options = {});
Tensor scalar_tensor(const Scalar& value, TensorOptions options = {});
Tensor arange(const Scalar& end, TensorOptions options = {});
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step = 1, TensorOptions options = {});
Tensor linspace(double start, double end, int64_t steps, TensorOptions options = {});
Tensor eye(int64_t n, TensorOptions options = {});
Tensor eye(int64_t n, int64_t m, TensorOptions options = {});
// *_like: same shape, and same dtype/device unless options says otherwise.
Tensor empty_like(const Tensor& other, TensorOptions options = {});
Tensor zeros_like(const Tensor& other, TensorOptions options = {});
Tensor ones_like(const Tensor& other, TensorOptions options = {});
Tensor full_like(const Tensor& other, const Scalar& value, TensorOptions options = {});

// Nested braced values for tensor(): tensor({{1, 2}, {3, 4}}), tensor({1.5, 2.0}, kFloat64).
class TensorData {
 public:
  TensorData(double v) : scalar_(v) {}
  TensorData(float v) : scalar_(v) {}
  TensorData(int v) : scalar_(v) {}
  TensorData(int64_t v) : scalar_(v) {}
  TensorData(bool v) : scalar_(v) {}
  TensorData(std::initializer_list<TensorData> items) : items_(items), is_list_(true) {}
  bool is_list() const { return is_list_; }
  const Scalar& scalar() const { return scalar_; }
  const std::vector<TensorData>& items() const { return items_; }

 private:
  Scalar scalar_;
  std::vector<TensorData> items_;
  bool is_list_ = false;
};
// dtype from the values unless given: bools -> bool, integers -> int64, else float32.
Tensor tensor(const TensorData& data, TensorOptions options = {});
// Wraps memory that ember does not own; `deleter` (may be empty) runs when the last view dies.
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, std::function<void(void*)> deleter,
                 TensorOptions options = {});
Tensor from_blob(void* data, IntArrayRef sizes, TensorOptions options = {});

// ---- random (ops/random.cpp); the generator is core/generator.h ----
class Generator;
Tensor rand(IntArrayRef size, TensorOptions options = {});
Tensor randn(IntArrayRef size, TensorOptions options = {});
// generator: the stream to draw from (torch's generator=); null, the default one.
Tensor randint(int64_t low, int64_t high, IntArrayRef size, TensorOptions options = {},
               Generator* generator = nullptr);  // int64 unless told
Tensor randint(int64_t high, IntArrayRef size, TensorOptions options = {}, Generator* generator = nullptr);
Tensor rand_like(const Tensor& other, TensorOptions options = {});
Tensor randn_like(const Tensor& other, TensorOptions options = {});
Tensor bernoulli(const Tensor& probabilities);
Tensor bernoulli(const Tensor& self, double p);
Tensor randperm(int64_t n, TensorOptions options = {}, Generator* generator = nullptr);  // int64 unless told
Tensor& uniform_(Tensor& self, double from = 0.0, double to = 1.0);
Tensor& normal_(Tensor& self, double mean = 0.0, double std = 1.0);

// ---- conversion and copies (ops/copy.cpp) ----
Tensor to(const Tensor& self, Device device, DType dtype);
Tensor& copy_(Tensor& self, const Tensor& src);  // broadcasts src, converts dtype and device
Tensor contiguous(const Tensor& self);
Tensor clone(const Tensor& self);
Tensor detach(const Tensor& self);

// ---- views and shape (ops/shape.cpp) ----
Tensor view(const Tensor& self, IntArrayRef shape);
Tensor reshape(const Tensor& self, IntArrayRef shape);
Tensor permute(const Tensor& self, IntArrayRef dims);
Tensor transpose(const Tensor& self, int64_t dim0, int64_t dim1);
Tensor t(const Tensor& self);
Tensor expand(const Tensor& self, IntArrayRef shape);
Tensor squeeze(const Tensor& self);
Tensor squeeze(const Tensor& self, int64_t dim);
Tensor unsqueeze(const Tensor& self, int64_t dim);
Tensor flatten(const Tensor& self, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor unflatten(const Tensor& self, int64_t dim, IntArrayRef sizes);
Tensor slice(const Tensor& self, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
             int64_t step = 1);
Tensor narrow(const Tensor& self, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& self, int64_t dim, int64_t index);
Tensor diagonal(const Tensor& self, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
Tensor as_strided(const Tensor& self, IntArrayRef size, IntArrayRef stride,
                  std::optional<int64_t> storage_offset = {});
std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& tensors);

// ---- elementwise arithmetic (ops/elementwise.cpp) ----
Tensor add(const Tensor& self, const Tensor& other, const Scalar& alpha = 1);
Tensor add(const Tensor& self, const Scalar& other);
Tensor sub(const Tensor& self, const Tensor& other, const Scalar& alpha = 1);
Tensor sub(const Tensor& self, const Scalar& other);
Tensor mul(const Tensor& self, const Tensor& other);
Tensor mul(const Tensor& self, const Scalar& other);
// rounding_mode: none (true division), "trunc" or "floor".
Tensor div(const Tensor& self, const Tensor& other, std::optional<std::string_view> rounding_mode = {});
Tensor div(const Tensor& self, const Scalar& other, std::optional<std::string_view> rounding_mode = {});
Tensor pow(const Tensor& self, const Tensor& exponent);
Tensor pow(const Tensor& self, const Scalar& exponent);
Tensor pow(const Scalar& self, const Tensor& exponent);
Tensor maximum(const Tensor& self, const Tensor& other);
Tensor minimum(const Tensor& self, const Tensor& other);
Tensor lerp(const Tensor& self, const Tensor& end, const Scalar& weight);
Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight);
Tensor where(const Tensor& condition, const Tensor& self, const Tensor& other);
Tensor where(const Tensor& condition, const Tensor& self, const Scalar& other);
Tensor where(const Tensor& condition, const Scalar& self, const Tensor& other);
Tensor clamp(const Tensor& self, std::optional<Scalar> min, std::optional<Scalar> max = {});
Tensor clamp(const Tensor& self, const Tensor& min, const Tensor& max);
Tensor nan_to_num(const Tensor& self, std::optional<double> nan = 0.0, std::optional<double> posinf = {},
                  std::optional<double> neginf = {});
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Scalar& value);
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value);  // value: 0-d, differentiable

// Unary math; integer inputs of the float-only ones (exp, sin, ...) give float32, as in PyTorch.
Tensor neg(const Tensor& self);
Tensor abs(const Tensor& self);
Tensor sign(const Tensor& self);
Tensor exp(const Tensor& self);
Tensor exp2(const Tensor& self);
Tensor log(const Tensor& self);
Tensor log2(const Tensor& self);
Tensor log1p(const Tensor& self);
Tensor expm1(const Tensor& self);
Tensor sqrt(const Tensor& self);
Tensor rsqrt(const Tensor& self);
Tensor sin(const Tensor& self);
Tensor cos(const Tensor& self);
Tensor tan(const Tensor& self);
Tensor tanh(const Tensor& self);
Tensor sigmoid(const Tensor& self);
Tensor floor(const Tensor& self);
Tensor ceil(const Tensor& self);
Tensor round(const Tensor& self);
Tensor trunc(const Tensor& self);
Tensor reciprocal(const Tensor& self);
Tensor erf(const Tensor& self);

// ---- activations (ops/activation.cpp) ----
Tensor relu(const Tensor& self);
Tensor leaky_relu(const Tensor& self, double negative_slope = 0.01);
Tensor elu(const Tensor& self, double alpha = 1.0);
Tensor gelu(const Tensor& self, std::string_view approximate = "none");  // or "tanh"
Tensor silu(const Tensor& self);
Tensor softplus(const Tensor& self, double beta = 1.0, double threshold = 20.0);
Tensor hardtanh(const Tensor& self, double min_val = -1.0, double max_val = 1.0);

// ---- comparison and logic (ops/compare.cpp); results are bool ----
Tensor eq(const Tensor& self, const Tensor& other);
Tensor eq(const Tensor& self, const Scalar& other);
Tensor ne(const Tensor& self, const Tensor& other);
Tensor ne(const Tensor& self, const Scalar& other);
Tensor lt(const Tensor& self, const Tensor& other);
Tensor lt(const Tensor& self, const Scalar& other);
Tensor le(const Tensor& self, const Tensor& other);
Tensor le(const Tensor& self, const Scalar& other);
Tensor gt(const Tensor& self, const Tensor& other);
Tensor gt(const Tensor& self, const Scalar& other);
Tensor ge(const Tensor& self, const Tensor& other);
Tensor ge(const Tensor& self, const Scalar& other);
Tensor logical_and(const Tensor& self, const Tensor& other);
Tensor logical_or(const Tensor& self, const Tensor& other);
Tensor logical_not(const Tensor& self);
Tensor isnan(const Tensor& self);
Tensor isinf(const Tensor& self);
Tensor isfinite(const Tensor& self);
// |self - other| <= atol + rtol * |other| elementwise, as torch.isclose: equal values (infinities too)
// are close; NaN is close to NaN only with equal_nan. self and other must have the same dtype.
Tensor isclose(const Tensor& self, const Tensor& other, double rtol = 1e-5, double atol = 1e-8,
               bool equal_nan = false);
bool allclose(const Tensor& self, const Tensor& other, double rtol = 1e-5, double atol = 1e-8,
              bool equal_nan = false);
// The same shape and the same values (compared in the common dtype), as torch.equal.
bool equal(const Tensor& self, const Tensor& other);

// Operators. Comparisons return bool tensors, as in libtorch.
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Scalar& b);
Tensor operator+(const Scalar& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Scalar& b);
Tensor operator-(const Scalar& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Scalar& b);
Tensor operator*(const Scalar& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Scalar& b);
Tensor operator/(const Scalar& a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor& operator+=(Tensor& a, const Tensor& b);
Tensor& operator+=(Tensor& a, const Scalar& b);
Tensor& operator-=(Tensor& a, const Tensor& b);
Tensor& operator-=(Tensor& a, const Scalar& b);
Tensor& operator*=(Tensor& a, const Tensor& b);
Tensor& operator*=(Tensor& a, const Scalar& b);
Tensor& operator/=(Tensor& a, const Tensor& b);
Tensor& operator/=(Tensor& a, const Scalar& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Scalar& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Scalar& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Scalar& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Scalar& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Scalar& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Scalar& b);

// ---- reductions (ops/reduce.cpp); dims = {} means all dims ----
Tensor sum(const Tensor& self, IntArrayRef dims = {}, bool keepdim = false, std::optional<DType> dtype = {});
Tensor mean(const Tensor& self, IntArrayRef dims = {}, bool keepdim = false, std::optional<DType> dtype = {});
Tensor prod(const Tensor& self, std::optional<int64_t> dim = {}, bool keepdim = false,
            std::optional<DType> dtype = {});
Tensor amax(const Tensor& self, IntArrayRef dims = {}, bool keepdim = false);
Tensor amin(const Tensor& self, IntArrayRef dims = {}, bool keepdim = false);
Tensor max(const Tensor& self);
Tensor min(const Tensor& self);
// (values, indices) along a dim; the index of the first extreme value on ties.
std::pair<Tensor, Tensor> max(const Tensor& self, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> min(const Tensor& self, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& self, std::optional<int64_t> dim = {}, bool keepdim = false);
Tensor argmin(const Tensor& self, std::optional<int64_t> dim = {}, bool keepdim = false);
Tensor var(const Tensor& self, IntArrayRef dims = {}, double correction = 1, bool keepdim = false);
Tensor std(const Tensor& self, IntArrayRef dims = {}, double correction = 1, bool keepdim = false);
Tensor logsumexp(const Tensor& self, IntArrayRef dims, bool keepdim = false);
// p = 1, 2 or INFINITY (also any other positive p).
Tensor norm(const Tensor& self, double p = 2, IntArrayRef dims = {}, bool keepdim = false);
Tensor all(const Tensor& self);
Tensor all(const Tensor& self, int64_t dim, bool keepdim = false);
Tensor any(const Tensor& self);
Tensor any(const Tensor& self, int64_t dim, bool keepdim = false);
Tensor cumsum(const Tensor& self, int64_t dim, std::optional<DType> dtype = {});

// ---- softmax family (ops/softmax.cpp), fused and numerically stable ----
Tensor softmax(const Tensor& self, int64_t dim);
Tensor log_softmax(const Tensor& self, int64_t dim);

// ---- linear algebra (ops/linalg.cpp) ----
Tensor matmul(const Tensor& self, const Tensor& other);  // NumPy semantics, batched broadcasting
Tensor mm(const Tensor& self, const Tensor& other);
Tensor bmm(const Tensor& self, const Tensor& other);
Tensor addmm(const Tensor& input, const Tensor& mat1, const Tensor& mat2, const Scalar& beta = 1,
             const Scalar& alpha = 1);
Tensor mv(const Tensor& self, const Tensor& vec);
Tensor dot(const Tensor& self, const Tensor& other);
Tensor outer(const Tensor& self, const Tensor& other);
Tensor einsum(std::string_view equation, const std::vector<Tensor>& operands);

// ---- joining and reshaping copies (ops/join.cpp) ----
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& self, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& self, IntArrayRef split_sizes, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& self, int64_t chunks, int64_t dim = 0);
std::vector<Tensor> unbind(const Tensor& self, int64_t dim = 0);
Tensor repeat(const Tensor& self, IntArrayRef repeats);
Tensor tile(const Tensor& self, IntArrayRef dims);
Tensor flip(const Tensor& self, IntArrayRef dims);
Tensor roll(const Tensor& self, IntArrayRef shifts, IntArrayRef dims = {});
Tensor tril(const Tensor& self, int64_t diagonal = 0);
Tensor triu(const Tensor& self, int64_t diagonal = 0);
// Constant padding, PyTorch's F.pad order: {before, after} of the last dim, then of the one before, ...
// Negative amounts crop.
Tensor pad(const Tensor& self, IntArrayRef pad, const Scalar& value = 0);

// ---- convolution (ops/conv.cpp) ----
// An int-or-tuple argument of the convolution and pooling ops: one size for
// every spatial dim (`.stride = 2`) or one per dim (`.stride = {2, 1}`).
class SpatialSize {
 public:
  SpatialSize(int64_t size) : sizes_{size} {}
  SpatialSize(std::initializer_list<int64_t> sizes) : sizes_(sizes) {}
  SpatialSize(IntArrayRef sizes) : sizes_(sizes) {}
  // The sizes for `dims` spatial dims; an error naming op and argument when they cannot be.
  Shape expand(const char* op, const char* name, int64_t dims) const;
  bool empty() const { return sizes_.size() == 0; }
  // As given: one value (for every dim) or one per dim; nn modules print it so.
  IntArrayRef sizes() const { return sizes_; }

 private:
  Shape sizes_;
};

// padding="same" (output size = input size, stride 1) or "valid" (no padding), as PyTorch's strings.
enum class PaddingMode { Same, Valid };
inline constexpr PaddingMode kSame = PaddingMode::Same;
inline constexpr PaddingMode kValid = PaddingMode::Valid;
class ConvPadding : public SpatialSize {
 public:
  ConvPadding(int64_t size) : SpatialSize(size) {}
  ConvPadding(std::initializer_list<int64_t> sizes) : SpatialSize(sizes) {}
  ConvPadding(IntArrayRef sizes) : SpatialSize(sizes) {}
  ConvPadding(PaddingMode mode) : SpatialSize(0), mode_(mode) {}
  std::optional<PaddingMode> mode() const { return mode_; }

 private:
  std::optional<PaddingMode> mode_;
};

struct ConvOptions {
  SpatialSize stride = 1;
  ConvPadding padding = 0;
  SpatialSize dilation = 1;
  int64_t groups = 1;
};
// input [N, C, L] (or [C, L]), weight [OC, C / groups, K], bias [OC] or undefined.
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, const ConvOptions& options = {});
// input [N, C, H, W] (or [C, H, W]), weight [OC, C / groups, KH, KW], bias [OC] or undefined.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, const ConvOptions& options = {});

struct ConvTransposeOptions {
  SpatialSize stride = 1;
  SpatialSize padding = 0;
  SpatialSize output_padding = 0;
  int64_t groups = 1;
  SpatialSize dilation = 1;
};
// The gradient of conv1d/conv2d with respect to its input, as an op: weight [C, OC / groups, K...].
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        const ConvTransposeOptions& options = {});
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        const ConvTransposeOptions& options = {});

// ---- pooling (ops/pool.cpp), over [N, C, H, W] or [C, H, W] ----
struct MaxPoolOptions {
  SpatialSize stride = {};  // none: the kernel size
  SpatialSize padding = 0;
  SpatialSize dilation = 1;
  bool ceil_mode = false;
};
Tensor max_pool2d(const Tensor& input, const SpatialSize& kernel_size, const MaxPoolOptions& options = {});
// Also the int64 position h * W + w of each maximum within its plane.
std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const SpatialSize& kernel_size,
                                                  const MaxPoolOptions& options = {});
struct AvgPoolOptions {
  SpatialSize stride = {};  // none: the kernel size
  SpatialSize padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override = {};
};
Tensor avg_pool2d(const Tensor& input, const SpatialSize& kernel_size, const AvgPoolOptions& options = {});
Tensor adaptive_avg_pool2d(const Tensor& input, const SpatialSize& output_size);

// ---- normalization (ops/norm.cpp) ----
struct BatchNormOptions {
  Tensor weight = {}, bias = {};  // [C] each, or undefined
  bool training = false;
  double momentum = 0.1;
  double eps = 1e-5;
};
// input [N, C, *]. Training normalises by the batch's statistics and, when the
// running stats [C] are given, moves them towards the batch's by momentum (in
// place, unbiased variance); eval normalises by the running stats.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormOptions& options = {});

// ---- indexing (ops/index.cpp); index tensors are int64 ----
Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& self, int64_t dim, const Tensor& index);
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value);
Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha = 1);
Tensor masked_select(const Tensor& self, const Tensor& mask);
Tensor nonzero(const Tensor& self);  // [n, dim] int64
Tensor take(const Tensor& self, const Tensor& index);
Tensor one_hot(const Tensor& self, int64_t num_classes = -1);

// ---- sorting (ops/sort.cpp) ----
std::pair<Tensor, Tensor> topk(const Tensor& self, int64_t k, int64_t dim = -1, bool largest = true,
                               bool sorted = true);
std::pair<Tensor, Tensor> sort(const Tensor& self, int64_t dim = -1, bool descending = false);
Tensor argsort(const Tensor& self, int64_t dim = -1, bool descending = false);

}  // namespace ember
