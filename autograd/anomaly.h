// Anomaly mode: while on, every recorded node keeps the native stack where it
// was recorded, and the first NaN/Inf produced by a recorded forward op or by
// a backward formula throws, naming the op, its input shapes and that stack.
// Off by default; when off it costs one flag check per recorded op.
#pragma once

#include <ember/autograd/node.h>

#include <functional>
#include <string>

namespace ember::autograd {

bool is_anomaly_enabled();
void set_detect_anomaly(bool enabled);

// An embedding language's own stack, kept with each node in anomaly mode
// beside the native one (the Python module formats its traceback here).
// Called on the recording thread; an empty function removes it.
void set_anomaly_stack_provider(std::function<std::string()> provider);

class AnomalyModeGuard {
 public:
  explicit AnomalyModeGuard(bool enabled = true);
  ~AnomalyModeGuard();
  AnomalyModeGuard(const AnomalyModeGuard&) = delete;
  AnomalyModeGuard& operator=(const AnomalyModeGuard&) = delete;

 private:
  bool previous_;
};

namespace detail {
// The calling thread's return addresses (cheap: symbolised only on error).
std::vector<void*> capture_stack();
// One line per frame: "#i function at file:line", as far as symbols and
// debug info allow (addr2line, run only here).
std::string describe_stack(const std::vector<void*>& frames);
// The provider's stack (see set_anomaly_stack_provider), or "" when none is set.
std::string provided_stack();
// Throws when a tensor of `tensors` holds a NaN or Inf (anomaly mode).
void check_forward_finite(const Node& node, TensorSpan inputs, TensorSpan outputs);
void check_backward_finite(const Node& node, const TensorList& grads);
}  // namespace detail

}  // namespace ember::autograd
