// Tests autograd/graph.cpp (print_graph, to_dot) and autograd/anomaly.cpp
// (record sites, NaN/Inf in forward and in backward formulas).
#include "harness.h"

using namespace ember;
using namespace ember::testing;

TEST_CASE("print_graph shows each node once with its output shapes", "[autograd][graph]") {
  Tensor x = ones({2, 3}).requires_grad_();
  Tensor w = ones({3}).requires_grad_();
  Tensor h = x * w;
  Tensor y = (h + h).sum();
  const std::string expected =
      "SumBackward #0  [] float32\n"
      "  AddBackward #1  [2, 3] float32\n"
      "    MulBackward #2  [2, 3] float32\n"
      "      AccumulateGrad #3  [2, 3] float32\n"
      "      AccumulateGrad #4  [3] float32\n"
      "    MulBackward #2 (see above)\n";
  CHECK(autograd::print_graph(y) == expected);
  CHECK(autograd::print_graph(ones({1})) == "(no graph: the tensor does not require grad)\n");
  // Deep graphs are summarised past max_depth.
  Tensor z = x;
  for (int i = 0; i < 10; ++i) z = z * 2;
  const std::string deep = autograd::print_graph(z, 3);
  CHECK(deep.find("... (deeper than 3 levels)") != std::string::npos);
  CHECK(deep.find("AccumulateGrad") == std::string::npos);
}

TEST_CASE("to_dot gives one Graphviz node per tape node and one edge per input", "[autograd][graph]") {
  Tensor x = ones({2}).requires_grad_();
  Tensor y = (x.exp() * x).sum();
  const std::string dot = autograd::to_dot(y);
  CHECK(dot.rfind("digraph ember {", 0) == 0);
  CHECK(dot.find("n0 [label=\"SumBackward\\n[] float32\", shape=ellipse];") != std::string::npos);
  CHECK(dot.find("label=\"AccumulateGrad\\n[2] float32\", shape=box") != std::string::npos);
  size_t edges = 0;
  for (size_t at = dot.find("->"); at != std::string::npos; at = dot.find("->", at + 2)) ++edges;
  CHECK(edges == 4);  // sum->mul, mul->exp, mul->x, exp->x
  CHECK(dot.back() == '\n');
}

TEST_CASE("anomaly mode names the op and where it was recorded", "[autograd][anomaly]") {
  Tensor x = tensor({0.0, 1.0}, kFloat64).requires_grad_();
  CHECK_FALSE(autograd::is_anomaly_enabled());
  {
    // Off: log(0) = -inf passes silently, as in PyTorch.
    Tensor y = x.log();
    CHECK(std::isinf(y.to_vector<double>()[0]));
  }
  autograd::AnomalyModeGuard anomaly;
  CHECK(autograd::is_anomaly_enabled());
  REQUIRE_ERROR(x.log(), "anomaly mode: log (forward of LogBackward) produced NaN or Inf in output 0; inputs of shapes [2]");
  // A finite forward whose backward is not: sqrt at 0 has an infinite derivative.
  Tensor y = x.sqrt().sum();
  REQUIRE(y.grad_fn());
  try {
    y.backward();
    FAIL("expected an anomaly error");
  } catch (const Error& e) {
    const std::string message = e.what();
    CHECK(message.find("Function SqrtBackward returned NaN or Inf values in its output 0") != std::string::npos);
    CHECK(message.find("recorded in sqrt at:\n  #0 ") != std::string::npos);  // the site, then a native stack
    CHECK(message.find("test_graph.cpp:") != std::string::npos);       // down to this test's line
  }
}
