// The logic of check_exactly_once_sum: verifies the committed output of the exactly-once sum
// job (examples/jobs/exactly_once_sum.json), whose lines are "key value running_sum".
//
// Passes when every value of from..to appears exactly once, each line's key is value mod keys,
// and per key the running sums, in increasing order, each add that line's value to the previous
// one (starting from 0) and end at the sum of the key's values. The ordering by running sum
// needs non-negative values, so from must be >= 0.
#pragma once

#include <algorithm>
#include <map>

#include "examples/checkers/checker_support.hpp"

namespace fjord::checkers {

struct exactly_once_sum_params {
  std::string output_dir;
  std::int64_t from = 1;
  std::int64_t to = 0;
  std::int64_t keys = 1;
};

/// from/to of the "sequence" vertex, keys of "keyed_sum", output_dir of "transactional_file".
inline exactly_once_sum_params exactly_once_sum_params_from(const job_graph& graph) {
  exactly_once_sum_params p;
  auto sequence = params_of_operator(graph, "sequence");
  p.from = sequence.at("from").get<std::int64_t>();
  p.to = sequence.at("to").get<std::int64_t>();
  p.keys = params_of_operator(graph, "keyed_sum").at("keys").get<std::int64_t>();
  p.output_dir = params_of_operator(graph, "transactional_file").at("output_dir");
  return p;
}

inline check_result check_exactly_once_sum(const exactly_once_sum_params& p) {
  if (p.keys < 1)
    throw usage_error("keys must be >= 1, got " + std::to_string(p.keys));
  if (p.from < 0)
    throw usage_error("from must be >= 0 (running sums are ordered by size), got " +
                      std::to_string(p.from));
  if (p.to < p.from || p.to - p.from >= 100'000'000)
    throw usage_error("from..to must hold 1 to 100000000 values, got " + std::to_string(p.from) +
                      ".." + std::to_string(p.to));
  auto output = read_committed_output(p.output_dir);

  problem_list problems;
  auto missing = problems.category("missing values");
  auto duplicated = problems.category("duplicated values");
  auto malformed = problems.category("malformed lines");
  auto out_of_range = problems.category("values out of range");
  auto wrong_key = problems.category("lines with a wrong key");
  auto wrong_sum = problems.category("wrong running sums");
  auto wrong_total = problems.category("keys whose last running sum is not their total");

  struct entry {
    std::int64_t running_sum;
    std::int64_t value;
    const output_line* line;
  };
  std::map<std::int64_t, std::vector<entry>> by_key;
  std::vector<std::uint32_t> seen(static_cast<std::size_t>(p.to - p.from + 1), 0);
  for (auto& line : output.lines) {
    auto fields = split_fields(line.text);
    std::int64_t key = 0, value = 0, running_sum = 0;
    if (fields.size() != 3 || !parse_int64(fields[0], key) || !parse_int64(fields[1], value) ||
        !parse_int64(fields[2], running_sum)) {
      problems.add(malformed, "'" + line.text + "' at " + line.where());
      continue;
    }
    if (value < p.from || value > p.to) {
      problems.add(out_of_range, std::to_string(value) + " at " + line.where());
      continue;
    }
    if (key != value % p.keys) {
      problems.add(wrong_key, "'" + line.text + "' at " + line.where() + ": " +
                                std::to_string(value) + " mod " + std::to_string(p.keys) +
                                " is " + std::to_string(value % p.keys));
      continue;
    }
    ++seen[static_cast<std::size_t>(value - p.from)];
    by_key[key].push_back({running_sum, value, &line});
  }
  for (std::size_t i = 0; i < seen.size(); ++i) {
    auto value = std::to_string(p.from + static_cast<std::int64_t>(i));
    if (seen[i] == 0)
      problems.add(missing, value);
    else if (seen[i] > 1)
      problems.add(duplicated, value + " x" + std::to_string(seen[i]));
  }
  for (auto& [key, entries] : by_key) {
    // Equal running sums only come from a value 0 after its predecessor: larger value first.
    std::sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) {
      return a.running_sum != b.running_sum ? a.running_sum < b.running_sum : a.value > b.value;
    });
    std::int64_t previous = 0, total = 0;
    for (auto& e : entries) {
      total += e.value;
      if (e.running_sum != previous + e.value)
        problems.add(wrong_sum, "'" + e.line->text + "' at " + e.line->where() + ": expected " +
                                  std::to_string(previous + e.value) + " = " +
                                  std::to_string(previous) + " + " + std::to_string(e.value));
      previous = e.running_sum;
    }
    if (previous != total)
      problems.add(wrong_total, "key " + std::to_string(key) + ": last " +
                                  std::to_string(previous) + ", total " + std::to_string(total));
  }

  check_result result;
  result.passed = problems.empty();
  auto files = " (" + std::to_string(output.files) + " files)";
  if (result.passed)
    result.verdict = "PASS: " + std::to_string(seen.size()) + " values exactly once, " +
                     std::to_string(by_key.size()) + " keys, prefix sums exact" + files;
  else
    result.verdict = "FAIL: " + problems.summary() + files;
  return result;
}

}  // namespace fjord::checkers
