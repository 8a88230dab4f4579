#include "common/file_roots.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <sys/stat.h>

#include "fjord/configuration.hpp"

namespace fjord {

namespace {

constexpr const char* roots_key = "taskmanager.file-roots";

/// realpath(3) of `path`, or nothing with errno set.
std::optional<std::string> real_path(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved{::realpath(path.c_str(), nullptr),
                                                       &std::free};
  if (!resolved)
    return std::nullopt;
  return std::string{resolved.get()};
}

bool within(const std::string& path, const std::string& root) {
  if (root == "/")
    return true;
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0
                          && path[root.size()] == '/');
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

file_roots::file_roots(const std::vector<std::string>& dirs) {
  for (auto& dir : dirs) {
    if (dir.empty() || dir.front() != '/')
      throw config_error(std::string{roots_key} + ": '" + dir + "' is not an absolute path");
    auto resolved = real_path(dir);
    if (!resolved)
      throw config_error(std::string{roots_key} + ": '" + dir + "': " + std::strerror(errno));
    struct stat st {};
    if (::stat(resolved->c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw config_error(std::string{roots_key} + ": '" + dir + "' is not a directory");
    roots_.push_back(*resolved);
  }
}

file_roots file_roots::from(const configuration& config) {
  std::vector<std::string> dirs;
  auto text = config.get_string(roots_key, "");
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto item = trim(text.substr(start, comma == std::string::npos ? std::string::npos
                                                                    : comma - start));
    if (!item.empty())
      dirs.push_back(item);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return file_roots{dirs};
}

std::string file_roots::describe() const {
  std::string result;
  for (auto& root : roots_)
    result += (result.empty() ? "" : ", ") + root;
  return result;
}

path_check file_roots::check(const std::string& path) const {
  if (roots_.empty())
    return {path, {}};
  auto refuse = [&](const std::string& why) {
    return path_check{{}, "'" + path + "' " + why};
  };
  if (path.empty() || path.front() != '/')
    return refuse("is not an absolute path (taskmanager.file-roots is set)");
  if (path.find('\0') != std::string::npos)
    return refuse("contains a NUL character");
  // The longest prefix that exists is resolved; the rest is created later (a sink's directory)
  // and may not climb out again.
  std::string existing = path;
  std::string rest;
  std::optional<std::string> resolved;
  for (;;) {
    resolved = real_path(existing);
    if (resolved)
      break;
    if (errno != ENOENT)
      return refuse(std::string{"cannot be resolved: "} + std::strerror(errno));
    struct stat link {};
    if (::lstat(existing.c_str(), &link) == 0)  // there, yet unresolvable: a dangling symlink
      return refuse("leads through the dangling symlink '" + existing + "'");
    while (existing.size() > 1 && existing.back() == '/')
      existing.pop_back();
    auto slash = existing.rfind('/');
    auto component = existing.substr(slash + 1);
    if (component == "." || component == "..")
      return refuse("has '" + component + "' after its last existing directory");
    rest = component + (rest.empty() ? "" : "/" + rest);
    existing = slash == 0 ? "/" : existing.substr(0, slash);
  }
  auto full = rest.empty() ? *resolved : (*resolved == "/" ? "/" : *resolved + "/") + rest;
  for (auto& root : roots_)
    if (within(full, root))
      return {full, {}};
  return refuse("is outside taskmanager.file-roots (" + describe() + ")"
                + (full != path ? ": it resolves to '" + full + "'" : ""));
}

}  // namespace fjord
