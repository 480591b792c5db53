// Adagrad's checks and its step: torch.optim.Adagrad's single-tensor (dense)
// update written once over a Run, see Note [One pass per group] in optim/multi_tensor.h.
#include <ember/autograd/grad_mode.h>
#include <ember/optim/adagrad.h>
#include <ember/optim/multi_tensor.h>

#include <cmath>

namespace ember::optim {

void AdagradOptions::validate(std::string_view optimizer) const {
  EMBER_CHECK_VALUE(lr >= 0, "{}: invalid learning rate: expected lr >= 0, got {}", optimizer, lr);
  EMBER_CHECK_VALUE(lr_decay >= 0, "{}: invalid lr_decay value: expected lr_decay >= 0, got {}", optimizer, lr_decay);
  EMBER_CHECK_VALUE(weight_decay >= 0, "{}: invalid weight_decay value: expected weight_decay >= 0, got {}", optimizer,
                    weight_decay);
  EMBER_CHECK_VALUE(initial_accumulator_value >= 0,
                    "{}: invalid initial_accumulator_value value: expected initial_accumulator_value >= 0, got {}",
                    optimizer, initial_accumulator_value);
  EMBER_CHECK_VALUE(eps >= 0, "{}: invalid epsilon value: expected eps >= 0, got {}", optimizer, eps);
}

std::vector<OptionField> AdagradOptions::fields() {
  return {{"lr", &lr},
          {"lr_decay", &lr_decay},
          {"weight_decay", &weight_decay},
          {"initial_accumulator_value", &initial_accumulator_value},
          {"eps", &eps}};
}

namespace {
enum AdagradBuffer : size_t { kSum };
const StateLayout kAdagradState{.has_step = true, .buffers = {"sum"}};
}  // namespace

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions defaults)
    : GroupedOptimizer("Adagrad", kAdagradState, std::move(params), defaults) {
  init_state();
}
Adagrad::Adagrad(std::vector<Group> groups, AdagradOptions defaults)
    : GroupedOptimizer("Adagrad", kAdagradState, std::move(groups), defaults) {
  init_state();
}

// PyTorch creates Adagrad's state up front, so state_dict() lists it before the first step.
void Adagrad::init_state() {
  NoGradGuard no_grad;
  for (const Group& group : param_groups()) {
    for (const Tensor& param : group.params) {
      ParamState& state = state_for(param);
      state = ParamState{.initialized = true, .step = 0, .buffers = {}};
      detail::buffer(state, kSum, param, group.options->initial_accumulator_value);
    }
  }
}

void Adagrad::step() {
  NoGradGuard no_grad;
  for (const Group& group : param_groups()) {
    const AdagradOptions& options = *group.options;
    std::vector<detail::Slot<1>> slots;
    std::vector<double> clrs;  // per parameter, from its own step count
    for (const Tensor& param : group.params) {
      std::optional<detail::Prepared> prepared = detail::prepare(name(), param);
      if (!prepared) continue;
      ParamState& state = state_for(param);
      // Parameters of groups added after construction get their state here.
      if (!state.initialized) state = ParamState{.initialized = true, .step = 0, .buffers = {}};
      const Tensor sum = detail::buffer(state, kSum, param, options.initial_accumulator_value);
      state.step += 1;
      clrs.push_back(options.lr / (1 + (state.step - 1) * options.lr_decay));
      slots.push_back({prepared->param, prepared->grad, {sum}, prepared->original});
    }
    detail::for_each_run(slots, [&]<class T>(const detail::Run<T, 1>& run) {
      const T clr = static_cast<T>(clrs[run.slot]), eps = static_cast<T>(options.eps);
      const T weight_decay = static_cast<T>(options.weight_decay);
      const bool decay = options.weight_decay != 0;
      T* __restrict param = run.param;
      const T* __restrict grad = run.grad;
      T* __restrict sum = run.state[kSum];
      for (int64_t i = 0; i < run.size; ++i) {
        const T g = decay ? grad[i] + weight_decay * param[i] : grad[i];
        sum[i] += g * g;
        param[i] -= clr * (g / (std::sqrt(sum[i]) + eps));
      }
    });
    detail::finish(slots);
  }
}

}  // namespace ember::optim
