// The safetensors format without the files: the header that ember::save
// writes, and the validation of one that ember::load reads (untrusted: every
// field, range and name is checked before load allocates or reads a byte).
// nlohmann-json is used here only, and stays out of every header.
#include <ember/nn/safetensors.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_set>

// Note [safetensors layout]
// A file is [u64 little-endian N][N bytes of JSON header][data section].
// The header maps each tensor name to {"dtype": "F32", "shape": [..],
// "data_offsets": [begin, end]} (byte offsets into the data section) and may
// hold "__metadata__": {str: str}. Data is row-major and little-endian. The
// spec requires the data section to be packed densely: sorted by offset, each
// tensor starts where the previous one ends, the first at 0, the last at the
// end of the file. We enforce that on load (no overlaps, no holes, no trailing
// bytes), as the reference implementation does, so a file has one meaning.
// We write the header padded with spaces to a multiple of 8 bytes, so the
// data section is 8-byte aligned, and accept any N on load.
static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; ember assumes the host is");

namespace ember::safetensors {
namespace {

// A plain json object keeps its keys sorted (std::map): the file's order of names is
// kept beside it. (ordered_json finds keys by linear search, quadratic on a hostile header.)
using Json = nlohmann::json;

struct DTypeCode {
  DType dtype;
  std::string_view code;
};
constexpr DTypeCode kDTypeCodes[] = {{kFloat64, "F64"}, {kFloat32, "F32"}, {kFloat16, "F16"}, {kBFloat16, "BF16"},
                                     {kInt64, "I64"},   {kInt32, "I32"},   {kUInt8, "U8"},    {kBool, "BOOL"}};

std::string_view code_of(DType dtype) {
  for (const auto& entry : kDTypeCodes) {
    if (entry.dtype == dtype) return entry.code;
  }
  EMBER_INTERNAL_ASSERT(false, "no safetensors code for dtype {}", dtype);
}

std::optional<DType> dtype_of_code(std::string_view code) {
  for (const auto& entry : kDTypeCodes) {
    if (entry.code == code) return entry.dtype;
  }
  return std::nullopt;
}

// A JSON value for an error message, cut short: a corrupted header can be huge.
std::string brief(const Json& value) {
  std::string text = value.dump();
  return text.size() <= 60 ? text : text.substr(0, 57) + "...";
}

// A first pass over the header that builds nothing: reports syntax errors,
// rejects nesting deeper than the format has (name -> {dtype, shape: [..]})
// and duplicate keys (a JSON object keeps the last one silently), and lists
// the top-level names in the file's order (the Json object sorts them).
// nlohmann's callback parser could do this while parsing, but it rescans the
// parent object after every child: quadratic in the number of tensors.
class HeaderScan : public nlohmann::json_sax<Json> {
 public:
  HeaderScan(const std::string& path, std::vector<std::string>& names) : path_(path), names_(names) {}
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    if (depth_ == 1) entry_keys_.clear();
    return open();
  }
  bool start_array(std::size_t) override { return open(); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& key) override {
    if (depth_ == 1) {
      EMBER_CHECK(names_seen_.insert(key).second, "load: '{}': expected unique tensor names, got '{}' twice", path_,
                  key);
      names_.push_back(key);
    } else if (depth_ == 2 && !names_.empty()) {  // in a tensor's entry (an array root has no names)
      EMBER_CHECK(entry_keys_.insert(key).second, "load: '{}': tensor '{}': expected unique keys, got '{}' twice",
                  path_, names_.back(), key);
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const Json::exception& e) override {
    EMBER_CHECK(false, "load: '{}': expected a JSON header, got {}", path_, e.what());
  }

 private:
  bool open() {
    EMBER_CHECK(++depth_ <= 3, "load: '{}': expected a header nested at most 3 levels deep, got deeper nesting", path_);
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  const std::string& path_;
  std::vector<std::string>& names_;
  std::set<std::string> names_seen_, entry_keys_;  // ordered sets: no hash to flood
  int depth_ = 0;
};

// The header as JSON and its top-level names in the file's order.
Json parse_header(const std::string& path, const std::string& text, std::vector<std::string>& names) {
  HeaderScan scan(path, names);
  Json::sax_parse(text, &scan);
  return Json::parse(text);  // cannot fail once the scan passed
}

// A JSON non-negative integer that fits in int64, or nullopt.
std::optional<uint64_t> as_size(const Json& value) {
  if (!value.is_number_unsigned()) return std::nullopt;  // negative integers are number_integer
  uint64_t v = value.get<uint64_t>();
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return v;
}

Entry parse_entry(const std::string& path, const std::string& name, const Json& info, uint64_t data_size) {
  EMBER_CHECK(info.is_object(),
              "load: '{}': tensor '{}': expected an object with dtype, shape and data_offsets, got {}", path, name,
              brief(info));
  for (const auto& [key, value] : info.items()) {
    EMBER_CHECK(key == "dtype" || key == "shape" || key == "data_offsets",
                "load: '{}': tensor '{}': expected only the keys dtype, shape and data_offsets, got '{}'", path, name,
                key);
  }
  Entry entry;
  entry.name = name;

  auto dtype = info.find("dtype");
  EMBER_CHECK(dtype != info.end() && dtype->is_string(), "load: '{}': tensor '{}': expected a dtype string, got {}",
              path, name, dtype == info.end() ? "none" : brief(*dtype));
  std::optional<DType> known = dtype_of_code(dtype->get_ref<const std::string&>());
  EMBER_CHECK(known.has_value(),
              "load: '{}': tensor '{}': expected a dtype ember reads (F64, F32, F16, BF16, I64, I32, U8, BOOL), got {}",
              path, name, brief(*dtype));
  entry.dtype = *known;

  // Bytes as a checked product; zeros count as 1 so that contiguous strides cannot overflow either.
  auto shape = info.find("shape");
  EMBER_CHECK(shape != info.end() && shape->is_array(),
              "load: '{}': tensor '{}': expected shape to be an array of sizes, got {}", path, name,
              shape == info.end() ? "none" : brief(*shape));
  uint64_t extent = 1;
  for (const Json& size : *shape) {
    std::optional<uint64_t> s = as_size(size);
    EMBER_CHECK(s.has_value(), "load: '{}': tensor '{}': expected shape to hold non-negative integers, got {}", path,
                name, brief(*shape));
    EMBER_CHECK(!__builtin_mul_overflow(extent, std::max<uint64_t>(*s, 1), &extent) &&
                    extent <= static_cast<uint64_t>(INT64_MAX),
                "load: '{}': tensor '{}': expected a shape whose size fits in int64, got {}", path, name,
                brief(*shape));
    entry.shape.push_back(static_cast<int64_t>(*s));
  }
  uint64_t nbytes = 0;
  EMBER_CHECK(!__builtin_mul_overflow(static_cast<uint64_t>(numel_of(entry.shape)), element_size(entry.dtype), &nbytes),
              "load: '{}': tensor '{}': expected a byte size that fits in 64 bits, got shape {} of {}", path, name,
              brief(*shape), brief(*dtype));

  auto offsets = info.find("data_offsets");
  bool pair = offsets != info.end() && offsets->is_array() && offsets->size() == 2;
  std::optional<uint64_t> begin = pair ? as_size((*offsets)[0]) : std::nullopt;
  std::optional<uint64_t> end = pair ? as_size((*offsets)[1]) : std::nullopt;
  EMBER_CHECK(begin && end && *begin <= *end,
              "load: '{}': tensor '{}': expected data_offsets [begin, end] with 0 <= begin <= end, got {}", path, name,
              offsets == info.end() ? "none" : brief(*offsets));
  EMBER_CHECK(*end <= data_size,
              "load: '{}': tensor '{}': expected data_offsets inside the data section of {} bytes, got [{}, {}] "
              "(is the file truncated?)",
              path, name, data_size, *begin, *end);
  EMBER_CHECK(*end - *begin == nbytes,
              "load: '{}': tensor '{}': expected {} bytes for shape {} of {}, got data_offsets [{}, {}] ({} bytes)",
              path, name, nbytes, brief(*shape), brief(*dtype), *begin, *end, *end - *begin);
  entry.begin = *begin;
  entry.end = *end;
  return entry;
}

// See Note [safetensors layout]: sorted by offset, the tensors must tile the data section exactly.
void check_dense(const std::string& path, std::vector<const Entry*> by_offset, uint64_t data_size) {
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Entry* a, const Entry* b) { return std::tie(a->begin, a->end) < std::tie(b->begin, b->end); });
  uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const Entry* e : by_offset) {
    EMBER_CHECK(
        e->begin >= covered,
        "load: '{}': tensor '{}': expected its bytes [{}, {}) apart from tensor '{}' ([{}, {})), got an overlap", path,
        e->name, e->begin, e->end, previous->name, previous->begin, previous->end);
    EMBER_CHECK(e->begin == covered,
                "load: '{}': tensor '{}': expected it to start at byte {} (safetensors packs tensors without holes), "
                "got data_offsets [{}, {}]",
                path, e->name, covered, e->begin, e->end);
    covered = e->end;
    previous = e;
  }
  EMBER_CHECK(covered == data_size,
              "load: '{}': expected the data section ({} bytes) to end with the last tensor, got {} trailing bytes",
              path, data_size, data_size - covered);
}

}  // namespace

std::string encode_header(const nn::StateDict& state, const std::map<std::string, std::string>& metadata,
                          const std::string& path) {
  // Entry by entry, in the state dict's order (see the note on Json).
  std::string text = "{";
  auto add = [&](const std::string& key, const Json& value) {
    try {
      std::string entry = Json(key).dump();
      entry += ':';
      entry += value.dump();
      if (text.size() > 1) text += ',';
      text += entry;
    } catch (const Json::exception& e) {  // dump() insists on valid UTF-8
      EMBER_CHECK(false, "save: '{}': expected tensor names and metadata in valid UTF-8, got {}", path, e.what());
    }
  };
  if (!metadata.empty()) add("__metadata__", metadata);
  std::unordered_set<std::string_view> names;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : state) {
    EMBER_CHECK(name != "__metadata__",
                "save: '{}': expected tensor names other than \"__metadata__\" (safetensors reserves it), got it",
                path);
    EMBER_CHECK(names.insert(name).second, "save: '{}': expected unique tensor names, got '{}' twice", path, name);
    EMBER_CHECK(tensor.defined(), "save: '{}': tensor '{}': expected a defined tensor, got an undefined one", path,
                name);
    const Shape& shape = tensor.shape();
    uint64_t end = offset + tensor.nbytes();
    add(name, Json{{"dtype", std::string(code_of(tensor.dtype()))},
                   {"shape", std::vector<int64_t>(shape.begin(), shape.end())},
                   {"data_offsets", Json::array({offset, end})}});
    offset = end;
  }
  text += '}';
  text.resize((text.size() + 7) / 8 * 8, ' ');  // See Note [safetensors layout]
  EMBER_CHECK(text.size() <= kMaxHeaderBytes,
              "save: '{}': expected a header of at most {} bytes (what load accepts), got {}", path, kMaxHeaderBytes,
              text.size());
  return text;
}

std::vector<Entry> decode_header(const std::string& text, uint64_t data_size, const std::string& path) {
  std::vector<std::string> names;
  Json header = parse_header(path, text, names);
  EMBER_CHECK(header.is_object(), "load: '{}': expected the header to be a JSON object, got {}", path, brief(header));
  std::vector<Entry> entries;
  for (const std::string& name : names) {
    const Json& value = header.at(name);
    if (name == "__metadata__") {
      bool strings =
          value.is_object() && std::all_of(value.begin(), value.end(), [](const Json& v) { return v.is_string(); });
      EMBER_CHECK(strings, "load: '{}': expected \"__metadata__\" to map strings to strings, got {}", path,
                  brief(value));
      continue;
    }
    entries.push_back(parse_entry(path, name, value, data_size));
  }
  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) by_offset.push_back(&e);
  check_dense(path, by_offset, data_size);
  return entries;
}

}  // namespace ember::safetensors
