// Source "file_lines": the lines of one text file, split over subtasks by byte ranges.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "operators/builtin_operators.hpp"
#include "operators/rate_limiter.hpp"
#include "fjord/state_bytes.hpp"

namespace fjord {

namespace {

void validate_file_lines(const operator_params& p) {
  p.allow_only({"path", "rate_per_subtask"});
  auto path = p.get_string("path");
  if (path.empty())
    p.fail("path", "must not be empty");
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(status))
    p.fail("path", "'" + path + "' is a directory, expected a text file");
  // Opening a FIFO or a device would block the validating thread (the JobManager's) for good.
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    p.fail("path", "'" + path + "' is not a regular file");
  std::ifstream in{path, std::ios::binary};
  if (!in)
    p.fail("path", "cannot read file '" + path + "': " + std::strerror(errno));
  if (p.get_double("rate_per_subtask", 0) < 0)
    p.fail("rate_per_subtask", "must be >= 0 (0 = unlimited)");
}

class file_lines_source : public source_operator {
 public:
  void open(const operator_context& ctx) override {
    path_ = ctx.params.get_string("path");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path_, ec))
      throw std::runtime_error("file_lines: '" + path_ + "' is not a regular file");
    in_.open(path_, std::ios::binary);
    if (!in_)
      throw std::runtime_error("file_lines: cannot read file '" + path_ + "'");
    auto size = static_cast<std::int64_t>(std::filesystem::file_size(path_));
    std::int64_t p = ctx.parallelism < 1 ? 1 : ctx.parallelism;
    // Subtask i owns the lines whose first byte lies in [lo, hi).
    begin_ = size * ctx.subtask / p;
    end_ = size * (ctx.subtask + 1) / p;
    limiter_ = rate_limiter{ctx.params.get_double("rate_per_subtask", 0)};
  }

  void restore(const std::string& bytes, std::int64_t) override {
    auto offset = from_bytes<std::int64_t>(bytes);
    if (offset < 0)
      throw std::runtime_error("file_lines: restored offset " + std::to_string(offset) +
                               " is negative");
    offset_ = offset;
    started_ = true;
    positioned_ = false;
  }

  std::string snapshot(std::int64_t) override {
    ensure_started();
    return to_bytes(offset_);
  }

  poll_result poll(collector& out, std::size_t max_records) override {
    ensure_started();
    if (offset_ >= end_)
      return {poll_status::exhausted, {}};
    auto now = rate_limiter::clock::now();
    auto granted = limiter_.acquire(max_records, now);
    std::string line;
    for (std::size_t k = 0; k < granted && offset_ < end_; ++k) {
      if (!std::getline(in_, line)) {
        offset_ = end_;  // the file is shorter than it was at open(): nothing more to read
        break;
      }
      offset_ += static_cast<std::int64_t>(line.size()) + (in_.eof() ? 0 : 1);
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      out.emit(record::of(std::move(line)));
      line = std::string{};
    }
    if (offset_ >= end_)
      return {poll_status::exhausted, {}};
    if (granted < max_records)
      return {poll_status::idle, limiter_.wait_until_next(now)};
    return {poll_status::more, {}};
  }

 private:
  // Finds the first line of this subtask's range (unless restored) and seeks to offset_.
  void ensure_started() {
    if (!started_) {
      started_ = true;
      offset_ = begin_;
      if (begin_ > 0) {
        // A line starts at x when x == 0 or byte x-1 is '\n': skip the rest of the line that
        // holds byte begin_-1; it belongs to the previous subtask.
        in_.seekg(begin_ - 1);
        std::string partial;
        std::getline(in_, partial);
        offset_ = begin_ - 1 + static_cast<std::int64_t>(partial.size()) + (in_.eof() ? 0 : 1);
      }
      positioned_ = false;
    }
    if (!positioned_) {
      in_.clear();
      in_.seekg(offset_);
      positioned_ = true;
    }
  }

  std::string path_;
  std::ifstream in_;
  std::int64_t begin_ = 0;
  std::int64_t end_ = 0;
  std::int64_t offset_ = 0;  ///< byte offset of the next line to emit
  bool started_ = false;     ///< offset_ is set (by restore() or the first poll/snapshot)
  bool positioned_ = false;
  rate_limiter limiter_;
};

}  // namespace

operator_descriptor file_lines_source_descriptor() {
  operator_descriptor d;
  d.name = "file_lines";
  d.role = operator_role::source;
  d.description = "the lines of a text file (params path, rate_per_subtask), split by bytes";
  d.validate = validate_file_lines;
  d.path_params = {"path"};
  d.create = [] { return std::make_unique<file_lines_source>(); };
  d.blocking = true;  // reads the file
  return d;
}

}  // namespace fjord
