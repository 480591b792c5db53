// Initialisers (nn/init.h). Writes happen under NoGradGuard: parameters are
// leaves that require grad, which autograd would not let us write in place.
#include <ember/autograd/grad_mode.h>
#include <ember/nn/init.h>
#include <ember/ops/ops.h>

#include <cmath>
#include <vector>

namespace ember::nn::init {

double calculate_gain(std::string_view nonlinearity, double param) {
  if (nonlinearity == "linear" || nonlinearity == "sigmoid" || nonlinearity.rfind("conv", 0) == 0) return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nonlinearity == "selu") return 3.0 / 4.0;
  ::ember::detail::fail(ErrorKind::Value, "calculate_gain: unsupported nonlinearity '{}'", nonlinearity);
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor) {
  EMBER_CHECK_VALUE(tensor.dim() >= 2,
                    "calculate_fan_in_and_fan_out: fan in and fan out can not be computed for a tensor with fewer "
                    "than 2 dimensions, got shape {}",
                    tensor.shape());
  int64_t receptive_field = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive_field *= tensor.size(d);
  return {tensor.size(1) * receptive_field, tensor.size(0) * receptive_field};
}

namespace {
double fan(const Tensor& tensor, FanMode mode) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  return static_cast<double>(mode == FanMode::FanIn ? fan_in : fan_out);
}
}  // namespace

Tensor& uniform_(Tensor& tensor, double a, double b) {
  autograd::NoGradGuard no_grad;
  return ember::uniform_(tensor, a, b);
}

Tensor& normal_(Tensor& tensor, double mean, double std) {
  autograd::NoGradGuard no_grad;
  return ember::normal_(tensor, mean, std);
}

Tensor& constant_(Tensor& tensor, double value) {
  autograd::NoGradGuard no_grad;
  tensor.fill_(value);
  return tensor;
}
Tensor& zeros_(Tensor& tensor) { return constant_(tensor, 0.0); }
Tensor& ones_(Tensor& tensor) { return constant_(tensor, 1.0); }

Tensor& xavier_uniform_(Tensor& tensor, double gain) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  const double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  return init::uniform_(tensor, -std::sqrt(3.0) * std, std::sqrt(3.0) * std);
}

Tensor& xavier_normal_(Tensor& tensor, double gain) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  return init::normal_(tensor, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)));
}

Tensor& kaiming_uniform_(Tensor& tensor, double a, FanMode mode, std::string_view nonlinearity) {
  const double n = fan(tensor, mode);
  if (n == 0) return tensor;  // an empty weight: nothing to draw (PyTorch warns and does the same)
  const double bound = std::sqrt(3.0) * calculate_gain(nonlinearity, a) / std::sqrt(n);
  return init::uniform_(tensor, -bound, bound);
}

Tensor& kaiming_normal_(Tensor& tensor, double a, FanMode mode, std::string_view nonlinearity) {
  const double n = fan(tensor, mode);
  if (n == 0) return tensor;
  return init::normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / std::sqrt(n));
}

// Gram-Schmidt (modified, in float64) on the columns of a normal [rows, cols]
// matrix with rows >= cols: the Q of QR; the signs follow R's diagonal, so Q
// is uniformly distributed (as PyTorch's q * sign(diag(r))).
Tensor& orthogonal_(Tensor& tensor, double gain) {
  EMBER_CHECK_VALUE(tensor.dim() >= 2, "orthogonal_: only tensors with 2 or more dimensions are supported, got shape {}",
                    tensor.shape());
  if (tensor.numel() == 0) return tensor;
  const int64_t rows = tensor.size(0), cols = tensor.numel() / rows;
  const bool transpose = rows < cols;
  const int64_t m = transpose ? cols : rows, n = transpose ? rows : cols;
  std::vector<double> a = randn({m, n}, kFloat64).to_vector<double>();  // row-major [m, n]
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t k = 0; k < j; ++k) {
      double dot = 0;
      for (int64_t i = 0; i < m; ++i) dot += a[i * n + j] * a[i * n + k];
      for (int64_t i = 0; i < m; ++i) a[i * n + j] -= dot * a[i * n + k];
    }
    double norm = 0;
    for (int64_t i = 0; i < m; ++i) norm += a[i * n + j] * a[i * n + j];
    norm = std::sqrt(norm);
    for (int64_t i = 0; i < m; ++i) a[i * n + j] /= norm;
  }
  Tensor q = from_blob(a.data(), {m, n}, kFloat64).clone();
  if (transpose) q = q.t();
  autograd::NoGradGuard no_grad;
  tensor.copy_((q * gain).reshape(tensor.shape()));
  return tensor;
}

}  // namespace ember::nn::init
