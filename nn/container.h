// Containers: Sequential (children run in order), ModuleList (children held
// by index, named "0", "1", ... as in PyTorch, so the state dict keys match:
// "0.weight") and ModuleDict (children held by name, in insertion order).
#pragma once

#include <ember/nn/module.h>

#include <memory>
#include <type_traits>

namespace ember::nn {

namespace detail {
// A module given by value is moved into a shared_ptr; a shared_ptr is kept.
template <class M>
std::shared_ptr<Module> hold(M&& module) {
  if constexpr (std::is_convertible_v<std::decay_t<M>, std::shared_ptr<Module>>) return module;
  else return std::make_shared<std::decay_t<M>>(std::forward<M>(module));
}
}  // namespace detail

class ModuleList : public Module {
 public:
  ModuleList() = default;
  template <class... Ms>
  explicit ModuleList(Ms&&... modules) {
    (push_back(detail::hold(std::forward<Ms>(modules))), ...);
  }
  void push_back(std::shared_ptr<Module> module);
  size_t size() const { return named_children().size(); }
  // Negative indices count from the end, as in Python.
  std::shared_ptr<Module> operator[](int64_t index) const;
  auto begin() const { return named_children().begin(); }
  auto end() const { return named_children().end(); }
};

class Sequential : public ModuleList {
 public:
  using ModuleList::ModuleList;
  Tensor forward(const Tensor& input) override;
};

class ModuleDict : public Module {
 public:
  ModuleDict() = default;
  ModuleDict(std::initializer_list<std::pair<std::string, std::shared_ptr<Module>>> modules);
  void insert(std::string name, std::shared_ptr<Module> module) { register_module(std::move(name), std::move(module)); }
  bool contains(const std::string& name) const;
  std::shared_ptr<Module> operator[](const std::string& name) const;
  size_t size() const { return named_children().size(); }
  auto begin() const { return named_children().begin(); }
  auto end() const { return named_children().end(); }
};

}  // namespace ember::nn
