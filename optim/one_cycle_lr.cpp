// OneCycleLR: PyTorch 1.13's phases and annealing functions. The momentum it
// cycles is found among the optimizer's options by name, as PyTorch looks for
// "momentum" or "betas" in optimizer.defaults.
#include <ember/core/error.h>
#include <ember/optim/one_cycle_lr.h>

#include <cmath>
#include <numbers>

namespace ember::optim {

namespace {

// A group's "momentum", or the first of its "betas"; null if it has neither (Adagrad).
double* cycled_momentum(Optimizer& optimizer, size_t group) {
  for (const OptionField& field : optimizer.group_fields(group)) {
    if (field.name == "momentum") return std::get<double*>(field.value);
    if (field.name == "betas") return &std::get<std::pair<double, double>*>(field.value)->first;
  }
  return nullptr;
}

// One value per group, from one value for all or one each (PyTorch's _format_param).
std::vector<double> per_group(const char* name, const std::vector<double>& values, size_t groups) {
  EMBER_CHECK_VALUE(values.size() == 1 || values.size() == groups, "OneCycleLR: expected 1 or {} values for {}, got {}",
                    groups, name, values.size());
  return values.size() == 1 ? std::vector<double>(groups, values[0]) : values;
}

}  // namespace

double OneCycleLR::GroupValues::at(Point point) const {
  switch (point) {
    case Point::InitialLr:
      return initial_lr;
    case Point::MaxLr:
      return max_lr;
    case Point::MinLr:
      return min_lr;
    case Point::MaxMomentum:
      return max_momentum;
    case Point::BaseMomentum:
      return base_momentum;
  }
  return 0;
}

OneCycleLR::OneCycleLR(Optimizer& optimizer, OneCycleLROptions options)
    : LRScheduler("OneCycleLR", optimizer, options.last_epoch),
      cosine_(options.anneal_strategy == "cos"),
      cycle_momentum_(options.cycle_momentum) {
  if (options.total_steps) {
    EMBER_CHECK_VALUE(*options.total_steps > 0, "OneCycleLR: expected positive integer total_steps, but got {}",
                      *options.total_steps);
    total_steps_ = *options.total_steps;
  } else {
    EMBER_CHECK_VALUE(options.epochs && options.steps_per_epoch,
                      "OneCycleLR: you must define either total_steps OR (epochs AND steps_per_epoch)");
    EMBER_CHECK_VALUE(*options.epochs > 0, "OneCycleLR: expected positive integer epochs, but got {}", *options.epochs);
    EMBER_CHECK_VALUE(*options.steps_per_epoch > 0, "OneCycleLR: expected positive integer steps_per_epoch, but got {}",
                      *options.steps_per_epoch);
    total_steps_ = *options.epochs * *options.steps_per_epoch;
  }
  EMBER_CHECK_VALUE(options.pct_start >= 0 && options.pct_start <= 1,
                    "OneCycleLR: expected float between 0 and 1 pct_start, but got {}", options.pct_start);
  EMBER_CHECK_VALUE(options.anneal_strategy == "cos" || options.anneal_strategy == "linear",
                    "OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got '{}'",
                    options.anneal_strategy);
  const double total = static_cast<double>(total_steps_), pct = options.pct_start;
  if (options.three_phase) {
    phases_ = {{pct * total - 1, Point::InitialLr, Point::MaxLr, Point::MaxMomentum, Point::BaseMomentum},
               {2 * pct * total - 2, Point::MaxLr, Point::InitialLr, Point::BaseMomentum, Point::MaxMomentum},
               {total - 1, Point::InitialLr, Point::MinLr, Point::MaxMomentum, Point::MaxMomentum}};
  } else {
    phases_ = {{pct * total - 1, Point::InitialLr, Point::MaxLr, Point::MaxMomentum, Point::BaseMomentum},
               {total - 1, Point::MaxLr, Point::MinLr, Point::BaseMomentum, Point::MaxMomentum}};
  }

  const size_t groups = optimizer.num_param_groups();
  EMBER_CHECK_VALUE(!options.max_lr.empty(), "OneCycleLR: expected a max_lr (it has no default), got none");
  const std::vector<double> max_lrs = per_group("max_lr", options.max_lr, groups);
  const std::vector<double> max_momentums = per_group("max_momentum", options.max_momentum, groups);
  const std::vector<double> base_momentums = per_group("base_momentum", options.base_momentum, groups);
  for (size_t g = 0; g < groups; ++g) {
    const double initial = max_lrs[g] / options.div_factor;
    groups_.push_back({initial, max_lrs[g], initial / options.final_div_factor, max_momentums[g], base_momentums[g]});
    if (cycle_momentum_) {
      double* momentum = cycled_momentum(optimizer, g);
      EMBER_CHECK_VALUE(momentum,
                        "OneCycleLR: optimizer must support momentum with `cycle_momentum` option enabled "
                        "({} has neither momentum nor betas); pass .cycle_momentum = false",
                        optimizer.name());
      if (options.last_epoch == -1) *momentum = max_momentums[g];
    }
  }
  // PyTorch overwrites initial_lr (where other schedulers only set a missing
  // one), before initial_step() reads it as base_lrs().
  if (options.last_epoch == -1) {
    for (size_t g = 0; g < groups; ++g) optimizer.initial_lr(g) = groups_[g].initial_lr;
  }
  initial_step();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (cosine_) return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1);
  return (end - start) * pct + start;
}

std::vector<double> OneCycleLR::get_lr() {
  const int64_t step = last_epoch();
  EMBER_CHECK_VALUE(step <= total_steps_,
                    "OneCycleLR: tried to step {} times; the specified number of total steps is {}", step + 1,
                    total_steps_);
  std::vector<double> lrs;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const GroupValues& values = groups_[g];
    double start_step = 0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& phase = phases_[i];
      if (static_cast<double>(step) <= phase.end_step || i + 1 == phases_.size()) {
        const double pct = (static_cast<double>(step) - start_step) / (phase.end_step - start_step);
        lrs.push_back(anneal(values.at(phase.start_lr), values.at(phase.end_lr), pct));
        if (cycle_momentum_) {
          *cycled_momentum(optimizer(), g) =
              anneal(values.at(phase.start_momentum), values.at(phase.end_momentum), pct);
        }
        break;
      }
      start_step = phase.end_step;
    }
  }
  return lrs;
}

}  // namespace ember::optim
