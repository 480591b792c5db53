// ReduceLROnPlateau, as torch.optim.lr_scheduler.ReduceLROnPlateau: multiplies
// each group's lr by factor once a metric has stopped improving for `patience`
// steps. Not an LRScheduler: it steps on a metric, not an epoch formula.
#pragma once

#include <ember/optim/optimizer.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ember::optim {

// ReduceLROnPlateau's arguments in PyTorch's order, with its defaults. min_lr
// holds one value for every group or one per group.
struct ReduceLROnPlateauOptions {
  std::string mode = "min";  // or "max": whether the metric should fall or rise
  double factor = 0.1;
  int64_t patience = 10;
  double threshold = 1e-4;
  std::string threshold_mode = "rel";  // or "abs"
  int64_t cooldown = 0;
  std::vector<double> min_lr = {0.0};
  double eps = 1e-8;  // lr changes smaller than this are skipped
};

// Refers to its optimizer, which must outlive it.
class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});

  // Call once per epoch with the validation metric.
  void step(double metric);
  // The groups' lrs after the last step() (before any: their lrs at construction).
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  double best() const { return best_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }

 private:
  bool is_better(double metric) const;

  Optimizer& optimizer_;
  ReduceLROnPlateauOptions options_;
  std::vector<double> min_lrs_;
  double best_;
  int64_t num_bad_epochs_ = 0;
  int64_t cooldown_counter_ = 0;
  int64_t last_epoch_ = 0;
  std::vector<double> last_lr_;
};

}  // namespace ember::optim
