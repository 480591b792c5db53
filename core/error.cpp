// Out-of-line message building for the check macros (keeps call sites small).
#include <ember/core/error.h>

#include <fmt/format.h>

namespace ember::detail {

void throw_error(ErrorKind kind, fmt::string_view format, fmt::format_args args) {
  throw Error(kind, fmt::vformat(format, args));
}

void throw_internal(const char* file, int line, const char* cond, fmt::string_view format, fmt::format_args args) {
  std::string detail = fmt::vformat(format, args);
  throw Error(ErrorKind::Runtime, fmt::format("ember internal error at {}:{}: {} failed{}{}. This is a bug in ember, "
                                              "please report it.",
                                              file, line, cond, detail.empty() ? "" : ": ", detail));
}

}  // namespace ember::detail
