// The word splitting of the "tokenize" operator, shared with the word-count checker so both
// agree on what a word is: a maximal run of ASCII letters and digits, lower-cased.
#pragma once

#include <string>
#include <vector>

namespace fjord {

std::vector<std::string> tokenize_words(const std::string& line);

}  // namespace fjord
