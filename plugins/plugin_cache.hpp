// Plugin binaries on disk, each under its content hash: <directory>/<sha256>.so. A process that
// received a plugin's bytes (and the hash they were announced with) checks them with
// verify_content_hash(), keeps them with store() and loads the returned path.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "plugins/plugin_error.hpp"

namespace fjord {

/// Several threads and processes may use one directory at the same time: a file is written
/// under a temporary name and renamed into place, never changed where it is (a process may
/// have it mapped with dlopen(), and changing those pages under it would crash it).
class plugin_cache {
 public:
  /// The directory is created (mode 0700) on the first store().
  explicit plugin_cache(std::string directory);

  const std::string& directory() const { return directory_; }

  /// Keeps `bytes` as <directory>/<sha256(bytes)>.so (mode 0600) and returns that path. An
  /// existing file of that name is reused only if its content hash verifies; otherwise
  /// (truncated, corrupt) it is replaced. Throws plugin_error(io) naming the path on failure,
  /// and refuses a directory that others may write into (they could swap the code loaded).
  std::string store(std::string_view bytes) const;

  /// The path of the cached file with content hash `sha256` if it is there and intact.
  std::optional<std::string> find(std::string_view sha256) const;

 private:
  std::string directory_;
};

/// Throws plugin_error(hash_mismatch), "<what>: content hash mismatch (...)", unless
/// sha256(bytes) is `expected_sha256`; a malformed `expected_sha256` is refused the same way.
/// `what` names the bytes for the message, e.g. "plugin my_operators.so from the JobManager".
void verify_content_hash(std::string_view bytes, std::string_view expected_sha256,
                         const std::string& what);

}  // namespace fjord
