#include "stores/zookeeper/file_state_storage.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/host_port.hpp"

#include "common/failpoints.hpp"

namespace fjord {

namespace fs = std::filesystem;

namespace {

using kind = store_error::kind;

std::string errno_text(int err) {
  return std::strerror(err);
}

/// A failpoint of a file step: an injected error is an I/O error of that step.
void file_failpoint(const char* name, const std::string& path) {
  try {
    failpoint::hit(name);
  } catch (const std::system_error& e) {
    throw store_error(kind::io, fmt::format("{}: {}", path, e.what()));
  }
}

std::string random_hex() {
  static std::mutex mtx;
  static std::mt19937_64 engine{std::random_device{}()};
  std::lock_guard<std::mutex> guard{mtx};
  return fmt::format("{:016x}{:016x}", engine(), engine());
}

// Closes the descriptor on every path out of a scope.
class fd_guard {
 public:
  explicit fd_guard(int fd) : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports the error: close() can report a failed delayed write.
  int close_now() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

void fsync_directory(const std::string& dir) {
  fd_guard fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (fd.get() < 0)
    throw store_error(kind::io, fmt::format("cannot open storage directory {} to sync it: {}", dir,
                                            errno_text(errno)));
  if (::fsync(fd.get()) != 0)
    throw store_error(kind::io, fmt::format("cannot sync storage directory {}: {}", dir,
                                            errno_text(errno)));
}

void write_all(int fd, const std::string& bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      throw store_error(kind::io, fmt::format("cannot write {}: {}", path, errno_text(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
}

// Moves `from` to `to` unless `to` exists. Returns false if `to` exists.
bool rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
    return true;
  if (errno == EEXIST)
    return false;
  if (errno != EINVAL && errno != ENOSYS)
    throw store_error(kind::io, fmt::format("cannot rename {} to {}: {}", from, to,
                                            errno_text(errno)));
  // The file system does not support RENAME_NOREPLACE: link() refuses an existing target too.
  if (::link(from.c_str(), to.c_str()) != 0) {
    if (errno == EEXIST)
      return false;
    throw store_error(kind::io, fmt::format("cannot link {} to {}: {}", from, to,
                                            errno_text(errno)));
  }
  ::unlink(from.c_str());
  return true;
}

/// mkdir -p with mode 0700 for every directory it creates (umask-independent); existing ones
/// are left as they are.
void create_private_directories(const std::string& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec))
    return;
  auto parent = fs::path{dir}.parent_path();
  if (!parent.empty() && parent.string() != dir)
    create_private_directories(parent.string());
  if (::mkdir(dir.c_str(), 0700) != 0) {
    if (errno == EEXIST && fs::is_directory(dir, ec))
      return;
    throw store_error(kind::io, fmt::format("cannot create storage directory {}: {}", dir,
                                            errno_text(errno)));
  }
  if (::chmod(dir.c_str(), 0700) != 0)
    throw store_error(kind::io, fmt::format("cannot chmod storage directory {}: {}", dir,
                                            errno_text(errno)));
}

bool valid_prefix(const std::string& prefix) {
  if (prefix.empty() || prefix.size() > 100 || prefix.front() == '.')
    return false;
  for (char c : prefix)
    if (c == '/' || c == '\0')
      return false;
  return true;
}

}  // namespace

file_state_storage::file_state_storage(const std::string& directory,
                                       std::uint64_t max_file_bytes)
  : max_file_bytes_(max_file_bytes) {
  if (directory.empty())
    throw store_error(kind::invalid_argument,
                      "recovery.zookeeper.storageDir is empty: set it to a directory that every "
                      "JobManager can write");
  std::error_code ec;
  auto dir = fs::absolute(fs::path{directory}, ec).lexically_normal();
  if (ec)
    throw store_error(kind::io, fmt::format("storage directory {}: {}", directory, ec.message()));
  auto text = dir.string();
  if (text.size() > 1 && text.back() == '/')
    text.pop_back();
  create_private_directories(text);
  struct stat st;
  if (::stat(text.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw store_error(kind::io, fmt::format("storage directory {} is not a directory", text));
  if (::access(text.c_str(), W_OK | X_OK) != 0)
    throw store_error(kind::io, fmt::format("storage directory {} is not writable: {}", text,
                                            errno_text(errno)));
  if ((st.st_mode & 077) != 0)
    spdlog::warn("storage directory {} is accessible by group or others (mode {:o}): chmod 700 "
                 "it so that only Fjord's user can list the files (they are 0600)",
                 text, st.st_mode & 0777);
  canonical_ = fs::canonical(text, ec).string();
  if (ec)
    throw store_error(kind::io, fmt::format("storage directory {}: {}", text, ec.message()));
  directory_ = std::move(text);
}

state_handle file_state_storage::store(record_type type, const std::string& sealed,
                                       const std::string& prefix) {
  if (!valid_prefix(prefix))
    throw store_error(kind::invalid_argument,
                      fmt::format("file prefix '{}' is not a plain file name", prefix));
  if (sealed.size() > max_file_bytes_)
    throw store_error(kind::invalid_argument,
                      fmt::format("refusing to store a {} record of {} bytes: the limit is {} "
                                  "bytes",
                                  to_string(type), sealed.size(), max_file_bytes_));
  try {
    unseal(type, sealed);
  } catch (const envelope_error& e) {
    throw store_error(kind::invalid_argument,
                      fmt::format("refusing to store a bad {} record: {}", to_string(type),
                                  e.what()));
  }
  auto tmp = fmt::format("{}/.{}-{}.tmp", directory_, prefix, random_hex());
  file_failpoint("storage.file.write", tmp);
  {
    fd_guard fd{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
    if (fd.get() < 0)
      throw store_error(kind::io, fmt::format("cannot create a file in storage directory {}: {}",
                                              directory_, errno_text(errno)));
    try {
      // The umask can only take bits away; fchmod makes it exactly 0600 whatever it is.
      if (::fchmod(fd.get(), 0600) != 0)
        throw store_error(kind::io, fmt::format("cannot chmod {}: {}", tmp, errno_text(errno)));
      write_all(fd.get(), sealed, tmp);
      if (::fsync(fd.get()) != 0)
        throw store_error(kind::io, fmt::format("cannot sync {}: {}", tmp, errno_text(errno)));
      if (fd.close_now() != 0)
        throw store_error(kind::io, fmt::format("cannot close {}: {}", tmp, errno_text(errno)));
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
  }
  try {
    // 128 random bits make a collision practically impossible; the loop is for the case
    // anyway, and bounded.
    for (int attempt = 0; attempt < 10; ++attempt) {
      auto final_path = fmt::format("{}/{}-{}", directory_, prefix, random_hex());
      if (rename_no_replace(tmp, final_path)) {
        fsync_directory(directory_);
        failpoint::hit("storage.file.written");
        return state_handle{final_path, sealed.size()};
      }
    }
    throw store_error(kind::io, fmt::format("no unused file name found in {}", directory_));
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

std::string file_state_storage::load(const state_handle& handle) const {
  auto name = file_name_of(handle, "read");
  file_failpoint("storage.file.read", handle.path);
  // Relative to the directory and without following a symlink: a handle names a file of this
  // directory or nothing. O_NONBLOCK: opening a FIFO must not wait for a writer.
  fd_guard dir{::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dir.get() < 0)
    throw store_error(kind::io, fmt::format("cannot open storage directory {}: {}", directory_,
                                            errno_text(errno)));
  fd_guard fd{::openat(dir.get(), name.c_str(),
                       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)};
  if (fd.get() < 0) {
    if (errno == ENOENT)
      throw store_error(kind::not_found, fmt::format("file {} is missing", handle.path));
    if (errno == ELOOP)
      throw store_error(kind::corrupt, fmt::format("refusing to read {}: it is a symbolic link, "
                                                   "not a file Fjord wrote",
                                                   printable(handle.path, 200)));
    throw store_error(kind::io, fmt::format("cannot open {}: {}", handle.path, errno_text(errno)));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0)
    throw store_error(kind::io, fmt::format("cannot stat {}: {}", handle.path, errno_text(errno)));
  if (!S_ISREG(st.st_mode))
    throw store_error(kind::corrupt, fmt::format("refusing to read {}: not a regular file",
                                                 printable(handle.path, 200)));
  auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > max_file_bytes_)
    throw store_error(kind::corrupt,
                      fmt::format("refusing to read {}: {} bytes, more than the {} bytes a "
                                  "stored record may have",
                                  handle.path, size, max_file_bytes_));
  if (handle.size != 0 && size != handle.size)
    throw store_error(kind::corrupt,
                      fmt::format("file {} is corrupt: {} bytes, the handle says {}", handle.path,
                                  size, handle.size));
  std::string bytes(size, '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      throw store_error(kind::io, fmt::format("cannot read {}: {}", handle.path,
                                              errno_text(errno)));
    }
    if (n == 0)
      break;
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  // The type tag sits at offset 6; unseal() checks everything else against it.
  auto type = record_type::test_payload;
  if (bytes.size() >= envelope_header_size) {
    auto u = reinterpret_cast<const unsigned char*>(bytes.data());
    type = static_cast<record_type>(u[6] | (u[7] << 8));
  }
  try {
    unseal(type, bytes);
  } catch (const envelope_error& e) {
    throw store_error(kind::corrupt,
                      fmt::format("file {} is corrupt: {}", handle.path, e.what()));
  }
  return bytes;
}

void file_state_storage::discard(const state_handle& handle) {
  auto name = file_name_of(handle, "delete");
  file_failpoint("storage.file.delete", handle.path);
  auto path = directory_ + "/" + name;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw store_error(kind::io, fmt::format("cannot delete {}: {}", handle.path,
                                            errno_text(errno)));
}

std::string file_state_storage::file_name_of(const state_handle& handle, const char* what) const {
  // Reading a forged handle is reading a corrupt entry; deleting one is a caller's mistake.
  auto refuse = [&](const std::string& why) {
    return store_error(std::string(what) == "read" ? kind::corrupt : kind::invalid_argument,
                       fmt::format("refusing to {} '{}': {}", what, printable(handle.path, 200),
                                   why));
  };
  if (handle.path.empty())
    throw refuse("the state handle names no file");
  if (handle.path.size() > 4096 || handle.path.find('\0') != std::string::npos)
    throw refuse("not a file name");
  auto path = fs::path{handle.path}.lexically_normal();
  auto name = path.filename().string();
  // Only names store() gives: "<prefix>-<hex>", never ".", "..", a temp file or a sub-path.
  if (name.empty() || name == "." || name == ".." || name.front() == '.'
      || !fs::path{handle.path}.is_absolute() || handle.path.find("/../") != std::string::npos
      || handle.path.find("/./") != std::string::npos)
    throw refuse(fmt::format("not a file of storage directory {}", directory_));
  auto parent = path.parent_path().string();
  if (parent != directory_) {
    // Another spelling of this very directory (a JobManager that reaches it through a symlink)
    // is fine; anything else is not ours.
    std::error_code ec;
    auto real = fs::canonical(parent, ec);
    if (ec || real.string() != canonical_)
      throw refuse(fmt::format("not a file of storage directory {}", directory_));
  }
  return name;
}

std::size_t file_state_storage::discard_all_with_prefix(const std::string& prefix) {
  if (!valid_prefix(prefix))
    throw store_error(kind::invalid_argument,
                      fmt::format("file prefix '{}' is not a plain file name", prefix));
  std::size_t removed = 0;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator{directory_, ec}) {
    auto name = entry.path().filename().string();
    bool stored = name.rfind(prefix + "-", 0) == 0;
    bool temporary = name.rfind("." + prefix + "-", 0) == 0 && name.size() > 4
                     && name.compare(name.size() - 4, 4, ".tmp") == 0;
    if ((stored || temporary) && entry.is_regular_file(ec)
        && (::unlink(entry.path().c_str()) == 0 || errno == ENOENT))
      ++removed;
  }
  if (ec)
    throw store_error(kind::io, fmt::format("cannot list storage directory {}: {}", directory_,
                                            ec.message()));
  return removed;
}

}  // namespace fjord
