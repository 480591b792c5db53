// StepLR, as torch.optim.lr_scheduler.StepLR: multiplies each group's lr by
// gamma every step_size epochs.
#pragma once

#include <ember/optim/lr_scheduler.h>

namespace ember::optim {

// StepLR's arguments in PyTorch's order; step_size has no default.
struct StepLROptions {
  int64_t step_size = 0;
  double gamma = 0.1;
  int64_t last_epoch = -1;
};

class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, StepLROptions options);

 private:
  std::vector<double> get_lr() override;
  StepLROptions options_;
};

}  // namespace ember::optim
