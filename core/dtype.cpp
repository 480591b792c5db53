// DType names and sizes, and the dtype-dispatch error.
#include <ember/core/dtype.h>

#include <ostream>

namespace ember {

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case kFloat32: return "float32";
    case kFloat64: return "float64";
    case kFloat16: return "float16";
    case kBFloat16: return "bfloat16";
    case kInt64: return "int64";
    case kInt32: return "int32";
    case kUInt8: return "uint8";
    case kBool: return "bool";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, DType dtype) { return os << dtype_name(dtype); }

void fail_dtype(const char* op, DType dtype, DTypes supported) {
  const char* expected = supported == DTypes::Floating  ? "a floating point dtype (float32, float64, float16, bfloat16)"
                         : supported == DTypes::Numeric ? "a numeric dtype (not bool)"
                                                        : "a supported dtype";
  // RuntimeError, as PyTorch raises for a dtype an op lacks: the dtype is wrong, not the Python type.
  detail::fail(ErrorKind::Runtime, "{}: expected {}, got {}", op, expected, dtype);
}

}  // namespace ember
