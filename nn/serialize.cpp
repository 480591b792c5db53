// ember::save / ember::load: safetensors files on disk. Writes are atomic
// (temp file, fsync, rename, fsync of the directory); reads take the header,
// validate it (nn/safetensors.cpp) and only then read each tensor's bytes into
// memory it owns. POSIX file I/O; nothing in a file is ever executed.
#include <ember/nn/safetensors.h>
#include <ember/nn/serialize.h>
#include <ember/ops/ops.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <system_error>

namespace ember {
namespace {

std::string errno_text() { return std::error_code(errno, std::generic_category()).message(); }

// An open file descriptor, closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// The temp file that save writes and then renames over the target. Until
// commit() succeeds, destroying it removes the temp file, so a failed save
// (a throw anywhere, including while copying a CUDA tensor) leaves no trace
// and the old file untouched.
class TempFile {
 public:
  explicit TempFile(const std::string& path) : path_(path) {
    namespace fs = std::filesystem;
    fs::path target(path);
    EMBER_CHECK(target.has_filename(), "save: expected a file path, got '{}'", path);
    dir_ = target.has_parent_path() ? target.parent_path().string() : ".";
    static std::atomic<uint64_t> counter{0};
    for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
      // Hidden, in the target's directory (rename must not cross filesystems), unique per process and call.
      temp_ =
          (fs::path(dir_) / fmt::format(".{}.tmp.{}.{}", target.filename().string(), ::getpid(), counter++)).string();
      // 0666 & ~umask, like any new file (mkstemp would make it 0600).
      fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      EMBER_CHECK(fd_ >= 0 || errno == EEXIST, "save: cannot create a temp file beside '{}': {}", path, errno_text());
    }
    EMBER_CHECK(fd_ >= 0, "save: cannot create a temp file beside '{}': all names taken", path);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (committed_) return;
    if (fd_ >= 0) ::close(fd_);
    ::unlink(temp_.c_str());
  }

  void write(const void* data, size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      ssize_t n = ::write(fd_, p, size);
      if (n < 0 && errno == EINTR) continue;
      EMBER_CHECK(n > 0, "save: writing '{}' failed: {}", path_, errno_text());
      p += n;
      size -= static_cast<size_t>(n);
    }
  }

  void commit() {
    EMBER_CHECK(::fsync(fd_) == 0, "save: flushing '{}' to disk failed: {}", path_, errno_text());
    int closed = ::close(fd_);  // NFS and friends report write errors here
    fd_ = -1;
    EMBER_CHECK(closed == 0, "save: closing '{}' failed: {}", path_, errno_text());
    EMBER_CHECK(::rename(temp_.c_str(), path_.c_str()) == 0, "save: cannot replace '{}': {}", path_, errno_text());
    committed_ = true;
    // The rename itself is durable only once the directory entry is on disk.
    Fd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    bool synced = dir.get() >= 0 && (::fsync(dir.get()) == 0 || errno == EINVAL);  // EINVAL: the fs cannot sync dirs
    EMBER_CHECK(synced, "save: '{}' was written, but flushing its directory '{}' failed: {}", path_, dir_,
                errno_text());
  }

 private:
  std::string path_, dir_, temp_;
  int fd_ = -1;
  bool committed_ = false;
};

// Reads exactly size bytes at offset; the file may have shrunk since fstat.
void read_at(const std::string& path, int fd, void* data, size_t size, uint64_t offset) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    ssize_t n = ::pread(fd, p, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    EMBER_CHECK(n >= 0, "load: reading '{}' failed: {}", path, errno_text());
    EMBER_CHECK(n > 0, "load: '{}': expected {} more bytes at offset {}, got the end of the file (did it shrink?)",
                path, size, offset);
    p += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
}

}  // namespace

void save(const nn::StateDict& state, const std::string& path, const std::map<std::string, std::string>& metadata) {
  // Everything that can be checked is checked before the temp file exists.
  const std::string header = safetensors::encode_header(state, metadata, path);
  const uint64_t header_size = header.size();

  TempFile file(path);
  file.write(&header_size, sizeof header_size);
  file.write(header.data(), header.size());
  for (const auto& [name, tensor] : state) {
    Tensor bytes = tensor.detach().to(Device(kCPU)).contiguous();  // detached: nothing is recorded
    file.write(bytes.data_ptr(), bytes.nbytes());
  }
  file.commit();
}

nn::StateDict load(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  EMBER_CHECK(fd.get() >= 0, "load: cannot open '{}': {}", path, errno_text());
  struct stat info {};
  EMBER_CHECK(::fstat(fd.get(), &info) == 0, "load: cannot stat '{}': {}", path, errno_text());
  EMBER_CHECK(S_ISREG(info.st_mode), "load: '{}': expected a regular file, got another kind of file", path);
  const uint64_t file_size = static_cast<uint64_t>(info.st_size);

  uint64_t header_size = 0;
  EMBER_CHECK(file_size >= sizeof header_size,
              "load: '{}': expected at least 8 bytes (the header length), got a file of {} bytes", path, file_size);
  read_at(path, fd.get(), &header_size, sizeof header_size, 0);
  EMBER_CHECK(header_size <= safetensors::kMaxHeaderBytes,
              "load: '{}': expected a header of at most {} bytes, got a header length of {} (not a safetensors file?)",
              path, safetensors::kMaxHeaderBytes, header_size);
  EMBER_CHECK(header_size <= file_size - 8,
              "load: '{}': expected a header of at most {} bytes (the rest of the file), got a header length of {} "
              "(is the file truncated?)",
              path, file_size - 8, header_size);
  std::string text(header_size, '\0');
  read_at(path, fd.get(), text.data(), text.size(), 8);
  const uint64_t data_start = 8 + header_size, data_size = file_size - data_start;

  // Every range is checked against the file before anything is allocated.
  std::vector<safetensors::Entry> entries = safetensors::decode_header(text, data_size, path);
  nn::StateDict state;
  state.reserve(entries.size());
  for (const safetensors::Entry& e : entries) {
    Tensor t = empty(e.shape, e.dtype);
    read_at(path, fd.get(), t.data_ptr(), t.nbytes(), data_start + e.begin);
    if (e.dtype == kBool) {
      // Any other byte would be undefined behaviour once read as a C++ bool.
      const auto* bytes = static_cast<const unsigned char*>(t.data_ptr());
      const auto* bad = std::find_if(bytes, bytes + t.nbytes(), [](unsigned char b) { return b > 1; });
      EMBER_CHECK(bad == bytes + t.nbytes(),
                  "load: '{}': tensor '{}': expected BOOL bytes 0 or 1, got {} at element {}", path, e.name,
                  static_cast<int>(*bad), bad - bytes);
    }
    state.emplace_back(e.name, std::move(t));
  }
  return state;
}

}  // namespace ember
