// Every configuration key Fjord reads, with a one-line description, in one list: loading a
// configuration (configuration::load_file, apply_overrides) rejects a key that is not in it,
// since an unknown key is almost always a typo that would otherwise be ignored in silence
// (`execution.checkpointing.intreval=5` ran with checkpointing off). A key that another tool
// shares the file with passes when it starts with one of the prefixes listed (comma separated)
// in `config.allowed-prefixes`, e.g. `config.allowed-prefixes: myapp.,logging.`.
//
// A new key is added here in the same change that reads it; tests/unit/config_keys_test.cpp
// checks that the README's configuration table lists no key that is missing here.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace fjord {

struct config_key_info {
  const char* name;         ///< e.g. "execution.checkpointing.interval"
  const char* description;  ///< one line: what it sets and its default
};

/// The key whose value lists the prefixes of other tools' keys (comma separated).
inline constexpr const char* allowed_prefixes_key = "config.allowed-prefixes";

/// Every key Fjord reads, sorted by name.
const std::vector<config_key_info>& known_config_keys();

bool is_known_config_key(const std::string& key);

/// The known key nearest to `key` by edit distance (a swap of two neighbouring characters
/// counts as one edit), when it is near enough to be a typo of it.
std::optional<std::string> closest_config_key(const std::string& key);

/// The prefixes of a `config.allowed-prefixes` value: split at commas, blanks trimmed, empty
/// entries dropped.
std::vector<std::string> parse_allowed_prefixes(const std::string& text);

/// Throws config_error for the first of `keys` that is neither known nor starts with one of
/// `allowed_prefixes`: "<context>unknown configuration key 'k' (did you mean 'known.k'?)".
/// `context` prefixes the message, e.g. "configuration file fjord.yaml: " (or "").
void check_config_keys(const std::vector<std::string>& keys,
                       const std::vector<std::string>& allowed_prefixes,
                       const std::string& context = "");

}  // namespace fjord
