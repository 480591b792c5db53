// Tests autograd/inplace.cpp: in-place writes into views move their base's
// history (CopySlices), other views of the base follow, and PyTorch's rules
// refuse the ambiguous writes. Gradients are checked by hand-computed values
// and by float64 finite differences (gradcheck, gradgradcheck).
#include "harness.h"

using namespace ember;
using namespace ember::testing;

namespace {
Tensor f64(const TensorData& values) { return tensor(values, kFloat64); }
}  // namespace

TEST_CASE("writing part of a tensor in the graph stops the gradient of what was overwritten", "[autograd][inplace]") {
  // The example: y[0] = 0.25 leaves row 0 of x.grad at zero (PyTorch's answer).
  const std::vector<double> values{0.3, -1.2, 0.7, 1.5, -0.4, 0.1};
  Tensor x = f64({{0.3, -1.2, 0.7}, {1.5, -0.4, 0.1}}).requires_grad_();
  Tensor y = (x * 1.0).pow(3);
  y.select(0, 0).fill_(0.25);
  CHECK(y.grad_fn()->name() == "CopySlices");
  y.sum().backward();
  std::vector<double> expected(6, 0.0);
  for (size_t i = 3; i < 6; ++i) expected[i] = 3 * values[i] * values[i];
  check_close(x.grad(), expected);
  check_close(y, {0.25, 0.25, 0.25, std::pow(1.5, 3), std::pow(-0.4, 3), std::pow(0.1, 3)});

  // The same through mul and matmul.
  Tensor a = f64({{1.0, 2.0}, {3.0, 4.0}}).requires_grad_();
  Tensor b = f64({{0.5, -1.0}, {2.0, 1.5}}).requires_grad_();
  Tensor p = matmul(a, b);
  p.select(1, 1).copy_(f64({7.0, 8.0}));
  Tensor q = a * b;
  q.narrow(0, 1, 1).zero_();
  (p.sum() + q.sum()).backward();
  // d/da of sum(p[:, 0]) = b[:, 0] per row; of sum(q[0]) = b[0].
  check_close(a.grad(), {0.5 + 0.5, 2.0 - 1.0, 0.5, 2.0});
  // d/db of sum(p[:, 0]) = column sums of a in column 0; of sum(q[0]) = a[0].
  check_close(b.grad(), {4.0 + 1.0, 2.0, 6.0, 0.0});
}

TEST_CASE("in-place ops on views have the gradients finite differences give", "[autograd][inplace]") {
  Tensor x = make_tensor({3, 4}, kFloat64, -1.0, 1.0, 1).requires_grad_();
  Tensor s = make_tensor({2}, kFloat64, 0.5, 1.5, 2).requires_grad_();
  const std::vector<std::pair<const char*, autograd::GradcheckFunction>> cases{
      {"mul_ into a narrowed column block",
       [](const autograd::TensorList& in) {
         Tensor y = in[0].sin();  // sin saves its input, not y: y may be written
         y.narrow(1, 1, 2).mul_(in[1]);
         return y * y;
       }},
      {"copy_ into a strided slice",
       [](const autograd::TensorList& in) {
         Tensor y = in[0] * in[0];
         y.slice(1, 0, 4, 2).copy_(in[1].sin().expand({3, 2}));
         return y.sin();
       }},
      {"add_ into a view of a view of a transposed view",
       [](const autograd::TensorList& in) {
         Tensor y = in[0] * in[0] - 0.5;
         y.t().select(0, 2).narrow(0, 1, 2).add_(in[1] * 3.0);
         return y * in[0];
       }},
      {"a write into a view seen by a view taken before it",
       [](const autograd::TensorList& in) {
         Tensor y = in[0] * 2.0;
         Tensor row = y.select(0, 1);
         y.select(1, 0).mul_(in[1].sum());  // overlaps row at [1, 0]
         return row.exp();
       }},
      {"a write into the base seen by its views",
       [](const autograd::TensorList& in) {
         Tensor y = in[0] + 1.0;
         Tensor column = y.select(1, 3);
         y.mul_(in[1][0]);
         return column * column;
       }},
      {"a tensor outside the graph written from one in it",
       [](const autograd::TensorList& in) {
         Tensor y = zeros({3, 4}, kFloat64);
         y.select(0, 2).narrow(0, 1, 2).copy_(in[1] * in[1]);
         y.select(0, 0).copy_(in[0].select(0, 1));
         return y.cos();
       }},
  };
  for (const auto& [name, fn] : cases) {
    INFO(name);
    CHECK(autograd::gradcheck(fn, {x, s}));
    CHECK(autograd::gradgradcheck(fn, {x, s}));
  }
}

TEST_CASE("views of a written base take a grad_fn from its new history", "[autograd][inplace]") {
  Tensor x = f64({1.0, 2.0, 3.0, 4.0}).requires_grad_();
  Tensor y = x * 1.0;
  Tensor v = y.narrow(0, 0, 2);
  CHECK(v.grad_fn()->name() == "SliceBackward");
  y.mul_(2.0);
  CHECK(v.grad_fn()->name() == "AsStridedBackward");
  CHECK(v.view_base().impl() == y.impl());
  v.sum().backward();
  check_close(x.grad(), {2, 2, 0, 0});

  // Written from a tensor that requires grad, a plain tensor's base starts to require grad.
  Tensor w = f64({10.0, 20.0}).requires_grad_();
  Tensor z = zeros({3}, kFloat64);
  Tensor tail = z.narrow(0, 1, 2);
  tail.copy_(w);
  CHECK(z.requires_grad());
  CHECK(z.grad_fn()->name() == "CopySlices");
  CHECK_FALSE(tail.is_leaf());
  (z * f64({1.0, 2.0, 3.0})).sum().backward();
  check_close(w.grad(), {2, 3});
}

TEST_CASE("an op's result is a view only when it views an input", "[autograd][inplace]") {
  Tensor x = f64({{1.0, 2.0}, {3.0, 4.0}}).requires_grad_();
  CHECK(x.t().view_base().impl() == x.impl());
  CHECK(x.t().select(0, 1).view_base().impl() == x.impl());  // the root, as PyTorch's _base
  // softmax of a 0-d tensor returns a view of its own scratch tensor: not a view for the user.
  CHECK_FALSE(softmax(f64(1.5).requires_grad_(), 0).view_base().defined());
  CHECK_FALSE(matmul(x, x).view_base().defined());
  CHECK_FALSE((x * 2.0).view_base().defined());
}

TEST_CASE("whole-tensor writes restart the history", "[autograd][inplace]") {
  Tensor x = f64({1.0, 2.0}).requires_grad_();
  Tensor y = x * 2.0;
  y.fill_(3.0);
  CHECK(y.requires_grad());
  CHECK(y.grad_fn()->name() == "FillBackward");
  (y * x).sum().backward();
  check_close(x.grad(), {3, 3});  // only through the second factor

  Tensor w = f64({5.0, 6.0}).requires_grad_();
  x.set_grad({});
  Tensor c = x * 1.0;
  c.copy_(w);  // from a leaf: the gradient goes to w alone
  (c * c).sum().backward();
  CHECK_FALSE(x.grad().defined());
  check_close(w.grad(), {10, 12});

  Tensor r = x * 1.0;
  r.narrow(0, 1, 1).normal_();
  r.sum().backward();
  check_close(x.grad(), {1, 0});
}

TEST_CASE("in-place writes PyTorch refuses are refused with its messages", "[autograd][inplace]") {
  Tensor x = f64({1.0, 2.0, 3.0, 4.0}).requires_grad_();
  REQUIRE_ERROR(x.select(0, 0).fill_(1.0), "fill_: a view of a leaf Variable that requires grad is being used in an "
                                           "in-place operation.");
  REQUIRE_ERROR(x.view({2, 2}).add_(1.0), "add_: a view of a leaf Variable that requires grad");
  REQUIRE_ERROR(x.narrow(0, 0, 2).copy_(f64({0.0, 0.0})), "copy_: a view of a leaf Variable");

  Tensor made_without_grad;
  {
    NoGradGuard no_grad;
    made_without_grad = x.narrow(0, 0, 2);
  }
  // As in PyTorch it requires grad through its base, but is a leaf that gets no gradient.
  CHECK(made_without_grad.requires_grad());
  CHECK(made_without_grad.is_leaf());
  REQUIRE_ERROR(made_without_grad.mul_(2.0), "mul_: a view was created in no_grad mode and is being modified inplace "
                                             "with grad mode enabled.");
  (made_without_grad * 2.0).sum().backward();
  CHECK_FALSE(x.grad().defined());

  Tensor pieces_base = x * 1.0;
  std::vector<Tensor> pieces = pieces_base.split(2);
  REQUIRE_ERROR(pieces[0].mul_(2.0), "mul_: this tensor (shape [2]) is a view returned by a function that returns "
                                     "multiple views (split, chunk, unbind)");
  {
    NoGradGuard no_grad;  // the optimizer's way: no history, no rules
    x.narrow(0, 0, 2).mul_(0.5);
    pieces[1].zero_();
  }
  check_close(x.detach(), {0.5, 1.0, 3.0, 4.0});

  Tensor expanded = zeros({3}, kFloat64).expand({2, 3});
  REQUIRE_ERROR(expanded.add_(1.0), "add_: unsupported operation: more than one element of the written-to tensor "
                                    "(shape [2, 3], strides [0, 1]) refers to a single memory location");
  REQUIRE_ERROR(expanded.copy_(ones({2, 3}, kFloat64)), "copy_: unsupported operation");
  expanded.fill_(2.0);  // as in PyTorch, a fill may write the same place twice
  check_close(expanded, {2, 2, 2, 2, 2, 2});
}

TEST_CASE("a write into a tensor saved for backward is caught", "[autograd][inplace]") {
  Tensor x = f64({1.0, 2.0}).requires_grad_();
  Tensor y = x.exp();  // saves its output
  y.select(0, 0).fill_(0.0);
  REQUIRE_ERROR(y.sum().backward(), "modified by an inplace operation");
}
