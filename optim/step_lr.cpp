// StepLR's chainable formula (PyTorch 1.13's get_lr).
#include <ember/core/error.h>
#include <ember/optim/step_lr.h>

namespace ember::optim {

StepLR::StepLR(Optimizer& optimizer, StepLROptions options)
    : LRScheduler("StepLR", optimizer, options.last_epoch), options_(options) {
  EMBER_CHECK_VALUE(options.step_size > 0, "StepLR: expected step_size > 0 (it has no default), got {}",
                    options.step_size);
  initial_step();
}

std::vector<double> StepLR::get_lr() {
  std::vector<double> lrs = current_lrs();
  if (last_epoch() == 0 || last_epoch() % options_.step_size != 0) return lrs;
  for (double& lr : lrs) lr *= options_.gamma;
  return lrs;
}

}  // namespace ember::optim
