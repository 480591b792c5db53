// Node: one recorded operation of the tape: its op name, an edge per forward
// input to the node that produced it (or to the leaf's AccumulateGrad), the
// metadata of its forward outputs, and its backward formula. Edges own the
// nodes they point to, so a graph lives exactly as long as a tensor refers to it.
#pragma once

#include <ember/core/tensor.h>

#include <functional>
#include <memory>
#include <string>
#include <span>
#include <vector>

namespace ember::autograd {

class Node;
using TensorList = std::vector<Tensor>;
// A read-only run of tensors: a TensorList, or an op's braced {self, other} (no allocation).
using TensorSpan = std::span<const Tensor>;

// Where a gradient flows: forward output `input_nr` of `node` (the engine feeds
// it to that node as its backward's input number input_nr).
struct Edge {
  std::shared_ptr<Node> node;
  uint32_t input_nr = 0;
};

// What the gradient of one forward output must look like.
struct OutputMeta {
  Shape shape;
  DType dtype;
  Device device;
};

using Hook = AutogradMeta::Hook;

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node(const char* op, std::vector<Edge> next_edges);
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // PyTorch's node names: "mul" records "MulBackward", "log_softmax" "LogSoftmaxBackward".
  virtual std::string name() const;
  const char* op() const { return op_; }
  // Record order; the engine runs later nodes first, so backward order is deterministic.
  uint64_t sequence_nr() const { return sequence_nr_; }
  const std::vector<Edge>& next_edges() const { return next_edges_; }
  const std::vector<OutputMeta>& outputs() const { return outputs_; }
  void add_output(const Tensor& output) { outputs_.push_back({output.shape(), output.dtype(), output.device()}); }

  // Gradients of the forward inputs (one per next edge, undefined where there is
  // none) from the gradients of the forward outputs (undefined where none came).
  virtual TensorList apply(TensorList&& grads) = 0;
  // Frees what backward saved; a later apply() fails (backward without retain_graph).
  virtual void release_saved() {}
  // Hooks on the gradient of forward output `output_nr` (register_hook on a non-leaf).
  void add_hook(uint32_t output_nr, Hook hook) { hooks_.push_back({output_nr, std::move(hook)}); }
  // Runs the hooks of every output over grads (a hook may replace its gradient).
  virtual void run_hooks(TensorList& grads) const;
  // Where the forward op was recorded, always kept (see Note [Record sites]):
  // the module that ran it ("encoder.fc2 (Linear)"), else the op name.
  std::string record_site() const { return site_ ? *site_ : std::string(op_); }
  // The module's site, or null when the op ran outside any Module call.
  const std::string* module_site() const { return site_.get(); }
  // The native stack where the op ran (function, file:line where debug info
  // allows), kept in anomaly mode only; symbolised when asked.
  std::string record_stack() const;
  void set_record_frames(std::vector<void*> frames) { record_frames_ = std::move(frames); }
  // An embedding language's stack at the record site (the Python traceback), shown before the native one.
  void set_record_text(std::string text) { record_text_ = std::move(text); }

 private:
  const char* op_;
  uint64_t sequence_nr_;
  std::shared_ptr<const std::string> site_;
  std::vector<Edge> next_edges_;
  std::vector<OutputMeta> outputs_;
  std::vector<std::pair<uint32_t, Hook>> hooks_;
  std::vector<void*> record_frames_;
  std::string record_text_;
};

// The node of a leaf that requires grad: adds the gradient into its .grad().
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(const Tensor& variable);
  std::string name() const override { return "AccumulateGrad"; }
  TensorList apply(TensorList&& grads) override;
  void run_hooks(TensorList& grads) const override;
  const Tensor& variable() const { return variable_; }

 private:
  Tensor variable_;
};

// Note [Record sites]
// Every node keeps where it was recorded, always, at the cost of one
// shared_ptr copy: a Module call (Module::operator(), containers, and layers
// through with_where) puts a pointer to the module's site string
// ("encoder.fc2 (Linear)", built once per module) in a thread-local slot for
// the duration of the call; Node's constructor copies what the slot holds.
// No string is built per op. Outside any module the slot is empty and the
// site is the op's name. The guard lives here, not in nn/, because nodes
// read it and autograd must not include nn.
class RecordSiteGuard {
 public:
  explicit RecordSiteGuard(const std::shared_ptr<const std::string>* site);
  ~RecordSiteGuard();
  RecordSiteGuard(const RecordSiteGuard&) = delete;
  RecordSiteGuard& operator=(const RecordSiteGuard&) = delete;

 private:
  const std::shared_ptr<const std::string>* previous_;
};
// The site a node recorded now on this thread would keep (null: none).
const std::shared_ptr<const std::string>* current_record_site();

// Nodes alive now, in every graph of this process (for tests and leak checks).
int64_t live_node_count();

// The edge a gradient of t flows along: to its grad_fn, or to its leaf
// accumulator (created on first use); an empty edge if t does not require grad.
Edge gradient_edge(const Tensor& t);

}  // namespace ember::autograd
