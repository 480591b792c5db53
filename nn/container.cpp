// Sequential and ModuleList (nn/container.h).
#include <ember/nn/container.h>

namespace ember::nn {

void ModuleList::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(size()), std::move(module));
}

std::shared_ptr<Module> ModuleList::operator[](int64_t index) const {
  const auto n = static_cast<int64_t>(size());
  EMBER_CHECK_INDEX(index >= -n && index < n, "{}: index {} is out of range for {} modules", where(), index, n);
  return named_children()[static_cast<size_t>(index < 0 ? index + n : index)].second;
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& [name, child] : named_children()) x = (*child)(x);  // operator(): nodes recorded inside are the child's
  return x;
}

ModuleDict::ModuleDict(std::initializer_list<std::pair<std::string, std::shared_ptr<Module>>> modules) {
  for (const auto& [name, module] : modules) insert(name, module);
}

bool ModuleDict::contains(const std::string& name) const {
  for (const auto& [key, child] : named_children()) {
    if (key == name) return true;
  }
  return false;
}

std::shared_ptr<Module> ModuleDict::operator[](const std::string& name) const {
  for (const auto& [key, child] : named_children()) {
    if (key == name) return child;
  }
  ::ember::detail::fail(ErrorKind::Index, "{}: no module named \"{}\"", where(), name);
}

}  // namespace ember::nn
