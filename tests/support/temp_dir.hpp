// The one temporary directory of the tests: fresh, unique across processes and test runs, and
// removed with everything in it when the object goes away.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include <stdlib.h>
#include <unistd.h>

namespace fjord::testing {

/// On /dev/shm where there is one: the stores fsync every file, which costs milliseconds per
/// file on a disk. Not copyable: one owner removes it.
class temp_dir {
 public:
  explicit temp_dir(const std::string& prefix = "fjord-test") {
    std::error_code ec;
    auto parent = std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
                    ? std::filesystem::path{"/dev/shm"}
                    : std::filesystem::temp_directory_path();
    std::string pattern = (parent / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("temp_dir: mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  /// The path of `name` inside the directory (not created).
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace fjord::testing
