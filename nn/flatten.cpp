// Flatten and Unflatten (nn/flatten.h).
#include <ember/nn/flatten.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ember::nn {

Tensor Flatten::forward(const Tensor& input) { return input.flatten(start_dim, end_dim); }
std::string Flatten::extra_repr() const { return fmt::format("start_dim={}, end_dim={}", start_dim, end_dim); }

Tensor Unflatten::forward(const Tensor& input) { return input.unflatten(dim, sizes); }
std::string Unflatten::extra_repr() const { return fmt::format("dim={}, unflattened_size=({})", dim, fmt::join(sizes, ", ")); }

}  // namespace ember::nn
