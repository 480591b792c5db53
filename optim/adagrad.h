// Adagrad, as torch.optim.Adagrad: steps scaled by the root of the running sum
// of squared gradients, with lr decaying as lr / (1 + (step - 1) * lr_decay).
#pragma once

#include <ember/optim/grouped_optimizer.h>

namespace ember::optim {

// torch.optim.Adagrad's arguments in its order, with its defaults.
struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0;
  double weight_decay = 0;
  double initial_accumulator_value = 0;
  double eps = 1e-10;

  void validate(std::string_view optimizer) const;
  std::vector<OptionField> fields();
};

// State per parameter: step and sum, created at construction (as PyTorch does).
class Adagrad : public GroupedOptimizer<AdagradOptions> {
 public:
  explicit Adagrad(std::vector<Tensor> params, AdagradOptions defaults = {});
  explicit Adagrad(std::vector<Group> groups, AdagradOptions defaults = {});

  void step() override;

 private:
  void init_state();
};

}  // namespace ember::optim
