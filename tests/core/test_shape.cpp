// Tests core/shape.h and core/device.h: inline/heap Shape, numel overflow,
// dim wrapping, broadcasting, device parsing.
#include "harness.h"

using namespace ember;

TEST_CASE("Shape stores up to 6 dims inline and more on the heap", "[shape]") {
  Shape s{1, 2, 3};
  CHECK(s.size() == 3);
  CHECK(s[2] == 3);
  Shape big{1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(big.size() == 8);
  CHECK(big[7] == 8);
  Shape copy = big;
  big[7] = 0;
  CHECK(copy[7] == 8);
  Shape moved = std::move(copy);
  CHECK(moved.back() == 8);
  moved.insert(0, 9);
  moved.erase(1);
  CHECK(moved == Shape{9, 2, 3, 4, 5, 6, 7, 8});
  CHECK(fmt::format("{}", Shape{2, 3}) == "[2, 3]");
}

TEST_CASE("checked_numel rejects negative sizes and int64 overflow", "[shape]") {
  CHECK(checked_numel("t", {2, 3, 4}) == 24);
  CHECK(checked_numel("t", {}) == 1);
  CHECK(checked_numel("t", {0, 5}) == 0);
  REQUIRE_ERROR(checked_numel("zeros", {2, -1}), "zeros: expected non-negative sizes, got [2, -1]");
  REQUIRE_ERROR(checked_numel("empty", {1ll << 40, 1ll << 40}), "empty: the number of elements of size");
  REQUIRE_ERROR(empty({1ll << 40, 1ll << 40}), "overflows int64");
  REQUIRE_ERROR(empty({1ll << 31, 1ll << 31}, kFloat64), "overflows");
}

TEST_CASE("wrap_dim accepts -n n) and names the op otherwise", "[shape]") {
  CHECK(wrap_dim("op", -1, 3) == 2);
  CHECK(wrap_dim("op", 0, 0) == 0);
  CHECK(wrap_dim("op", -1, 0) == 0);
  REQUIRE_ERROR(wrap_dim("sum", 3, 3), "sum: dimension out of range (expected to be in range of [-3, 2], but got 3)");
  REQUIRE_THROWS_AS(wrap_dim("sum", 3, 3), Error);
  try {
    wrap_dim("sum", -4, 3);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Index);
  }
}

TEST_CASE("broadcast_shapes follows NumPy rules", "[shape]") {
  CHECK(broadcast_shapes("op", {3, 1}, {1, 4}) == Shape{3, 4});
  CHECK(broadcast_shapes("op", {5, 1, 4}, {3, 1}) == Shape{5, 3, 4});
  CHECK(broadcast_shapes("op", {}, {2}) == Shape{2});
  CHECK(broadcast_shapes("op", {0}, {1}) == Shape{0});
  REQUIRE_ERROR(broadcast_shapes("add", {2, 3}, {4}),
                "add: expected shapes that broadcast, got [2, 3] and [4] (size 3 vs 4 at dimension 1)");
}

TEST_CASE("Device parses and prints like PyTorch", "[device]") {
  CHECK(Device("cpu").is_cpu());
  CHECK(Device("cuda:1").index() == 1);
  CHECK(Device("cuda").index() == -1);
  CHECK(Device("cuda") == Device::cuda(0));
  CHECK(Device::cuda(1).str() == "cuda:1");
  CHECK(fmt::format("{}", Device(kCPU)) == "cpu");
  REQUIRE_ERROR(Device("tpu"), "Device: expected a device string like \"cpu\", \"cuda\" or \"cuda:1\", got \"tpu\"");
  REQUIRE_ERROR(Device("cuda:x"), "got \"cuda:x\"");
  REQUIRE_ERROR(Device("cpu:0"), "got \"cpu:0\"");
}
