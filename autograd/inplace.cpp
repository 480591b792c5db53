// In-place ops under autograd: PyTorch's rules for what may be written in
// place, and where the history goes after a write: onto the tensor itself, or,
// for a view, onto its base (CopySlices) with the view's grad_fn remade.
// The ops call these through detail::assign_with_history (ops/toolkit.h).
#include <ember/autograd/record.h>
#include <ember/ops/ops.h>

#include <algorithm>

namespace ember::autograd {

// Note [In-place ops on views]
// A view shares its base's storage, so writing into a view changes the base:
// the base's history must change with it, or gradients would flow to values
// that are no longer there. As in PyTorch:
// - every view op marks its result with its root base (TensorImpl::view_base,
//   a view of a view points at the first base) and how it was made
//   (ViewCreation);
// - an in-place op on a view records a CopySlices node as the base's new
//   grad_fn: the base's gradient goes to the base's old history with the
//   written region zeroed, and the region's part goes to the op's result
//   (computed out of place, so it has its own history); the view's grad_fn
//   becomes an as_strided view of the base's new history;
// - other views of the same base see that the storage's version moved past
//   the one their grad_fn was made at, and remake their grad_fn the same way
//   when next asked (refresh_view_history, from grad_fn() and gradient_edge()).
// An in-place op on a tensor that is not a view moves its history onto the
// result's node; its views are remade as above. Views made under no_grad are
// left as they are: writing them with grad mode on is refused.

namespace {

// Where a strided tensor lies in its storage.
struct Placement {
  Shape sizes, strides;
  int64_t offset;

  explicit Placement(const Tensor& t) : sizes(t.shape()), strides(t.strides()), offset(t.storage_offset()) {}
  // The storage element just past the last one it reaches (offset when empty).
  int64_t end() const {
    if (numel_of(sizes) == 0) return offset;
    int64_t last = offset;
    for (size_t d = 0; d < sizes.size(); ++d) last += (sizes[d] - 1) * strides[d];
    return last + 1;
  }
};

// The base's node after a write into one of its views (PyTorch's name). Its
// backward lays the base's gradient out in a scratch storage as the base lies
// in its own, so that the view's elements can be found in it: those go to the
// written values (input 1), the rest to the base's old history (input 0).
class CopySlices final : public Node {
 public:
  CopySlices(std::vector<Edge> edges, Placement base, Placement view)
      : Node("copy_slices", std::move(edges)), base_(std::move(base)), view_(std::move(view)) {}
  std::string name() const override { return "CopySlices"; }

  TensorList apply(TensorList&& grads) override {
    const Tensor& grad = grads[0];
    const int64_t origin = std::min(base_.offset, view_.offset);
    Tensor scratch = zeros({std::max(base_.end(), view_.end()) - origin}, grad.options());
    Tensor grad_base = scratch.as_strided(base_.sizes, base_.strides, base_.offset - origin);
    grad_base.copy_(grad);
    Tensor region = scratch.as_strided(view_.sizes, view_.strides, view_.offset - origin);
    Tensor grad_result = next_edges()[1].node ? region.clone() : Tensor();
    region.zero_();
    return {grad_base, grad_result};
  }

 private:
  Placement base_, view_;
};

// view's grad_fn: an as_strided view of its base's history as it is now.
void set_view_history(const Tensor& view, const Tensor& base) {
  Tensor remade;
  {
    EnableGradGuard grad_mode;  // recorded even where asked under no_grad (printing a grad_fn)
    remade = base.as_strided(view.shape(), view.strides(), view.storage_offset());
  }
  const AutogradMeta* meta = remade.impl()->autograd();
  detail::set_history(view, meta->grad_fn, meta->output_nr);
  view.impl()->set_view_version(view.version());
}

}  // namespace

void check_inplace(const char* op, const Tensor& self) {
  const TensorImpl& impl = *self.impl();
  if (const TensorImplPtr& base = impl.view_base()) {
    EMBER_CHECK(impl.view_creation() != ViewCreation::kNoGradMode,
                "{}: a view was created in no_grad mode and is being modified inplace with grad mode enabled. Given "
                "that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving "
                "both the view and the inplace either both inside the no_grad block (if you don't want the inplace to "
                "be tracked) or both outside (if you want the inplace to be tracked).",
                op);
    EMBER_CHECK(impl.view_creation() != ViewCreation::kMultiOutput,
                "{}: this tensor (shape {}) is a view returned by a function that returns multiple views (split, "
                "chunk, unbind) and is being modified inplace. Such functions do not allow the output views to be "
                "modified inplace. You should replace the inplace operation by an out-of-place one.",
                op, self.shape());
    EMBER_CHECK(!(base->requires_grad() && Tensor(base).is_leaf()),
                "{}: a view of a leaf Variable that requires grad is being used in an in-place operation.", op);
  }
  EMBER_CHECK(!(self.requires_grad() && self.is_leaf()),
              "{}: a leaf Variable that requires grad is being used in an in-place operation.", op);
}

void rebase_history(const char* op, const Tensor& self, const Tensor& result) {
  if (const TensorImplPtr& base_impl = self.impl()->view_base()) {
    const Tensor base(base_impl);
    EMBER_CHECK_KIND(NotImplemented, !has_internal_overlap(base.shape(), base.strides()),
                     "{}: writing in place into a view of a tensor whose elements overlap in memory (shape {}, "
                     "strides {}) is not supported under autograd; clone() that tensor first",
                     op, base.shape(), base.strides());
    const Tensor inputs[] = {base, result};
    auto node = std::make_shared<CopySlices>(detail::collect_edges(inputs), Placement(base), Placement(self));
    detail::attach_outputs(node, inputs, {&base, 1});
    set_view_history(self, base);
    return;
  }
  const AutogradMeta* from = result.impl()->autograd();
  if (from && from->grad_fn) {
    detail::set_history(self, from->grad_fn, from->output_nr);
  } else {
    // A leaf (its gradient passes straight to it) or a constant (self's old values get none).
    record(op, {result}, self, [](const Tensor& grad) { return TensorList{grad}; });
  }
}

void refresh_view_history(const Tensor& view) {
  const TensorImpl& impl = *view.impl();
  const TensorImplPtr& base = impl.view_base();
  if (!base || impl.view_version() == view.version() || impl.view_creation() == ViewCreation::kNoGradMode) return;
  if (!base->requires_grad()) return;
  set_view_history(view, Tensor(base));
}

}  // namespace ember::autograd
