// Device parsing and naming.
#include <ember/core/device.h>
#include <ember/core/error.h>

#include <charconv>
#include <ostream>

namespace ember {

Device::Device(std::string_view spec) : type_(kCPU), index_(-1) {
  std::string_view kind = spec.substr(0, spec.find(':'));
  if (kind == "cpu") {
    type_ = kCPU;
  } else if (kind == "cuda") {
    type_ = kCUDA;
  } else {
    detail::fail(ErrorKind::Runtime, "Device: expected a device string like \"cpu\", \"cuda\" or \"cuda:1\", got \"{}\"",
                 spec);
  }
  if (kind.size() == spec.size()) return;
  std::string_view ordinal = spec.substr(kind.size() + 1);
  int value = -1;
  auto [end, ec] = std::from_chars(ordinal.data(), ordinal.data() + ordinal.size(), value);
  EMBER_CHECK(ec == std::errc() && end == ordinal.data() + ordinal.size() && value >= 0 && value < 128 &&
                  type_ == kCUDA,
              "Device: expected a device string like \"cpu\", \"cuda\" or \"cuda:1\", got \"{}\"", spec);
  index_ = static_cast<int8_t>(value);
}

std::ostream& operator<<(std::ostream& os, const Device& device) { return os << device.str(); }

std::string Device::str() const {
  if (type_ == kCPU) return "cpu";
  return index_ < 0 ? "cuda" : fmt::format("cuda:{}", index_);
}

}  // namespace ember
