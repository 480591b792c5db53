// The engine: runs a recorded graph backwards on the calling thread, in a
// deterministic order (later-recorded nodes first, once all their gradients
// have arrived), so a breakpoint in a backward formula stops under the caller.
#pragma once

#include <ember/autograd/node.h>

#include <optional>

namespace ember::autograd {

// Accumulates d(tensors)/d(leaf) into every leaf's .grad(). grad_tensors: one
// per tensor (may be empty: then each tensor must hold one element and gets 1).
// retain_graph defaults to create_graph; create_graph records the backward
// itself, so that the gradients have a history (higher-order derivatives).
void backward(const TensorList& tensors, const TensorList& grad_tensors = {}, std::optional<bool> retain_graph = {},
              bool create_graph = false);

// The gradients of outputs with respect to inputs, returned instead of
// accumulated into .grad(). allow_unused: an input the outputs do not depend on
// gets an undefined tensor instead of an error.
TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs = {},
                std::optional<bool> retain_graph = {}, bool create_graph = false, bool allow_unused = false);

}  // namespace ember::autograd
