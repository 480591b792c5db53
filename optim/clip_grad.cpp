// clip_grad_norm_ and clip_grad_value_ (torch.nn.utils' formulas), built on
// public ops: clipping runs once per step over a few tensors, so a per-tensor
// op here costs nothing next to the optimizer's fused pass.
#include <ember/autograd/grad_mode.h>
#include <ember/ops/ops.h>
#include <ember/optim/clip_grad.h>

#include <algorithm>
#include <cmath>

namespace ember::optim {

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  EMBER_CHECK_VALUE(norm_type > 0, "clip_grad_norm_: expected norm_type > 0 or INFINITY, got {}", norm_type);
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& param : parameters) {
    if (param.defined() && param.grad().defined()) grads.push_back(param.grad());
  }
  if (grads.empty()) return 0.0;
  // The norm of the per-tensor norms is the norm of all elements together; it
  // is combined in double, so a float32 total is not rounded twice.
  double total = 0;
  for (const Tensor& grad : grads) {
    const double norm = grad.norm(norm_type).item<double>();
    if (norm_type == INFINITY)
      total = std::isnan(norm) || std::isnan(total) ? NAN : std::max(total, norm);
    else
      total += std::pow(norm, norm_type);
  }
  if (norm_type != INFINITY) total = std::pow(total, 1.0 / norm_type);
  EMBER_CHECK(!error_if_nonfinite || std::isfinite(total),
              "clip_grad_norm_: the total norm of order {} for gradients from `parameters` is non-finite ({}), so "
              "it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, "
              "set error_if_nonfinite=false",
              norm_type, total);
  const double coefficient = max_norm / (total + 1e-6);
  // A NaN coefficient stays NaN, as through PyTorch's clamp: a NaN norm poisons the gradients.
  const double clamped = std::isnan(coefficient) ? coefficient : std::min(coefficient, 1.0);
  if (clamped == 1.0) return total;  // multiplying by 1 would change nothing
  for (Tensor& grad : grads) grad.mul_(clamped);
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard no_grad;
  for (const Tensor& param : parameters) {
    if (!param.defined()) continue;
    Tensor grad = param.grad();
    if (grad.defined()) grad.clamp_(-clip_value, clip_value);
  }
}

}  // namespace ember::optim
