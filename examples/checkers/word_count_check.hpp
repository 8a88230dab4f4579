// The logic of check_word_count: verifies the committed output of the word-count job
// (examples/jobs/word_count.json), whose lines are "word count".
//
// Passes when, for each word of the input (split exactly as the tokenize operator does), the
// committed counts are exactly 1..total, each once (a running count emits every value on the
// way), and no line names a word that the input does not contain.
#pragma once

#include <algorithm>
#include <map>

#include "examples/checkers/checker_support.hpp"
#include "operators/tokenize.hpp"

namespace fjord::checkers {

struct word_count_params {
  std::string input;
  std::string output_dir;
};

/// path of the "file_lines" vertex, output_dir of "transactional_file".
inline word_count_params word_count_params_from(const job_graph& graph) {
  word_count_params p;
  p.input = params_of_operator(graph, "file_lines").at("path");
  p.output_dir = params_of_operator(graph, "transactional_file").at("output_dir");
  return p;
}

/// Word -> number of occurrences in the file at `path`.
inline std::map<std::string, std::int64_t> count_words_of_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw usage_error("cannot read input file '" + path + "'");
  std::map<std::string, std::int64_t> totals;
  for (std::string line; std::getline(in, line);)
    for (auto& word : tokenize_words(line))
      ++totals[word];
  return totals;
}

inline check_result check_word_count(const word_count_params& p) {
  auto totals = count_words_of_file(p.input);
  auto output = read_committed_output(p.output_dir);

  problem_list problems;
  auto malformed = problems.category("malformed lines");
  auto unknown = problems.category("unknown words");
  auto missing = problems.category("missing counts");
  auto duplicated = problems.category("duplicated counts");
  auto too_large = problems.category("counts above the word's total");

  std::map<std::string, std::vector<std::int64_t>> counts;
  for (auto& line : output.lines) {
    auto space = line.text.rfind(' ');
    std::int64_t count = 0;
    if (space == std::string::npos || space == 0 ||
        !parse_int64(std::string_view{line.text}.substr(space + 1), count) || count < 1) {
      problems.add(malformed, "'" + line.text + "' at " + line.where());
      continue;
    }
    auto word = line.text.substr(0, space);
    if (totals.count(word) == 0) {
      problems.add(unknown, "'" + word + "' at " + line.where());
      continue;
    }
    counts[word].push_back(count);
  }
  std::int64_t words = 0;
  for (auto& [word, total] : totals) {
    words += total;
    auto& seen = counts[word];
    std::sort(seen.begin(), seen.end());
    std::int64_t expected = 1;
    for (std::size_t i = 0; i < seen.size(); ++i) {
      if (seen[i] > total) {
        problems.add(too_large, "'" + word + " " + std::to_string(seen[i]) + "' (total " +
                                  std::to_string(total) + ")");
        continue;
      }
      if (i > 0 && seen[i] == seen[i - 1]) {
        problems.add(duplicated, "'" + word + " " + std::to_string(seen[i]) + "'");
        continue;
      }
      for (; expected < seen[i]; ++expected)
        problems.add(missing, "'" + word + " " + std::to_string(expected) + "'");
      expected = seen[i] + 1;
    }
    for (; expected <= total; ++expected)
      problems.add(missing, "'" + word + " " + std::to_string(expected) + "'");
  }

  check_result result;
  result.passed = problems.empty();
  auto files = " (" + std::to_string(output.files) + " files)";
  if (result.passed)
    result.verdict = "PASS: " + std::to_string(totals.size()) + " distinct words, " +
                     std::to_string(words) + " words in total, every count exactly once" + files;
  else
    result.verdict = "FAIL: " + problems.summary() + files;
  return result;
}

}  // namespace fjord::checkers
