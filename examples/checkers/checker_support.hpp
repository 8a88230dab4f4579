// What the example checkers share: reading the committed output of a transactional_file sink,
// collecting problems into a one-line verdict, and taking parameters out of a job spec.
// Header-only so that each checker stays one .cpp (its own executable) and the unit tests can
// include the logic directly.
#pragma once

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/job_graph.hpp"
#include "operators/transactional_file_sink.hpp"

namespace fjord::checkers {

/// Bad arguments, an unusable spec or a missing output directory: the checker cannot give a
/// verdict (exit code 2).
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One committed output line and where it came from, for error messages.
struct output_line {
  std::string text;
  std::string file;  ///< file name without the directory
  std::size_t number = 0;  ///< 1-based line number in the file

  std::string where() const { return file + ":" + std::to_string(number); }
};

struct committed_output {
  std::vector<output_line> lines;
  std::size_t files = 0;
};

/// Every line of every committed file (regular, name not starting with '.') in `dir`.
inline committed_output read_committed_output(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw usage_error("output directory '" + dir + "' does not exist (has the job run?)");
  committed_output result;
  for (auto& path : committed_output_files(dir)) {
    std::ifstream in{path, std::ios::binary};
    if (!in)
      throw usage_error("cannot read output file '" + path.string() + "'");
    ++result.files;
    std::size_t number = 0;
    for (std::string text; std::getline(in, text);)
      result.lines.push_back({std::move(text), path.filename().string(), ++number});
  }
  return result;
}

inline bool parse_int64(std::string_view text, std::int64_t& value) {
  if (text.empty())
    return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size();
}

/// The fields of a line separated by single spaces ("a  b" has an empty middle field).
inline std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    auto space = text.find(' ', start);
    fields.push_back(text.substr(start, space == text.npos ? text.npos : space - start));
    if (space == text.npos)
      return fields;
    start = space + 1;
  }
}

/// Collects problems by category; the verdict names the count and the first few of each.
class problem_list {
 public:
  /// Starts a category, e.g. ("missing values", "first"); returns its index.
  std::size_t category(std::string name) {
    categories_.push_back({std::move(name), 0, {}});
    return categories_.size() - 1;
  }

  void add(std::size_t category, std::string example) {
    auto& c = categories_[category];
    if (c.examples.size() < max_examples)
      c.examples.push_back(std::move(example));
    ++c.count;
  }

  bool empty() const {
    for (auto& c : categories_)
      if (c.count > 0)
        return false;
    return true;
  }

  std::size_t count(std::size_t category) const { return categories_[category].count; }

  /// "3 missing values (5, 6, 7); 1 malformed line ('x y' at part-..:4)".
  std::string summary() const {
    std::string result;
    for (auto& c : categories_) {
      if (c.count == 0)
        continue;
      std::string examples;
      for (auto& e : c.examples)
        examples += (examples.empty() ? "" : ", ") + e;
      if (c.count > c.examples.size())
        examples += ", ...";
      result += (result.empty() ? "" : "; ") + std::to_string(c.count) + " " + c.name + " (" +
                examples + ")";
    }
    return result;
  }

 private:
  static constexpr std::size_t max_examples = 5;
  struct entry {
    std::string name;
    std::size_t count;
    std::vector<std::string> examples;
  };
  std::vector<entry> categories_;
};

struct check_result {
  bool passed = false;
  std::string verdict;  ///< "PASS: ..." or "FAIL: ..."
};

/// The parameters of the one vertex in `graph` that runs `op`.
inline nlohmann::json params_of_operator(const job_graph& graph, const std::string& op) {
  const vertex_spec* found = nullptr;
  for (auto& v : graph.vertices) {
    if (v.op != op)
      continue;
    if (found != nullptr)
      throw usage_error("the job spec has more than one '" + op + "' vertex ('" + found->id +
                        "' and '" + v.id + "'); pass the values explicitly");
    found = &v;
  }
  if (found == nullptr)
    throw usage_error("the job spec has no '" + op + "' vertex; pass the values explicitly");
  return nlohmann::json::parse(found->params_json);
}

}  // namespace fjord::checkers
