// Printing tensors the way PyTorch does: operator<< (declared in tensor.h),
// Tensor::str(), and an fmt formatter so that fmt::print("{}", t) works.
#pragma once

#include <ember/core/tensor.h>

#include <fmt/core.h>

// Formats through fmt::format_to (defined in libfmt), so fmt/format.h stays out of our headers.
template <>
struct fmt::formatter<ember::Tensor> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <class Ctx>
  auto format(const ember::Tensor& d, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "{}", d.str());
  }
};
