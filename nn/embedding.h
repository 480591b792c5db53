// Embedding: a lookup table of num_embeddings rows of embedding_dim values,
// indexed by an int64 tensor of any shape. The row at padding_idx starts at
// zero and never receives a gradient, as in PyTorch.
#pragma once

#include <ember/nn/module.h>

#include <optional>

namespace ember::nn {

struct EmbeddingOptions {
  std::optional<int64_t> padding_idx = {};  // negative counts from the end (-1: the last row)
  std::optional<DType> dtype = {};
  std::optional<Device> device = {};
};

class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, EmbeddingOptions options = {});
  // A table over `embeddings` [num_embeddings, embedding_dim] (its storage, not a copy), trained unless
  // freeze; the padding row keeps its given values, as torch.
  static Embedding from_pretrained(const Tensor& embeddings, bool freeze = true,
                                   std::optional<int64_t> padding_idx = {});
  // input: int64 indices [*] -> [*, embedding_dim].
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  // normal(0, 1), then zeroes the padding row.
  void reset_parameters();

  const int64_t num_embeddings, embedding_dim;
  const std::optional<int64_t> padding_idx;  // wrapped to 0 <= padding_idx < num_embeddings
  Tensor weight;                             // [num_embeddings, embedding_dim]

 private:
  struct Pretrained {};
  Embedding(Pretrained, const Tensor& embeddings, bool freeze, std::optional<int64_t> padding_idx);
};

}  // namespace ember::nn
