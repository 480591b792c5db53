// print_graph and to_dot (autograd/graph.h). Both walk the graph with an
// explicit stack, so deep graphs cannot overflow the C++ stack.
#include <ember/autograd/graph.h>

#include <fmt/format.h>

#include <unordered_map>
#include <utility>
#include <vector>

namespace ember::autograd {
namespace {

// "[2, 3] float32" for each forward output of node, comma separated.
std::string describe_outputs(const Node& node) {
  std::string text;
  for (const OutputMeta& out : node.outputs()) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", out.shape, out.dtype);
  }
  return text;
}

}  // namespace

std::string print_graph(const Tensor& t, int max_depth) {
  if (!t.defined() || !t.requires_grad()) return "(no graph: the tensor does not require grad)\n";
  const Edge root = gradient_edge(t);
  std::string out;
  std::unordered_map<const Node*, int> numbers;  // nodes already printed, by their number
  std::vector<std::pair<const Node*, int>> stack{{root.node.get(), 0}};
  while (!stack.empty()) {
    const auto [node, depth] = stack.back();
    stack.pop_back();
    const std::string indent(static_cast<size_t>(2 * depth), ' ');
    if (auto it = numbers.find(node); it != numbers.end()) {
      out += fmt::format("{}{} #{} (see above)\n", indent, node->name(), it->second);
      continue;
    }
    const int number = static_cast<int>(numbers.size());
    numbers[node] = number;
    out += fmt::format("{}{} #{}  {}\n", indent, node->name(), number, describe_outputs(*node));
    const auto& edges = node->next_edges();
    if (depth + 1 > max_depth && !edges.empty()) {
      out += fmt::format("{}  ... (deeper than {} levels)\n", indent, max_depth);
      continue;
    }
    for (auto it = edges.rbegin(); it != edges.rend(); ++it) {  // first input printed first
      if (it->node) stack.push_back({it->node.get(), depth + 1});
    }
  }
  return out;
}

std::string to_dot(const Tensor& t) {
  std::string out = "digraph ember {\n  node [fontname=\"monospace\", fontsize=10];\n";
  if (t.defined() && t.requires_grad()) {
    std::unordered_map<const Node*, int> ids;
    std::vector<const Node*> stack{gradient_edge(t).node.get()};
    ids[stack.back()] = 0;
    while (!stack.empty()) {
      const Node* node = stack.back();
      stack.pop_back();
      const int id = ids[node];
      const bool leaf = node->next_edges().empty();
      out += fmt::format("  n{} [label=\"{}\\n{}\", shape={}];\n", id, node->name(), describe_outputs(*node),
                         leaf ? "box, style=filled, fillcolor=lightblue" : "ellipse");
      for (const Edge& edge : node->next_edges()) {
        if (!edge.node) continue;
        auto [it, inserted] = ids.emplace(edge.node.get(), static_cast<int>(ids.size()));
        if (inserted) stack.push_back(edge.node.get());
        out += fmt::format("  n{} -> n{};\n", id, it->second);
      }
    }
  }
  return out + "}\n";
}

}  // namespace ember::autograd
