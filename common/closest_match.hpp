// "Did you mean ...?" for names typed by people: configuration keys, failpoints, operators.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace fjord {

/// The edit distance (insertions, deletions, substitutions) between `a` and `b`.
std::size_t edit_distance(const std::string& a, const std::string& b);

/// The candidate closest to `typed`, if it is close enough to be a likely typo: at most a third
/// of the typed length away (at least 2 edits allowed).
std::optional<std::string> closest_match(const std::string& typed,
                                         const std::vector<std::string>& candidates);

}  // namespace fjord
