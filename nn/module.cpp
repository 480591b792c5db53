// Module (nn/module.h): registration, traversal, modes, conversion, state
// dicts and printing. Everything walks the tree in registration order.
#include <ember/autograd/grad_mode.h>
#include <ember/core/type_name.h>
#include <ember/nn/module.h>
#include <ember/ops/ops.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include <ostream>
#include <set>

namespace ember::nn {

Tensor Module::forward(const Tensor&) {
  ::ember::detail::fail(ErrorKind::NotImplemented,
               "{}: this module has no single-tensor forward (override forward(const Tensor&) to use it in containers)",
               name());
}

void Module::check_new_name(const std::string& name) const {
  EMBER_CHECK_VALUE(!name.empty() && name.find('.') == std::string::npos,
                  "{}: expected a module, parameter or buffer name without '.', got \"{}\"", this->name(), name);
  const bool taken = find(parameters_, name) || find(buffers_, name) ||
                     std::any_of(children_.begin(), children_.end(), [&](const auto& c) { return c.first == name; });
  EMBER_CHECK_VALUE(!taken, "{}: attribute \"{}\" already exists", this->name(), name);
}

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  check_new_name(name);
  if (tensor.defined()) {
    EMBER_CHECK_TYPE(!requires_grad || tensor.is_floating_point(),
                     "register_parameter: parameter \"{}\" must be a floating point tensor to require grad, got {}",
                     name, tensor.dtype());
    tensor.requires_grad_(requires_grad);
  }
  parameters_.emplace_back(std::move(name), std::move(tensor));
  return parameters_.back().second;
}

Tensor& Module::register_buffer(std::string name, Tensor tensor) {
  check_new_name(name);
  buffers_.emplace_back(std::move(name), std::move(tensor));
  return buffers_.back().second;
}

void Module::add_child(std::string name, std::shared_ptr<Module> module) {
  check_new_name(name);
  EMBER_CHECK(module != nullptr, "{}: register_module(\"{}\") got a null module", this->name(), name);
  module->prefix_path(path_.empty() ? name : path_ + "." + name);
  children_.emplace_back(std::move(name), std::move(module));
}

void Module::prefix_path(const std::string& prefix) {
  path_ = path_.empty() ? prefix : prefix + "." + path_;
  record_site_.reset();
  for (auto& [name, child] : children_) child->prefix_path(prefix);
}

std::string Module::where() const { return path_.empty() ? std::string(name()) : fmt::format("{} ({})", path_, name()); }

const std::shared_ptr<const std::string>& Module::record_site() const {
  if (!record_site_) record_site_ = std::make_shared<const std::string>(where());
  return record_site_;
}

void Module::rethrow_with_where(const Error& e) const { throw Error(e.kind(), fmt::format("{}: {}", where(), e.what())); }

void Module::visit_tensors(bool parameters, bool recurse, const std::string& prefix,
                           const std::function<void(const std::string&, const Tensor&)>& fn) const {
  for (const auto& [name, tensor] : parameters ? parameters_ : buffers_) {
    if (tensor.defined()) fn(prefix + name, tensor);
  }
  if (!recurse) return;
  for (const auto& [name, child] : children_) child->visit_tensors(parameters, recurse, prefix + name + ".", fn);
}

StateDict Module::named_parameters(bool recurse) const {
  StateDict out;
  visit_tensors(/*parameters=*/true, recurse, "", [&](const std::string& n, const Tensor& t) { out.emplace_back(n, t); });
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [name, tensor] : named_parameters(recurse)) out.push_back(tensor);
  return out;
}

StateDict Module::named_buffers(bool recurse) const {
  StateDict out;
  visit_tensors(/*parameters=*/false, recurse, "", [&](const std::string& n, const Tensor& t) { out.emplace_back(n, t); });
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [name, tensor] : named_buffers(recurse)) out.push_back(tensor);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& [name, child] : children_) out.push_back(child);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out{{"", this}};
  for (const auto& [name, child] : children_) {
    for (auto& [sub, module] : child->named_modules()) out.emplace_back(sub.empty() ? name : name + "." + sub, module);
  }
  return out;
}

std::vector<Module*> Module::modules() {
  std::vector<Module*> out;
  for (auto& [name, module] : named_modules()) out.push_back(module);
  return out;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::convert(const std::function<Tensor(const Tensor&)>& convert_one) {
  autograd::NoGradGuard no_grad;
  for (Module* module : modules()) {
    for (auto* tensors : {&module->parameters_, &module->buffers_}) {
      for (auto& [name, tensor] : *tensors) {
        if (!tensor.defined()) continue;
        Tensor converted = convert_one(tensor);
        if (converted.impl() != tensor.impl()) tensor.set_data(converted);
        if (Tensor grad = tensor.grad(); grad.defined()) tensor.set_grad(convert_one(grad));
      }
    }
  }
}

void Module::to(Device device) {
  convert([device](const Tensor& t) { return t.to(device); });
}
void Module::to(DType dtype) {
  convert([dtype](const Tensor& t) { return t.is_floating_point() ? t.to(dtype) : t; });
}
void Module::to(Device device, DType dtype) {
  convert([device, dtype](const Tensor& t) { return t.to(device, t.is_floating_point() ? dtype : t.dtype()); });
}

void Module::zero_grad(bool set_to_none) {
  autograd::NoGradGuard no_grad;
  for (const Tensor& p : parameters()) {
    if (set_to_none) {
      p.set_grad({});
    } else if (Tensor grad = p.grad(); grad.defined()) {
      grad.zero_();
    }
  }
}

void Module::apply(const std::function<void(Module&)>& fn) {
  for (auto& [name, child] : children_) child->apply(fn);
  fn(*this);
}

StateDict Module::state_dict() const {
  StateDict out;
  // PyTorch's order: a module's parameters, then its buffers, then each child's.
  std::function<void(const Module&, const std::string&)> collect = [&](const Module& m, const std::string& prefix) {
    m.visit_tensors(/*parameters=*/true, /*recurse=*/false, prefix, [&](const std::string& n, const Tensor& t) {
      out.emplace_back(n, t.detach());
    });
    m.visit_tensors(/*parameters=*/false, /*recurse=*/false, prefix, [&](const std::string& n, const Tensor& t) {
      out.emplace_back(n, t.detach());
    });
    for (const auto& [name, child] : m.children_) collect(*child, prefix + name + ".");
  };
  collect(*this, "");
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  const StateDict own = state_dict();
  std::vector<std::string> missing, unexpected;
  std::set<std::string> expected_names;
  for (const auto& [name, target] : own) expected_names.insert(name);
  for (const auto& [name, value] : state) {
    if (!expected_names.count(name)) unexpected.push_back(fmt::format("\"{}\"", name));
  }
  autograd::NoGradGuard no_grad;
  for (const auto& [name, target] : own) {
    const Tensor* value = find(state, name);
    if (!value) {
      missing.push_back(fmt::format("\"{}\"", name));
      continue;
    }
    EMBER_CHECK(value->shape() == target.shape(),
                "load_state_dict: {}: expected {}, got {} (the shape in the module vs in the state dict)", name,
                target.shape(), value->shape());
    Tensor destination = target;  // a detached alias of the parameter: the copy writes the parameter's memory
    destination.copy_(*value);
  }
  if (!strict || (missing.empty() && unexpected.empty())) return;
  std::string message = fmt::format("load_state_dict: Error(s) in loading state_dict for {}:", name());
  if (!missing.empty()) message += fmt::format(" Missing key(s) in state_dict: {}.", fmt::join(missing, ", "));
  if (!unexpected.empty()) message += fmt::format(" Unexpected key(s) in state_dict: {}.", fmt::join(unexpected, ", "));
  throw Error(ErrorKind::Runtime, message);
}

const char* Module::name() const { return type_name(typeid(*this)); }

std::string Module::str() const {
  std::string out = fmt::format("{}({}", name(), extra_repr());
  if (children_.empty()) return out + ")";
  out += "\n";
  for (const auto& [name, child] : children_) {
    std::string text = child->str();
    // Children are indented by two spaces, every line of them.
    std::string indented;
    for (char c : text) indented += c == '\n' ? std::string("\n  ") : std::string(1, c);
    out += fmt::format("  ({}): {}\n", name, indented);
  }
  return out + ")";
}

std::ostream& operator<<(std::ostream& os, const Module& module) { return os << module.str(); }

}  // namespace ember::nn
