// CosineAnnealingLR, as torch.optim.lr_scheduler.CosineAnnealingLR: each
// group's lr follows half a cosine from its initial lr down to eta_min over
// T_max epochs (and back up after, as PyTorch's recursive form does).
#pragma once

#include <ember/optim/lr_scheduler.h>

namespace ember::optim {

// CosineAnnealingLR's arguments in PyTorch's order (and names); T_max has no default.
struct CosineAnnealingLROptions {
  int64_t T_max = 0;
  double eta_min = 0;
  int64_t last_epoch = -1;
};

class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, CosineAnnealingLROptions options);

 private:
  std::vector<double> get_lr() override;
  CosineAnnealingLROptions options_;
};

}  // namespace ember::optim
