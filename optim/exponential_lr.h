// ExponentialLR, as torch.optim.lr_scheduler.ExponentialLR: multiplies each
// group's lr by gamma every epoch.
#pragma once

#include <ember/optim/lr_scheduler.h>

namespace ember::optim {

// ExponentialLR's arguments in PyTorch's order; gamma has no default.
struct ExponentialLROptions {
  double gamma = kRequired;
  int64_t last_epoch = -1;
};

class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, ExponentialLROptions options);

 private:
  std::vector<double> get_lr() override;
  double gamma_;
};

}  // namespace ember::optim
