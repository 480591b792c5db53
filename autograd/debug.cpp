// Debugging aids (autograd/debug.h): ember_debug_print, on_node, and the
// flight recorder with the crash handlers that print it.
#include <ember/autograd/debug.h>
#include <ember/core/print.h>

#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <mutex>
#include <unistd.h>

// Note [gdb auto-load]
// The pretty-printers (tools/gdb/ember_printers.py) travel inside libember in
// a .debug_gdb_scripts section, in gdb's inline-script form (a 4, the line
// "gdb.inlined-script", the script, a NUL): gdb runs it when it loads the
// library, once the library's directory is in its auto-load safe-path. The
// build names the file (CMakeLists.txt); the assembler copies it in. strip
// --strip-debug drops the section; share/gdb/auto-load keeps a copy.
#if defined(__ELF__) && defined(EMBER_GDB_PRINTERS_PATH)
asm(".pushsection \".debug_gdb_scripts\", \"MS\",@progbits,1\n"
    ".byte 4\n"
    ".ascii \"gdb.inlined-script\\n\"\n"
    ".incbin \"" EMBER_GDB_PRINTERS_PATH "\"\n"
    ".byte 0\n"
    ".popsection\n");
#endif

namespace ember::autograd {
namespace {

// ---- on_node ----
struct NodeCallbackEntry {
  int id;
  std::string name;
  NodeCallback callback;
};
std::mutex callbacks_mutex;
std::vector<NodeCallbackEntry> callbacks;
std::atomic<bool> any_callback{false};
int next_callback_id = 0;

// Note [Flight recorder]
// Each thread keeps its last kFlightRecorderSize ops in a fixed ring of plain
// structs (thread_local, zero-initialised, no allocation, no lock, no string:
// an op's name is its static const char*). Recording one op is a few stores
// (no clock read: EMBER_TRACE's log has the times). The ring is printed
// when an ember::Error escapes
// (std::terminate) or on SIGSEGV/SIGABRT, on the thread that failed; the
// handlers are installed when libember loads, and only where the program (or
// a sanitizer) has not installed its own. EMBER_TRACE=1 also logs every op.
struct Ring {
  OpRecord records[kFlightRecorderSize];
  uint64_t count;
};
thread_local Ring ring;

bool read_trace_env() {
  const char* value = std::getenv("EMBER_TRACE");
  return value && *value && std::strcmp(value, "0") != 0;
}
std::atomic<bool> trace_enabled{read_trace_env()};

int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
const int64_t start_ns = now_ns();

void put_shape(OpRecord& r, const Tensor& t) {
  if (r.shape_count == OpRecord::kShapes || !t.defined()) return;
  const Shape& shape = t.shape();
  const size_t n = std::min<size_t>(shape.size(), OpRecord::kDims);
  r.ndim[r.shape_count] = static_cast<uint8_t>(shape.size());
  std::memcpy(r.sizes[r.shape_count], shape.data(), n * sizeof(int64_t));
  ++r.shape_count;
}

// snprintf only (no allocation): the signal handlers format with it too.
size_t format_record(const OpRecord& r, char* buf, size_t size) {
  size_t used = 0;
  auto put = [&](const char* format, auto... args) {
    if (used >= size) return;
    const int n = std::snprintf(buf + used, size - used, format, args...);
    if (n > 0) used = std::min(size, used + static_cast<size_t>(n));
  };
  put("#%llu %s %s", static_cast<unsigned long long>(r.sequence_nr), r.backward ? "bwd" : "fwd", r.op ? r.op : "?");
  for (int s = 0; s < r.shape_count; ++s) {
    const bool last = s + 1 == r.shape_count && !r.backward;
    put(s == 0 ? " " : last ? " -> " : ", ");
    put("[");
    for (int d = 0; d < std::min<int>(r.ndim[s], OpRecord::kDims); ++d) put(d ? ", %lld" : "%lld", static_cast<long long>(r.sizes[s][d]));
    put(r.ndim[s] > OpRecord::kDims ? ", ...]" : "]");
  }
  const std::string_view dtype = dtype_name(static_cast<DType>(r.dtype));
  put(" %.*s %s", static_cast<int>(dtype.size()), dtype.data(), r.device_type == static_cast<uint8_t>(kCUDA) ? "cuda" : "cpu");
  if (r.device_type == static_cast<uint8_t>(kCUDA) && r.device_index >= 0) put(":%d", r.device_index);
  return used;
}

void write_all(const char* text, size_t n) {
  while (n > 0) {
    const ssize_t written = ::write(STDERR_FILENO, text, n);
    if (written <= 0) return;
    text += written;
    n -= static_cast<size_t>(written);
  }
}

std::atomic<bool> ring_printed{false};

// Async-signal-tolerant: snprintf into a stack buffer and write(2).
void print_ring(const char* why) {
  if (ring_printed.exchange(true)) return;
  char line[512];
  int n = std::snprintf(line, sizeof line, "ember: %s; the last ops recorded on this thread (oldest first):\n", why);
  write_all(line, static_cast<size_t>(std::max(n, 0)));
  const uint64_t count = ring.count;
  const uint64_t first = count > kFlightRecorderSize ? count - kFlightRecorderSize : 0;
  for (uint64_t i = first; i < count; ++i) {
    line[0] = ' ', line[1] = ' ';
    size_t used = 2 + format_record(ring.records[i % kFlightRecorderSize], line + 2, sizeof line - 3);
    line[used++] = '\n';
    write_all(line, used);
  }
  if (count == 0) write_all("  (none)\n", 9);
}

std::terminate_handler previous_terminate = nullptr;

void on_terminate() {
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const Error&) {
      print_ring("an ember::Error escaped");
    } catch (...) {
    }
  }
  if (previous_terminate) previous_terminate();
  std::abort();
}

void on_signal(int signal) {
  print_ring(signal == SIGSEGV ? "SIGSEGV" : "SIGABRT");
  // SA_RESETHAND put the default action back: die of the same signal.
  std::raise(signal);
}

void install_if_default(int signal) {
  struct sigaction current {};
  if (sigaction(signal, nullptr, &current) != 0 || current.sa_handler != SIG_DFL) return;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND | SA_NODEFER;
  sigaction(signal, &action, nullptr);
}

// Installed when libember loads; EMBER_FLIGHT_RECORDER=0 leaves the process's handlers alone.
[[maybe_unused]] const bool handlers_installed = [] {
  const char* off = std::getenv("EMBER_FLIGHT_RECORDER");
  if (off && std::strcmp(off, "0") == 0) return false;
  previous_terminate = std::set_terminate(on_terminate);
  install_if_default(SIGSEGV);
  install_if_default(SIGABRT);
  return true;
}();

void log_op(const OpRecord& r, const Node& node) {
  char line[512];
  const size_t used = format_record(r, line, sizeof line - 1);
  line[used] = '\0';
  fmt::print(stderr, "[ember trace {:10.3f} ms] {} in {}\n", static_cast<double>(now_ns() - start_ns) / 1e6, line,
             node.record_site());
}

OpRecord& next_record(const Node& node, bool backward) {
  OpRecord& r = ring.records[ring.count++ % kFlightRecorderSize];
  r.op = node.op();
  r.backward = backward;
  r.sequence_nr = node.sequence_nr();
  r.shape_count = 0;
  return r;
}

void set_meta(OpRecord& r, const Tensor& t) {
  if (!t.defined()) return;
  r.dtype = static_cast<uint8_t>(t.dtype());
  r.device_type = static_cast<uint8_t>(t.device().type());
  r.device_index = static_cast<int8_t>(t.device().index());
}

}  // namespace

std::string debug_string(const Tensor& t) {
  if (!t.defined()) return "tensor(undefined)\n";
  std::string text = t.str() + "\n";
  text += fmt::format("  shape={} strides={} offset={} contiguous={} numel={}\n", t.shape(), t.strides(),
                      t.storage_offset(), t.is_contiguous() ? "true" : "false", t.numel());
  text += fmt::format("  dtype={} device={} storage={} nbytes={} version={}\n", t.dtype(), t.device(),
                      fmt::ptr(t.impl()->storage()->data()), t.impl()->storage()->nbytes(), t.version());
  text += fmt::format("  requires_grad={} is_leaf={}", t.requires_grad() ? "true" : "false",
                      t.is_leaf() ? "true" : "false");
  if (std::shared_ptr<Node> node = t.grad_fn()) {
    text += fmt::format(" grad_fn={} (#{}, output {}, recorded in {})", node->name(), node->sequence_nr(),
                        t.impl()->autograd()->output_nr, node->record_site());
  }
  return text + "\n";
}

int on_node(std::string name, NodeCallback callback) {
  std::lock_guard lock(callbacks_mutex);
  callbacks.push_back({next_callback_id, std::move(name), std::move(callback)});
  any_callback.store(true, std::memory_order_relaxed);
  return next_callback_id++;
}

void remove_on_node(int id) {
  std::lock_guard lock(callbacks_mutex);
  std::erase_if(callbacks, [id](const NodeCallbackEntry& entry) { return entry.id == id; });
  any_callback.store(!callbacks.empty(), std::memory_order_relaxed);
}

std::vector<OpRecord> recent_ops() {
  const uint64_t first = ring.count > kFlightRecorderSize ? ring.count - kFlightRecorderSize : 0;
  std::vector<OpRecord> out;
  for (uint64_t i = first; i < ring.count; ++i) out.push_back(ring.records[i % kFlightRecorderSize]);
  return out;
}

std::string format_op(const OpRecord& record) {
  char line[512];
  return std::string(line, format_record(record, line, sizeof line));
}

bool is_trace_enabled() { return trace_enabled.load(std::memory_order_relaxed); }
void set_trace_enabled(bool enabled) { trace_enabled.store(enabled, std::memory_order_relaxed); }

namespace detail {

void note_forward(const Node& node, TensorSpan inputs, TensorSpan outputs) {
  OpRecord& r = next_record(node, /*backward=*/false);
  for (size_t i = 0; i < inputs.size() && i < OpRecord::kShapes - 1; ++i) put_shape(r, inputs[i]);
  if (!outputs.empty()) {
    put_shape(r, outputs[0]);
    set_meta(r, outputs[0]);
  }
  if (is_trace_enabled()) log_op(r, node);
}

void note_backward(const Node& node, const TensorList& grads) {
  OpRecord& r = next_record(node, /*backward=*/true);
  for (const Tensor& grad : grads) {
    if (!grad.defined()) continue;
    put_shape(r, grad);
    set_meta(r, grad);
  }
  if (is_trace_enabled()) log_op(r, node);
}

bool has_node_callbacks() { return any_callback.load(std::memory_order_relaxed); }

void run_node_callbacks(const Node& node, const TensorList& grads) {
  std::vector<NodeCallback> matching;
  {
    std::lock_guard lock(callbacks_mutex);
    const std::string name = node.name();
    for (const NodeCallbackEntry& entry : callbacks) {
      if (entry.name == name || entry.name == node.op()) matching.push_back(entry.callback);
    }
  }
  for (const NodeCallback& callback : matching) callback(node, grads);
}

}  // namespace detail
}  // namespace ember::autograd

extern "C" void ember_debug_print(const void* tensor) {
  if (!tensor) {
    std::fputs("ember_debug_print: null pointer (pass &t, the address of an ember::Tensor)\n", stderr);
    return;
  }
  try {
    const std::string text = ember::autograd::debug_string(*static_cast<const ember::Tensor*>(tensor));
    std::fwrite(text.data(), 1, text.size(), stderr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ember_debug_print: %s\n", e.what());
  }
  std::fflush(stderr);
}
