// Adam's checks and the step Adam and AdamW share: torch.optim.Adam's and
// AdamW's single-tensor update written once over a Run, see Note [One pass
// per group] in optim/multi_tensor.h.
#include <ember/autograd/grad_mode.h>
#include <ember/optim/adam.h>
#include <ember/optim/multi_tensor.h>

#include <cmath>

namespace ember::optim {

void AdamOptions::validate(std::string_view optimizer) const {
  detail::check_adam(optimizer, detail::adam_hyper(*this, /*decoupled_weight_decay=*/false));
}

std::vector<OptionField> AdamOptions::fields() { return detail::adam_fields(*this); }

Adam::Adam(std::vector<Tensor> params, AdamOptions defaults)
    : GroupedOptimizer("Adam", detail::adam_state_layout(), std::move(params), defaults) {}
Adam::Adam(std::vector<Group> groups, AdamOptions defaults)
    : GroupedOptimizer("Adam", detail::adam_state_layout(), std::move(groups), defaults) {}

void Adam::step() {
  NoGradGuard no_grad;
  for (const Group& group : param_groups()) {
    detail::adam_step(*this, group.params, detail::adam_hyper(*group.options, /*decoupled_weight_decay=*/false));
  }
}

namespace detail {

void check_adam(std::string_view optimizer, const AdamHyper& hyper) {
  EMBER_CHECK_VALUE(hyper.lr >= 0, "{}: invalid learning rate: expected lr >= 0, got {}", optimizer, hyper.lr);
  EMBER_CHECK_VALUE(hyper.eps >= 0, "{}: invalid epsilon value: expected eps >= 0, got {}", optimizer, hyper.eps);
  EMBER_CHECK_VALUE(hyper.beta1 >= 0 && hyper.beta1 < 1,
                    "{}: invalid beta parameter at index 0: expected 0 <= betas.first < 1, got {}", optimizer,
                    hyper.beta1);
  EMBER_CHECK_VALUE(hyper.beta2 >= 0 && hyper.beta2 < 1,
                    "{}: invalid beta parameter at index 1: expected 0 <= betas.second < 1, got {}", optimizer,
                    hyper.beta2);
  EMBER_CHECK_VALUE(hyper.weight_decay >= 0, "{}: invalid weight_decay value: expected weight_decay >= 0, got {}",
                    optimizer, hyper.weight_decay);
}

// Buffer indices, in the order of adam_state_layout().
enum AdamBuffer : size_t { kExpAvg, kExpAvgSq, kMaxExpAvgSq };

const StateLayout& adam_state_layout() {
  static const StateLayout layout{.has_step = true, .buffers = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}};
  return layout;
}

void adam_step(Optimizer& optimizer, const std::vector<Tensor>& params, const AdamHyper& hyper) {
  std::vector<Slot<3>> slots;
  // Per parameter, from its own step count: lr / (1 - beta1^t) and sqrt(1 - beta2^t).
  struct BiasCorrection {
    double step_size, sqrt_correction2;
  };
  std::vector<BiasCorrection> corrections;
  for (const Tensor& param : params) {
    std::optional<Prepared> prepared = prepare(optimizer.name(), param);
    if (!prepared) continue;
    ParamState& state = optimizer.state_for(param);
    if (!state.initialized) state = ParamState{.initialized = true, .step = 0, .buffers = {}};
    const Tensor exp_avg = buffer(state, kExpAvg, param), exp_avg_sq = buffer(state, kExpAvgSq, param);
    const Tensor max_exp_avg_sq = hyper.amsgrad ? buffer(state, kMaxExpAvgSq, param) : Tensor();
    state.step += 1;
    corrections.push_back(
        {hyper.lr / (1 - std::pow(hyper.beta1, state.step)), std::sqrt(1 - std::pow(hyper.beta2, state.step))});
    slots.push_back({prepared->param, prepared->grad, {exp_avg, exp_avg_sq, max_exp_avg_sq}, prepared->original});
  }
  for_each_run(slots, [&]<class T>(const Run<T, 3>& run) {
    const T beta1 = static_cast<T>(hyper.beta1), beta2 = static_cast<T>(hyper.beta2);
    const T one_minus_beta1 = static_cast<T>(1 - hyper.beta1), one_minus_beta2 = static_cast<T>(1 - hyper.beta2);
    const T eps = static_cast<T>(hyper.eps), weight_decay = static_cast<T>(hyper.weight_decay);
    const T step_size = static_cast<T>(corrections[run.slot].step_size);
    const T sqrt_correction2 = static_cast<T>(corrections[run.slot].sqrt_correction2);
    // AdamW multiplies the parameter by this first (PyTorch's param.mul_(1 - lr * weight_decay)); Adam by 1.
    const T shrink = static_cast<T>(hyper.decoupled_weight_decay ? 1 - hyper.lr * hyper.weight_decay : 1.0);
    const bool l2 = !hyper.decoupled_weight_decay && hyper.weight_decay != 0;
    T* __restrict param = run.param;
    const T* __restrict grad = run.grad;
    T* __restrict exp_avg = run.state[kExpAvg];
    T* __restrict exp_avg_sq = run.state[kExpAvgSq];
    T* __restrict max_exp_avg_sq = run.state[kMaxExpAvgSq];
    with_buffer(max_exp_avg_sq, [&](auto amsgrad) {  // see Note [No null pointer in an update loop]
      for (int64_t i = 0; i < run.size; ++i) {
        const T p = param[i] * shrink;
        const T g = l2 ? grad[i] + weight_decay * p : grad[i];
        const T m = exp_avg[i] = exp_avg[i] * beta1 + one_minus_beta1 * g;
        T v = exp_avg_sq[i] = exp_avg_sq[i] * beta2 + one_minus_beta2 * g * g;
        if constexpr (decltype(amsgrad)::value) v = max_exp_avg_sq[i] = std::max(max_exp_avg_sq[i], v);
        const T denom = std::sqrt(v) / sqrt_correction2 + eps;
        param[i] = p - step_size * (m / denom);
      }
    });
  });
  finish(slots);
}

}  // namespace detail

}  // namespace ember::optim
