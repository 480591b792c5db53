// LRScheduler: the last_epoch bookkeeping and initial_lr handling shared by
// the epoch-indexed schedules; each schedule's formula is in its own file.
#include <ember/core/error.h>
#include <ember/optim/lr_scheduler.h>

namespace ember::optim {

LRScheduler::LRScheduler(std::string name, Optimizer& optimizer, int64_t last_epoch)
    : name_(std::move(name)), optimizer_(optimizer), last_epoch_(last_epoch) {
  EMBER_CHECK_VALUE(last_epoch >= -1, "{}: expected last_epoch >= -1, got {}", name_, last_epoch);
}

void LRScheduler::initial_step() {
  for (size_t g = 0; g < optimizer_.num_param_groups(); ++g) {
    std::optional<double>& initial = optimizer_.initial_lr(g);
    if (last_epoch_ == -1 && !initial) initial = optimizer_.lr(g);
    EMBER_CHECK_VALUE(initial.has_value(),
                      "{}: param 'initial_lr' is not specified in param_groups[{}] when resuming an optimizer "
                      "(last_epoch = {}): load the optimizer's state dict first, or set param_groups()[{}].initial_lr",
                      name_, g, last_epoch_, g);
    base_lrs_.push_back(*initial);
  }
  step_count_ = 0;
  step();
}

std::vector<double> LRScheduler::current_lrs() const {
  std::vector<double> lrs;
  for (size_t g = 0; g < optimizer_.num_param_groups(); ++g) lrs.push_back(optimizer_.lr(g));
  return lrs;
}

void LRScheduler::step() {
  EMBER_CHECK(optimizer_.num_param_groups() == base_lrs_.size(),
              "{}.step: the optimizer has {} parameter groups, but the scheduler was built for {}; build the "
              "scheduler after add_param_group",
              name_, optimizer_.num_param_groups(), base_lrs_.size());
  ++step_count_;
  ++last_epoch_;
  const std::vector<double> lrs = get_lr();
  for (size_t g = 0; g < lrs.size(); ++g) optimizer_.set_lr(g, lrs[g]);
  last_lr_ = current_lrs();
}

}  // namespace ember::optim
