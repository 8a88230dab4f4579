#include "fjord/configuration.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/config_keys.hpp"

namespace fjord {

namespace {

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

}  // namespace

configuration configuration::load_file(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw config_error(fmt::format("configuration file {}: cannot be read", path));
  } catch (const YAML::Exception& e) {
    throw config_error(fmt::format("configuration file {}: line {}: {}", path, e.mark.line + 1,
                                   e.msg));
  }
  configuration result;
  if (root.IsNull())
    return result;
  std::vector<std::string> keys;  // in file order, so the first unknown one is reported
  if (!root.IsMap())
    throw config_error(fmt::format("configuration file {}: expected 'key: value' lines", path));
  for (auto it = root.begin(); it != root.end(); ++it) {
    auto key = it->first.as<std::string>();
    if (!it->second.IsScalar())
      throw config_error(fmt::format("configuration file {}: {}: expected a single value, "
                                     "write nested keys flat (a.b.c: value)",
                                     path, key));
    result.values_[key] = it->second.as<std::string>();
    keys.push_back(key);
  }
  check_config_keys(keys, result.allowed_prefixes(),
                    fmt::format("configuration file {}: ", path));
  return result;
}

void configuration::apply_overrides(const std::vector<std::string>& overrides) {
  std::vector<std::string> keys;
  for (auto& item : overrides) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw config_error(fmt::format("-D {}: expected key=value", item));
    keys.push_back(trim(item.substr(0, eq)));
  }
  // Checked before any is applied: a refused override changes nothing.
  auto prefixes = allowed_prefixes();
  for (auto& item : overrides)
    if (trim(item.substr(0, item.find('='))) == allowed_prefixes_key)
      prefixes = parse_allowed_prefixes(item.substr(item.find('=') + 1));
  check_config_keys(keys, prefixes);
  for (auto& item : overrides) {
    auto eq = item.find('=');
    values_[trim(item.substr(0, eq))] = trim(item.substr(eq + 1));
  }
}

void configuration::check_keys() const {
  std::vector<std::string> keys;
  for (auto& [key, value] : values_)
    keys.push_back(key);
  check_config_keys(keys, allowed_prefixes());
}

std::vector<std::string> configuration::allowed_prefixes() const {
  return parse_allowed_prefixes(get_string(allowed_prefixes_key, ""));
}

std::optional<std::string> configuration::find(const std::string& key) const {
  auto i = values_.find(key);
  if (i == values_.end())
    return std::nullopt;
  return i->second;
}

std::string configuration::get_string(const std::string& key, const std::string& fallback) const {
  auto v = find(key);
  return v ? *v : fallback;
}

std::string configuration::get_required(const std::string& key, const std::string& hint) const {
  auto v = find(key);
  if (!v || trim(*v).empty())
    throw config_error(fmt::format("{} is not set: {}", key, hint));
  return *v;
}

std::int64_t configuration::get_int(const std::string& key, std::int64_t fallback) const {
  auto v = find(key);
  if (!v)
    return fallback;
  try {
    std::size_t used = 0;
    auto result = std::stoll(*v, &used);
    if (used != v->size())
      throw std::invalid_argument("trailing characters");
    return result;
  } catch (const std::exception&) {
    throw config_error(fmt::format("{}: expected an integer, got '{}'", key, *v));
  }
}

bool configuration::get_bool(const std::string& key, bool fallback) const {
  auto v = find(key);
  if (!v)
    return fallback;
  auto s = *v;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "true" || s == "yes" || s == "on" || s == "1")
    return true;
  if (s == "false" || s == "no" || s == "off" || s == "0")
    return false;
  throw config_error(fmt::format("{}: expected true or false, got '{}'", key, *v));
}

double configuration::get_double(const std::string& key, double fallback) const {
  auto v = find(key);
  if (!v)
    return fallback;
  try {
    std::size_t used = 0;
    auto result = std::stod(*v, &used);
    if (used != v->size())
      throw std::invalid_argument("trailing characters");
    return result;
  } catch (const std::exception&) {
    throw config_error(fmt::format("{}: expected a number, got '{}'", key, *v));
  }
}

std::chrono::milliseconds configuration::get_duration(const std::string& key,
                                                      std::chrono::milliseconds fallback) const {
  auto v = find(key);
  if (!v)
    return fallback;
  return parse_duration(key, *v);
}

std::chrono::milliseconds parse_duration(const std::string& key, const std::string& text) {
  auto s = trim(text);
  std::size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits])))
    ++digits;
  if (digits == 0)
    throw config_error(fmt::format("{}: expected a duration like 500ms, 2s or 1min, got '{}'",
                                   key, text));
  auto amount = std::stoll(s.substr(0, digits));
  auto unit = trim(s.substr(digits));
  if (unit.empty() || unit == "ms")
    return std::chrono::milliseconds{amount};
  if (unit == "s")
    return std::chrono::seconds{amount};
  if (unit == "min")
    return std::chrono::minutes{amount};
  if (unit == "h")
    return std::chrono::hours{amount};
  throw config_error(fmt::format("{}: unknown duration unit '{}' (use ms, s, min or h)", key,
                                 unit));
}

}  // namespace fjord
