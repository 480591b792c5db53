// RMSprop's checks and its step: torch.optim.RMSprop's single-tensor update
// written once over a Run, see Note [One pass per group] in optim/multi_tensor.h.
#include <ember/autograd/grad_mode.h>
#include <ember/optim/multi_tensor.h>
#include <ember/optim/rmsprop.h>

#include <cmath>

namespace ember::optim {

void RMSpropOptions::validate(std::string_view optimizer) const {
  EMBER_CHECK_VALUE(lr >= 0, "{}: invalid learning rate: expected lr >= 0, got {}", optimizer, lr);
  EMBER_CHECK_VALUE(eps >= 0, "{}: invalid epsilon value: expected eps >= 0, got {}", optimizer, eps);
  EMBER_CHECK_VALUE(momentum >= 0, "{}: invalid momentum value: expected momentum >= 0, got {}", optimizer, momentum);
  EMBER_CHECK_VALUE(weight_decay >= 0, "{}: invalid weight_decay value: expected weight_decay >= 0, got {}", optimizer,
                    weight_decay);
  EMBER_CHECK_VALUE(alpha >= 0, "{}: invalid alpha value: expected alpha >= 0, got {}", optimizer, alpha);
}

std::vector<OptionField> RMSpropOptions::fields() {
  return {{"lr", &lr},
          {"alpha", &alpha},
          {"eps", &eps},
          {"weight_decay", &weight_decay},
          {"momentum", &momentum},
          {"centered", &centered}};
}

namespace {
enum RMSpropBuffer : size_t { kSquareAvg, kMomentumBuffer, kGradAvg };
const StateLayout kRMSpropState{.has_step = true, .buffers = {"square_avg", "momentum_buffer", "grad_avg"}};
}  // namespace

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions defaults)
    : GroupedOptimizer("RMSprop", kRMSpropState, std::move(params), defaults) {}
RMSprop::RMSprop(std::vector<Group> groups, RMSpropOptions defaults)
    : GroupedOptimizer("RMSprop", kRMSpropState, std::move(groups), defaults) {}

void RMSprop::step() {
  NoGradGuard no_grad;
  for (const Group& group : param_groups()) {
    const RMSpropOptions& options = *group.options;
    std::vector<detail::Slot<3>> slots;
    for (const Tensor& param : group.params) {
      std::optional<detail::Prepared> prepared = detail::prepare(name(), param);
      if (!prepared) continue;
      ParamState& state = state_for(param);
      if (!state.initialized) state = ParamState{.initialized = true, .step = 0, .buffers = {}};
      state.step += 1;
      // momentum and centered may change between steps (OneCycleLR cycles momentum):
      // a buffer first needed later starts at zero, as it would have at the first step.
      const Tensor square_avg = detail::buffer(state, kSquareAvg, param);
      const Tensor momentum_buffer = options.momentum > 0 ? detail::buffer(state, kMomentumBuffer, param) : Tensor();
      const Tensor grad_avg = options.centered ? detail::buffer(state, kGradAvg, param) : Tensor();
      slots.push_back({prepared->param, prepared->grad, {square_avg, momentum_buffer, grad_avg}, prepared->original});
    }
    detail::for_each_run(slots, [&]<class T>(const detail::Run<T, 3>& run) {
      const T lr = static_cast<T>(options.lr), alpha = static_cast<T>(options.alpha);
      const T one_minus_alpha = static_cast<T>(1 - options.alpha), eps = static_cast<T>(options.eps);
      const T weight_decay = static_cast<T>(options.weight_decay), momentum = static_cast<T>(options.momentum);
      const bool decay = options.weight_decay != 0;
      T* __restrict param = run.param;
      const T* __restrict grad = run.grad;
      T* __restrict square_avg = run.state[kSquareAvg];
      T* __restrict buf = run.state[kMomentumBuffer];
      T* __restrict grad_avg = run.state[kGradAvg];
      // See Note [No null pointer in an update loop].
      detail::with_buffer(grad_avg, [&](auto centered) {
        detail::with_buffer(buf, [&](auto has_momentum) {
          for (int64_t i = 0; i < run.size; ++i) {
            const T g = decay ? grad[i] + weight_decay * param[i] : grad[i];
            const T sq = square_avg[i] = square_avg[i] * alpha + one_minus_alpha * g * g;
            T avg;
            if constexpr (decltype(centered)::value) {
              const T mean = grad_avg[i] = grad_avg[i] * alpha + one_minus_alpha * g;
              avg = std::sqrt(sq - mean * mean) + eps;
            } else {
              avg = std::sqrt(sq) + eps;
            }
            if constexpr (decltype(has_momentum)::value) {
              buf[i] = buf[i] * momentum + g / avg;
              param[i] -= lr * buf[i];
            } else {
              param[i] -= lr * (g / avg);
            }
          }
        });
      });
    });
    detail::finish(slots);
  }
}

}  // namespace ember::optim
