// Autograd in a few lines: fit y = 3x - 1 with a hand-written gradient-descent
// loop (the nn/optim issue brings modules and optimizers), then a second
// derivative with create_graph. Run: build/examples/autograd
#include <ember/ember.h>

#include <fmt/core.h>

using namespace ember;

int main() {
  manual_seed(0);
  Tensor x = randn({64, 1});
  Tensor y = x * 3 - 1 + randn({64, 1}) * 0.01;

  Tensor w = zeros({1, 1}).requires_grad_();
  Tensor b = zeros({1}).requires_grad_();
  for (int step = 0; step < 200; ++step) {
    Tensor loss = (matmul(x, w) + b - y).pow(2).mean();  // recorded on the tape
    loss.backward();                                       // fills w.grad() and b.grad()
    {
      NoGradGuard no_grad;  // the update itself is not part of any graph
      w -= w.grad() * 0.1;
      b -= b.grad() * 0.1;
    }
    w.set_grad({});
    b.set_grad({});
    if (step % 50 == 0) fmt::print("step {:3d}  loss {:.6f}  ({})\n", step, loss.item<float>(), loss.grad_fn()->name());
  }
  fmt::print("w = {:.4f}, b = {:.4f} (expected 3 and -1)\n\n", w.item<float>(), b.item<float>());

  // Second derivative: d2/dt2 t^3 = 6t.
  Tensor t = tensor({2.0}, kFloat64).requires_grad_();
  Tensor first = autograd::grad({t.pow(3).sum()}, {t}, {}, std::nullopt, /*create_graph=*/true)[0];
  Tensor second = autograd::grad({first.sum()}, {t})[0];
  fmt::print("d/dt t^3 at 2 = {}, d2/dt2 = {}\n", first.item<double>(), second.item<double>());
}
