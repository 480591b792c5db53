// Tests ops/copy.cpp: dtype conversion (incl. 16-bit floats and bool),
// broadcasting copies, overlapping copies, contiguous/clone/detach.
#include "harness.h"

using namespace ember;
using namespace ember::testing;

TEST_CASE("to(dtype) converts like PyTorch's casts", "[copy]") {
  Tensor f = tensor({-1.7, -0.5, 0.0, 0.4, 2.9});
  CHECK(f.to(kInt64).to_vector<int64_t>() == std::vector<int64_t>{-1, 0, 0, 0, 2});  // truncation
  CHECK(f.to(kBool).to_vector<bool>() == std::vector<bool>{true, true, false, true, true});
  CHECK(tensor({true, false}).to(kFloat32).to_vector<float>() == std::vector<float>{1, 0});
  CHECK(tensor({300}).to(kUInt8).to_vector<int>() == std::vector<int>{44});  // wraps modulo 256
  Tensor h = tensor({1.0f / 3, 65504.0f, 1e-8f}).to(kHalf);
  CHECK(h.dtype() == kHalf);
  CHECK(h.to_vector<float>() == std::vector<float>{0.333251953125f, 65504.0f, 0.0f});
  CHECK(tensor({1.0f / 3}).to(kBFloat16).to_vector<float>()[0] == 0.333984375f);
  Tensor same = f.to(kFloat32);
  CHECK(same.impl() == f.impl());  // no-op conversion returns self, as PyTorch
}

TEST_CASE("copy_ broadcasts converts and handles overlap", "[copy]") {
  Tensor dst = zeros({2, 3}, kFloat64);
  dst.copy_(tensor({1, 2, 3}));
  CHECK(values_of(dst) == std::vector<double>{1, 2, 3, 1, 2, 3});
  dst.t().copy_(ones({3, 2}, kInt32) * 4);
  CHECK(values_of(dst) == std::vector<double>(6, 4));
  REQUIRE_ERROR(dst.copy_(ones({4})), "copy_: expected shapes that broadcast, got [2, 3] and [4]");
  REQUIRE_ERROR(dst.copy_(ones({1, 2, 3})),
                "copy_: expected a source that broadcasts to the destination's shape [2, 3], got [1, 2, 3]");
  // Overlapping source and destination: the source is read before anything is written.
  Tensor a = arange(5, kFloat64);
  a.slice(0, 1, 5).copy_(a.slice(0, 0, 4));
  CHECK(values_of(a) == std::vector<double>{0, 0, 1, 2, 3});
  Tensor m = arange(4, kFloat64).reshape({2, 2});
  m.copy_(m.t());
  CHECK(values_of(m) == std::vector<double>{0, 2, 1, 3});
}

TEST_CASE("contiguous clone detach", "[copy]") {
  Tensor a = arange(6, kFloat64).reshape({2, 3});
  CHECK(a.contiguous().impl() == a.impl());
  Tensor t = a.t().contiguous();
  CHECK(t.is_contiguous());
  CHECK(values_of(t) == std::vector<double>{0, 3, 1, 4, 2, 5});
  Tensor c = a.t().clone();
  CHECK(c.strides() == Shape{2, 1});
  Tensor d = a.detach();
  CHECK(d.is_alias_of(a));
  CHECK_FALSE(d.requires_grad());
  CHECK(a.requires_grad_().detach().requires_grad() == false);
}

TEST_CASE("version counter bumps on every in-place write", "[copy]") {
  Tensor a = zeros({3});
  uint32_t v = a.version();
  a.fill_(1);
  a.zero_();
  a.add_(1);
  a.copy_(ones({3}));
  CHECK(a.version() == v + 4);
  Tensor view = a[1];
  view.fill_(3);
  CHECK(a.version() == v + 5);  // views share the counter with their base
}

TEST_CASE("CUDA conversions fail clearly without a device", "[copy]") {
  if (cuda::is_available()) return;
#ifdef EMBER_WITH_CUDA
  REQUIRE_THROWS_AS(ones({2}).to(kCUDA), Error);
#else
  REQUIRE_ERROR(ones({2}).to(kCUDA), "ember was built without CUDA");
  REQUIRE_ERROR(ones({2}).cuda(), "built without CUDA");
#endif
}
