// Node bookkeeping, the leaf accumulator, and the iterative teardown of deep graphs.
#include <ember/autograd/anomaly.h>
#include <ember/autograd/grad_mode.h>
#include <ember/autograd/node.h>
#include <ember/autograd/record.h>
#include <ember/ops/ops.h>

#include <atomic>
#include <cctype>

namespace ember::autograd {
namespace {
std::atomic<uint64_t> next_sequence_nr{0};
std::atomic<int64_t> live_nodes{0};
thread_local const std::shared_ptr<const std::string>* current_site = nullptr;
}  // namespace

RecordSiteGuard::RecordSiteGuard(const std::shared_ptr<const std::string>* site) : previous_(current_site) {
  current_site = site;
}
RecordSiteGuard::~RecordSiteGuard() { current_site = previous_; }
const std::shared_ptr<const std::string>* current_record_site() { return current_site; }

int64_t live_node_count() { return live_nodes.load(std::memory_order_relaxed); }

Node::Node(const char* op, std::vector<Edge> next_edges)
    : op_(op), sequence_nr_(next_sequence_nr.fetch_add(1, std::memory_order_relaxed)),
      site_(current_site ? *current_site : nullptr), next_edges_(std::move(next_edges)) {
  live_nodes.fetch_add(1, std::memory_order_relaxed);
}

// Note [Deep graph teardown]
// A chain of 100,000 nodes, each owning the next through its edges, would
// destroy itself recursively and overflow the stack. Instead, a node about to
// drop the last reference to an input node moves it onto a thread-local list,
// and the outermost destructor empties that list in a loop: the depth of
// destruction stays one node.
Node::~Node() {
  live_nodes.fetch_sub(1, std::memory_order_relaxed);
  thread_local std::vector<std::shared_ptr<Node>>* pending = nullptr;
  std::vector<std::shared_ptr<Node>> local;
  const bool outermost = pending == nullptr;
  if (outermost) pending = &local;
  for (Edge& edge : next_edges_) {
    if (edge.node && edge.node.use_count() == 1) pending->push_back(std::move(edge.node));
  }
  if (!outermost) return;
  while (!local.empty()) {
    std::shared_ptr<Node> node = std::move(local.back());
    local.pop_back();
    node.reset();  // its destructor appends to `local` instead of recursing
  }
  pending = nullptr;
}

std::string Node::name() const { return backward_name(op_); }

std::string Node::record_stack() const {
  if (record_frames_.empty()) return "  (not recorded: turn anomaly mode on before the forward)\n";
  return record_text_ + detail::describe_stack(record_frames_);
}

void Node::run_hooks(TensorList& grads) const {
  for (const auto& [output_nr, hook] : hooks_) {
    Tensor& grad = grads[output_nr];
    if (!grad.defined()) continue;
    Tensor replaced = hook(grad);
    if (replaced.defined()) grad = std::move(replaced);
  }
}

AccumulateGrad::AccumulateGrad(const Tensor& variable) : Node("accumulate_grad", {}), variable_(variable) {
  add_output(variable);
}

void AccumulateGrad::run_hooks(TensorList& grads) const {
  for (const Hook& hook : variable_.impl()->autograd()->hooks) {
    Tensor replaced = hook(grads[0]);
    if (replaced.defined()) grads[0] = std::move(replaced);
  }
}

// Gradients meet in .grad(). The first is kept as it is when nothing else can
// see its memory (no other handle, no other view, dense), else copied, so that
// a later in-place update of .grad() changes nothing else; later ones are added
// in place, or out of place when the backward is recorded (create_graph), so
// that .grad() itself has a history.
TensorList AccumulateGrad::apply(TensorList&& grads) {
  AutogradMeta& meta = *variable_.impl()->autograd();
  Tensor& grad = grads[0];
  if (!meta.grad) {
    const bool private_memory = grad.impl_ptr().use_count() == 1 &&
                                grad.impl()->storage().use_count() == 1 && grad.is_contiguous();
    meta.grad = (is_grad_enabled() ? grad : (private_memory ? grad.detach() : grad.clone())).impl_ptr();
  } else if (is_grad_enabled()) {
    meta.grad = (Tensor(meta.grad) + grad).impl_ptr();
  } else {
    Tensor accumulated(meta.grad);
    accumulated += grad;
  }
  for (const auto& hook : meta.post_accumulate_hooks) hook(variable_);
  return {};
}

Edge gradient_edge(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return {};
  refresh_view_history(t);
  AutogradMeta* found = t.impl()->autograd();
  if (found && found->grad_fn) return {found->grad_fn, found->output_nr};
  // A view made under no_grad of a leaf requires grad through its base, but is
  // a leaf without an accumulator of its own: nothing flows from it (as in PyTorch).
  if (!found || !found->requires_grad) return {};
  AutogradMeta& meta = *found;
  std::shared_ptr<Node> accumulator = meta.grad_accumulator.lock();
  if (!accumulator) {
    accumulator = std::make_shared<AccumulateGrad>(t);
    meta.grad_accumulator = accumulator;
  }
  return {accumulator, 0};
}

}  // namespace ember::autograd
