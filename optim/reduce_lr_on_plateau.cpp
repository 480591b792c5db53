// ReduceLROnPlateau: PyTorch 1.13's step, is_better and _reduce_lr.
#include <ember/core/error.h>
#include <ember/optim/reduce_lr_on_plateau.h>

#include <algorithm>
#include <cmath>

namespace ember::optim {

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options)
    : optimizer_(optimizer), options_(std::move(options)) {
  EMBER_CHECK_VALUE(options_.factor < 1.0, "ReduceLROnPlateau: factor should be < 1.0, got {}", options_.factor);
  EMBER_CHECK_VALUE(options_.mode == "min" || options_.mode == "max",
                    "ReduceLROnPlateau: mode '{}' is unknown! (expected 'min' or 'max')", options_.mode);
  EMBER_CHECK_VALUE(options_.threshold_mode == "rel" || options_.threshold_mode == "abs",
                    "ReduceLROnPlateau: threshold mode '{}' is unknown! (expected 'rel' or 'abs')",
                    options_.threshold_mode);
  const size_t groups = optimizer.num_param_groups();
  EMBER_CHECK_VALUE(options_.min_lr.size() == 1 || options_.min_lr.size() == groups,
                    "ReduceLROnPlateau: expected 1 or {} min_lrs (one per parameter group), got {}", groups,
                    options_.min_lr.size());
  min_lrs_ = options_.min_lr.size() == 1 ? std::vector<double>(groups, options_.min_lr[0]) : options_.min_lr;
  best_ = options_.mode == "min" ? INFINITY : -INFINITY;  // the worst value for the mode
  for (size_t g = 0; g < groups; ++g) last_lr_.push_back(optimizer.lr(g));
}

bool ReduceLROnPlateau::is_better(double metric) const {
  const bool rel = options_.threshold_mode == "rel";
  if (options_.mode == "min")
    return rel ? metric < best_ * (1 - options_.threshold) : metric < best_ - options_.threshold;
  return rel ? metric > best_ * (1 + options_.threshold) : metric > best_ + options_.threshold;
}

void ReduceLROnPlateau::step(double metric) {
  const size_t groups = optimizer_.num_param_groups();
  EMBER_CHECK(groups == min_lrs_.size(),
              "ReduceLROnPlateau.step: the optimizer has {} parameter groups, but the scheduler was built for {}; "
              "build the scheduler after add_param_group",
              groups, min_lrs_.size());
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // bad epochs in cooldown do not count
  }
  if (num_bad_epochs_ > options_.patience) {
    for (size_t g = 0; g < groups; ++g) {
      const double old_lr = optimizer_.lr(g), new_lr = std::max(old_lr * options_.factor, min_lrs_[g]);
      if (old_lr - new_lr > options_.eps) optimizer_.set_lr(g, new_lr);
    }
    cooldown_counter_ = options_.cooldown;
    num_bad_epochs_ = 0;
  }
  for (size_t g = 0; g < groups; ++g) last_lr_[g] = optimizer_.lr(g);
}

}  // namespace ember::optim
