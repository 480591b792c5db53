// Anomaly mode (autograd/anomaly.h): the flag, stack capture, NaN/Inf checks.
#include <ember/autograd/anomaly.h>
#include <ember/autograd/grad_mode.h>
#include <ember/ops/ops.h>

#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <mutex>

#include <atomic>
#include <cstdlib>
#include <memory>

namespace ember::autograd {
namespace {

std::atomic<bool> anomaly_enabled{false};

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

// "function at file:line" for an offset into module, from binutils' addr2line
// (empty when it is missing or the module has no debug info).
std::string addr2line(const char* module, uintptr_t offset) {
  const std::string command = fmt::format("addr2line -C -f -e '{}' {:#x} 2>/dev/null", module, offset);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return {};
  char function[4096] = {}, location[4096] = {};
  if (!fgets(function, sizeof function, pipe.get()) || !fgets(location, sizeof location, pipe.get())) return {};
  std::string f(function), l(location);
  while (!f.empty() && f.back() == '\n') f.pop_back();
  while (!l.empty() && l.back() == '\n') l.pop_back();
  if (l.rfind("??", 0) == 0) return {};
  return f == "??" ? l : f + " at " + l;
}

bool all_finite(const Tensor& t) {
  if (!t.defined() || !t.is_floating_point() || t.numel() == 0) return true;
  NoGradGuard no_grad;
  return isfinite(t).all().item<bool>();
}

std::string shapes_of(TensorSpan tensors) {
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

namespace {
std::mutex provider_mutex;
std::function<std::string()> stack_provider;
}  // namespace

namespace detail {

std::vector<void*> capture_stack() {
  std::vector<void*> frames(64);
  const int count = backtrace(frames.data(), static_cast<int>(frames.size()));
  frames.resize(static_cast<size_t>(std::max(count, 0)));
  if (!frames.empty()) frames.erase(frames.begin());  // capture_stack itself
  return frames;
}

std::string describe_stack(const std::vector<void*>& frames) {
  std::string out;
  for (size_t i = 0; i < frames.size(); ++i) {
    Dl_info info{};
    std::string where;
    if (dladdr(frames[i], &info) && info.dli_fname) {
      // A return address points after the call: step back into the call itself.
      const auto offset = reinterpret_cast<uintptr_t>(frames[i]) - reinterpret_cast<uintptr_t>(info.dli_fbase) - 1;
      where = addr2line(info.dli_fname, offset);
      if (where.empty() && info.dli_sname) where = demangle(info.dli_sname);
      if (where.empty()) where = fmt::format("{}+{:#x}", info.dli_fname, offset);
    }
    out += fmt::format("  #{} {}\n", i, where.empty() ? "?" : where);
  }
  return out;
}

void check_forward_finite(const Node& node, TensorSpan inputs, TensorSpan outputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    EMBER_CHECK(all_finite(outputs[i]),
                "anomaly mode: {} (forward of {}) produced NaN or Inf in output {}; inputs of shapes {}; recorded in {} "
                "at:\n{}",
                node.op(), node.name(), i, shapes_of(inputs), node.record_site(), node.record_stack());
  }
}

void check_backward_finite(const Node& node, const TensorList& grads) {
  for (size_t i = 0; i < grads.size(); ++i) {
    EMBER_CHECK(all_finite(grads[i]),
                "anomaly mode: Function {} returned NaN or Inf values in its output {} (the gradient of input {} of "
                "forward op {}); the forward op was recorded in {} at:\n{}",
                node.name(), i, i, node.op(), node.record_site(), node.record_stack());
  }
}

}  // namespace detail
void set_anomaly_stack_provider(std::function<std::string()> provider) {
  std::lock_guard<std::mutex> lock(provider_mutex);
  stack_provider = std::move(provider);
}

namespace detail {
std::string provided_stack() {
  std::function<std::string()> provider;
  {
    std::lock_guard<std::mutex> lock(provider_mutex);
    provider = stack_provider;
  }
  return provider ? provider() : std::string();
}
}  // namespace detail

}  // namespace ember::autograd
