// The autograd methods of Tensor (declared in core/tensor.h): requires_grad_,
// grad / set_grad, grad_fn, retain_grad and hooks. backward() is in engine.cpp.
#include <ember/autograd/node.h>
#include <ember/autograd/record.h>
#include <ember/ops/ops.h>

namespace ember {

Tensor& Tensor::requires_grad_(bool requires_grad) {
  EMBER_CHECK(!requires_grad || is_floating_point(),
              "requires_grad_: only tensors of floating point dtype can require gradients, got {}", dtype());
  EMBER_CHECK(requires_grad || is_leaf(),
              "requires_grad_: you can only change requires_grad flags of leaf variables. If you want to use a "
              "computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
  impl_->autograd_or_create().requires_grad = requires_grad;
  return *this;
}

Tensor Tensor::grad() const {
  const AutogradMeta* meta = impl_->autograd();
  if (!meta) return {};
  if (meta->retained_grad) return *meta->retained_grad ? Tensor(*meta->retained_grad) : Tensor();
  return meta->grad ? Tensor(meta->grad) : Tensor();
}

void Tensor::set_grad(const Tensor& grad) const {
  if (grad.defined()) {
    EMBER_CHECK(grad.shape() == shape() && grad.dtype() == dtype() && grad.device() == device(),
                "set_grad: expected a gradient of shape {}, dtype {} on {}, got shape {}, dtype {} on {}", shape(),
                dtype(), device(), grad.shape(), grad.dtype(), grad.device());
  }
  impl_->autograd_or_create().grad = grad.defined() ? grad.impl_ptr() : TensorImplPtr();
}

std::shared_ptr<autograd::Node> Tensor::grad_fn() const {
  autograd::refresh_view_history(*this);
  return impl_->autograd() ? impl_->autograd()->grad_fn : nullptr;
}

void Tensor::retain_grad() const {
  EMBER_CHECK(requires_grad(), "retain_grad: can't retain_grad on a tensor that has requires_grad=false");
  if (is_leaf() || retains_grad()) return;  // a leaf keeps its gradient anyway (is_leaf remade a stale view's grad_fn)
  AutogradMeta& meta = *impl_->autograd();
  auto slot = std::make_shared<TensorImplPtr>();
  meta.retained_grad = slot;
  // The hook holds the slot, not the tensor: the graph must not keep the tensor alive.
  meta.grad_fn->add_hook(meta.output_nr, [slot](const Tensor& grad) {
    *slot = (*slot ? Tensor(*slot) + grad : grad.clone()).impl_ptr();
    return Tensor();
  });
}

void Tensor::register_hook(std::function<Tensor(const Tensor&)> hook) const {
  EMBER_CHECK(requires_grad(), "register_hook: cannot register a hook on a tensor that doesn't require gradient");
  autograd::refresh_view_history(*this);
  AutogradMeta& meta = impl_->autograd_or_create();  // a no_grad view of a leaf may have none yet
  if (meta.grad_fn) meta.grad_fn->add_hook(meta.output_nr, std::move(hook));
  else meta.hooks.push_back(std::move(hook));
}

void Tensor::register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const {
  EMBER_CHECK(requires_grad() && is_leaf(),
              "register_post_accumulate_grad_hook: expected a leaf tensor that requires grad");
  impl_->autograd_or_create().post_accumulate_hooks.push_back(std::move(hook));
}

}  // namespace ember
