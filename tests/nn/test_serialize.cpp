// Tests nn/serialize.cpp and nn/safetensors.cpp: save/load round trips of every dtype and layout,
// atomic replacement, every load error on hand-made files, a small fuzz
// (truncations, flipped header bytes), and both directions against an
// independent Python reader/writer and PyTorch (tests/nn/safetensors_tool.py).
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace ember;
using namespace ember::testing;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string name = (fs::temp_directory_path() / "ember-serialize-XXXXXX").string();
    REQUIRE(::mkdtemp(name.data()) != nullptr);
    path = name;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// The names in dir, sorted.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A hand-made safetensors file: the 8-byte little-endian length, the header text as given, the data.
std::string raw_file(const std::string& header, const std::string& data = "") {
  std::string out(8, '\0');
  uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}

uint64_t header_length(const std::string& file_bytes) {
  uint64_t n = 0;
  std::memcpy(&n, file_bytes.data(), 8);
  return n;
}

// The known tensors; must match KNOWN and known_values() in safetensors_tool.py.
struct Known {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
};
const std::vector<Known> kKnown = {{"f64", kFloat64, {2, 3}},
                                   {"f32", kFloat32, {3, 4}},
                                   {"f16", kFloat16, {5}},
                                   {"bf16", kBFloat16, {2, 2}},
                                   {"i64", kInt64, {4}},
                                   {"i32", kInt32, {2, 3}},
                                   {"u8", kUInt8, {7}},
                                   {"bool", kBool, {5}},
                                   {"scalar", kFloat32, {}},
                                   {"empty", kFloat32, {0, 3}},
                                   {"features.0.weight", kFloat32, {1, 1, 2}}};

// Values exact in every dtype: quarters for the floats, beyond int32 for int64.
double known_value(DType dtype, int64_t i) {
  switch (dtype) {
    case kInt64:
      return static_cast<double>((i - 2) * 1000000000007);
    case kInt32:
      return static_cast<double>(i * 7919 % 100003 - 50000);
    case kUInt8:
      return static_cast<double>((i * 37 + 200) % 256);
    case kBool:
      return i % 3 == 0 ? 1.0 : 0.0;
    default:
      return static_cast<double>(i * 7 % 23 - 11) / 4.0;
  }
}

// The known tensors, contiguous.
nn::StateDict known_state() {
  nn::StateDict state;
  for (size_t k = 0; k < kKnown.size(); ++k) {
    std::vector<double> values(static_cast<size_t>(numel_of(kKnown[k].shape)));
    for (size_t i = 0; i < values.size(); ++i) values[i] = known_value(kKnown[k].dtype, static_cast<int64_t>(i + k));
    state.emplace_back(kKnown[k].name, from_blob(values.data(), kKnown[k].shape, kFloat64).clone().to(kKnown[k].dtype));
  }
  return state;
}

// The same values, some as views whose memory is not row-major: a transpose, an offset slice, a strided slice.
nn::StateDict known_state_with_views() {
  nn::StateDict state = known_state();
  state[1].second = state[1].second.t().contiguous().t();
  Tensor wide = zeros({8}, kInt64), tail = wide.slice(0, 4, 8);
  tail.copy_(state[4].second);
  state[4].second = tail;
  Tensor spaced = zeros({14}, kUInt8), every_other = spaced.slice(0, 0, 14, 2);
  every_other.copy_(state[6].second);
  state[6].second = every_other;
  return state;
}

void check_same(const nn::StateDict& actual, const nn::StateDict& expected) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    INFO("tensor " << expected[i].first);
    CHECK(actual[i].first == expected[i].first);
    CHECK(actual[i].second.dtype() == expected[i].second.dtype());
    CHECK(actual[i].second.is_contiguous());
    check_close(actual[i].second, expected[i].second, 0, 0);
  }
}

// Python helpers run as /usr/bin/python3 (Debian's, with python3-numpy / python3-torch).
bool python_has(const std::string& module) {
  return std::system(("/usr/bin/python3 -c 'import " + module + "' >/dev/null 2>&1").c_str()) == 0;
}
int run_tool(const std::string& args) {
  std::string command = "/usr/bin/python3 '" EMBER_TEST_SOURCE_DIR "/nn/safetensors_tool.py' " + args;
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
std::string quoted(const std::string& path) { return "'" + path + "'"; }

}  // namespace

TEST_CASE("save then load gives back every dtype and shape and non-contiguous views", "[serialize]") {
  TempDir dir;
  const std::string file = dir / "known.safetensors";
  nn::StateDict state = known_state_with_views();
  REQUIRE(!state[1].second.is_contiguous());
  REQUIRE(state[4].second.storage_offset() == 4);
  REQUIRE(!state[6].second.is_contiguous());
  state[0].second.requires_grad_();  // saved as plain data, not recorded
  save(state, file, {{"format", "pt"}, {"source", "ember test"}});
  check_same(load(file), known_state());

  // The header is padded to 8 bytes (aligned data) and carries the metadata first, as PyTorch's writer does.
  const std::string bytes = read_bytes(file);
  const uint64_t n = header_length(bytes);
  CHECK(n % 8 == 0);
  CHECK_THAT(bytes.substr(8, n), Catch::StartsWith(R"({"__metadata__":{"format":"pt","source":"ember test"},"f64":)"));
}

TEST_CASE("save writes CUDA tensors as CPU bytes", "[serialize][cuda]") {
  if (!cuda::is_available()) {
    WARN("no CUDA device: skipped");
    return;
  }
  TempDir dir;
  nn::StateDict state = known_state();
  nn::StateDict on_device;
  auto transpose = [](const Tensor& t) { return t.dim() == 2 ? t.t() : t; };  // non-contiguous on the device too
  for (const auto& [name, t] : state) on_device.emplace_back(name, transpose(t.to(Device(kCUDA))));
  save(on_device, dir / "cuda.safetensors");
  nn::StateDict loaded = load(dir / "cuda.safetensors");
  for (auto& [name, t] : state) t = transpose(t);
  check_same(loaded, state);
}

TEST_CASE("save replaces a file atomically and leaves it untouched on failure", "[serialize]") {
  TempDir dir;
  const std::string file = dir / "model.safetensors";
  save({{"a", ones({3})}}, file);
  const std::string before = read_bytes(file);

  REQUIRE_ERROR(save({{"a", ones({2})}, {"a", zeros({2})}}, file), "expected unique tensor names, got 'a' twice");
  CHECK(read_bytes(file) == before);

  // Failing at the rename (the target is a directory): the temp file was written, and must be gone.
  fs::create_directory(dir.path / "taken");
  REQUIRE_ERROR(save({{"a", ones({2})}}, dir / "taken"), "save: cannot replace '" + (dir / "taken") + "'");
  CHECK(names_in(dir.path) == std::vector<std::string>{"model.safetensors", "taken"});

  REQUIRE_ERROR(save({{"a", ones({2})}}, dir / "missing/model.safetensors"), "save: cannot create a temp file beside");
  REQUIRE_ERROR(save({{"a", ones({2})}}, dir.path.string() + "/"), "save: expected a file path, got");

  save({{"b", zeros({1}, kInt32)}}, file);  // a smaller file replaces the larger one wholly
  nn::StateDict loaded = load(file);
  REQUIRE(loaded.size() == 1);
  CHECK(loaded[0].first == "b");
  CHECK(read_bytes(file).size() < before.size());
}

// Note [Stale temp files] in nn/serialize.cpp.
TEST_CASE("save removes the temp files of its path that no live save holds", "[serialize]") {
  TempDir dir;
  const std::string file = dir / "model.safetensors";
  write_bytes(dir / ".model.safetensors.tmp.999999.0", "half a file: its save was killed");
  write_bytes(dir / ".model.safetensors.tmp.999999.1", "a save in progress");
  const int held = ::open((dir / ".model.safetensors.tmp.999999.1").c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(held >= 0);
  REQUIRE(::flock(held, LOCK_EX) == 0);  // as a live save holds its temp file
  write_bytes(dir / ".other.safetensors.tmp.1.0", "another path's temp file");
  write_bytes(dir / ".model.safetensors.tmp.notes", "not a temp file name");

  save({{"a", ones({3})}}, file);
  CHECK(names_in(dir.path) == std::vector<std::string>{".model.safetensors.tmp.999999.1",
                                                       ".model.safetensors.tmp.notes",
                                                       ".other.safetensors.tmp.1.0", "model.safetensors"});
  ::close(held);  // the "live save" ends without cleaning up: the next save takes its file
  save({{"a", ones({3})}}, file);
  CHECK(names_in(dir.path) == std::vector<std::string>{".model.safetensors.tmp.notes", ".other.safetensors.tmp.1.0",
                                                       "model.safetensors"});
  CHECK(load(file).size() == 1);
}

TEST_CASE("a save killed mid-write leaves a temp file that the next save to the path removes", "[serialize]") {
  TempDir dir;
  const std::string file = dir / "big.safetensors";
  const Tensor big = ones({16 << 20});  // 64 MiB: a save takes long enough to be caught writing
  auto temps = [&] {
    int count = 0;
    for (const std::string& name : names_in(dir.path)) count += name.rfind(".big.safetensors.tmp.", 0) == 0;
    return count;
  };
  bool left_behind = false;
  for (int attempt = 0; attempt < 20 && !left_behind; ++attempt) {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      for (;;) save({{"w", big}}, file);  // killed below, mid-save with luck
    }
    for (int wait = 0; wait < 10000 && temps() == 0; ++wait) ::usleep(1000);
    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    left_behind = temps() > 0;  // the child may have been between two saves
  }
  REQUIRE(left_behind);
  save({{"w", ones({2})}}, file);
  CHECK(temps() == 0);
  CHECK(load(file)[0].second.numel() == 2);
}

TEST_CASE("save rejects names safetensors cannot hold", "[serialize]") {
  TempDir dir;
  const std::string file = dir / "bad.safetensors";
  REQUIRE_ERROR(save({{"__metadata__", ones({1})}}, file), "expected tensor names other than \"__metadata__\"");
  REQUIRE_ERROR(save({{"w", Tensor()}}, file), "tensor 'w': expected a defined tensor, got an undefined one");
  REQUIRE_ERROR(save({{"\xff", ones({1})}}, file), "expected tensor names and metadata in valid UTF-8");
  REQUIRE_ERROR(save({{"w", ones({1})}}, file, {{"k", "\xfe"}}), "expected tensor names and metadata in valid UTF-8");
  CHECK(!fs::exists(file));
}

TEST_CASE("load keeps the header's order and takes empty tensors, no tensors and unpadded headers", "[serialize]") {
  TempDir dir;
  const std::string file = dir / "hand.safetensors";
  write_bytes(file, raw_file("{}"));
  CHECK(load(file).empty());

  // Data in another order than the header's, a zero-size tensor between two others, no padding.
  const std::string header = R"({"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},)"
                             R"("e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]},)"
                             R"("a":{"dtype":"I32","shape":[],"data_offsets":[4,8]},)"
                             R"("z":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})";
  REQUIRE(header.size() % 8 != 0);
  write_bytes(file, raw_file(header, std::string("\x01\x00\x07\x09\x05\x00\x00\x00", 8)));
  nn::StateDict state = load(file);
  REQUIRE(state.size() == 4);
  CHECK(state[0].first == "b");
  CHECK(state[0].second.to_vector<uint8_t>() == std::vector<uint8_t>{7, 9});
  CHECK(state[1].first == "e");
  CHECK(state[1].second.shape() == Shape{0, 3});
  CHECK(state[2].first == "a");
  CHECK(state[2].second.dim() == 0);
  CHECK(state[2].second.item<int32_t>() == 5);
  CHECK(state[3].second.to_vector<bool>() == std::vector<bool>{true, false});
}

TEST_CASE("load rejects broken files with a message naming the file, the tensor and what was expected", "[serialize]") {
  TempDir dir;
  const std::string file = dir / "broken.safetensors";
  auto f32 = [](const std::string& shape, const std::string& offsets) {
    return R"({"dtype":"F32","shape":)" + shape + R"(,"data_offsets":)" + offsets + "}";
  };
  const std::string eight(8, '\0');
  std::string huge(8, '\0');
  const uint64_t too_long = 200ull << 20;
  std::memcpy(huge.data(), &too_long, 8);
  struct Case {
    std::string bytes, message;
  };
  const std::vector<Case> cases = {
      {"abc", "expected at least 8 bytes (the header length), got a file of 3 bytes"},
      {huge + "{}", "expected a header of at most 104857600 bytes, got a header length of 209715200"},
      {raw_file("{}").substr(0, 9),
       "expected a header of at most 1 bytes (the rest of the file), got a header length of 2"},
      {raw_file(R"({"a":)"), "expected a JSON header, got [json.exception.parse_error"},
      {raw_file("{\"\xff\":1}"), "expected a JSON header, got [json.exception.parse_error"},
      {raw_file("[1,2]"), "expected the header to be a JSON object, got [1,2]"},
      {raw_file(R"({"w":3})"), "tensor 'w': expected an object with dtype, shape and data_offsets, got 3"},
      {raw_file(R"({"w":{"dtype":"F32","shape":[],"data_offsets":[0,4],"x":1}})", eight.substr(4)),
       "tensor 'w': expected only the keys dtype, shape and data_offsets, got 'x'"},
      {raw_file(R"({"w":{"shape":[],"data_offsets":[0,4]}})"), "tensor 'w': expected a dtype string, got none"},
      {raw_file(R"({"w":{"dtype":"I16","shape":[],"data_offsets":[0,2]}})"),
       "tensor 'w': expected a dtype ember reads (F64, F32, F16, BF16, I64, I32, U8, BOOL), got \"I16\""},
      {raw_file(R"({"w":)" + f32("4", "[0,16]") + "}"), "tensor 'w': expected shape to be an array of sizes, got 4"},
      {raw_file(R"({"w":)" + f32("[-1]", "[0,0]") + "}"),
       "tensor 'w': expected shape to hold non-negative integers, got [-1]"},
      {raw_file(R"({"w":)" + f32("[1.5]", "[0,0]") + "}"),
       "tensor 'w': expected shape to hold non-negative integers, got [1.5]"},
      {raw_file(R"({"w":)" + f32("[4611686018427387904,4,0]", "[0,0]") + "}"),
       "tensor 'w': expected a shape whose size fits in int64"},
      {raw_file(R"({"w":)" + f32("[1152921504606846976,4]", "[0,0]") + "}"),
       "tensor 'w': expected a byte size that fits in 64 bits, got shape [1152921504606846976,4] of \"F32\""},
      {raw_file(R"({"w":)" + f32("[1]", "[0]") + "}", eight),
       "tensor 'w': expected data_offsets [begin, end] with 0 <= begin <= end, got [0]"},
      {raw_file(R"({"w":)" + f32("[1]", "[8,4]") + "}", eight),
       "tensor 'w': expected data_offsets [begin, end] with 0 <= begin <= end, got [8,4]"},
      {raw_file(R"({"w":)" + f32("[4]", "[0,16]") + "}", eight),
       "tensor 'w': expected data_offsets inside the data section of 8 bytes, got [0, 16] (is the file truncated?)"},
      {raw_file(R"({"w":)" + f32("[3]", "[0,8]") + "}", eight),
       "tensor 'w': expected 12 bytes for shape [3] of \"F32\", got data_offsets [0, 8] (8 bytes)"},
      {raw_file(R"({"a":)" + f32("[2]", "[0,8]") + R"(,"b":)" + f32("[2]", "[4,12]") + "}", eight + eight),
       "tensor 'b': expected its bytes [4, 12) apart from tensor 'a' ([0, 8)), got an overlap"},
      {raw_file(R"({"a":)" + f32("[2]", "[0,8]") + R"(,"b":)" + f32("[1]", "[12,16]") + "}", eight + eight),
       "tensor 'b': expected it to start at byte 8 (safetensors packs tensors without holes)"},
      {raw_file(R"({"a":)" + f32("[2]", "[0,8]") + "}", eight + "xyz"),
       "expected the data section (11 bytes) to end with the last tensor, got 3 trailing bytes"},
      {raw_file(R"({"a":)" + f32("[]", "[0,4]") + R"(,"a":)" + f32("[]", "[4,8]") + "}", eight),
       "expected unique tensor names, got 'a' twice"},
      {raw_file(R"({"a":{"dtype":"F32","shape":[],"dtype":"F32","data_offsets":[0,4]}})", eight.substr(4)),
       "tensor 'a': expected unique keys, got 'dtype' twice"},
      {raw_file(R"([{"k":1,"k":2}])"), "expected the header to be a JSON object, got [{\"k\":2}]"},
      {raw_file(R"({"__metadata__":{"k":1}})"), "expected \"__metadata__\" to map strings to strings, got {\"k\":1}"},
      {raw_file(R"({"__metadata__":{"k":[["deep"]]}})"), "expected a header nested at most 3 levels deep"},
      {raw_file(std::string(100000, '[')), "expected a header nested at most 3 levels deep"},
      {raw_file(R"({"b":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", "\x01\x02"),
       "tensor 'b': expected BOOL bytes 0 or 1, got 2 at element 1"},
  };
  for (const Case& c : cases) {
    INFO("expected message: " << c.message);
    write_bytes(file, c.bytes);
    REQUIRE_ERROR(load(file), "load: '" + file + "': " + c.message);
  }
  REQUIRE_ERROR(load(dir / "missing.safetensors"), "load: cannot open '" + (dir / "missing.safetensors") + "'");
  REQUIRE_ERROR(load(dir.path.string()), "expected a regular file, got another kind of file");
}

TEST_CASE("load throws ember::Error for every truncation and flipped header byte", "[serialize][fuzz]") {
  TempDir dir;
  const std::string good = dir / "good.safetensors", bad = dir / "bad.safetensors";
  save(known_state(), good, {{"format", "pt"}});
  const std::string bytes = read_bytes(good);
  const uint64_t data_start = 8 + header_length(bytes);

  // Every cut inside the header, and around every tensor boundary of the data: the last tensor is never whole.
  std::vector<size_t> cuts;
  for (size_t cut = 0; cut <= data_start; ++cut) cuts.push_back(cut);
  size_t boundary = data_start;
  for (const auto& [name, t] : known_state()) {
    boundary += t.nbytes();
    for (size_t cut : {boundary - 1, boundary, boundary + 1}) {
      if (cut < bytes.size()) cuts.push_back(cut);
    }
  }
  for (size_t cut : cuts) {
    INFO("truncated to " << cut << " of " << bytes.size() << " bytes");
    write_bytes(bad, bytes.substr(0, cut));
    CHECK_THROWS_AS(load(bad), Error);
  }

  // A flipped byte may still make a valid file (a changed name); anything else must be an ember::Error.
  size_t loaded = 0, rejected = 0;
  for (size_t i = 0; i < data_start; ++i) {
    for (unsigned char mask : {0x01, 0x02, 0x08, 0x20, 0x80}) {
      std::string flipped = bytes;
      flipped[i] = static_cast<char>(flipped[i] ^ mask);
      write_bytes(bad, flipped);
      try {
        load(bad);
        ++loaded;
      } catch (const Error&) {
        ++rejected;
      }
    }
  }
  INFO(loaded << " flipped files loaded, " << rejected << " rejected");
  CHECK(rejected > 4 * loaded);
}

TEST_CASE("an independent Python reader and writer agree with ember", "[serialize][python]") {
  if (!python_has("numpy")) {
    WARN("/usr/bin/python3 lacks numpy (Debian: python3-numpy): skipped");
    return;
  }
  TempDir dir;
  const std::string ours = dir / "ember.safetensors", theirs = dir / "python.safetensors";
  save(known_state_with_views(), ours, {{"format", "pt"}});
  CHECK(run_tool("check " + quoted(ours)) == 0);

  REQUIRE(run_tool("write " + quoted(theirs)) == 0);  // its data order is the reverse of its header's
  check_same(load(theirs), known_state());

  // The checker is not vacuous: one changed value fails it.
  nn::StateDict changed = known_state();
  changed[3].second.fill_(1.5);
  save(changed, ours, {{"format", "pt"}});
  CHECK(run_tool("check " + quoted(ours) + " 2>/dev/null") == 1);
}

namespace {
// nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)) written out with ops (ember has no nn layers yet).
Tensor mlp_forward(const nn::StateDict& state, const Tensor& x) {
  auto at = [&](const char* name) {
    const Tensor* t = nn::find(state, name);
    REQUIRE(t != nullptr);
    return *t;
  };
  return matmul(relu(matmul(x, at("0.weight").t()) + at("0.bias")), at("2.weight").t()) + at("2.bias");
}
}  // namespace

TEST_CASE("PyTorch and ember load each other's checkpoints of an MLP", "[serialize][python]") {
  if (!python_has("numpy") || !python_has("torch")) {
    WARN("/usr/bin/python3 lacks numpy or torch (Debian: python3-numpy, python3-torch): skipped");
    return;
  }
  TempDir dir;
  SECTION("ember loads PyTorch's state_dict and reproduces its forward") {
    const std::string model = dir / "torch.safetensors", io = dir / "torch_io.safetensors";
    REQUIRE(run_tool("torch-write " + quoted(model) + " " + quoted(io)) == 0);
    nn::StateDict state = load(model);
    std::vector<std::string> names;
    for (const auto& [name, t] : state) names.push_back(name);
    CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
    CHECK(state[0].second.shape() == Shape{3, 4});
    nn::StateDict expected = load(io);
    check_close(mlp_forward(state, expected[0].second), expected[1].second, 1e-5, 1e-6);
  }
  SECTION("PyTorch loads ember's state_dict strictly and reproduces its forward") {
    const std::string model = dir / "ember.safetensors", io = dir / "ember_io.safetensors";
    nn::StateDict state = {{"0.weight", make_tensor({3, 4}, kFloat32, -1, 1, 1, Layout::Transposed)},
                           {"0.bias", make_tensor({3}, kFloat32, -1, 1, 2)},
                           {"2.weight", make_tensor({2, 3}, kFloat32, -1, 1, 3)},
                           {"2.bias", make_tensor({2}, kFloat32, -1, 1, 4)}};
    Tensor x = make_tensor({5, 4}, kFloat32, -2, 2, 5);
    save(state, model, {{"format", "pt"}});
    save({{"input", x}, {"output", mlp_forward(state, x)}}, io);
    CHECK(run_tool("torch-check " + quoted(model) + " " + quoted(io)) == 0);
  }
}
