// Seeing the tape: builds a small two-layer computation, prints its graph as
// an indented tree, and writes it as Graphviz DOT. Render the picture with
// `dot -Tpng graph.dot -o graph.png` (Debian's graphviz package).
// Run: build/examples/graph [output.dot]
#include <ember/ember.h>

#include <fmt/core.h>

#include <fstream>

using namespace ember;

int main(int argc, char** argv) {
  manual_seed(0);
  Tensor x = randn({4, 3});
  Tensor w1 = randn({3, 5}).requires_grad_();
  Tensor b1 = zeros({5}).requires_grad_();
  Tensor w2 = randn({5, 2}).requires_grad_();
  Tensor hidden = relu(matmul(x, w1) + b1);
  Tensor loss = log_softmax(matmul(hidden, w2), 1).mean().neg();

  fmt::print("{}", autograd::print_graph(loss));
  const std::string path = argc > 1 ? argv[1] : "graph.dot";
  std::ofstream(path) << autograd::to_dot(loss);
  fmt::print("\nwrote {} (render: dot -Tpng {} -o graph.png)\n", path, path);
}
