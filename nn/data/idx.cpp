// The IDX reader over zlib's gz* stream API, which reads gzip and raw files
// alike (a file without the gzip magic is passed through as it is). Every
// size in the header is checked against the file before memory is allocated.
#include <ember/nn/data/idx.h>
#include <ember/ops/ops.h>

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <new>
#include <vector>

namespace ember::data {
namespace {

namespace fs = std::filesystem;

// Deflate emits at most 258 bytes per 2 bits, so no gzip file inflates to more
// than ~1032 times its size (zlib's technical notes): a header that claims more
// is lying, and we refuse it before allocating what it claims.
constexpr uint64_t kMaxInflateRatio = 1032;
constexpr uint64_t kGzipOverhead = 64;  // header and trailer bytes of a tiny gzip file

struct IdxType {
  DType file;   // what the file stores (Int32 stands for the 8/16-bit signed codes, widened)
  int bytes;    // bytes per value in the file
  const char* name;
};

IdxType idx_type(const std::string& path, int code) {
  switch (code) {
    case 0x08: return {kUInt8, 1, "uint8"};
    case 0x09: return {kInt32, 1, "int8"};
    case 0x0B: return {kInt32, 2, "int16"};
    case 0x0C: return {kInt32, 4, "int32"};
    case 0x0D: return {kFloat32, 4, "float32"};
    case 0x0E: return {kFloat64, 8, "float64"};
    default: break;
  }
  detail::fail(ErrorKind::Value,
               "read_idx: expected an IDX type code 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E in '{}', got 0x{:02X}", path,
               code);
}

class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path) {
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    EMBER_CHECK(file_ != nullptr, "read_idx: cannot open '{}': {}", path,
                errno != 0 ? std::strerror(errno) : "out of memory");
    gzbuffer(file_, 1 << 20);  // fewer, larger reads: inflate is the cost, not the syscalls
  }
  ~GzReader() { gzclose(file_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  bool is_gzip() { return gzdirect(file_) == 0; }

  // Reads up to n bytes into out; returns how many there were before the end
  // of the data. A damaged stream throws; a cut-short one just returns fewer.
  uint64_t read(void* out, uint64_t n) {
    auto* p = static_cast<unsigned char*>(out);
    uint64_t done = 0;
    while (done < n) {
      const auto chunk = static_cast<unsigned>(std::min<uint64_t>(n - done, uint64_t{1} << 30));
      const int got = gzread(file_, p + done, chunk);
      if (got < 0) {
        int code = Z_OK;
        std::string message = gzerror(file_, &code);
        if (message.starts_with(path_ + ": ")) message.erase(0, path_.size() + 2);  // zlib prefixes the path
        // Z_BUF_ERROR is zlib's "unexpected end of file": a truncated stream, reported by the caller.
        if (code == Z_BUF_ERROR) break;
        detail::fail(ErrorKind::Runtime, "read_idx: expected a valid gzip stream in '{}', got zlib error: {}", path_,
                     message);
      }
      if (got == 0) break;
      done += static_cast<uint64_t>(got);
    }
    return done;
  }

 private:
  std::string path_;
  gzFile file_ = nullptr;
};

// IDX values are big-endian: swap each `bytes`-wide value of p in place to host order.
void to_host_order(unsigned char* p, uint64_t count, int bytes) {
  if constexpr (std::endian::native == std::endian::big) return;
  for (uint64_t i = 0; i < count; ++i, p += bytes) std::reverse(p, p + bytes);
}

}  // namespace

Tensor read_idx(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  EMBER_CHECK(fs::exists(status), "read_idx: expected an IDX file at '{}', got no such file", path);
  EMBER_CHECK(fs::is_regular_file(status), "read_idx: expected a regular file at '{}', got a directory or special file",
              path);
  const uint64_t file_bytes = fs::file_size(path, ec);
  EMBER_CHECK(!ec, "read_idx: cannot read the size of '{}': {}", path, ec.message());

  GzReader in(path);
  unsigned char head[4];
  const uint64_t head_bytes = in.read(head, 4);
  EMBER_CHECK(head_bytes == 4, "read_idx: expected a 4-byte IDX header in '{}', got {} bytes", path, head_bytes);
  EMBER_CHECK(head[0] == 0 && head[1] == 0,
              "read_idx: expected the IDX magic (two zero bytes, type code, dims) in '{}', got 0x{:02X}{:02X}{:02X}{:02X}",
              path, head[0], head[1], head[2], head[3]);
  const IdxType type = idx_type(path, head[2]);
  const int ndims = head[3];
  EMBER_CHECK(ndims >= 1, "read_idx: expected at least 1 dim in '{}', got 0", path);

  std::vector<unsigned char> dim_bytes(static_cast<size_t>(4 * ndims));
  const uint64_t got_dims = in.read(dim_bytes.data(), dim_bytes.size());
  EMBER_CHECK(got_dims == dim_bytes.size(), "read_idx: expected {} dims ({} bytes) after the header of '{}', got {} bytes",
              ndims, dim_bytes.size(), path, got_dims);
  Shape shape(static_cast<size_t>(ndims));
  // The product skips zero dims: an empty tensor's strides are still products
  // of the other dims, so those must not overflow either.
  uint64_t extent = 1;
  bool overflow = false;
  for (int d = 0; d < ndims; ++d) {
    const unsigned char* b = &dim_bytes[static_cast<size_t>(4 * d)];
    const uint64_t size = uint64_t{b[0]} << 24 | uint64_t{b[1]} << 16 | uint64_t{b[2]} << 8 | b[3];
    shape[static_cast<size_t>(d)] = static_cast<int64_t>(size);
    overflow |= __builtin_mul_overflow(extent, std::max<uint64_t>(size, 1), &extent);
  }
  uint64_t extent_bytes = 0;
  overflow |= __builtin_mul_overflow(extent, static_cast<uint64_t>(type.bytes), &extent_bytes);
  EMBER_CHECK(!overflow && extent_bytes <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()),
              "read_idx: expected dims whose {} data fits in memory in '{}', got dims {} (their product overflows)",
              type.name, path, shape);
  const uint64_t numel = static_cast<uint64_t>(numel_of(shape));
  const uint64_t data_bytes = numel * static_cast<uint64_t>(type.bytes);

  const uint64_t header_bytes = 4 + dim_bytes.size();
  if (in.is_gzip()) {
    EMBER_CHECK(data_bytes / kMaxInflateRatio <= file_bytes + kGzipOverhead,
                "read_idx: expected at most ~{} bytes of data in '{}' ({} gzip bytes), got dims {} claiming {} bytes",
                kMaxInflateRatio * file_bytes, path, file_bytes, shape, data_bytes);
  } else {
    const uint64_t present = file_bytes - header_bytes;  // the header was read, so file_bytes >= header_bytes
    EMBER_CHECK(present == data_bytes,
                "read_idx: expected {} bytes of {} data after the header of '{}' (dims {}), got {} bytes{}", data_bytes,
                type.name, path, shape, present, present < data_bytes ? " (truncated)" : " (size mismatch)");
  }

  Tensor out;
  std::vector<unsigned char> narrow;  // the file's 8/16-bit values before they widen to int32
  try {
    out = empty(shape, type.file);
    if (type.bytes != static_cast<int>(element_size(type.file))) narrow.resize(data_bytes);
  } catch (const std::bad_alloc&) {
    detail::fail(ErrorKind::Runtime, "read_idx: cannot allocate {} bytes for dims {} of '{}'", data_bytes, shape, path);
  }
  auto* dst = narrow.empty() ? static_cast<unsigned char*>(out.data_ptr()) : narrow.data();
  const uint64_t got = in.read(dst, data_bytes);
  EMBER_CHECK(got == data_bytes,
              "read_idx: expected {} bytes of {} data after the header of '{}' (dims {}), got {} bytes (truncated)",
              data_bytes, type.name, path, shape, got);
  unsigned char extra;
  EMBER_CHECK(in.read(&extra, 1) == 0,
              "read_idx: expected {} bytes of {} data after the header of '{}' (dims {}), got more (size mismatch)",
              data_bytes, type.name, path, shape);

  if (type.bytes > 1) to_host_order(dst, numel, type.bytes);
  if (!narrow.empty()) {
    auto* wide = out.data_ptr<int32_t>();
    if (type.bytes == 1) {
      for (uint64_t i = 0; i < numel; ++i) wide[i] = static_cast<int8_t>(narrow[i]);
    } else {
      for (uint64_t i = 0; i < numel; ++i) {
        int16_t v;
        std::memcpy(&v, &narrow[2 * i], 2);
        wide[i] = v;
      }
    }
  }
  return out;
}

}  // namespace ember::data
