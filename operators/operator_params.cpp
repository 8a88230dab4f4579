// Field-naming accessors of operator parameters (see operator_params.hpp).
#include "fjord/operator_params.hpp"

#include <algorithm>

#include "fjord/spec_error.hpp"

namespace fjord {

operator_params::operator_params(nlohmann::json params, std::string path)
  : params_(std::move(params)), path_(std::move(path)) {
  if (params_.is_null())
    params_ = nlohmann::json::object();
  if (!params_.is_object())
    throw spec_error(path_, "must be an object, got " + params_.dump());
}

bool operator_params::has(const std::string& key) const {
  return params_.contains(key);
}

void operator_params::fail(const std::string& key, const std::string& problem) const {
  throw spec_error(path_ + "." + key, problem);
}

std::int64_t operator_params::get_int(const std::string& key) const {
  auto i = params_.find(key);
  if (i == params_.end())
    fail(key, "missing parameter");
  if (!i->is_number_integer())
    fail(key, "must be an integer, got " + i->dump());
  if (i->is_number_unsigned() && i->get<std::uint64_t>() > std::uint64_t{INT64_MAX})
    fail(key, "must fit in a signed 64-bit integer, got " + i->dump());
  return i->get<std::int64_t>();
}

std::int64_t operator_params::get_int(const std::string& key, std::int64_t fallback) const {
  return has(key) ? get_int(key) : fallback;
}

std::int64_t operator_params::get_int_at_least(const std::string& key, std::int64_t min) const {
  auto i = params_.find(key);
  if (i == params_.end())
    fail(key, "missing parameter");
  auto problem = "must be an integer >= " + std::to_string(min) + ", got " + i->dump();
  if (!i->is_number_integer())
    fail(key, problem);
  if (i->is_number_unsigned() && i->get<std::uint64_t>() > std::uint64_t{INT64_MAX})
    fail(key, problem);
  auto value = i->get<std::int64_t>();
  if (value < min)
    fail(key, problem);
  return value;
}

std::int64_t operator_params::get_int_at_least(const std::string& key, std::int64_t min,
                                               std::int64_t fallback) const {
  return has(key) ? get_int_at_least(key, min) : fallback;
}

double operator_params::get_double(const std::string& key, double fallback) const {
  auto i = params_.find(key);
  if (i == params_.end())
    return fallback;
  if (!i->is_number())
    fail(key, "must be a number, got " + i->dump());
  return i->get<double>();
}

bool operator_params::get_bool(const std::string& key, bool fallback) const {
  auto i = params_.find(key);
  if (i == params_.end())
    return fallback;
  if (!i->is_boolean())
    fail(key, "must be true or false, got " + i->dump());
  return i->get<bool>();
}

std::string operator_params::get_string(const std::string& key) const {
  auto i = params_.find(key);
  if (i == params_.end())
    fail(key, "missing parameter");
  if (!i->is_string())
    fail(key, "must be a string, got " + i->dump());
  return i->get<std::string>();
}

std::string operator_params::get_string(const std::string& key,
                                        const std::string& fallback) const {
  return has(key) ? get_string(key) : fallback;
}

void operator_params::allow_only(const std::vector<std::string>& known) const {
  for (auto& [key, value] : params_.items()) {
    (void)value;
    if (std::find(known.begin(), known.end(), key) != known.end())
      continue;
    std::string expected;
    for (auto& k : known)
      expected += (expected.empty() ? "" : ", ") + k;
    fail(key, known.empty() ? "unknown parameter (this operator takes none)"
                            : "unknown parameter (expected one of: " + expected + ")");
  }
}

}  // namespace fjord
