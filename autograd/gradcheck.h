// gradcheck: compares the gradients backward computes with central finite
// differences, in float64, element by element of the Jacobian; gradgradcheck
// does the same for the gradient of the gradient (create_graph).
#pragma once

#include <ember/autograd/node.h>

#include <functional>

namespace ember::autograd {

using GradcheckFunction = std::function<Tensor(const TensorList& inputs)>;

// Every input that requires grad must be float64. Returns true when each
// Jacobian entry matches (|analytical - numerical| <= atol + rtol * |numerical|);
// otherwise throws ember::Error naming the input, the elements and both values.
bool gradcheck(const GradcheckFunction& fn, const TensorList& inputs, double eps = 1e-6, double atol = 1e-5,
               double rtol = 1e-3);

// gradcheck of (inputs, v) -> d(fn(inputs) . v)/d(inputs), with v fixed
// pseudo-random float64 values: checks the second derivatives (the backward of
// the backward, recorded with create_graph).
bool gradgradcheck(const GradcheckFunction& fn, const TensorList& inputs, double eps = 1e-6, double atol = 1e-5,
                   double rtol = 1e-3);

}  // namespace ember::autograd
