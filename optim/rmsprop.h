// RMSprop, as torch.optim.RMSprop: a running average of squared gradients
// scales each step; optionally centered (minus the squared running mean of the
// gradient) and with momentum.
#pragma once

#include <ember/optim/grouped_optimizer.h>

namespace ember::optim {

// torch.optim.RMSprop's arguments in its order, with its defaults.
struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;
  bool centered = false;

  void validate(std::string_view optimizer) const;
  std::vector<OptionField> fields();
};

// State per parameter: step, square_avg, momentum_buffer (momentum > 0) and grad_avg (centered).
class RMSprop : public GroupedOptimizer<RMSpropOptions> {
 public:
  explicit RMSprop(std::vector<Tensor> params, RMSpropOptions defaults = {});
  explicit RMSprop(std::vector<Group> groups, RMSpropOptions defaults = {});

  void step() override;
};

}  // namespace ember::optim
