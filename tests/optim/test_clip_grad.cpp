// Tests optim/clip_grad.cpp: clip_grad_norm_ (2-, 1- and inf-norms, no-op
// below max_norm, non-finite norms) and clip_grad_value_. Expected values are
// hand-computed: gradients [3, 4] and [12] have 2-norm 13, 1-norm 19, inf-norm 12.
#include "harness.h"

using namespace ember;
using namespace ember::testing;

namespace {

struct Params {
  Tensor a = zeros({2}, kFloat64).requires_grad_(), b = zeros({1}, kFloat64).requires_grad_();
  Tensor none = zeros({3}, kFloat64).requires_grad_();  // never has a gradient
  Params() {
    a.set_grad(tensor({3.0, -4.0}, kFloat64));
    b.set_grad(tensor({12.0}, kFloat64));
  }
  std::vector<Tensor> all() const { return {a, b, none}; }
};

}  // namespace

TEST_CASE("clip_grad_norm_ scales all gradients by one coefficient", "[optim]") {
  Params p;
  CHECK(optim::clip_grad_norm_(p.all(), 6.5) == Approx(13.0).epsilon(1e-15));
  const double coefficient = 6.5 / (13.0 + 1e-6);
  check_close(p.a.grad(), {3 * coefficient, -4 * coefficient}, 1e-14);
  check_close(p.b.grad(), {12 * coefficient}, 1e-14);
  CHECK_FALSE(p.none.grad().defined());
  // Below max_norm nothing changes; the norm is still returned.
  Params q;
  CHECK(optim::clip_grad_norm_(q.all(), 100.0) == Approx(13.0).epsilon(1e-15));
  check_close(q.a.grad(), {3, -4}, 0, 0);
}

TEST_CASE("clip_grad_norm_ takes 1-norms and p-norms and the inf-norm", "[optim]") {
  Params p;
  CHECK(optim::clip_grad_norm_(p.all(), 1.9, 1.0) == Approx(19.0).epsilon(1e-15));
  check_close(p.b.grad(), {12 * 1.9 / (19.0 + 1e-6)}, 1e-14);
  Params q;
  CHECK(optim::clip_grad_norm_(q.all(), 6.0, INFINITY) == 12.0);
  check_close(q.a.grad(), {3 * 6 / (12 + 1e-6), -4 * 6 / (12 + 1e-6)}, 1e-14);
  Params r;
  CHECK(optim::clip_grad_norm_(r.all(), 1e9, 3.0) == Approx(std::cbrt(27.0 + 64.0 + 1728.0)).epsilon(1e-14));
  // float32 gradients are clipped in float32; the norm comes back as a double.
  Tensor f = zeros({2}).requires_grad_();
  f.set_grad(tensor({3.0f, 4.0f}));
  CHECK(optim::clip_grad_norm_({f}, 1.0) == Approx(5.0));
  check_close(f.grad(), {0.6, 0.8}, 1e-6);
  // No gradients at all: 0.
  CHECK(optim::clip_grad_norm_({zeros({2}).requires_grad_()}, 1.0) == 0.0);
}

TEST_CASE("clip_grad_norm_ with a non-finite norm", "[optim][errors]") {
  Params p;
  p.a.set_grad(tensor({INFINITY, 1.0}, kFloat64));
  REQUIRE_ERROR(optim::clip_grad_norm_(p.all(), 1.0, 2.0, /*error_if_nonfinite=*/true),
                "clip_grad_norm_: the total norm of order 2 for gradients from `parameters` is non-finite (inf), so "
                "it cannot be clipped");
  check_close(p.b.grad(), {12}, 0, 0);  // untouched by the failed call
  // Without the check, PyTorch's arithmetic: max_norm / inf = 0 scales everything, inf * 0 is NaN.
  CHECK(std::isinf(optim::clip_grad_norm_(p.all(), 1.0)));
  check_close(p.a.grad(), {NAN, 0.0}, 0, 0);
  check_close(p.b.grad(), {0.0}, 0, 0);
  REQUIRE_ERROR(optim::clip_grad_norm_(p.all(), 1.0, 0.0),
                "clip_grad_norm_: expected norm_type > 0 or INFINITY, got 0");
}

TEST_CASE("clip_grad_value_ clamps every gradient element", "[optim]") {
  Params p;
  optim::clip_grad_value_(p.all(), 3.5);
  check_close(p.a.grad(), {3, -3.5}, 0, 0);
  check_close(p.b.grad(), {3.5}, 0, 0);
  CHECK_FALSE(p.none.grad().defined());
}
