// Device: where a tensor's memory lives (CPU, or CUDA with an ordinal).
// A new device kind starts here and in its own folder (see DESIGN.md).
#pragma once

#include <fmt/core.h>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace ember {

enum class DeviceType : uint8_t { CPU, CUDA };
inline constexpr DeviceType kCPU = DeviceType::CPU;
inline constexpr DeviceType kCUDA = DeviceType::CUDA;

class Device {
 public:
  // Implicit so that `t.to(kCUDA)` and `zeros({2}, "cuda:1")` read naturally.
  constexpr Device(DeviceType type = kCPU, int index = -1) : type_(type), index_(static_cast<int8_t>(index)) {}
  Device(std::string_view spec);  // "cpu", "cuda", "cuda:1"
  Device(const char* spec) : Device(std::string_view(spec)) {}

  static constexpr Device cpu() { return Device(kCPU); }
  static constexpr Device cuda(int index = 0) { return Device(kCUDA, index); }

  DeviceType type() const { return type_; }
  // -1 for CPU and for "cuda" without an ordinal (the current device).
  int index() const { return index_; }
  bool is_cpu() const { return type_ == kCPU; }
  bool is_cuda() const { return type_ == kCUDA; }
  std::string str() const;

  friend bool operator==(const Device& a, const Device& b) {
    // "cuda" and "cuda:0" name the same device as far as ops are concerned.
    return a.type_ == b.type_ && (a.type_ == kCPU || (a.index_ < 0 ? 0 : a.index_) == (b.index_ < 0 ? 0 : b.index_));
  }

 private:
  DeviceType type_;
  int8_t index_;
};

std::ostream& operator<<(std::ostream& os, const Device& device);

}  // namespace ember

// Formats through fmt::format_to (defined in libfmt), so fmt/format.h stays out of our headers.
template <>
struct fmt::formatter<ember::Device> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <class Ctx>
  auto format(const ember::Device& d, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "{}", d.str());
  }
};
