// LinearLR, as torch.optim.lr_scheduler.LinearLR: scales each group's lr by a
// factor that goes linearly from start_factor to end_factor over total_iters
// epochs (a warm-up, typically), then stays.
#pragma once

#include <ember/optim/lr_scheduler.h>

namespace ember::optim {

// LinearLR's arguments in PyTorch's order, with its defaults.
struct LinearLROptions {
  double start_factor = 1.0 / 3;
  double end_factor = 1.0;
  int64_t total_iters = 5;
  int64_t last_epoch = -1;
};

class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, LinearLROptions options);

 private:
  std::vector<double> get_lr() override;
  LinearLROptions options_;
};

}  // namespace ember::optim
