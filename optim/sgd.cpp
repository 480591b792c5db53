// SGD's checks and its step: the update of torch.optim.SGD (single-tensor
// form) written once over a Run, see Note [One pass per group].
#include <ember/autograd/grad_mode.h>
#include <ember/optim/multi_tensor.h>
#include <ember/optim/sgd.h>

#include <cmath>

namespace ember::optim {

void SGDOptions::validate(std::string_view optimizer) const {
  EMBER_CHECK_VALUE(!std::isnan(lr), "{}: expected a learning rate (lr has no default), got none: pass {{.lr = ...}}",
                    optimizer);
  EMBER_CHECK_VALUE(lr >= 0, "{}: invalid learning rate: expected lr >= 0, got {}", optimizer, lr);
  EMBER_CHECK_VALUE(momentum >= 0, "{}: invalid momentum value: expected momentum >= 0, got {}", optimizer, momentum);
  EMBER_CHECK_VALUE(weight_decay >= 0, "{}: invalid weight_decay value: expected weight_decay >= 0, got {}", optimizer,
                    weight_decay);
  EMBER_CHECK_VALUE(!nesterov || (momentum > 0 && dampening == 0),
                    "{}: Nesterov momentum requires a momentum and zero dampening, got momentum {} and dampening {}",
                    optimizer, momentum, dampening);
}

std::vector<OptionField> SGDOptions::fields() {
  return {{"lr", &lr},
          {"momentum", &momentum},
          {"dampening", &dampening},
          {"weight_decay", &weight_decay},
          {"nesterov", &nesterov}};
}

namespace {
const StateLayout kSGDState{.has_step = false, .buffers = {"momentum_buffer"}};
}

SGD::SGD(std::vector<Tensor> params, SGDOptions defaults)
    : GroupedOptimizer("SGD", kSGDState, std::move(params), defaults) {}
SGD::SGD(std::vector<Group> groups, SGDOptions defaults)
    : GroupedOptimizer("SGD", kSGDState, std::move(groups), defaults) {}

void SGD::step() {
  NoGradGuard no_grad;
  for (Group& group : param_groups()) {
    const SGDOptions& options = *group.options;
    std::vector<detail::Slot<1>> slots;
    std::vector<char> first_step;  // per slot: the momentum buffer starts as the gradient (PyTorch clones it)
    for (const Tensor& param : group.params) {
      std::optional<detail::Prepared> prepared = detail::prepare(name(), param);
      if (!prepared) continue;
      ParamState& state = state_for(param);
      state.initialized = true;
      Tensor momentum_buffer;
      if (options.momentum != 0) {
        first_step.push_back(state.buffers.empty() || !state.buffers[0].defined());
        momentum_buffer = detail::buffer(state, 0, param);
      } else {
        first_step.push_back(false);
      }
      slots.push_back({prepared->param, prepared->grad, {momentum_buffer}, prepared->original});
    }
    detail::for_each_run(slots, [&]<class T>(const detail::Run<T, 1>& run) {
      const T lr = static_cast<T>(options.lr), momentum = static_cast<T>(options.momentum);
      const T keep = static_cast<T>(1 - options.dampening), weight_decay = static_cast<T>(options.weight_decay);
      const bool decay = options.weight_decay != 0, nesterov = options.nesterov, first = first_step[run.slot];
      T* __restrict param = run.param;
      const T* __restrict grad = run.grad;
      T* __restrict buf = run.state[0];
      detail::with_buffer(buf, [&](auto has_momentum) {  // see Note [No null pointer in an update loop]
        for (int64_t i = 0; i < run.size; ++i) {
          T d = decay ? grad[i] + weight_decay * param[i] : grad[i];
          if constexpr (decltype(has_momentum)::value) {
            buf[i] = first ? d : buf[i] * momentum + keep * d;
            d = nesterov ? d + momentum * buf[i] : buf[i];
          }
          param[i] -= lr * d;
        }
      });
    });
    detail::finish(slots);
  }
}

}  // namespace ember::optim
