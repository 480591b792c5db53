// MultiStepLR's chainable formula (PyTorch 1.13's get_lr).
#include <ember/optim/multi_step_lr.h>

#include <cmath>

namespace ember::optim {

MultiStepLR::MultiStepLR(Optimizer& optimizer, MultiStepLROptions options)
    : LRScheduler("MultiStepLR", optimizer, options.last_epoch), gamma_(options.gamma) {
  for (int64_t milestone : options.milestones) ++milestones_[milestone];
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() {
  std::vector<double> lrs = current_lrs();
  auto it = milestones_.find(last_epoch());
  if (it == milestones_.end()) return lrs;
  for (double& lr : lrs) lr *= std::pow(gamma_, it->second);
  return lrs;
}

}  // namespace ember::optim
