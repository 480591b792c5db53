// Tests core/dtype.h, core/half.h and core/promotion.h: names, sizes, exact
// 16-bit float rounding, and type promotion against PyTorch's tables.
#include "harness.h"

using namespace ember;

TEST_CASE("dtype names and sizes", "[dtype]") {
  CHECK(dtype_name(kFloat32) == "float32");
  CHECK(dtype_name(kBFloat16) == "bfloat16");
  CHECK(element_size(kFloat64) == 8);
  CHECK(element_size(kHalf) == 2);
  CHECK(element_size(kBool) == 1);
  CHECK(fmt::format("{}", kInt32) == "int32");
  CHECK(is_floating_point(kBFloat16));
  CHECK_FALSE(is_integral(kBool, /*include_bool=*/false));
}

TEST_CASE("Half rounds to nearest even like IEEE (values from torch 1.13)", "[dtype]") {
  // (value, float16 bits) pairs printed by torch: torch.tensor([x], dtype=torch.float16).view(torch.int16)
  const std::pair<float, uint16_t> cases[] = {
      {1.0f, 0x3c00},   {65504.0f, 0x7bff}, {65519.0f, 0x7bff}, {65520.0f, 0x7c00}, {1e-8f, 0x0000},
      {5.96e-8f, 0x01}, {2049.0f, 0x6800},  {2051.0f, 0x6802},  {-0.0f, 0x8000},   {6.1e-5f, 0x03ff},
      {1.0f / 3, 0x3555}, {INFINITY, 0x7c00}, {3e-8f, 0x0001},  {2.98e-8f, 0x0000}};
  for (auto [value, bits] : cases) {
    INFO("value " << value);
    CHECK(Half(value).bits == bits);
  }
  CHECK(static_cast<float>(Half::from_bits(0x3555)) == Approx(0.333251953125));
  CHECK(static_cast<float>(Half::from_bits(0x0001)) == 5.9604644775390625e-8f);
  CHECK(std::isnan(static_cast<float>(Half(NAN))));
}

TEST_CASE("BFloat16 rounds to nearest even (values from torch 1.13)", "[dtype]") {
  const std::pair<float, uint16_t> cases[] = {{1.0f, 0x3f80},     {1.00390625f, 0x3f80}, {1.01171875f, 0x3f82},
                                              {3.0e38f, 0x7f62},  {3.4e38f, 0x7f80},     {1.0f / 3, 0x3eab},
                                              {-2.5e-39f, 0x801b}, {1e-40f, 0x0001}};
  for (auto [value, bits] : cases) {
    INFO("value " << value);
    CHECK(BFloat16(value).bits == bits);
  }
  CHECK(std::isnan(static_cast<float>(BFloat16(NAN))));
}

TEST_CASE("promote_types matches torch.promote_types for every pair", "[dtype]") {
  const DType all[] = {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kUInt8, kBool};
  // Printed by torch 1.13: [[torch.promote_types(a, b) for b in all] for a in all]
  const DType expected[8][8] = {
      {kFloat32, kFloat64, kFloat32, kFloat32, kFloat32, kFloat32, kFloat32, kFloat32},
      {kFloat64, kFloat64, kFloat64, kFloat64, kFloat64, kFloat64, kFloat64, kFloat64},
      {kFloat32, kFloat64, kFloat16, kFloat32, kFloat16, kFloat16, kFloat16, kFloat16},
      {kFloat32, kFloat64, kFloat32, kBFloat16, kBFloat16, kBFloat16, kBFloat16, kBFloat16},
      {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt64, kInt64, kInt64},
      {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kInt32, kInt32},
      {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kUInt8, kUInt8},
      {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kUInt8, kBool},
  };
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 8; ++j) {
      INFO(all[i] << " with " << all[j]);
      CHECK(promote_types(all[i], all[j]) == expected[i][j]);
    }
  }
}

TEST_CASE("result_type: wrapped numbers and 0-d tensors are weak (torch.result_type)", "[dtype]") {
  const DType all[] = {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kUInt8, kBool};
  // torch.result_type(torch.ones(2, dtype=a), s) for s in (2.5, 3, True)
  const DType with_scalars[8][3] = {{kFloat32, kFloat32, kFloat32},    {kFloat64, kFloat64, kFloat64},
                                    {kFloat16, kFloat16, kFloat16},    {kBFloat16, kBFloat16, kBFloat16},
                                    {kFloat32, kInt64, kInt64},        {kFloat32, kInt32, kInt32},
                                    {kFloat32, kUInt8, kUInt8},        {kFloat32, kInt64, kBool}};
  // torch.result_type(torch.ones(2, dtype=a), torch.tensor(1, dtype=b))
  const DType with_zero_dim[8][8] = {
      {kFloat32, kFloat32, kFloat32, kFloat32, kFloat32, kFloat32, kFloat32, kFloat32},
      {kFloat64, kFloat64, kFloat64, kFloat64, kFloat64, kFloat64, kFloat64, kFloat64},
      {kFloat16, kFloat16, kFloat16, kFloat16, kFloat16, kFloat16, kFloat16, kFloat16},
      {kBFloat16, kBFloat16, kBFloat16, kBFloat16, kBFloat16, kBFloat16, kBFloat16, kBFloat16},
      {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt64, kInt64, kInt64},
      {kFloat32, kFloat64, kFloat16, kBFloat16, kInt32, kInt32, kInt32, kInt32},
      {kFloat32, kFloat64, kFloat16, kBFloat16, kUInt8, kUInt8, kUInt8, kUInt8},
      {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kUInt8, kBool},
  };
  for (int i = 0; i < 8; ++i) {
    Tensor t = ones({2}, all[i]);
    CHECK(result_type(t, Scalar(2.5)) == with_scalars[i][0]);
    CHECK(result_type(t, Scalar(3)) == with_scalars[i][1]);
    CHECK(result_type(t, Scalar(true)) == with_scalars[i][2]);
    for (int j = 0; j < 8; ++j) {
      INFO(all[i] << " with 0-d " << all[j]);
      CHECK(result_type(t, ones({}, all[j])) == with_zero_dim[i][j]);
    }
  }
  // The promoted dtype is what arithmetic returns.
  CHECK((ones({2}, kInt32) + 1).dtype() == kInt32);
  CHECK((ones({2}, kInt32) + 1.5).dtype() == kFloat32);
  CHECK((ones({2}, kHalf) * ones({}, kFloat64)).dtype() == kHalf);
  CHECK((ones({2}, kHalf) * ones({2}, kBFloat16)).dtype() == kFloat32);
}

TEST_CASE("dispatch_dtype rejects dtypes outside its group with the op's name", "[dtype]") {
  auto floating_only = [](DType d) { return dispatch_dtype<DTypes::Floating>("my_op", d, []<class T>() { return 1; }); };
  CHECK(floating_only(kHalf) == 1);
  REQUIRE_ERROR(floating_only(kInt32), "my_op: expected a floating point dtype (float32, float64, float16, bfloat16), got int32");
  CHECK(exp(ones({2}, kBool)).dtype() == kFloat32);  // like torch.exp on bools
  REQUIRE_ERROR(neg(ones({2}, kBool)), "neg: negation, the `-` operator, on a bool tensor is not supported");
}
