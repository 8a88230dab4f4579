#include "plugins/plugin_cache.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "plugins/content_hash.hpp"

namespace fjord {

namespace {

using kind = plugin_error::kind;

/// Reads errno before building the message (an allocation may change it).
[[noreturn]] void fail_io(const char* action, const std::string& path) {
  int err = errno;
  throw plugin_error(kind::io, std::string{"plugin cache: "} + action + " " + path + ": " +
                                std::strerror(err));
}

class fd_closer {
 public:
  explicit fd_closer(int fd) : fd_(fd) {}
  ~fd_closer() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  fd_closer(const fd_closer&) = delete;
  fd_closer& operator=(const fd_closer&) = delete;
  int get() const { return fd_; }
  /// Closes now, reporting the error close() may return (deferred write errors).
  int close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

void ensure_private_directory(const std::string& dir) {
  std::error_code ec;
  auto parent = std::filesystem::path{dir}.parent_path();
  if (!parent.empty())
    std::filesystem::create_directories(parent, ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    fail_io("cannot create directory", dir);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    fail_io("cannot use directory", dir);
  if (!S_ISDIR(st.st_mode))
    throw plugin_error(kind::io, "plugin cache: " + dir + " is not a directory");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    throw plugin_error(kind::io, "plugin cache: " + dir +
                                   " is writable by other users (make it mode 0700)");
}

/// The whole file, or nothing if it cannot be opened or read.
std::optional<std::string> read_whole_file(const std::string& path) {
  fd_closer fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.get() < 0)
    return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return std::nullopt;
  std::string bytes;
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return std::nullopt;
    if (n == 0)
      return bytes;
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
}

void write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail_io("cannot write", path);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

/// Makes the rename durable: without it, a crash may leave the directory without the entry.
void fsync_directory(const std::string& dir) {
  fd_closer fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (fd.get() < 0 || ::fsync(fd.get()) != 0)
    fail_io("cannot sync directory", dir);
}

/// Writes `bytes` under a temporary name next to `final_path`, then renames it over whatever is
/// at `final_path`.
void write_atomically(const std::string& dir, const std::string& final_path,
                      std::string_view bytes) {
  std::string tmp = final_path + ".tmp-XXXXXX";
  fd_closer fd{::mkostemp(tmp.data(), O_CLOEXEC)};
  if (fd.get() < 0)
    fail_io("cannot create a file in", dir);
  try {
    if (::fchmod(fd.get(), 0600) != 0)
      fail_io("cannot set the mode of", tmp);
    write_all(fd.get(), bytes, tmp);
    if (::fsync(fd.get()) != 0)
      fail_io("cannot sync", tmp);
    if (fd.close() != 0)
      fail_io("cannot write", tmp);
    if (::rename(tmp.c_str(), final_path.c_str()) != 0)
      fail_io("cannot rename a new file to", final_path);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  fsync_directory(dir);
}

}  // namespace

plugin_cache::plugin_cache(std::string directory) : directory_(std::move(directory)) {}

std::string plugin_cache::store(std::string_view bytes) const {
  auto sha = sha256_hex(bytes);
  auto path = directory_ + "/" + sha + ".so";
  ensure_private_directory(directory_);
  if (auto existing = read_whole_file(path)) {
    if (sha256_hex(*existing) == sha)
      return path;
    spdlog::warn("plugin cache: {} does not match its content hash; replacing it", path);
  }
  write_atomically(directory_, path, bytes);
  return path;
}

std::optional<std::string> plugin_cache::find(std::string_view sha256) const {
  if (!is_sha256_hex(sha256))
    return std::nullopt;
  auto path = directory_ + "/" + std::string{sha256} + ".so";
  auto existing = read_whole_file(path);
  if (!existing || sha256_hex(*existing) != sha256)
    return std::nullopt;
  return path;
}

void verify_content_hash(std::string_view bytes, std::string_view expected_sha256,
                         const std::string& what) {
  if (!is_sha256_hex(expected_sha256))
    throw plugin_error(kind::hash_mismatch,
                       what + ": the announced content hash '" + std::string{expected_sha256} +
                         "' is not a sha256 (64 lowercase hex digits); refusing the bytes");
  auto actual = sha256_hex(bytes);
  if (actual != expected_sha256)
    throw plugin_error(kind::hash_mismatch,
                       what + ": content hash mismatch (announced sha256 " +
                         std::string{expected_sha256} + ", the " + std::to_string(bytes.size()) +
                         " bytes received have sha256 " + actual + "); refusing to load them");
}

}  // namespace fjord
