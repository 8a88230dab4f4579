// Read access to an operator's JSON parameters, with errors that name the field, e.g.
// "vertices[1].params.keys: must be an integer >= 1".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fjord {

class operator_params {
 public:
  operator_params() = default;
  /// `path` names the object in error messages, e.g. "vertices[1].params".
  operator_params(nlohmann::json params, std::string path);

  const nlohmann::json& json() const { return params_; }
  const std::string& path() const { return path_; }
  bool has(const std::string& key) const;

  /// Throw spec_error naming the field when missing or of the wrong type.
  std::int64_t get_int(const std::string& key) const;
  std::int64_t get_int(const std::string& key, std::int64_t fallback) const;
  double get_double(const std::string& key, double fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  std::string get_string(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;

  /// Integers with a lower bound: "must be an integer >= 1, got \"x\"".
  std::int64_t get_int_at_least(const std::string& key, std::int64_t min) const;
  std::int64_t get_int_at_least(const std::string& key, std::int64_t min,
                                std::int64_t fallback) const;

  /// Rejects keys not in `known` ("<path>.<key>: unknown parameter (expected one of: ...)"),
  /// so that a typo in a job spec is an error instead of a silently ignored parameter.
  void allow_only(const std::vector<std::string>& known) const;

  /// Throws spec_error "<path>.<key>: <problem>".
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

 private:
  nlohmann::json params_ = nlohmann::json::object();
  std::string path_ = "params";
};

}  // namespace fjord
