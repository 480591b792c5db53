// ember::Error and the check macros. User errors (bad shapes, dtypes, indices)
// go through EMBER_CHECK*; our own broken invariants through EMBER_INTERNAL_ASSERT.
// Messages are built out of line so a passing check costs one branch.
#pragma once

#include <fmt/core.h>

#include <stdexcept>
#include <string>

namespace ember {

// The Python exception an error maps to (bindings translate; C++ sees Error).
enum class ErrorKind { Runtime, Value, Index, Type, NotImplemented };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message) : std::runtime_error(std::move(message)), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

namespace detail {
[[noreturn]] void throw_error(ErrorKind kind, fmt::string_view format, fmt::format_args args);
[[noreturn]] void throw_internal(const char* file, int line, const char* cond, fmt::string_view format,
                                 fmt::format_args args);

template <class... Args>
[[noreturn]] void fail(ErrorKind kind, fmt::format_string<Args...> format, Args&&... args) {
  throw_error(kind, format, fmt::make_format_args(args...));
}
template <class... Args>
[[noreturn]] void fail_internal(const char* file, int line, const char* cond, fmt::format_string<Args...> format,
                                Args&&... args) {
  throw_internal(file, line, cond, format, fmt::make_format_args(args...));
}
}  // namespace detail

}  // namespace ember

// EMBER_CHECK(cond, "op: expected X, got {}", y): throws ember::Error (RuntimeError).
#define EMBER_CHECK_KIND(kind, cond, ...)                      \
  do {                                                         \
    if (__builtin_expect(!(cond), 0)) {                        \
      ::ember::detail::fail(::ember::ErrorKind::kind, __VA_ARGS__); \
    }                                                          \
  } while (0)
#define EMBER_CHECK(cond, ...) EMBER_CHECK_KIND(Runtime, cond, __VA_ARGS__)
#define EMBER_CHECK_INDEX(cond, ...) EMBER_CHECK_KIND(Index, cond, __VA_ARGS__)
#define EMBER_CHECK_VALUE(cond, ...) EMBER_CHECK_KIND(Value, cond, __VA_ARGS__)
#define EMBER_CHECK_TYPE(cond, ...) EMBER_CHECK_KIND(Type, cond, __VA_ARGS__)

#define EMBER_INTERNAL_ASSERT(cond, ...)                                                  \
  do {                                                                                   \
    if (__builtin_expect(!(cond), 0)) {                                                  \
      ::ember::detail::fail_internal(__FILE__, __LINE__, #cond, "" __VA_ARGS__);           \
    }                                                                                    \
  } while (0)
