// How an op puts itself on the tape, beside its forward (see STYLE.md, An op):
//
//   Tensor out = ...forward...;
//   if (autograd::needs_grad(self, other))
//     autograd::record("mul", {self, other}, out, [self = save(self), other = save(other)](const Tensor& grad) {
//       return TensorList{grad * other.get(), grad * self.get()};
//     });
//
// The formula returns one gradient per recorded input (undefined for none);
// the engine sums gradients that meet and undoes broadcasting (sum_to).
#pragma once

#include <ember/autograd/grad_mode.h>
#include <ember/autograd/node.h>

#include <initializer_list>
#include <optional>
#include <type_traits>
#include <utility>

namespace ember::autograd {

// Note [Saved tensors]
// A saved input keeps its handle (and so its history: create_graph can
// differentiate through it). A saved output is kept without its grad_fn, which
// is the very node that saves it (that would be a reference cycle); get()
// re-attaches it to the node running backward. Both remember their storage's
// version: get() after an in-place change is an error naming both versions.
class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& t, bool is_output);
  Tensor get() const;

 private:
  Tensor data_;
  uint32_t version_ = 0;
  bool is_output_ = false;
};

inline SavedTensor save(const Tensor& input) { return SavedTensor(input, /*is_output=*/false); }
inline SavedTensor save_output(const Tensor& output) { return SavedTensor(output, /*is_output=*/true); }

// Inside a backward formula: does forward input i get a gradient at all? Lets
// a formula skip work for inputs that do not require grad.
bool needs_input_grad(size_t i);

namespace detail {
inline bool wants_grad(const Tensor& t) { return t.defined() && t.requires_grad(); }
inline bool wants_grad(const TensorList& ts) {
  for (const Tensor& t : ts) {
    if (wants_grad(t)) return true;
  }
  return false;
}

// The node `apply` runs on this thread (for SavedTensor::get and needs_input_grad).
class CurrentNodeGuard {
 public:
  explicit CurrentNodeGuard(Node* node);
  ~CurrentNodeGuard();

 private:
  Node* previous_;
};

[[noreturn]] void fail_released(const Node& node);
// t becomes output output_nr of node (requires grad, grad_fn = node).
void set_history(const Tensor& t, std::shared_ptr<Node> node, uint32_t output_nr);
std::vector<Edge> collect_edges(TensorSpan inputs);
// Attaches outputs to node; in anomaly mode also keeps the record site and checks the outputs.
void attach_outputs(const std::shared_ptr<Node>& node, TensorSpan inputs, TensorSpan outputs);

// A node whose backward is the op's lambda, stored in the node (one allocation).
template <class F>
class LambdaNode final : public Node {
 public:
  LambdaNode(const char* op, std::vector<Edge> edges, F backward) : Node(op, std::move(edges)), backward_(std::move(backward)) {}

  TensorList apply(TensorList&& grads) override {
    if (!backward_) fail_released(*this);
    CurrentNodeGuard current(this);
    if constexpr (std::is_invocable_v<F&, const Tensor&>) return (*backward_)(grads[0]);
    else return (*backward_)(grads);
  }
  void release_saved() override { backward_.reset(); }

 private:
  std::optional<F> backward_;
};
}  // namespace detail

// Should an op on these inputs record a node? (grad mode on, and an input requires grad)
template <class... Inputs>
bool needs_grad(const Inputs&... inputs) {
  return is_grad_enabled() && (detail::wants_grad(inputs) || ...);
}

// Records `backward` as the node producing `outputs` from `inputs`. A formula
// taking (const Tensor& grad) serves single-output ops; one taking (const
// TensorList& grads) gets a gradient per output (undefined where none came).
// Inputs and outputs are spans: an op's braced {self, other} costs no allocation.
template <class F>
void record(const char* op, TensorSpan inputs, TensorSpan outputs, F&& backward) {
  auto node = std::make_shared<detail::LambdaNode<std::decay_t<F>>>(op, detail::collect_edges(inputs),
                                                                     std::forward<F>(backward));
  detail::attach_outputs(node, inputs, outputs);
}
template <class F>
void record(const char* op, const TensorList& inputs, const TensorList& outputs, F&& backward) {
  record(op, TensorSpan(inputs), TensorSpan(outputs), std::forward<F>(backward));
}
template <class F>
void record(const char* op, std::initializer_list<Tensor> inputs, const TensorList& outputs, F&& backward) {
  record(op, TensorSpan(inputs.begin(), inputs.size()), TensorSpan(outputs), std::forward<F>(backward));
}
template <class F>
void record(const char* op, const TensorList& inputs, const Tensor& output, F&& backward) {
  record(op, TensorSpan(inputs), TensorSpan(&output, 1), std::forward<F>(backward));
}
template <class F>
void record(const char* op, std::initializer_list<Tensor> inputs, const Tensor& output, F&& backward) {
  record(op, TensorSpan(inputs.begin(), inputs.size()), TensorSpan(&output, 1), std::forward<F>(backward));
}

// PyTorch's rules for writing self in place while grad mode is on and self or
// the values written require grad: no leaf that requires grad, no view of
// one, no view made under no_grad, no one of several views made by one op.
void check_inplace(const char* op, const Tensor& self);
// self was just overwritten in place by op with result's values: self, or its
// base when self is a view, takes on the new history. See Note [In-place ops on views].
void rebase_history(const char* op, const Tensor& self, const Tensor& result);
// A view's grad_fn remade from its base's history when the storage was written
// in place since the view's grad_fn was made (grad_fn() and gradient_edge() call it).
void refresh_view_history(const Tensor& view);

// grad summed over the dims that broadcasting added or stretched, down to `shape`.
Tensor sum_to(const Tensor& grad, IntArrayRef shape);

}  // namespace ember::autograd
