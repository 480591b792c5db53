// Node: one recorded operation of the tape: its op name, an edge per forward
// input to the node that produced it (or to the leaf's AccumulateGrad), the
// metadata of its forward outputs, and its backward formula. Edges own the
// nodes they point to, so a graph lives exactly as long as a tensor refers to it.
#pragma once

#include <ember/core/tensor.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ember::autograd {

class Node;
using TensorList = std::vector<Tensor>;

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
  // Where the forward op ran: the native stack (function, file:line where
  // debug info allows), kept in anomaly mode only; symbolised when asked.
  std::string record_site() const;
  void set_record_frames(std::vector<void*> frames) { record_frames_ = std::move(frames); }

 private:
  const char* op_;
  uint64_t sequence_nr_;
  std::vector<Edge> next_edges_;
  std::vector<OutputMeta> outputs_;
  std::vector<std::pair<uint32_t, Hook>> hooks_;
  std::vector<void*> record_frames_;
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

// Nodes alive now, in every graph of this process (for tests and leak checks).
int64_t live_node_count();

// The edge a gradient of t flows along: to its grad_fn, or to its leaf
// accumulator (created on first use); an empty edge if t does not require grad.
Edge gradient_edge(const Tensor& t);

}  // namespace ember::autograd
