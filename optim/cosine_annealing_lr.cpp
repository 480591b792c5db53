// CosineAnnealingLR's chainable formula (PyTorch 1.13's get_lr, with its
// special cases for the resume step and for the turn at T_max).
#include <ember/core/error.h>
#include <ember/optim/cosine_annealing_lr.h>

#include <cmath>
#include <numbers>

namespace ember::optim {

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, CosineAnnealingLROptions options)
    : LRScheduler("CosineAnnealingLR", optimizer, options.last_epoch), options_(options) {
  EMBER_CHECK_VALUE(options.T_max > 0, "CosineAnnealingLR: expected T_max > 0 (it has no default), got {}",
                    options.T_max);
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() {
  constexpr double pi = std::numbers::pi;
  const double t_max = static_cast<double>(options_.T_max), eta_min = options_.eta_min;
  const int64_t epoch = last_epoch();
  std::vector<double> lrs = current_lrs();
  if (epoch == 0) return lrs;
  for (size_t g = 0; g < lrs.size(); ++g) {
    const double base = base_lrs()[g];
    if (step_count() == 1 && epoch > 0) {  // resumed: the closed form
      lrs[g] = eta_min + (base - eta_min) * (1 + std::cos(static_cast<double>(epoch) * pi / t_max)) / 2;
    } else if ((epoch - 1 - options_.T_max) % (2 * options_.T_max) == 0) {  // the bottom of the cosine
      lrs[g] += (base - eta_min) * (1 - std::cos(pi / t_max)) / 2;
    } else {
      lrs[g] = (1 + std::cos(pi * static_cast<double>(epoch) / t_max)) /
                   (1 + std::cos(pi * static_cast<double>(epoch - 1) / t_max)) * (lrs[g] - eta_min) +
               eta_min;
    }
  }
  return lrs;
}

}  // namespace ember::optim
