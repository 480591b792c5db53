// The non-template parts of custom functions (autograd/function.h).
#include <ember/autograd/function.h>

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
