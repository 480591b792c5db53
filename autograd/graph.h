// Seeing the tape: print_graph gives an indented tree of the nodes from a
// tensor back to its leaves; to_dot gives the same graph in Graphviz DOT
// (render with `dot -Tpng graph.dot -o graph.png`).
#pragma once

#include <ember/autograd/node.h>

#include <string>

namespace ember::autograd {

// One line per node: its name and its outputs' shapes and dtypes; a node
// reached again is printed once and then referred to. Deeper than max_depth,
// the rest of a branch is summarised.
std::string print_graph(const Tensor& t, int max_depth = 32);

std::string to_dot(const Tensor& t);

}  // namespace ember::autograd
