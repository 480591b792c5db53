// StateDict: named tensors in registration order, what Module::state_dict()
// and Optimizer::state_dict() return and ember::save / ember::load read and
// write. Names follow PyTorch's state_dict keys ("features.0.weight").
#pragma once

#include <ember/core/tensor.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ember::nn {

using StateDict = std::vector<std::pair<std::string, Tensor>>;

// The tensor stored under name, or nullptr.
inline const Tensor* find(const StateDict& state, std::string_view name) {
  for (const auto& [key, value] : state) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace ember::nn
