// ember::save / ember::load: safetensors files on disk. Writes are atomic
// (temp file, fsync, rename, fsync of the directory; the next save to a path
// removes the temp files that killed saves left); reads take the header,
// validate it (nn/safetensors.cpp) and only then read each tensor's bytes into
// memory it owns. POSIX file I/O; nothing in a file is ever executed.
#include <ember/nn/safetensors.h>
#include <ember/nn/serialize.h>
#include <ember/ops/ops.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <string_view>
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

// Note [Stale temp files]
// A save's temp file is ".<name>.tmp.<pid>.<n>" beside the target, and its
// writer holds an exclusive flock on it until the rename. A process killed
// mid-save leaves the file behind, but the kernel drops its lock; so every
// save first removes the temp files of its target that nobody holds locked.
// A writer checks, once it holds its lock, that its file is still there
// (a cleaner may have taken it in the instant between open and flock).

// Is `name` a temp file of the target `filename`: ".<filename>.tmp.<digits>.<digits>"?
bool is_temp_name(const std::string& name, const std::string& filename) {
  const std::string prefix = "." + filename + ".tmp.";
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return false;
  const std::string rest = name.substr(prefix.size());
  const size_t dot = rest.find('.');
  const auto digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return dot != std::string::npos && digits(std::string_view(rest).substr(0, dot)) &&
         digits(std::string_view(rest).substr(dot + 1));
}

// Does fd still refer to the file at path (not unlinked or replaced)?
bool is_file_at(int fd, const std::string& path) {
  struct stat by_fd {}, by_path {};
  return ::fstat(fd, &by_fd) == 0 && ::lstat(path.c_str(), &by_path) == 0 && by_fd.st_dev == by_path.st_dev &&
         by_fd.st_ino == by_path.st_ino;
}

// Removes the temp files of `target` in `dir` that no live save holds. Best
// effort: a file that cannot be opened or removed is left alone.
void remove_stale_temps(const std::string& dir, const std::string& filename) {
  namespace fs = std::filesystem;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (!is_temp_name(name, filename)) continue;
    const std::string path = it->path().string();
    Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0 || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;  // held: a save in progress
    if (is_file_at(fd.get(), path)) ::unlink(path.c_str());
  }
}

// The temp file that save writes and then renames over the target. Until
// commit() succeeds, destroying it removes the temp file, so a failed save
// (a throw anywhere, including while copying a CUDA tensor) leaves no trace
// and the old file untouched. See Note [Stale temp files] for a killed save.
class TempFile {
 public:
  explicit TempFile(const std::string& path) : path_(path) {
    namespace fs = std::filesystem;
    fs::path target(path);
    EMBER_CHECK(target.has_filename(), "save: expected a file path, got '{}'", path);
    dir_ = target.has_parent_path() ? target.parent_path().string() : ".";
    const std::string filename = target.filename().string();
    remove_stale_temps(dir_, filename);
    static std::atomic<uint64_t> counter{0};
    for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
      // Hidden, in the target's directory (rename must not cross filesystems), unique per process and call.
      temp_ = (fs::path(dir_) / fmt::format(".{}.tmp.{}.{}", filename, ::getpid(), counter++)).string();
      // 0666 & ~umask, like any new file (mkstemp would make it 0600).
      fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      EMBER_CHECK(fd_ >= 0 || errno == EEXIST, "save: cannot create a temp file beside '{}': {}", path, errno_text());
      if (fd_ >= 0 && !lock()) {
        ::close(fd_);  // another save's cleanup took it before our lock: try the next name
        fd_ = -1;
      }
    }
    EMBER_CHECK(fd_ >= 0, "save: cannot create a temp file beside '{}': all names taken", path);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (lock_fd_ >= 0) ::close(lock_fd_);
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
  // Locks the new temp file through a descriptor of its own, so that the lock
  // outlives the close of fd_ in commit() until after the rename. False when
  // a cleaner got there first; where the filesystem has no locks, the save
  // goes on unlocked (and its temp files are not cleaned if it is killed).
  bool lock() {
    lock_fd_ = ::open(temp_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (lock_fd_ < 0) return errno != ENOENT;  // unreadable (umask): unlocked; gone: a cleaner took it
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) == 0) {
      if (is_file_at(lock_fd_, temp_)) return true;
    } else if (errno != EWOULDBLOCK) {
      return true;
    }
    ::close(lock_fd_);
    lock_fd_ = -1;
    return false;
  }

  std::string path_, dir_, temp_;
  int fd_ = -1, lock_fd_ = -1;
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
