// The thread-local grad mode flags behind autograd/grad_mode.h.
#include <ember/autograd/grad_mode.h>

namespace ember::autograd {
namespace {
thread_local bool grad_enabled = true;
thread_local bool inference_mode = false;
}  // namespace

bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }
bool is_inference_mode() { return inference_mode; }

GradModeGuard::GradModeGuard(bool enabled) : previous_(grad_enabled) { grad_enabled = enabled; }
GradModeGuard::~GradModeGuard() { grad_enabled = previous_; }

InferenceModeGuard::InferenceModeGuard(bool enabled)
    : previous_grad_(grad_enabled), previous_inference_(inference_mode) {
  inference_mode = enabled;
  grad_enabled = !enabled && grad_enabled;
}
InferenceModeGuard::~InferenceModeGuard() {
  grad_enabled = previous_grad_;
  inference_mode = previous_inference_;
}

}  // namespace ember::autograd
