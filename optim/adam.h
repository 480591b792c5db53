// Adam (with AMSGrad), as torch.optim.Adam: L2 weight decay added to the
// gradient. AdamW (optim/adamw.h) shares its checks, state and update, in
// `detail` below; only how weight decay applies differs.
#pragma once

#include <ember/optim/grouped_optimizer.h>

namespace ember::optim {

// torch.optim.Adam's arguments in its order, with its defaults.
struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;

  void validate(std::string_view optimizer) const;
  std::vector<OptionField> fields();
};

// State per parameter: step, exp_avg, exp_avg_sq, and max_exp_avg_sq with amsgrad.
class Adam : public GroupedOptimizer<AdamOptions> {
 public:
  explicit Adam(std::vector<Tensor> params, AdamOptions defaults = {});
  explicit Adam(std::vector<Group> groups, AdamOptions defaults = {});

  void step() override;
};

namespace detail {

// Adam's and AdamW's hyperparameters, whichever options struct they came from.
struct AdamHyper {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad;
  bool decoupled_weight_decay;  // AdamW: shrink the parameter by lr * weight_decay instead of adding to the gradient
};

template <class Options>
AdamHyper adam_hyper(const Options& options, bool decoupled_weight_decay) {
  return {.lr = options.lr,
          .beta1 = options.betas.first,
          .beta2 = options.betas.second,
          .eps = options.eps,
          .weight_decay = options.weight_decay,
          .amsgrad = options.amsgrad,
          .decoupled_weight_decay = decoupled_weight_decay};
}

template <class Options>
std::vector<OptionField> adam_fields(Options& options) {
  return {{"lr", &options.lr},
          {"betas", &options.betas},
          {"eps", &options.eps},
          {"weight_decay", &options.weight_decay},
          {"amsgrad", &options.amsgrad}};
}

void check_adam(std::string_view optimizer, const AdamHyper& hyper);
const StateLayout& adam_state_layout();
// One step of the parameters of one group that have a gradient.
void adam_step(Optimizer& optimizer, const std::vector<Tensor>& params, const AdamHyper& hyper);

}  // namespace detail

}  // namespace ember::optim
