// Flat configuration keys in the spirit of Flink 0.10 (`recovery.mode`,
// `recovery.zookeeper.quorum`, `execution.checkpointing.interval`, ...), read from a YAML file
// of `key: value` lines and overridden with `-D key=value`. Defaults make embedded mode work
// with no file at all. Errors name the key and the problem in one line (config_error).
//
// Loading refuses a key Fjord does not know (a typo would be ignored in silence otherwise):
//   unknown configuration key 'execution.checkpointing.intreval' (did you mean
//   'execution.checkpointing.interval'?)
// Keys of other tools that share the file pass when they start with one of the prefixes of
// `config.allowed-prefixes` (comma separated, e.g. `config.allowed-prefixes: myapp.,logging.`).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fjord {

class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class configuration {
 public:
  /// Loads a flat YAML mapping. Throws config_error for a missing or malformed file, or an
  /// unknown key (allowed prefixes: the file's own config.allowed-prefixes).
  static configuration load_file(const std::string& path);

  /// Applies "key=value" overrides (the -D options). Throws config_error, applying none, if one
  /// has no '=' or an unknown key (allowed prefixes: those of the overrides, else this
  /// configuration's).
  void apply_overrides(const std::vector<std::string>& overrides);

  /// Throws config_error for the first unknown key (set() does not check; the services check
  /// the configuration they are given).
  void check_keys() const;

  void set(const std::string& key, const std::string& value) { values_[key] = value; }
  bool has(const std::string& key) const { return values_.count(key) > 0; }
  std::optional<std::string> find(const std::string& key) const;

  std::string get_string(const std::string& key, const std::string& fallback) const;
  /// Throws config_error naming the key if it is missing or empty.
  std::string get_required(const std::string& key, const std::string& hint) const;
  std::int64_t get_int(const std::string& key, std::int64_t fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  double get_double(const std::string& key, double fallback) const;
  /// Durations: "500", "500ms", "2s", "1min" (a bare number is milliseconds).
  std::chrono::milliseconds get_duration(const std::string& key,
                                         std::chrono::milliseconds fallback) const;

  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::vector<std::string> allowed_prefixes() const;

  std::map<std::string, std::string> values_;
};

/// Parses "500", "500ms", "2s", "1min", "1h". Throws config_error mentioning `key`.
std::chrono::milliseconds parse_duration(const std::string& key, const std::string& text);

}  // namespace fjord
