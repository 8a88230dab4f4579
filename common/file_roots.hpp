// The directories a job may read and write files in (`taskmanager.file-roots`): a job path
// (an operator parameter its descriptor lists in path_params, e.g. file_lines.path or
// transactional_file.output_dir) must resolve to one of them or below. Checked by the
// JobManager on every graph it admits and again by the task that opens the path.
//
// Paths are resolved with realpath(3), so `..`, `.` and symlinks cannot lead out; a path that
// does not exist yet (a sink's output_dir) is resolved through its nearest existing parent, and
// what follows it may not contain `.` or `..`. `/data` does not contain `/database`.
//
// No roots: anywhere (the process's own permissions are the only limit). Immutable after
// construction; safe to share between threads.
#pragma once

#include <string>
#include <vector>

namespace fjord {

class configuration;

/// The outcome of file_roots::check: the resolved path, or why the path is refused.
struct path_check {
  std::string resolved;  ///< the canonical path (realpath), when allowed
  std::string problem;   ///< one line, empty when allowed
  explicit operator bool() const { return problem.empty(); }
};

class file_roots {
 public:
  /// Anywhere.
  file_roots() = default;

  /// Each directory must be absolute and exist; stored resolved. Throws config_error naming
  /// `taskmanager.file-roots` and the directory otherwise.
  explicit file_roots(const std::vector<std::string>& dirs);

  /// From `taskmanager.file-roots` (comma separated); unset or empty: anywhere.
  static file_roots from(const configuration& config);

  bool unrestricted() const { return roots_.empty(); }
  const std::vector<std::string>& roots() const { return roots_; }
  /// "/data, /srv/in" for messages.
  std::string describe() const;

  /// Whether `path` lies within a root. Unrestricted: allowed as it is (not resolved).
  path_check check(const std::string& path) const;

 private:
  std::vector<std::string> roots_;
};

}  // namespace fjord
