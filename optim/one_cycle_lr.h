// OneCycleLR, as torch.optim.lr_scheduler.OneCycleLR: the 1cycle policy. The
// lr rises from max_lr / div_factor to max_lr, then anneals to a far lower
// minimum, while the momentum (SGD's and RMSprop's momentum, Adam's beta1)
// cycles the other way. Step it after every batch.
#pragma once

#include <ember/optim/lr_scheduler.h>

#include <optional>
#include <string>

namespace ember::optim {

// OneCycleLR's arguments in PyTorch's order, with its defaults. max_lr,
// base_momentum and max_momentum hold one value for every group or one per
// group. Give total_steps, or epochs and steps_per_epoch.
struct OneCycleLROptions {
  std::vector<double> max_lr = {};
  std::optional<int64_t> total_steps = std::nullopt;
  std::optional<int64_t> epochs = std::nullopt;
  std::optional<int64_t> steps_per_epoch = std::nullopt;
  double pct_start = 0.3;
  std::string anneal_strategy = "cos";  // or "linear"
  bool cycle_momentum = true;
  std::vector<double> base_momentum = {0.85};
  std::vector<double> max_momentum = {0.95};
  double div_factor = 25.0;
  double final_div_factor = 1e4;
  bool three_phase = false;
  int64_t last_epoch = -1;
};

class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, OneCycleLROptions options);

  int64_t total_steps() const { return total_steps_; }

 private:
  // The values a phase runs between, per group.
  enum class Point { InitialLr, MaxLr, MinLr, MaxMomentum, BaseMomentum };
  struct Phase {
    double end_step;
    Point start_lr, end_lr, start_momentum, end_momentum;
  };
  struct GroupValues {
    double initial_lr, max_lr, min_lr, max_momentum, base_momentum;
    double at(Point point) const;
  };

  std::vector<double> get_lr() override;
  double anneal(double start, double end, double pct) const;

  int64_t total_steps_ = 0;
  bool cosine_;
  bool cycle_momentum_;
  std::vector<Phase> phases_;
  std::vector<GroupValues> groups_;
};

}  // namespace ember::optim
