// Embedding (nn/embedding.h) and F::embedding: index_select along the rows of
// the table, whose backward is index_add (repeated indices sum their gradients).
#include <ember/autograd/grad_mode.h>
#include <ember/nn/embedding.h>
#include <ember/nn/functional.h>
#include <ember/nn/init.h>

#include <fmt/format.h>

namespace ember::nn {
namespace {

// PyTorch's rule: padding_idx in [-num_embeddings, num_embeddings), negative counting from the end.
std::optional<int64_t> wrap_padding_idx(const char* op, std::optional<int64_t> padding_idx, int64_t num_embeddings) {
  if (!padding_idx) return padding_idx;
  EMBER_CHECK_VALUE(*padding_idx >= -num_embeddings && *padding_idx < num_embeddings,
                    "{}: padding_idx must be within num_embeddings: expected {} <= padding_idx < {}, got {}", op,
                    -num_embeddings, num_embeddings, *padding_idx);
  return *padding_idx < 0 ? *padding_idx + num_embeddings : *padding_idx;
}

}  // namespace

namespace functional {

Tensor embedding(const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx) {
  EMBER_CHECK(input.defined() && weight.defined() && weight.dim() == 2,
              "embedding: expected an index tensor and a 2-d weight [num_embeddings, embedding_dim], got weight {}",
              weight.defined() ? weight.shape() : Shape{});
  EMBER_CHECK(input.dtype() == kInt64 || input.dtype() == kInt32,
              "embedding: expected an index tensor of dtype int64 (or int32), got {}", input.dtype());
  const int64_t num_embeddings = weight.size(0);
  padding_idx = wrap_padding_idx("embedding", padding_idx, num_embeddings);
  const Tensor index = input.to(kInt64).reshape({-1});
  if (index.numel() > 0) {
    // Checked here so that the message speaks of embeddings, not of index_select's dim 0.
    const int64_t low = index.amin().item<int64_t>(), high = index.amax().item<int64_t>();
    const int64_t bad = low < 0 ? low : high;
    EMBER_CHECK_INDEX(low >= 0 && high < num_embeddings,
                      "embedding: index {} is out of range for num_embeddings = {} (expected 0 <= index < {})", bad,
                      num_embeddings, num_embeddings);
  }
  Shape out_shape = input.shape();
  out_shape.push_back(weight.size(1));
  Tensor out = weight.index_select(0, index).reshape(out_shape);
  if (padding_idx && autograd::is_grad_enabled() && weight.requires_grad()) {
    // Same values, but the padding rows' gradient is cut: where() sends it to the detached branch.
    const Tensor is_padding = eq(input, *padding_idx).unsqueeze(-1);
    out = where(is_padding, out.detach(), out);
  }
  return out;
}

}  // namespace functional

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, EmbeddingOptions options)
    : num_embeddings(num_embeddings),
      embedding_dim(embedding_dim),
      padding_idx(wrap_padding_idx("Embedding", options.padding_idx, num_embeddings)) {
  EMBER_CHECK_VALUE(num_embeddings >= 0 && embedding_dim >= 0,
                    "Embedding: expected non-negative num_embeddings and embedding_dim, got {} and {}",
                    num_embeddings, embedding_dim);
  const TensorOptions tensor_options{options.dtype.value_or(kFloat32), options.device.value_or(Device(kCPU))};
  weight = register_parameter("weight", empty({num_embeddings, embedding_dim}, tensor_options));
  reset_parameters();
}

Embedding::Embedding(Pretrained, const Tensor& embeddings, bool freeze, std::optional<int64_t> padding_idx)
    : num_embeddings(embeddings.size(0)),
      embedding_dim(embeddings.size(1)),
      padding_idx(wrap_padding_idx("Embedding.from_pretrained", padding_idx, embeddings.size(0))) {
  // A new leaf over the same storage (torch's Parameter(embeddings)): the caller's tensor keeps its requires_grad.
  weight = register_parameter("weight", embeddings.detach(), /*requires_grad=*/!freeze);
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, bool freeze, std::optional<int64_t> padding_idx) {
  EMBER_CHECK(embeddings.defined() && embeddings.dim() == 2,
              "Embedding.from_pretrained: expected embeddings of 2 dimensions [num_embeddings, embedding_dim], got {}",
              embeddings.defined() ? embeddings.shape() : Shape{});
  return Embedding(Pretrained{}, embeddings, freeze, padding_idx);
}

void Embedding::reset_parameters() {
  init::normal_(weight);
  if (padding_idx) {
    autograd::NoGradGuard no_grad;
    weight[*padding_idx].fill_(0);
  }
}

Tensor Embedding::forward(const Tensor& input) { return functional::embedding(input, weight, padding_idx); }

std::string Embedding::extra_repr() const {
  std::string s = fmt::format("{}, {}", num_embeddings, embedding_dim);
  if (padding_idx) s += fmt::format(", padding_idx={}", *padding_idx);
  return s;
}

}  // namespace ember::nn
