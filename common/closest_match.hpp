// "Did you mean ...?" for names typed by people: configuration keys, failpoints, operators.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace fjord {

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbouring characters (the commonest typo: "intreval") each cost one.
std::size_t edit_distance(const std::string& a, const std::string& b);

/// The candidate closest to `typed`, if it is close enough to be a likely typo: at most
/// max(2, length / 5) edits away.
std::optional<std::string> closest_match(const std::string& typed,
                                         const std::vector<std::string>& candidates);

}  // namespace fjord
