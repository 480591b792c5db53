// LRScheduler: the base of the epoch-indexed learning-rate schedules (StepLR,
// MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, OneCycleLR), as
// PyTorch 1.13's _LRScheduler: step() advances last_epoch and writes each
// group's lr from the chainable formula. ReduceLROnPlateau stands apart, as in PyTorch.
#pragma once

#include <ember/optim/optimizer.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ember::optim {

// A scheduler refers to its optimizer: the optimizer must outlive it.
class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // Call after optimizer.step(): last_epoch += 1, then every group's lr is set.
  void step();
  // The lrs the last step() (or the constructor) set, one per group.
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  // Each group's initial_lr when the scheduler was built.
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  const std::string& name() const { return name_; }

 protected:
  LRScheduler(std::string name, Optimizer& optimizer, int64_t last_epoch);
  // What PyTorch's base constructor does, called last by each derived
  // constructor (in C++ a base constructor cannot reach the derived get_lr()).
  // last_epoch == -1: a fresh start, each group's initial_lr is set to its lr
  // unless a scheduler set it before; otherwise a resume, and every group must
  // have an initial_lr (restored with the optimizer's state dict). Then
  // base_lrs() are the initial_lrs, and the first step() sets the lrs.
  void initial_step();
  // The groups' lrs at last_epoch(), in PyTorch's chainable form (from the current lrs).
  virtual std::vector<double> get_lr() = 0;

  Optimizer& optimizer() const { return optimizer_; }
  std::vector<double> current_lrs() const;
  // step() calls taken, counting the constructor's (CosineAnnealingLR's resume case needs it).
  int64_t step_count() const { return step_count_; }

 private:
  std::string name_;
  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  int64_t last_epoch_;
  int64_t step_count_ = 0;
  std::vector<double> last_lr_;
};

}  // namespace ember::optim
