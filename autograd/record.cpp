// Recording helpers behind autograd/record.h: edges from inputs, outputs
// attached to their node, saved tensors and their version checks, sum_to.
#include <ember/autograd/anomaly.h>
#include <ember/autograd/debug.h>
#include <ember/autograd/record.h>
#include <ember/ops/ops.h>

namespace ember::autograd {
namespace {
thread_local Node* current_node = nullptr;
}  // namespace

namespace detail {

CurrentNodeGuard::CurrentNodeGuard(Node* node) : previous_(current_node) { current_node = node; }
CurrentNodeGuard::~CurrentNodeGuard() { current_node = previous_; }

void fail_released(const Node& node) {
  throw Error(ErrorKind::Runtime,
              fmt::format("{}: Trying to backward through the graph a second time (or directly access saved tensors "
                          "after they have already been freed). Saved intermediate values of the graph are freed when "
                          "you call .backward() or autograd::grad(). Specify retain_graph=true if you need to backward "
                          "through the graph a second time or if you need to access saved tensors after calling "
                          "backward.",
                          node.name()));
}

void set_history(const Tensor& t, std::shared_ptr<Node> node, uint32_t output_nr) {
  AutogradMeta& meta = t.impl()->autograd_or_create();
  meta.requires_grad = true;
  meta.grad_fn_op = node->op();
  meta.grad_fn = std::move(node);
  meta.output_nr = output_nr;
}

std::vector<Edge> collect_edges(TensorSpan inputs) {
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Tensor& input : inputs) edges.push_back(gradient_edge(input));
  return edges;
}

// An op's output stays a view only when a view op made it from one of the
// op's inputs; one that views the op's own scratch tensor (softmax of a 0-d
// input returns out.view({})), or was made under no_grad, is the op's own
// tensor: a write into it must not move the scratch tensor's history.
namespace {
bool is_view_of_input(const TensorImpl& out, TensorSpan inputs) {
  if (out.view_creation() == ViewCreation::kNoGradMode) return false;
  for (const Tensor& input : inputs) {
    if (!input.defined()) continue;
    const TensorImpl* root = input.impl()->view_base() ? input.impl()->view_base().get() : input.impl();
    if (root == out.view_base().get()) return true;
  }
  return false;
}
}  // namespace

// Integer outputs (indices) have no gradient: they keep no grad_fn, but still
// count as outputs so that the formula's gradient list lines up.
void attach_outputs(const std::shared_ptr<Node>& node, TensorSpan inputs, TensorSpan outputs) {
  if (is_anomaly_enabled()) {
    node->set_record_frames(capture_stack());
    node->set_record_text(provided_stack());
    check_forward_finite(*node, inputs, outputs);
  }
  for (uint32_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    node->add_output(out);
    if (out.impl()->view_base() && !is_view_of_input(*out.impl(), inputs)) out.impl()->forget_view_base();
    if (!out.is_floating_point()) continue;
    set_history(out, node, i);
  }
  note_forward(*node, inputs, outputs);
}

}  // namespace detail

SavedTensor::SavedTensor(const Tensor& t, bool is_output)
    : data_(is_output && t.defined() ? t.detach() : t), version_(t.defined() ? t.version() : 0), is_output_(is_output) {}

Tensor SavedTensor::get() const {
  if (!data_.defined()) return data_;
  if (data_.version() != version_) {
    throw Error(ErrorKind::Runtime,
                fmt::format("one of the variables needed for gradient computation has been modified by an inplace "
                            "operation: a {} tensor of shape {} saved by {} is at version {}; expected version {} "
                            "instead. Hint: change the in-place op (x.add_(y)) to its out-of-place form (x = x + y), "
                            "or clone() the tensor before modifying it.",
                            data_.dtype(), data_.shape(), current_node ? current_node->name() : "an op",
                            data_.version(), version_));
  }
  if (!is_output_ || !current_node || !is_grad_enabled()) return data_;
  // create_graph: the output again, as an output of the node computing its gradient.
  Tensor output = data_.detach();
  detail::set_history(output, current_node->shared_from_this(), 0);
  return output;
}

bool needs_input_grad(size_t i) {
  EMBER_INTERNAL_ASSERT(current_node != nullptr && i < current_node->next_edges().size());
  return current_node->next_edges()[i].node != nullptr;
}

Tensor sum_to(const Tensor& grad, IntArrayRef shape) {
  if (grad.shape() == shape) return grad;
  const int64_t leading = grad.dim() - static_cast<int64_t>(shape.size());
  EMBER_INTERNAL_ASSERT(leading >= 0);
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < grad.dim(); ++d) {
    if (d < leading || (shape[d - leading] == 1 && grad.shape()[d] != 1)) dims.push_back(d);
  }
  Tensor summed = dims.empty() ? grad : sum(grad, dims, /*keepdim=*/true);
  return summed.reshape(shape);
}

}  // namespace ember::autograd
