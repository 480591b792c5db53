// Printing tensors the way PyTorch does: operator<< (declared in tensor.h),
// Tensor::str(), and an fmt formatter so that fmt::print("{}", t) works.
#pragma once

#include <ember/core/tensor.h>

#include <fmt/core.h>

template <>
struct fmt::formatter<ember::Tensor> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const ember::Tensor& t, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(t.str(), ctx);
  }
};
