// Tests autograd/function.h: custom functions with saved tensors (inputs and
// outputs), saved non-tensor data, needs_input_grad, non-differentiable
// outputs, version checks, and the gradient-count error.
#include "harness.h"

using namespace ember;
using namespace ember::testing;

namespace {

// y = x * k, with k a plain double.
struct Scale : autograd::Function<Scale> {
  static Tensor forward(autograd::AutogradContext* ctx, const Tensor& x, double k) {
    ctx->saved_data["k"] = k;
    return x * k;
  }
  static autograd::TensorList backward(autograd::AutogradContext* ctx, const autograd::TensorList& grads) {
    return {grads[0] * std::any_cast<double>(ctx->saved_data["k"]), Tensor()};
  }
};

// y = exp(a) * b, saving an input (b) and the output (y); b is never 0 here.
struct ExpTimes : autograd::Function<ExpTimes> {
  static Tensor forward(autograd::AutogradContext* ctx, const Tensor& a, const Tensor& b) {
    Tensor y = a.exp() * b;
    ctx->save_for_backward({b, y});
    return y;
  }
  static autograd::TensorList backward(autograd::AutogradContext* ctx, const autograd::TensorList& grads) {
    const autograd::TensorList saved = ctx->get_saved_variables();
    const Tensor &b = saved[0], &y = saved[1];
    return {ctx->needs_input_grad(0) ? grads[0] * y : Tensor(), ctx->needs_input_grad(1) ? grads[0] * y / b : Tensor()};
  }
};

// (sorted values, their indices): the indices get no gradient.
struct SortWithIndex : autograd::Function<SortWithIndex> {
  static autograd::TensorList forward(autograd::AutogradContext* ctx, const Tensor& x) {
    auto [values, indices] = x.sort();
    Tensor positions = indices.to(kFloat64);  // a floating output that still has no gradient
    ctx->mark_non_differentiable({positions});
    ctx->saved_data["indices"] = indices;
    ctx->saved_data["size"] = x.numel();
    return {values, positions};
  }
  static autograd::TensorList backward(autograd::AutogradContext* ctx, const autograd::TensorList& grads) {
    const Tensor indices = std::any_cast<Tensor>(ctx->saved_data["indices"]);
    const int64_t n = std::any_cast<int64_t>(ctx->saved_data["size"]);
    return {zeros({n}, kFloat64).scatter(0, indices, grads[0])};
  }
};

struct Identity : autograd::Function<Identity> {
  static Tensor forward(autograd::AutogradContext*, const Tensor& x) { return x; }
  static autograd::TensorList backward(autograd::AutogradContext*, const autograd::TensorList& grads) {
    return {grads[0]};
  }
};

struct TooFew : autograd::Function<TooFew> {
  static Tensor forward(autograd::AutogradContext*, const Tensor& x, const Tensor&) { return x * 2; }
  static autograd::TensorList backward(autograd::AutogradContext*, const autograd::TensorList& grads) {
    return {grads[0]};
  }
};

// Returns a gradient of the wrong shape, or on the wrong dtype (cast back).
struct BadShape : autograd::Function<BadShape> {
  static Tensor forward(autograd::AutogradContext*, const Tensor& x) { return x * 2; }
  static autograd::TensorList backward(autograd::AutogradContext*, const autograd::TensorList&) {
    return {ones({3}, kFloat64)};
  }
};
struct OtherDType : autograd::Function<OtherDType> {
  static Tensor forward(autograd::AutogradContext*, const Tensor& x) { return x * 2; }
  static autograd::TensorList backward(autograd::AutogradContext*, const autograd::TensorList& grads) {
    return {grads[0].to(kFloat32) * 2};
  }
};

}  // namespace

TEST_CASE("a gradient of the wrong shape names the node; another dtype is converted", "[autograd][function]") {
  Tensor x = tensor({1.0, 2.0}, kFloat64).requires_grad_();
  REQUIRE_ERROR(BadShape::apply(x).sum().backward(),
                "BadShapeBackward returned an invalid gradient at index 0: got shape [3] but expected shape compatible "
                "with [2]");
  OtherDType::apply(x).sum().backward();
  CHECK(x.grad().dtype() == kFloat64);
  check_close(x.grad(), {2, 2});
}

TEST_CASE("custom functions record one node with the user's backward", "[autograd][function]") {
  Tensor x = tensor({1.0, -2.0}, kFloat64).requires_grad_();
  Tensor y = Scale::apply(x, 3.0);
  REQUIRE(y.grad_fn());
  CHECK(y.grad_fn()->name() == "ScaleBackward");
  y.sum().backward();
  check_close(x.grad(), {3, 3});
  // Without any input that requires grad, nothing is recorded.
  CHECK_FALSE(Scale::apply(tensor({1.0}, kFloat64), 2.0).requires_grad());
}

TEST_CASE("custom functions save inputs and outputs and pass gradcheck", "[autograd][function]") {
  Tensor a = tensor({0.5, -1.0, 0.25}, kFloat64).requires_grad_();
  Tensor b = tensor({2.0, 3.0, -1.0}, kFloat64).requires_grad_();
  CHECK(autograd::gradcheck([](const autograd::TensorList& in) { return ExpTimes::apply(in[0], in[1]); }, {a, b}));
  // Only b requires grad: needs_input_grad(0) is false and a gets nothing.
  Tensor c = tensor({1.0}, kFloat64);
  Tensor d = tensor({2.0}, kFloat64).requires_grad_();
  ExpTimes::apply(c, d).sum().backward();
  check_close(d.grad(), {std::exp(1.0)}, 1e-12);
  CHECK_FALSE(c.grad().defined());
  // A saved input changed in place before backward fails, naming the function.
  Tensor e = tensor({1.0}, kFloat64).requires_grad_();
  Tensor f = e * 1;
  Tensor out = ExpTimes::apply(e, f);
  f.add_(1);
  REQUIRE_ERROR(out.sum().backward(), "saved by ExpTimesBackward is at version 1; expected version 0");
}

TEST_CASE("custom functions: non-differentiable outputs, aliases and errors", "[autograd][function]") {
  Tensor x = tensor({3.0, 1.0, 2.0}, kFloat64).requires_grad_();
  autograd::TensorList outputs = SortWithIndex::apply(x);
  CHECK(outputs[0].requires_grad());
  CHECK_FALSE(outputs[1].requires_grad());
  (outputs[0] * tensor({1.0, 10.0, 100.0}, kFloat64)).sum().backward();
  check_close(x.grad(), {100, 1, 10});
  // Returning an input: the output is a new alias, the input stays a leaf.
  Tensor z = tensor({1.0}, kFloat64).requires_grad_();
  Tensor same = Identity::apply(z);
  CHECK(z.is_leaf());
  CHECK_FALSE(same.is_leaf());
  CHECK(same.is_alias_of(z));
  REQUIRE_ERROR(TooFew::apply(x, x).sum().backward(),
                "TooFewBackward: function backward returned an incorrect number of gradients (expected 2");
}
