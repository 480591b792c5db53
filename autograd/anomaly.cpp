// Anomaly mode (autograd/anomaly.h): the flag, stack capture, NaN/Inf checks.
#include <ember/autograd/anomaly.h>
#include <ember/autograd/grad_mode.h>
#include <ember/ops/ops.h>

#include <cxxabi.h>
#include <execinfo.h>

#include <atomic>
#include <cstdlib>
#include <memory>

namespace ember::autograd {
namespace {

std::atomic<bool> anomaly_enabled{false};

// "binary(mangled+0x1f) [0x...]" -> "demangled" (or the line as it is).
std::string demangle_frame(const char* frame) {
  std::string line(frame);
  const size_t open = line.find('('), plus = line.find('+', open);
  if (open == std::string::npos || plus == std::string::npos || plus == open + 1) return line;
  const std::string mangled = line.substr(open + 1, plus - open - 1);
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status),
                                              std::free);
  return status == 0 && name ? std::string(name.get()) : mangled;
}

bool all_finite(const Tensor& t) {
  if (!t.defined() || !t.is_floating_point() || t.numel() == 0) return true;
  NoGradGuard no_grad;
  return isfinite(t).all().item<bool>();
}

std::string shapes_of(const TensorList& tensors) {
  std::string text;
  for (const Tensor& t : tensors) {
    if (!text.empty()) text += ", ";
    text += t.defined() ? fmt::format("{}", t.shape()) : "(none)";
  }
  return text;
}

}  // namespace

bool is_anomaly_enabled() { return anomaly_enabled.load(std::memory_order_relaxed); }
void set_detect_anomaly(bool enabled) { anomaly_enabled.store(enabled, std::memory_order_relaxed); }

AnomalyModeGuard::AnomalyModeGuard(bool enabled) : previous_(is_anomaly_enabled()) { set_detect_anomaly(enabled); }
AnomalyModeGuard::~AnomalyModeGuard() { set_detect_anomaly(previous_); }

namespace detail {

std::string capture_stack() {
  void* frames[48];
  const int count = backtrace(frames, 48);
  std::unique_ptr<char*, void (*)(void*)> symbols(backtrace_symbols(frames, count), std::free);
  std::string out;
  for (int i = 1; i < count; ++i) {  // frame 0 is capture_stack itself
    out += fmt::format("  #{} {}\n", i - 1, symbols ? demangle_frame(symbols.get()[i]) : "?");
  }
  return out;
}

void check_forward_finite(const Node& node, const TensorList& inputs, const TensorList& outputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    EMBER_CHECK(all_finite(outputs[i]),
                "anomaly mode: {} (forward of {}) produced NaN or Inf in output {}; inputs of shapes {}; recorded at:\n{}",
                node.op(), node.name(), i, shapes_of(inputs), node.record_site());
  }
}

void check_backward_finite(const Node& node, const TensorList& grads) {
  for (size_t i = 0; i < grads.size(); ++i) {
    EMBER_CHECK(all_finite(grads[i]),
                "anomaly mode: Function {} returned NaN or Inf values in its output {} (the gradient of input {} of "
                "forward op {}); the forward op was recorded at:\n{}",
                node.name(), i, i, node.op(), node.record_site());
  }
}

}  // namespace detail
}  // namespace ember::autograd
