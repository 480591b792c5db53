// The program tests/gdb/check_gdb.sh steps through in gdb: a training-like step
// whose backward runs a formula written here (a custom function), so that a
// breakpoint in a backward formula needs no debug info in libember itself.
// Built with -g -O0, as a user's program under a debugger would be.
#include <ember/ember.h>

#include <cstdio>

using namespace ember;

struct Square : autograd::Function<Square> {
  static Tensor forward(autograd::AutogradContext* ctx, const Tensor& x) {
    ctx->save_for_backward({x});
    return x * x;
  }
  static autograd::TensorList backward(autograd::AutogradContext* ctx, const autograd::TensorList& grads) {
    Tensor x = ctx->get_saved_variables()[0];
    Tensor grad_x = grads[0] * x * 2.0;  // BREAK HERE (check_gdb.sh stops on this line)
    return {grad_x};
  }
};

int main() {
  Tensor w = tensor({{0.1, 2.0, -3.5}, {4.0, 0.25, 6.0}}).requires_grad_();
  Tensor h = w * 2.0;  // MulBackward: the saved x of Square
  Tensor y = Square::apply(h);
  Tensor loss = y.sum();
  loss.backward();
  std::printf("grad sum %.4f\n", w.grad().sum().item<double>());
  return 0;
}
