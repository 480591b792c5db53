// The main example (scripts/demo): tensors, broadcasting and a matmul.
// Later issues turn it into training a model on Fashion-MNIST.
#include <ember/ember.h>

#include <fmt/core.h>

using namespace ember;

int main() {
  manual_seed(0);
  Tensor a = arange(6, kFloat32).reshape({2, 3});
  Tensor b = tensor({10.0, 20.0, 30.0});
  fmt::print("a =\n{}\n\nb = {}\n\n", a, b);

  // Broadcasting: [2, 3] + [3] -> [2, 3]; scalars are weakly typed (stays float32).
  fmt::print("a + b =\n{}\n\n", a + b);
  fmt::print("relu(a - 2.5) * 2 =\n{}\n\n", relu(a - 2.5) * 2);

  // Views share memory: the transpose is not a copy.
  Tensor at = a.t();
  fmt::print("a.t() has shape {} and strides {}, contiguous: {}\n\n", at.shape(), at.strides(), at.is_contiguous());

  // A matmul through the BLAS, and a reduction.
  Tensor w = randn({3, 4});
  Tensor y = matmul(a, w);
  fmt::print("matmul(a, w) has shape {}; y.sum() = {:.4f}\n\n", y.shape(), y.sum().item<float>());

  // Errors name the op, the shapes and what was expected.
  try {
    (void)(a + ones({4}));
  } catch (const Error& e) {
    fmt::print("a + ones({{4}}) fails: {}\n", e.what());
  }
  return 0;
}
