// AdamW, as torch.optim.AdamW: Adam with decoupled weight decay (the parameter
// shrinks by lr * weight_decay each step). Its math is Adam's (optim/adam.h).
#pragma once

#include <ember/optim/adam.h>

namespace ember::optim {

// torch.optim.AdamW's arguments in its order: Adam's, with weight_decay 1e-2.
struct AdamWOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;

  void validate(std::string_view optimizer) const;
  std::vector<OptionField> fields();
};

// State per parameter: as Adam's.
class AdamW : public GroupedOptimizer<AdamWOptions> {
 public:
  explicit AdamW(std::vector<Tensor> params, AdamWOptions defaults = {});
  explicit AdamW(std::vector<Group> groups, AdamWOptions defaults = {});

  void step() override;
};

}  // namespace ember::optim
