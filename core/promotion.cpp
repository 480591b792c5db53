// Type promotion: PyTorch's promoteTypes table and ResultTypeState logic.
#include <ember/core/promotion.h>
#include <ember/core/tensor.h>

namespace ember {

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  // Index order of DType: f32 f64 f16 bf16 i64 i32 u8 b1 (PyTorch's promoteTypes, restricted).
  constexpr DType f4 = kFloat32, f8 = kFloat64, f2 = kFloat16, bf = kBFloat16, i8 = kInt64, i4 = kInt32, u1 = kUInt8,
                  b1 = kBool;
  static constexpr DType table[kNumDTypes][kNumDTypes] = {
      /*        f4  f8  f2  bf  i8  i4  u1  b1 */
      /* f4 */ {f4, f8, f4, f4, f4, f4, f4, f4},
      /* f8 */ {f8, f8, f8, f8, f8, f8, f8, f8},
      /* f2 */ {f4, f8, f2, f4, f2, f2, f2, f2},
      /* bf */ {f4, f8, f4, bf, bf, bf, bf, bf},
      /* i8 */ {f4, f8, f2, bf, i8, i8, i8, i8},
      /* i4 */ {f4, f8, f2, bf, i8, i4, i4, i4},
      /* u1 */ {f4, f8, f2, bf, i8, i4, u1, u1},
      /* b1 */ {f4, f8, f2, bf, i8, i4, u1, b1},
  };
  return table[static_cast<int>(a)][static_cast<int>(b)];
}

namespace {

int promote_slot(int current, DType d) {
  return current < 0 ? static_cast<int>(d) : static_cast<int>(promote_types(static_cast<DType>(current), d));
}

// PyTorch's combine_categories: the higher-priority result wins unless the lower
// one is of a higher category (float over int over bool).
int combine_categories(int higher, int lower) {
  if (higher < 0) return lower;
  if (lower < 0) return higher;
  DType h = static_cast<DType>(higher), l = static_cast<DType>(lower);
  if (is_floating_point(h)) return higher;
  if (h == kBool || is_floating_point(l)) return static_cast<int>(promote_types(h, l));
  return higher;
}

}  // namespace

ResultType& ResultType::add(const Tensor& t) {
  int& slot = t.dim() == 0 ? zero_dim_result_ : dim_result_;
  slot = promote_slot(slot, t.dtype());
  return *this;
}

ResultType& ResultType::add(const Scalar& s) {
  wrapped_result_ = promote_slot(wrapped_result_, s.dtype());
  return *this;
}

DType ResultType::get() const {
  int r = combine_categories(dim_result_, combine_categories(zero_dim_result_, wrapped_result_));
  return r < 0 ? kFloat32 : static_cast<DType>(r);
}

DType result_type(const Tensor& a, const Tensor& b) { return ResultType().add(a).add(b).get(); }
DType result_type(const Tensor& a, const Scalar& b) { return ResultType().add(a).add(b).get(); }

}  // namespace ember
