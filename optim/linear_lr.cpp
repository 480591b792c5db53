// LinearLR's chainable formula (PyTorch 1.13's get_lr).
#include <ember/core/error.h>
#include <ember/optim/linear_lr.h>

namespace ember::optim {

LinearLR::LinearLR(Optimizer& optimizer, LinearLROptions options)
    : LRScheduler("LinearLR", optimizer, options.last_epoch), options_(options) {
  // A start_factor of 0 would divide by zero in the chainable form (later PyTorch rejects it too).
  EMBER_CHECK_VALUE(options.start_factor > 0 && options.start_factor <= 1,
                    "LinearLR: starting multiplicative factor expected to be greater than 0 and less or equal to 1, "
                    "got start_factor {}",
                    options.start_factor);
  EMBER_CHECK_VALUE(options.end_factor >= 0 && options.end_factor <= 1,
                    "LinearLR: ending multiplicative factor expected to be between 0 and 1, got end_factor {}",
                    options.end_factor);
  EMBER_CHECK_VALUE(options.total_iters > 0, "LinearLR: expected total_iters > 0, got {}", options.total_iters);
  initial_step();
}

std::vector<double> LinearLR::get_lr() {
  const double start = options_.start_factor, end = options_.end_factor;
  const double total = static_cast<double>(options_.total_iters);
  std::vector<double> lrs = current_lrs();
  if (last_epoch() == 0) {
    for (double& lr : lrs) lr *= start;
  } else if (last_epoch() <= options_.total_iters) {
    const double factor = 1.0 + (end - start) / (total * start + static_cast<double>(last_epoch() - 1) * (end - start));
    for (double& lr : lrs) lr *= factor;
  }
  return lrs;
}

}  // namespace ember::optim
