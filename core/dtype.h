// DType: the element types a tensor can hold, their C++ types, and the one
// dispatch_dtype() that turns a runtime dtype into a template parameter.
// Type promotion (result_type) lives in core/promotion.h.
#pragma once

#include <ember/core/error.h>
#include <ember/core/half.h>

#include <cstdint>
#include <iosfwd>
#include <string_view>
#include <type_traits>

namespace ember {

enum class DType : uint8_t { Float32, Float64, Float16, BFloat16, Int64, Int32, UInt8, Bool };
inline constexpr int kNumDTypes = 8;

inline constexpr DType kFloat32 = DType::Float32, kFloat = DType::Float32;
inline constexpr DType kFloat64 = DType::Float64, kDouble = DType::Float64;
inline constexpr DType kFloat16 = DType::Float16, kHalf = DType::Float16;
inline constexpr DType kBFloat16 = DType::BFloat16;
inline constexpr DType kInt64 = DType::Int64, kLong = DType::Int64;
inline constexpr DType kInt32 = DType::Int32, kInt = DType::Int32;
inline constexpr DType kUInt8 = DType::UInt8, kByte = DType::UInt8;
inline constexpr DType kBool = DType::Bool;

// "float32", "int64", ... (PyTorch's names without the "torch." prefix).
std::string_view dtype_name(DType dtype);
std::ostream& operator<<(std::ostream& os, DType dtype);
constexpr size_t element_size(DType dtype) {
  switch (dtype) {
    case kFloat64: case kInt64: return 8;
    case kFloat32: case kInt32: return 4;
    case kFloat16: case kBFloat16: return 2;
    case kUInt8: case kBool: return 1;
  }
  return 0;
}

constexpr bool is_floating_point(DType t) {
  return t == kFloat32 || t == kFloat64 || t == kFloat16 || t == kBFloat16;
}
constexpr bool is_integral(DType t, bool include_bool) {
  return t == kInt64 || t == kInt32 || t == kUInt8 || (include_bool && t == kBool);
}

// C++ type <-> DType.
template <class T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr DType value = kFloat32; };
template <> struct dtype_of<double> { static constexpr DType value = kFloat64; };
template <> struct dtype_of<Half> { static constexpr DType value = kFloat16; };
template <> struct dtype_of<BFloat16> { static constexpr DType value = kBFloat16; };
template <> struct dtype_of<int64_t> { static constexpr DType value = kInt64; };
template <> struct dtype_of<int32_t> { static constexpr DType value = kInt32; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = kUInt8; };
template <> struct dtype_of<bool> { static constexpr DType value = kBool; };
template <class T> inline constexpr DType dtype_of_v = dtype_of<T>::value;

// The type arithmetic is done in: float for the 16-bit floats, else T itself.
template <class T> struct opmath { using type = T; };
template <> struct opmath<Half> { using type = float; };
template <> struct opmath<BFloat16> { using type = float; };
template <class T> using opmath_t = typename opmath<T>::type;

template <class T>
inline constexpr bool is_floating_v = std::is_floating_point_v<T> || std::is_same_v<T, Half> ||
                                      std::is_same_v<T, BFloat16>;

// Dtype groups a kernel can be instantiated for.
enum class DTypes { All, Floating, Numeric /* all but bool */ };

[[noreturn]] void fail_dtype(const char* op, DType dtype, DTypes supported);

// dispatch_dtype<DTypes::Floating>("exp", dtype, [&]<class T>() { ... });
// Calls fn with T bound to dtype's C++ type, or throws naming op and dtype.
template <DTypes Group = DTypes::All, class Fn>
decltype(auto) dispatch_dtype(const char* op, DType dtype, Fn&& fn) {
  switch (dtype) {
    case kFloat32: return fn.template operator()<float>();
    case kFloat64: return fn.template operator()<double>();
    case kFloat16: return fn.template operator()<Half>();
    case kBFloat16: return fn.template operator()<BFloat16>();
    default: break;
  }
  if constexpr (Group != DTypes::Floating) {
    switch (dtype) {
      case kInt64: return fn.template operator()<int64_t>();
      case kInt32: return fn.template operator()<int32_t>();
      case kUInt8: return fn.template operator()<uint8_t>();
      default: break;
    }
  }
  if constexpr (Group == DTypes::All) {
    if (dtype == kBool) return fn.template operator()<bool>();
  }
  fail_dtype(op, dtype, Group);
}

}  // namespace ember

// Formats through fmt::format_to (defined in libfmt), so fmt/format.h stays out of our headers.
template <>
struct fmt::formatter<ember::DType> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <class Ctx>
  auto format(const ember::DType& d, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "{}", ember::dtype_name(d));
  }
};
