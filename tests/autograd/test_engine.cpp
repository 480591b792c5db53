// Tests autograd/engine.cpp, node.cpp, record.cpp, grad_mode.cpp and the
// Tensor autograd methods: accumulation, broadcasting undone, retain_graph,
// create_graph (x^3 and a Hessian-vector product), grad(), grad modes, hooks,
// saved-tensor version checks, in-place rules (views: test_inplace.cpp), deep graphs
// and graph freeing.
// Expected values are hand-computed.
#include "harness.h"

#include <thread>

using namespace ember;
using namespace ember::testing;

namespace {
// float64 leaves, so that hand-computed expectations hold to 1e-12.
Tensor f64(const TensorData& values) { return tensor(values, kFloat64); }
}  // namespace

TEST_CASE("backward accumulates into leaves and undoes broadcasting", "[autograd]") {
  Tensor x = f64({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}).requires_grad_();
  Tensor w = f64({0.5, -1.0, 2.0}).requires_grad_();
  Tensor b = f64(0.25).requires_grad_();
  Tensor y = (x * w + b).sum();
  CHECK(y.grad_fn()->name() == "SumBackward");
  CHECK(x.is_leaf());
  CHECK_FALSE(y.is_leaf());
  y.backward();
  check_close(x.grad(), {0.5, -1.0, 2.0, 0.5, -1.0, 2.0});
  check_close(w.grad(), {5, 7, 9});
  check_close(b.grad(), {6});
  // A second graph adds to the same .grad(); set_grad({}) clears it.
  (x * 2).sum().backward();
  check_close(x.grad(), {2.5, 1.0, 4.0, 2.5, 1.0, 4.0});
  x.set_grad({});
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("gradients that meet are summed, in any dtype mix", "[autograd]") {
  Tensor x = tensor({1.0f, -2.0f, 3.0f}).requires_grad_();
  Tensor y = x * x + x;  // dy/dx = 2x + 1
  y.backward(ones({3}));
  check_close(x.grad(), {3, -3, 7});
  Tensor a = tensor({1.0f, 2.0f}).requires_grad_();
  Tensor d = f64({3.0, 4.0});
  Tensor z = (a * d).sum();  // float64 result, float32 leaf
  CHECK(z.dtype() == kFloat64);
  z.backward();
  CHECK(a.grad().dtype() == kFloat32);
  check_close(a.grad(), {3, 4});
}

TEST_CASE("backward twice needs retain_graph", "[autograd]") {
  Tensor x = f64({1.0, 2.0}).requires_grad_();
  Tensor y = (x.exp() * 2).sum();
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();
  check_close(x.grad(), {4 * std::exp(1.0), 4 * std::exp(2.0)}, 1e-12);
  REQUIRE_ERROR(y.backward(), "Trying to backward through the graph a second time");
  REQUIRE_ERROR(y.backward(), "Specify retain_graph=true");
}

TEST_CASE("create_graph gives second derivatives", "[autograd]") {
  // d/dx x^3 = 3x^2, d2/dx2 = 6x.
  Tensor x = f64({2.0, -1.0}).requires_grad_();
  Tensor y = (x * x * x).sum();
  Tensor g = autograd::grad({y}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
  check_close(g, {12, 3});
  CHECK(g.requires_grad());
  Tensor gg = autograd::grad({g.sum()}, {x})[0];
  check_close(gg, {12, -6});
  // Hessian-vector product of f(x) = sum(x^2 * c): H = diag(2c), H v = 2 c v.
  Tensor c = f64({1.0, 3.0});
  Tensor v = f64({0.5, -2.0});
  Tensor f = (x.pow(2) * c).sum();
  Tensor grad_f = autograd::grad({f}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
  check_close(autograd::grad({(grad_f * v).sum()}, {x})[0], {1.0, -12.0});
  // Through a saved output (tanh keeps its result): d2/dx2 tanh = -2 tanh (1 - tanh^2).
  Tensor t = f64({0.3}).requires_grad_();
  Tensor dt = autograd::grad({t.tanh().sum()}, {t}, {}, std::nullopt, /*create_graph=*/true)[0];
  const double th = std::tanh(0.3);
  check_close(autograd::grad({dt.sum()}, {t})[0], {-2 * th * (1 - th * th)}, 1e-12);
}

TEST_CASE("grad() returns gradients without touching .grad()", "[autograd]") {
  Tensor x = f64({1.0, 2.0}).requires_grad_();
  Tensor unused = f64({5.0}).requires_grad_();
  Tensor y = (x * 3).sum();
  auto grads = autograd::grad({y}, {x, unused}, {}, /*retain_graph=*/true, /*create_graph=*/false,
                              /*allow_unused=*/true);
  check_close(grads[0], {3, 3});
  CHECK_FALSE(grads[1].defined());
  CHECK_FALSE(x.grad().defined());
  REQUIRE_ERROR(autograd::grad({y}, {unused}),
                "grad: input 0 appears to not have been used in the graph. Set allow_unused=true");
  // A non-leaf input: the gradient at that point of the graph.
  Tensor a = x * 2;
  Tensor z = (a * a).sum();
  check_close(autograd::grad({z}, {a})[0], {4, 8});
}

TEST_CASE("grad modes switch recording per thread", "[autograd]") {
  Tensor x = f64({1.0}).requires_grad_();
  {
    NoGradGuard no_grad;
    Tensor y = x * 2;
    CHECK_FALSE(y.requires_grad());
    CHECK_FALSE(autograd::is_grad_enabled());
    {
      EnableGradGuard enable;
      CHECK((x * 2).requires_grad());
    }
    CHECK_FALSE((x * 2).requires_grad());
  }
  CHECK((x * 2).requires_grad());
  {
    InferenceModeGuard inference;
    CHECK(autograd::is_inference_mode());
    CHECK_FALSE((x * 2).requires_grad());
  }
  CHECK_FALSE(autograd::is_inference_mode());
  bool other_thread_enabled = false;
  {
    NoGradGuard no_grad;
    std::thread([&] { other_thread_enabled = autograd::is_grad_enabled(); }).join();
  }
  CHECK(other_thread_enabled);
}

TEST_CASE("hooks see and may replace gradients", "[autograd]") {
  Tensor x = f64({1.0, 2.0}).requires_grad_();
  Tensor y = x * 3;
  std::vector<double> seen;
  y.register_hook([&](const Tensor& grad) {
    seen = grad.to_vector<double>();
    return grad * 10;  // replaces y's gradient
  });
  int leaf_calls = 0;
  x.register_hook([&](const Tensor&) {
    ++leaf_calls;
    return Tensor();  // keeps it
  });
  Tensor accumulated_seen;
  x.register_post_accumulate_grad_hook([&](const Tensor& leaf) { accumulated_seen = leaf.grad().clone(); });
  y.retain_grad();
  y.sum().backward();
  CHECK(seen == std::vector<double>{1, 1});
  CHECK(leaf_calls == 1);
  check_close(x.grad(), {30, 30});
  check_close(accumulated_seen, {30, 30});
  check_close(y.grad(), {10, 10});
  CHECK(y.retains_grad());
  REQUIRE_ERROR(f64({1.0}).register_hook([](const Tensor& g) { return g; }),
                "register_hook: cannot register a hook on a tensor that doesn't require gradient");
}

TEST_CASE("a saved tensor changed in place fails backward, naming both versions", "[autograd]") {
  Tensor x = f64({1.0, 2.0}).requires_grad_();
  Tensor y = x.exp();  // saves its output
  y.add_(1);
  REQUIRE_ERROR(y.sum().backward(), "saved by ExpBackward is at version 1; expected version 0 instead");
  Tensor a = x * 1;
  Tensor b = a * a;  // saves a
  a.mul_(2);
  REQUIRE_ERROR(b.sum().backward(), "modified by an inplace operation");
}

TEST_CASE("in-place ops keep a correct history", "[autograd]") {
  Tensor x = f64({1.0, 2.0}).requires_grad_();
  REQUIRE_ERROR(x.add_(1), "add_: a leaf Variable that requires grad is being used in an in-place operation.");
  REQUIRE_ERROR(x.zero_(), "fill_: a leaf Variable that requires grad");
  {
    NoGradGuard no_grad;  // optimizers update leaves like this
    x.mul_(1.0);
  }
  Tensor a = x * 2;
  a.mul_(3);  // a = 6x
  a.exp_();   // a = exp(6x)
  Tensor w = f64({0.5, 0.5}).requires_grad_();
  a.add_(w);
  CHECK(a.grad_fn()->name() == "AddBackward");
  a.sum().backward();
  check_close(x.grad(), {6 * std::exp(6.0), 6 * std::exp(12.0)}, 1e-12);
  check_close(w.grad(), {1, 1});
  // to() converts the gradient back to the input's dtype.
  Tensor half_way = f64({1.5}).requires_grad_();
  (half_way.to(kFloat32) * 2).sum().backward();
  CHECK(half_way.grad().dtype() == kFloat64);
  check_close(half_way.grad(), {2});
  // A plain tensor written in place from one that requires grad starts to require grad.
  Tensor plain = zeros({2}, kFloat64);
  Tensor v = f64({1.0, 2.0}).requires_grad_();
  plain.copy_(v * v);
  plain.sum().backward();
  check_close(v.grad(), {2, 4});
  // In place on a recorded view: the base's history moves (tests/autograd/test_inplace.cpp).
  Tensor base = x * 1;
  base.view({2, 1}).mul_(2);
  CHECK(base.grad_fn()->name() == "CopySlices");
}

TEST_CASE("backward errors name the problem", "[autograd]") {
  Tensor x = f64({1.0, 2.0}).requires_grad_();
  REQUIRE_ERROR((x * 2).backward(), "backward: grad can be implicitly created only for scalar outputs, got shape [2]");
  REQUIRE_ERROR(f64({1.0}).backward(), "backward: element 0 of tensors does not require grad and does not have a grad_fn");
  REQUIRE_ERROR((x * 2).backward(ones({3}, kFloat64)),
                "backward: Mismatch in shape: grad_output[0] has a shape of [3] and output[0] has a shape of [2]");
  REQUIRE_ERROR(tensor({1, 2}).requires_grad_(), "only tensors of floating point dtype can require gradients");
  REQUIRE_ERROR((x * 2).requires_grad_(false), "you can only change requires_grad flags of leaf variables");
  REQUIRE_ERROR(x.expand({3, 2}).as_strided({2}, {1}), "as_strided: the derivative for an input whose elements overlap");
  // Sliding windows overlap too (no stride is 0): refused, not summed twice.
  Tensor series = arange(4, kFloat64).requires_grad_();
  Tensor windows = series.as_strided({3, 2}, {1, 1});
  REQUIRE_ERROR(windows.as_strided({2}, {1}), "as_strided: the derivative for an input whose elements overlap");
  einsum("ij,j->i", {windows, ones({2}, kFloat64)}).sum().backward();  // views, not as_strided: exact
  check_close(series.grad(), {1, 2, 2, 1});
  // Rounding divisions are piecewise constant: a zero gradient, as PyTorch.
  Tensor q = div(x * 3, f64({2.0, 2.0}), "floor");
  CHECK(q.requires_grad());
  q.sum().backward();
  check_close(x.grad(), {0, 0});
  // Integer outputs carry no gradient.
  auto [values, indices] = x.max(0);
  CHECK(values.requires_grad());
  CHECK_FALSE(indices.requires_grad());
}

TEST_CASE("deep graphs neither overflow the stack nor leak", "[autograd]") {
  const int64_t before = autograd::live_node_count();
  {
    Tensor x = f64({1.0}).requires_grad_();
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = y * 1.0001 + 0.0001;
    CHECK(autograd::live_node_count() - before >= 200000);
    y.backward();
    check_close(x.grad(), {std::pow(1.0001, 100000)}, 1e-9);
  }
  CHECK(autograd::live_node_count() == before);  // freed iteratively, with the last handle
  {
    Tensor x = f64({1.0}).requires_grad_();
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = y * 1.0;
  }  // freed without any backward
  CHECK(autograd::live_node_count() == before);
  // A training-style loop keeps the node count flat.
  Tensor w = f64({0.5, -0.5}).requires_grad_();
  for (int step = 0; step < 1000; ++step) {
    Tensor loss = (w * w).sum();
    loss.backward();
    w.set_grad({});
  }
  CHECK(autograd::live_node_count() == before);
}

TEST_CASE("detach cuts the graph and shares memory", "[autograd]") {
  Tensor x = f64({1.0, 2.0}).requires_grad_();
  Tensor d = (x * 2).detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.is_leaf());
  Tensor y = x * 2;
  CHECK(y.detach().is_alias_of(y));
  CHECK_FALSE(d.grad_fn());
}
