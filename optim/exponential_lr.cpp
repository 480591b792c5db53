// ExponentialLR's chainable formula (PyTorch 1.13's get_lr).
#include <ember/core/error.h>
#include <ember/optim/exponential_lr.h>

#include <cmath>

namespace ember::optim {

ExponentialLR::ExponentialLR(Optimizer& optimizer, ExponentialLROptions options)
    : LRScheduler("ExponentialLR", optimizer, options.last_epoch), gamma_(options.gamma) {
  EMBER_CHECK_VALUE(!std::isnan(gamma_), "ExponentialLR: expected a gamma (it has no default), got none");
  initial_step();
}

std::vector<double> ExponentialLR::get_lr() {
  std::vector<double> lrs = current_lrs();
  if (last_epoch() == 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

}  // namespace ember::optim
