// Tests ops/create.cpp: creation ops, their dtype inference and options.
#include "harness.h"

using namespace ember;
using namespace ember::testing;

TEST_CASE("zeros ones full empty and options", "[create]") {
  CHECK(values_of(zeros({2, 2})) == std::vector<double>(4, 0));
  CHECK(values_of(ones({3}, kInt32)) == std::vector<double>(3, 1));
  CHECK(ones({3}, kInt32).dtype() == kInt32);
  CHECK(full({2}, 2.5).dtype() == kFloat32);
  CHECK(full({2}, 7).dtype() == kInt64);       // torch.full infers int64 from an int
  CHECK(full({2}, true).dtype() == kBool);
  CHECK(full({2}, 7, kFloat64).to_vector<double>() == std::vector<double>{7, 7});
  CHECK(zeros({}).dim() == 0);
  CHECK(zeros({0, 4}).numel() == 0);
  CHECK(zeros({2}, {kFloat64, kCPU}).dtype() == kFloat64);
  CHECK(zeros({2}, TensorOptions(kFloat16)).dtype() == kHalf);
  CHECK(zeros({2}, "cpu").device() == Device(kCPU));
  CHECK(scalar_tensor(3.0).dim() == 0);
  CHECK(zeros(5).shape() == Shape{5});
  REQUIRE_ERROR(zeros({2, -3}), "full: expected non-negative sizes, got [2, -3]");
  REQUIRE_ERROR(empty({-1}), "empty: expected non-negative sizes, got [-1]");
  if (!cuda::is_available()) REQUIRE_ERROR(zeros({2}, "cuda:0"), "CUDA");  // no device, or built without CUDA
}

TEST_CASE("*_like keeps shape dtype and device unless told", "[create]") {
  Tensor a = ones({2, 3}, kFloat64).t();
  CHECK(zeros_like(a).shape() == Shape{3, 2});
  CHECK(zeros_like(a).dtype() == kFloat64);
  CHECK(ones_like(a, kInt32).dtype() == kInt32);
  CHECK(full_like(a, 4).to_vector<double>() == std::vector<double>(6, 4));
  CHECK(empty_like(a).is_contiguous());
}

TEST_CASE("arange and linspace match PyTorch", "[create]") {
  CHECK(arange(5).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(arange(5).dtype() == kInt64);
  CHECK(arange(1, 2.0, 0.25).dtype() == kFloat32);
  check_close(arange(1, 2.0, 0.25), {1, 1.25, 1.5, 1.75});
  CHECK(arange(10, 0, -3).to_vector<int64_t>() == std::vector<int64_t>{10, 7, 4, 1});
  CHECK(arange(0).numel() == 0);
  CHECK(arange(4, kFloat64).dtype() == kFloat64);
  REQUIRE_ERROR(arange(0, 10, 0), "arange: expected a non-zero step, got 0");
  REQUIRE_ERROR(arange(0, 10, -1), "arange: upper bound and larger bound inconsistent with step sign");
  // torch.linspace(0, 1, 5) and (-1, 1, 4) in float64
  check_close(linspace(0, 1, 5, kFloat64), {0, 0.25, 0.5, 0.75, 1});
  check_close(linspace(-1, 1, 4, kFloat64), {-1, -1.0 / 3, 1.0 / 3, 1});
  CHECK(linspace(2, 3, 1).to_vector<float>() == std::vector<float>{2});
  CHECK(linspace(2, 3, 0).numel() == 0);
  REQUIRE_ERROR(linspace(0, 1, -1), "linspace: expected a non-negative number of steps, got -1");
}

TEST_CASE("eye", "[create]") {
  CHECK(values_of(eye(3)) == std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1});
  CHECK(values_of(eye(2, 3)) == std::vector<double>{1, 0, 0, 0, 1, 0});
  CHECK(eye(2, kInt64).dtype() == kInt64);
  CHECK(eye(0).numel() == 0);
  REQUIRE_ERROR(eye(-1), "eye: expected non-negative sizes, got n=-1 m=-1");
}

TEST_CASE("tensor() from nested braces infers shape and dtype", "[create]") {
  Tensor a = tensor({{1, 2, 3}, {4, 5, 6}});
  CHECK(a.shape() == Shape{2, 3});
  CHECK(a.dtype() == kInt64);
  CHECK(a.to_vector<int64_t>() == std::vector<int64_t>{1, 2, 3, 4, 5, 6});
  CHECK(tensor({1.5, 2}).dtype() == kFloat32);
  CHECK(tensor({true, false}).dtype() == kBool);
  CHECK(tensor({1, 2}, kFloat64).dtype() == kFloat64);
  CHECK(tensor(3.5).dim() == 0);
  CHECK(tensor({{{1.0}}, {{2.0}}}).shape() == Shape{2, 1, 1});
  CHECK(tensor({}).shape() == Shape{0});
  CHECK(tensor({}).dtype() == kFloat32);
  REQUIRE_ERROR(tensor({{1, 2}, {3}}), "tensor: expected a rectangular nested list");
  REQUIRE_ERROR(tensor({{1, 2}, 3}), "tensor: expected a rectangular nested list");
}
