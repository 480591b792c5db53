// MultiStepLR, as torch.optim.lr_scheduler.MultiStepLR: multiplies each
// group's lr by gamma at each milestone epoch (gamma^k for a milestone listed k times).
#pragma once

#include <ember/optim/lr_scheduler.h>

#include <map>

namespace ember::optim {

// MultiStepLR's arguments in PyTorch's order.
struct MultiStepLROptions {
  std::vector<int64_t> milestones = {};
  double gamma = 0.1;
  int64_t last_epoch = -1;
};

class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, MultiStepLROptions options);

 private:
  std::vector<double> get_lr() override;
  double gamma_;
  std::map<int64_t, int> milestones_;  // epoch -> how many times it is listed (PyTorch's Counter)
};

}  // namespace ember::optim
