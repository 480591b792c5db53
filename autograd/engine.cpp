// The backward engine (see engine.h) and the Tensor methods that start it.
// One pass counts, for every node reachable from the roots, how many edges lead
// into it; a node runs when that count drops to zero, later-recorded first.
#include <ember/autograd/anomaly.h>
#include <ember/autograd/debug.h>
#include <ember/autograd/engine.h>
#include <ember/autograd/grad_mode.h>
#include <ember/autograd/record.h>
#include <ember/ops/ops.h>

#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace ember::autograd {
namespace {

struct LaterFirst {
  bool operator()(const Node* a, const Node* b) const { return a->sequence_nr() < b->sequence_nr(); }
};

// Where grad() collects the gradient of an input: input `input_nr` of `node`
// is result number `result`.
struct Capture {
  uint32_t input_nr;
  size_t result;
};

class GraphTask {
 public:
  GraphTask(bool keep_graph, bool create_graph) : keep_graph_(keep_graph), create_graph_(create_graph) {}

  // backward(): every reachable node runs and leaves accumulate. grad(): only
  // nodes that lead to a captured input run, and no leaf accumulates.
  TensorList run(const std::vector<Edge>& roots, TensorList root_grads, const std::vector<Edge>& captured) {
    count_dependencies(roots);
    TensorList results(captured.size());
    capture_mode_ = !captured.empty();
    for (size_t i = 0; i < captured.size(); ++i) {
      if (captured[i].node) captures_[captured[i].node.get()].push_back({captured[i].input_nr, i});
    }
    if (capture_mode_) mark_needed(roots);
    std::priority_queue<Node*, std::vector<Node*>, LaterFirst> ready;
    for (size_t i = 0; i < roots.size(); ++i) add_grad(roots[i], std::move(root_grads[i]));
    for (const Edge& root : roots) {
      if (dependencies_[root.node.get()] == 0 && scheduled_.insert(root.node.get()).second) ready.push(root.node.get());
    }
    while (!ready.empty()) {
      Node* node = ready.top();
      ready.pop();
      TensorList outputs = run_node(*node, results);
      const auto& edges = node->next_edges();
      for (size_t i = 0; i < edges.size(); ++i) {
        if (!edges[i].node) continue;
        if (i < outputs.size() && outputs[i].defined()) add_grad(edges[i], validate(*node, i, std::move(outputs[i])));
        if (--dependencies_[edges[i].node.get()] == 0) ready.push(edges[i].node.get());
      }
    }
    return results;
  }

 private:
  void count_dependencies(const std::vector<Edge>& roots) {
    std::vector<Node*> stack;
    std::unordered_set<Node*> seen;
    for (const Edge& root : roots) {
      if (seen.insert(root.node.get()).second) stack.push_back(root.node.get());
    }
    while (!stack.empty()) {
      Node* node = stack.back();
      stack.pop_back();
      for (const Edge& edge : node->next_edges()) {
        if (!edge.node) continue;
        ++dependencies_[edge.node.get()];
        if (seen.insert(edge.node.get()).second) stack.push_back(edge.node.get());
      }
    }
  }

  // needed_ = the nodes whose gradients lead on to a captured node (post-order DFS, iterative).
  void mark_needed(const std::vector<Edge>& roots) {
    std::vector<std::pair<Node*, size_t>> stack;
    std::unordered_set<Node*> visited;
    for (const Edge& root : roots) {
      if (visited.insert(root.node.get()).second) stack.push_back({root.node.get(), 0});
      while (!stack.empty()) {
        auto& [node, next] = stack.back();
        const auto& edges = node->next_edges();
        if (next < edges.size()) {
          Node* child = edges[next++].node.get();
          if (child && visited.insert(child).second) stack.push_back({child, 0});
          continue;
        }
        bool needed = false;
        for (const Edge& edge : edges) {
          needed = needed || (edge.node && (captures_.count(edge.node.get()) > 0 || needed_.count(edge.node.get()) > 0));
        }
        if (needed) needed_.insert(node);
        stack.pop_back();
      }
    }
  }

  void add_grad(const Edge& edge, Tensor grad) {
    TensorList& buffer = buffers_[edge.node.get()];
    if (buffer.empty()) buffer.resize(edge.node->outputs().size());
    Tensor& slot = buffer[edge.input_nr];
    slot = slot.defined() ? slot + grad : std::move(grad);
  }

  TensorList run_node(Node& node, TensorList& results) {
    TensorList grads = std::move(buffers_[&node]);
    buffers_.erase(&node);
    if (grads.empty()) return {};  // no gradient reached it: nothing flows on
    node.run_hooks(grads);
    if (auto it = captures_.find(&node); it != captures_.end()) {
      for (const Capture& c : it->second) results[c.result] = grads[c.input_nr];
    }
    if (capture_mode_ && !needed_.count(&node)) return {};  // leaves never are: grad() accumulates nothing
    detail::note_backward(node, grads);
    if (detail::has_node_callbacks()) detail::run_node_callbacks(node, grads);
    GradModeGuard mode(create_graph_);
    TensorList outputs;
    try {
      outputs = node.apply(std::move(grads));
    } catch (const Error& e) {
      // Which forward op this backward belongs to, and where it was recorded.
      throw Error(e.kind(), fmt::format("{} (the backward of {}, recorded in {}): {}", node.name(), node.op(),
                                        node.record_site(), e.what()));
    }
    if (is_anomaly_enabled()) detail::check_backward_finite(node, outputs);
    if (!keep_graph_) node.release_saved();
    EMBER_INTERNAL_ASSERT(outputs.size() == node.next_edges().size(), "{} returned {} gradients for {} inputs",
                          node.name(), outputs.size(), node.next_edges().size());
    return outputs;
  }

  // A gradient must match its input's dtype, device and shape; a broadcast one
  // is summed down to the shape, a wrong one names the node that made it.
  Tensor validate(const Node& node, size_t index, Tensor grad) {
    const Edge& edge = node.next_edges()[index];
    const OutputMeta& expected = edge.node->outputs()[edge.input_nr];
    EMBER_CHECK(grad.device() == expected.device,
                "{} returned an invalid gradient at index {}: expected device {}, got {}", node.name(), index,
                expected.device, grad.device());
    if (grad.shape() != expected.shape) {
      bool expandable = grad.dim() >= static_cast<int64_t>(expected.shape.size());
      const int64_t leading = grad.dim() - static_cast<int64_t>(expected.shape.size());
      for (size_t d = 0; expandable && d < expected.shape.size(); ++d) {
        expandable = expected.shape[d] == 1 || expected.shape[d] == grad.shape()[d + leading];
      }
      EMBER_CHECK(expandable, "{} returned an invalid gradient at index {}: got shape {} but expected shape compatible "
                  "with {}", node.name(), index, grad.shape(), expected.shape);
      grad = sum_to(grad, expected.shape);
    }
    return grad.dtype() == expected.dtype ? grad : grad.to(expected.dtype);
  }

  bool keep_graph_, create_graph_, capture_mode_ = false;
  std::unordered_map<Node*, int64_t> dependencies_;
  std::unordered_map<Node*, TensorList> buffers_;
  std::unordered_map<Node*, std::vector<Capture>> captures_;
  std::unordered_set<Node*> needed_, scheduled_;
};

// The roots' edges and their starting gradients (ones for one-element roots).
std::vector<Edge> root_edges(const char* op, const TensorList& tensors, const TensorList& grad_tensors,
                             TensorList& root_grads) {
  EMBER_CHECK_VALUE(grad_tensors.empty() || grad_tensors.size() == tensors.size(),
                    "{}: got {} tensors and {} gradients; expected one gradient per tensor", op, tensors.size(),
                    grad_tensors.size());
  std::vector<Edge> edges;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    EMBER_CHECK(t.defined() && t.requires_grad(),
                "{}: element {} of tensors does not require grad and does not have a grad_fn", op, i);
    Tensor grad = grad_tensors.empty() ? Tensor() : grad_tensors[i];
    if (!grad.defined()) {
      EMBER_CHECK(t.numel() == 1, "{}: grad can be implicitly created only for scalar outputs, got shape {}", op,
                  t.shape());
      grad = ones_like(t);
    }
    EMBER_CHECK(grad.shape() == t.shape(), "{}: Mismatch in shape: grad_output[{}] has a shape of {} and output[{}] "
                "has a shape of {}", op, i, grad.shape(), i, t.shape());
    root_grads.push_back(grad);
    edges.push_back(gradient_edge(t));
  }
  return edges;
}

}  // namespace

void backward(const TensorList& tensors, const TensorList& grad_tensors, std::optional<bool> retain_graph,
              bool create_graph) {
  TensorList root_grads;
  const std::vector<Edge> roots = root_edges("backward", tensors, grad_tensors, root_grads);
  GraphTask(retain_graph.value_or(create_graph), create_graph).run(roots, std::move(root_grads), {});
}

TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
  TensorList root_grads;
  const std::vector<Edge> roots = root_edges("grad", outputs, grad_outputs, root_grads);
  std::vector<Edge> captured;
  for (size_t i = 0; i < inputs.size(); ++i) {
    EMBER_CHECK(inputs[i].defined() && inputs[i].requires_grad(), "grad: input {} does not require grad", i);
    captured.push_back(gradient_edge(inputs[i]));
  }
  TensorList results = GraphTask(retain_graph.value_or(create_graph), create_graph).run(roots, std::move(root_grads), captured);
  for (size_t i = 0; i < results.size(); ++i) {
    EMBER_CHECK(allow_unused || results[i].defined(),
                "grad: input {} appears to not have been used in the graph. Set allow_unused=true if this is the "
                "desired behavior.", i);
  }
  return results;
}

}  // namespace ember::autograd

namespace ember {

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph) const {
  autograd::backward({*this}, gradient.defined() ? autograd::TensorList{gradient} : autograd::TensorList{}, retain_graph, create_graph);
}

}  // namespace ember
