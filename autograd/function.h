// Custom autograd functions, as libtorch's torch::autograd::Function:
//
//   struct Scale : autograd::Function<Scale> {
//     static Tensor forward(autograd::AutogradContext* ctx, const Tensor& x, double k) {
//       ctx->saved_data["k"] = k;
//       return x * k;                        // runs without recording
//     }
//     static autograd::TensorList backward(autograd::AutogradContext* ctx, const autograd::TensorList& grads) {
//       return {grads[0] * std::any_cast<double>(ctx->saved_data["k"]), Tensor()};  // one per forward argument
//     }
//   };
//   Tensor y = Scale::apply(x, 2.0);         // y.grad_fn()->name() == "ScaleBackward"
//
// backward returns one gradient per forward argument (undefined for
// non-tensors and for tensors that get none).
#pragma once

#include <ember/autograd/record.h>
#include <ember/core/type_name.h>

#include <any>
#include <string>
#include <type_traits>
#include <unordered_map>

namespace ember::autograd {

class AutogradContext {
 public:
  // Tensors backward needs: inputs or outputs of forward (outputs are kept
  // without a reference cycle; see Note [Saved tensors]).
  void save_for_backward(TensorList tensors) { to_save_ = std::move(tensors); }
  // The saved tensors, checked against in-place changes since forward.
  TensorList get_saved_variables() const;
  // Outputs (e.g. indices) that get no gradient and do not require grad.
  void mark_non_differentiable(const TensorList& outputs) { non_differentiable_ = outputs; }
  // Does forward argument i (counting every argument) require a gradient?
  bool needs_input_grad(size_t i) const { return i < needs_input_grad_.size() && needs_input_grad_[i]; }
  // Anything else backward needs.
  std::unordered_map<std::string, std::any> saved_data;

  // Used by Function::apply.
  void set_needs_input_grad(std::vector<bool> needs) { needs_input_grad_ = std::move(needs); }
  void finish_forward(const TensorList& outputs);
  const TensorList& non_differentiable() const { return non_differentiable_; }

 private:
  TensorList to_save_, non_differentiable_;
  std::vector<SavedTensor> saved_;
  std::vector<bool> needs_input_grad_;
};

namespace detail {
// Outputs that are inputs get a fresh alias first (an input must not become the output of this node).
TensorList distinct_outputs(TensorList outputs, const TensorList& inputs);
void drop_history(const TensorList& outputs);
void check_gradient_count(const char* op, size_t expected, size_t got);

inline void collect(TensorList& tensors, std::vector<bool>& needs, const Tensor& t) {
  tensors.push_back(t);
  needs.push_back(wants_grad(t));
}
template <class T>
void collect(TensorList&, std::vector<bool>& needs, const T&) {
  needs.push_back(false);
}
}  // namespace detail

template <class T>
struct Function {
  // Runs T::forward without recording, then records one node whose backward is T::backward.
  template <class... Args>
  static auto apply(Args&&... args) {
    TensorList inputs;
    std::vector<bool> needs;
    (detail::collect(inputs, needs, args), ...);
    auto ctx = std::make_shared<AutogradContext>();
    ctx->set_needs_input_grad(needs);
    const bool track = needs_grad(inputs);
    using Result = decltype(T::forward(ctx.get(), std::forward<Args>(args)...));
    Result result;
    {
      NoGradGuard no_grad;
      result = T::forward(ctx.get(), std::forward<Args>(args)...);
    }
    TensorList outputs;
    if constexpr (std::is_same_v<Result, Tensor>) outputs = {result};
    else outputs = result;
    if (track) {
      outputs = detail::distinct_outputs(std::move(outputs), inputs);
      ctx->finish_forward(outputs);
      const char* op = type_name(typeid(T));
      const size_t arguments = sizeof...(Args);
      // The node's edges are the tensor arguments; backward answers for every argument.
      record(op, inputs, outputs, [ctx, op, arguments, positions = tensor_positions<Args...>()](
                                      const TensorList& grads) {
        TensorList all = T::backward(ctx.get(), grads);
        detail::check_gradient_count(op, arguments, all.size());
        TensorList per_input;
        for (size_t p : positions) per_input.push_back(all[p]);
        return per_input;
      });
      detail::drop_history(ctx->non_differentiable());
    }
    if constexpr (std::is_same_v<Result, Tensor>) return outputs[0];
    else return outputs;
  }

 private:
  // The argument positions that hold tensors.
  template <class... Args>
  static std::vector<size_t> tensor_positions() {
    std::vector<size_t> positions;
    size_t i = 0;
    auto visit = [&](bool is_tensor) {
      if (is_tensor) positions.push_back(i);
      ++i;
    };
    (visit(std::is_same_v<std::decay_t<Args>, Tensor>), ...);
    return positions;
  }
};

}  // namespace ember::autograd
