// Tests nn/data/idx.cpp: read_idx on IDX files this test writes (raw and gzip,
// every type code, several shapes), and every validation error by its message:
// the file is untrusted, so each wrong header field or size must be an Error.
#include "harness.h"
#include "idx_files.h"

#include <bit>
#include <cstring>

using namespace ember;
using namespace ember::testing;

namespace {

struct TypeCase {
  int code;
  int bytes;
  DType dtype;
  bool floating;
};

constexpr TypeCase kTypes[] = {
    {0x08, 1, kUInt8, false}, {0x09, 1, kInt32, false},   {0x0B, 2, kInt32, false},
    {0x0C, 4, kInt32, false}, {0x0D, 4, kFloat32, true}, {0x0E, 8, kFloat64, true},
};

// Values the type can hold exactly: negatives for the signed types, fractions for floats.
std::vector<double> values_for(const TypeCase& type, int64_t n) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double k = static_cast<double>(i);
    if (type.code == 0x08) v[i] = static_cast<double>((i * 37) % 256);
    if (type.code == 0x09) v[i] = static_cast<double>((i * 37) % 256 - 128);
    if (type.code == 0x0B) v[i] = k * 1009 - 30000;
    if (type.code == 0x0C) v[i] = k * 70001 - 2000000000;
    if (type.floating) v[i] = (k - 3) * 0.15625 + (type.code == 0x0E ? 1e-300 : 0.0);
  }
  return v;
}

Bytes payload_for(const TypeCase& type, const std::vector<double>& values) {
  Bytes out;
  for (double x : values) {
    if (type.code == 0x0D) {
      put_be(out, std::bit_cast<uint32_t>(static_cast<float>(x)), 4);
    } else if (type.code == 0x0E) {
      put_be(out, std::bit_cast<uint64_t>(x), 8);
    } else {
      put_be(out, static_cast<uint64_t>(static_cast<int64_t>(x)), type.bytes);
    }
  }
  return out;
}

Bytes uint8_file(const std::vector<uint32_t>& dims, size_t data_bytes) {
  return concat(idx_header(0x08, dims), Bytes(data_bytes, 7));
}

}  // namespace

TEST_CASE("read_idx reads every type code in several shapes from raw and gzip files", "[idx]") {
  TempDir dir;
  const std::vector<std::vector<uint32_t>> shapes = {{5}, {2, 3}, {3, 2, 4}, {1, 2, 1, 3}, {0, 4}};
  for (const TypeCase& type : kTypes) {
    for (const auto& dims : shapes) {
      int64_t n = 1;
      for (uint32_t d : dims) n *= d;
      const std::vector<double> values = values_for(type, n);
      const Bytes file = concat(idx_header(type.code, dims), payload_for(type, values));
      for (bool gzip : {false, true}) {
        const std::string path = dir.file(gzip ? "t.idx.gz" : "t.idx");
        if (gzip) write_gzip(path, file); else write_raw(path, file);
        INFO("type code " << type.code << ", gzip " << gzip << ", shape of " << dims.size() << " dims");
        Tensor t = data::read_idx(path);
        CHECK(t.dtype() == type.dtype);
        CHECK(t.shape() == Shape(std::vector<int64_t>(dims.begin(), dims.end())));
        CHECK(t.is_contiguous());
        check_close(t, values, 0, 0);
      }
    }
  }
}

TEST_CASE("read_idx tells gzip from raw by content and ignores the file name", "[idx]") {
  TempDir dir;
  const Bytes file = concat(idx_header(0x08, {3}), Bytes{1, 2, 255});
  write_gzip(dir.file("named_raw.idx"), file);
  write_raw(dir.file("named_gzip.gz"), file);
  CHECK(data::read_idx(dir.file("named_raw.idx")).to_vector<int64_t>() == std::vector<int64_t>{1, 2, 255});
  CHECK(data::read_idx(dir.file("named_gzip.gz")).to_vector<int64_t>() == std::vector<int64_t>{1, 2, 255});
}

TEST_CASE("read_idx rejects a missing file or a directory", "[idx]") {
  TempDir dir;
  REQUIRE_ERROR(data::read_idx(dir.file("absent.idx")), "read_idx: expected an IDX file at '" + dir.file("absent.idx") +
                                                            "', got no such file");
  REQUIRE_ERROR(data::read_idx(dir.path()), "read_idx: expected a regular file at '" + dir.path() +
                                                "', got a directory or special file");
}

TEST_CASE("read_idx rejects bad magic, unknown type codes and zero dims", "[idx]") {
  TempDir dir;
  for (bool gzip : {false, true}) {
    auto write = [&](const Bytes& bytes) {
      const std::string path = dir.file("bad");
      if (gzip) write_gzip(path, bytes); else write_raw(path, bytes);
      return path;
    };
    INFO("gzip " << gzip);
    REQUIRE_ERROR(data::read_idx(write({})), "expected a 4-byte IDX header in");
    REQUIRE_ERROR(data::read_idx(write({0, 0, 8})), "expected a 4-byte IDX header in '" + dir.file("bad") + "', got 3 bytes");
    // A PNG signature: not IDX.
    REQUIRE_ERROR(data::read_idx(write({0x89, 'P', 'N', 'G', 0, 0, 0, 0})),
                  "expected the IDX magic (two zero bytes, type code, dims) in '" + dir.file("bad") + "', got 0x89504E47");
    REQUIRE_ERROR(data::read_idx(write(concat(idx_header(0x0A, {1}), Bytes{0}))),
                  "expected an IDX type code 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E in '" + dir.file("bad") + "', got 0x0A");
    REQUIRE_ERROR(data::read_idx(write(idx_header(0x07, {}))), "got 0x07");
    REQUIRE_ERROR(data::read_idx(write(idx_header(0x08, {}))), "read_idx: expected at least 1 dim in");
  }
}

TEST_CASE("read_idx rejects dims cut short and dims whose product overflows", "[idx]") {
  TempDir dir;
  for (bool gzip : {false, true}) {
    INFO("gzip " << gzip);
    const std::string path = dir.file("dims");
    Bytes cut = idx_header(0x08, {60000, 28, 28});
    cut.resize(cut.size() - 3);  // the last dim loses 3 of its 4 bytes
    if (gzip) write_gzip(path, cut); else write_raw(path, cut);
    REQUIRE_ERROR(data::read_idx(path), "read_idx: expected 3 dims (12 bytes) after the header of '" + path +
                                            "', got 9 bytes");
    const Bytes huge = concat(idx_header(0x0E, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}), Bytes(16, 0));
    if (gzip) write_gzip(path, huge); else write_raw(path, huge);
    REQUIRE_ERROR(data::read_idx(path), "read_idx: expected dims whose float64 data fits in memory in '" + path +
                                            "', got dims [4294967295, 4294967295, 4294967295] (their product overflows)");
    // 2^32 * 2^31 values fit in uint64, but not as bytes of float64.
    const Bytes bytes_overflow = concat(idx_header(0x0E, {0xFFFFFFFF, 0x80000000}), Bytes(16, 0));
    if (gzip) write_gzip(path, bytes_overflow); else write_raw(path, bytes_overflow);
    REQUIRE_ERROR(data::read_idx(path), "(their product overflows)");
    // No data at all, but the other dims would still overflow the strides.
    const Bytes empty_overflow = idx_header(0x08, {0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF});
    if (gzip) write_gzip(path, empty_overflow); else write_raw(path, empty_overflow);
    REQUIRE_ERROR(data::read_idx(path), "got dims [0, 4294967295, 4294967295, 4294967295] (their product overflows)");
  }
}

TEST_CASE("read_idx checks a raw file's data size against the file before allocating", "[idx]") {
  TempDir dir;
  const std::string path = dir.file("raw.idx");
  write_raw(path, uint8_file({10, 10}, 99));
  REQUIRE_ERROR(data::read_idx(path), "read_idx: expected 100 bytes of uint8 data after the header of '" + path +
                                          "' (dims [10, 10]), got 99 bytes (truncated)");
  write_raw(path, uint8_file({10, 10}, 101));
  REQUIRE_ERROR(data::read_idx(path), "read_idx: expected 100 bytes of uint8 data after the header of '" + path +
                                          "' (dims [10, 10]), got 101 bytes (size mismatch)");
  // A header claiming 40 GB over 16 bytes of data: refused from the file size, nothing allocated.
  write_raw(path, uint8_file({200000, 200000}, 16));
  REQUIRE_ERROR(data::read_idx(path), "got 16 bytes (truncated)");
  // int16 data with an odd byte count.
  write_raw(path, concat(idx_header(0x0B, {3}), Bytes(5, 1)));
  REQUIRE_ERROR(data::read_idx(path), "expected 6 bytes of int16 data after the header of");
}

TEST_CASE("read_idx checks a gzip file's inflated size: truncated, longer, or beyond what gzip can hold", "[idx]") {
  TempDir dir;
  const std::string path = dir.file("z.idx.gz");
  write_gzip(path, uint8_file({10, 10}, 60));
  REQUIRE_ERROR(data::read_idx(path), "read_idx: expected 100 bytes of uint8 data after the header of '" + path +
                                          "' (dims [10, 10]), got 60 bytes (truncated)");
  write_gzip(path, uint8_file({10, 10}, 130));
  REQUIRE_ERROR(data::read_idx(path), "read_idx: expected 100 bytes of uint8 data after the header of '" + path +
                                          "' (dims [10, 10]), got more (size mismatch)");
  write_gzip(path, uint8_file({200000, 200000}, 16));
  const auto gz_bytes = static_cast<uint64_t>(read_all(path).size());
  REQUIRE_ERROR(data::read_idx(path), fmt::format("read_idx: expected at most ~{} bytes of data in '{}' ({} gzip bytes), "
                                                  "got dims [200000, 200000] claiming 40000000000 bytes",
                                                  1032 * gz_bytes, path, gz_bytes));
}

TEST_CASE("read_idx reports a cut-short or damaged gzip stream, never crashes", "[idx]") {
  TempDir dir;
  // Values that do not compress to nothing, so that the stream has a body to damage.
  Bytes body;
  for (int i = 0; i < 20000; ++i) body.push_back(static_cast<unsigned char>((i * 7919) >> 3));
  const Bytes file = concat(idx_header(0x08, {20000}), body);
  const std::string good = dir.file("good.gz");
  write_gzip(good, file);
  REQUIRE(data::read_idx(good).numel() == 20000);
  const Bytes gz = read_all(good);

  // The stream cut in half: inflate runs out of input.
  const std::string cut = dir.file("cut.gz");
  write_raw(cut, Bytes(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2)));
  REQUIRE_ERROR(data::read_idx(cut), "read_idx: expected 20000 bytes of uint8 data after the header of '" + cut +
                                         "' (dims [20000]), got");
  REQUIRE_ERROR(data::read_idx(cut), "(truncated)");

  // The CRC-32 in the gzip trailer (the 8 bytes before the last 4) no longer matches the data.
  const std::string bad_crc = dir.file("crc.gz");
  Bytes damaged = gz;
  damaged[damaged.size() - 8] ^= 0xFF;
  write_raw(bad_crc, damaged);
  REQUIRE_ERROR(data::read_idx(bad_crc), "read_idx: expected a valid gzip stream in '" + bad_crc +
                                             "', got zlib error: incorrect data check");

  // Damage anywhere in the body: whatever zlib makes of it, an ember::Error and no crash.
  for (size_t at = 12; at < gz.size() - 8; at += gz.size() / 40) {
    Bytes broken = gz;
    broken[at] ^= 0x5A;
    const std::string path = dir.file("broken.gz");
    write_raw(path, broken);
    INFO("byte " << at << " of " << gz.size() << " flipped");
    try {
      Tensor t = data::read_idx(path);
      // A flip inside a stored literal can survive inflate, never the CRC check: no result may come back.
      FAIL("read_idx returned a tensor of shape " << t.shape() << " from a damaged file");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("read_idx: expected") == 0);
    }
  }
}
