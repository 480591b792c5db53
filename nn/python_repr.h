// How Python writes the values a module repr shows, for extra_repr():
// floats ("1.0", "1e-05"), tuples "(3,)" and "(3, 3)", and ints given for
// every dim as one int.
// Internal to nn/*.cpp (no layer API here).
#pragma once

#include <ember/core/shape.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>

namespace ember::nn::detail {

// Python's repr of a float: the shortest round-trip digits, as fmt writes them,
// and ".0" on whole numbers ("1.0", "0.01", "1e-05").
inline std::string python_float(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

inline std::string python_tuple(IntArrayRef sizes) {
  return sizes.size() == 1 ? fmt::format("({},)", sizes[0]) : fmt::format("({})", fmt::join(sizes, ", "));
}

// torch's pooling modules print their arguments as given: kernel_size=2, or kernel_size=(2, 3).
inline std::string python_int_or_tuple(IntArrayRef sizes) {
  return sizes.size() == 1 ? fmt::format("{}", sizes[0]) : python_tuple(sizes);
}

}  // namespace ember::nn::detail
