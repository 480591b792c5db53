// Grad modes: whether ops record onto the tape, per thread. NoGradGuard and
// EnableGradGuard switch recording off/on for a scope; InferenceModeGuard also
// switches it off (ember keeps no extra state for inference tensors).
#pragma once

namespace ember::autograd {

bool is_grad_enabled();
void set_grad_enabled(bool enabled);
bool is_inference_mode();

// Restores the previous mode when it goes out of scope.
class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled);
  ~GradModeGuard();
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool previous_;
};

class NoGradGuard : public GradModeGuard {
 public:
  NoGradGuard() : GradModeGuard(false) {}
};

class EnableGradGuard : public GradModeGuard {
 public:
  EnableGradGuard() : GradModeGuard(true) {}
};

class InferenceModeGuard {
 public:
  explicit InferenceModeGuard(bool enabled = true);
  ~InferenceModeGuard();
  InferenceModeGuard(const InferenceModeGuard&) = delete;
  InferenceModeGuard& operator=(const InferenceModeGuard&) = delete;

 private:
  bool previous_grad_, previous_inference_;
};

}  // namespace ember::autograd

namespace ember {
using autograd::EnableGradGuard;
using autograd::InferenceModeGuard;
using autograd::NoGradGuard;
}  // namespace ember
