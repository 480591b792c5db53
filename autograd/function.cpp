// The non-template parts of custom functions (autograd/function.h).
#include <ember/autograd/function.h>

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <set>

namespace ember::autograd {

TensorList AutogradContext::get_saved_variables() const {
  TensorList tensors;
  for (const SavedTensor& saved : saved_) tensors.push_back(saved.get());
  return tensors;
}

void AutogradContext::finish_forward(const TensorList& outputs) {
  for (const Tensor& t : to_save_) {
    bool is_output = false;
    for (const Tensor& out : outputs) is_output = is_output || (t.defined() && out.impl() == t.impl());
    saved_.push_back(is_output ? save_output(t) : save(t));
  }
  to_save_.clear();
}

namespace detail {

const char* function_name(const std::type_info& type) {
  static std::mutex mutex;
  static std::set<std::string> names;  // stable storage for the nodes' const char* names
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status),
                                                   std::free);
  std::string name = status == 0 && demangled ? demangled.get() : type.name();
  if (const size_t colon = name.rfind("::"); colon != std::string::npos) name = name.substr(colon + 2);
  std::lock_guard<std::mutex> lock(mutex);
  return names.insert(name).first->c_str();
}

TensorList distinct_outputs(TensorList outputs, const TensorList& inputs) {
  for (Tensor& out : outputs) {
    for (const Tensor& in : inputs) {
      if (out.defined() && in.defined() && out.impl() == in.impl()) out = out.detach();
    }
  }
  return outputs;
}

void drop_history(const TensorList& outputs) {
  for (const Tensor& out : outputs) {
    if (AutogradMeta* meta = out.defined() ? out.impl()->autograd() : nullptr) {
      meta->requires_grad = false;
      meta->grad_fn = nullptr;
    }
  }
}

void check_gradient_count(const char* op, size_t expected, size_t got) {
  EMBER_CHECK(got == expected,
              "{}Backward: function backward returned an incorrect number of gradients (expected {}, one per forward "
              "argument, got {})",
              op, expected, got);
}

}  // namespace detail
}  // namespace ember::autograd
