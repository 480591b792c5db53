// Debugging aids (docs/debugging.md): ember_debug_print for any debugger's
// `call`, on_node to stop in (or log) a given backward node, and the flight
// recorder of the last ops (EMBER_TRACE=1 logs every one as it is recorded).
// What lives here only observes: nothing in it changes what an op computes.
#pragma once

#include <ember/autograd/node.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

// Prints *tensor (an ember::Tensor*) to stderr as operator<< does, then its
// metadata: shape, strides, offset, dtype, device, requires_grad, grad_fn and
// where that node was recorded. C linkage, in every build type, so that
// `call ember_debug_print(&t)` works from gdb or lldb without C++ name lookup.
extern "C" void ember_debug_print(const void* tensor);

namespace ember::autograd {

// What ember_debug_print prints, as a string.
std::string debug_string(const Tensor& tensor);

// ---- on_node: run callback(node, grads) before every backward node whose
// name() ("MulBackward") or op() ("mul") is `name`; grads are the gradients of
// its forward outputs. Put a breakpoint in the callback to stop there.
using NodeCallback = std::function<void(const Node& node, const TensorList& grads)>;
// Returns an id for remove_on_node. Costs nothing while no callback is set.
int on_node(std::string name, NodeCallback callback);
void remove_on_node(int id);

// ---- the flight recorder (Note [Flight recorder] in debug.cpp) ----
// One recorded op: forward (a node was recorded) or backward (a node ran).
struct OpRecord {
  static constexpr int kShapes = 3, kDims = 6;  // up to two inputs and the first output; dims past 6 are cut
  const char* op = nullptr;
  bool backward = false;
  uint64_t sequence_nr = 0;
  uint8_t dtype = 0, device_type = 0;
  int8_t device_index = -1;
  uint8_t shape_count = 0;
  uint8_t ndim[kShapes] = {};
  int64_t sizes[kShapes][kDims] = {};
};
inline constexpr int kFlightRecorderSize = 64;
// This thread's last ops, oldest first (at most kFlightRecorderSize).
std::vector<OpRecord> recent_ops();
// One line per op, as printed on a crash: "#12 fwd mul [2, 3], [3] -> [2, 3] float32 cpu".
std::string format_op(const OpRecord& record);
// Is EMBER_TRACE on (read once at startup; tests turn it on and off)?
bool is_trace_enabled();
void set_trace_enabled(bool enabled);

namespace detail {
// Called by the recorder (record.cpp) and the engine; cheap: a few stores into a thread-local ring.
void note_forward(const Node& node, TensorSpan inputs, TensorSpan outputs);
void note_backward(const Node& node, const TensorList& grads);
// The on_node callbacks, run by the engine when any is set.
bool has_node_callbacks();
void run_node_callbacks(const Node& node, const TensorList& grads);
}  // namespace detail

}  // namespace ember::autograd
