// clip_grad_norm_ and clip_grad_value_, as torch.nn.utils: rescale or clamp,
// in place, the gradients of a set of parameters before an optimizer step.
// Parameters without a gradient are skipped.
#pragma once

#include <ember/core/tensor.h>

#include <vector>

namespace ember::optim {

// Scales every gradient by max_norm / (total_norm + 1e-6) when that is below 1,
// where total_norm is the norm_type-norm of all gradients taken together
// (norm_type > 0, or INFINITY for the largest magnitude). Returns total_norm
// (a double, as libtorch does), 0 when no parameter has a gradient.
// error_if_nonfinite: throw instead of scaling by a NaN or infinite norm.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

// Clamps every gradient element into [-clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

}  // namespace ember::optim
