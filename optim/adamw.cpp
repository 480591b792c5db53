// AdamW: its options and constructors; the step is Adam's with decoupled
// weight decay (detail::adam_step in optim/adam.cpp).
#include <ember/autograd/grad_mode.h>
#include <ember/optim/adamw.h>

namespace ember::optim {

void AdamWOptions::validate(std::string_view optimizer) const {
  detail::check_adam(optimizer, detail::adam_hyper(*this, /*decoupled_weight_decay=*/true));
}

std::vector<OptionField> AdamWOptions::fields() { return detail::adam_fields(*this); }

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions defaults)
    : GroupedOptimizer("AdamW", detail::adam_state_layout(), std::move(params), defaults) {}
AdamW::AdamW(std::vector<Group> groups, AdamWOptions defaults)
    : GroupedOptimizer("AdamW", detail::adam_state_layout(), std::move(groups), defaults) {}

void AdamW::step() {
  NoGradGuard no_grad;
  for (const Group& group : param_groups()) {
    detail::adam_step(*this, group.params, detail::adam_hyper(*group.options, /*decoupled_weight_decay=*/true));
  }
}

}  // namespace ember::optim
