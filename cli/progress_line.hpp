// The live progress line of `fjord run` / `fjord submit`, and an spdlog sink that clears it
// before a log line is written, so logs and progress don't garble each other. On a terminal the
// line is redrawn in place; otherwise a plain line is printed every few seconds.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "fjord/job_status.hpp"

namespace fjord {

class progress_line {
 public:
  explicit progress_line(bool enabled);

  /// Shows the job's state; rate-limited when not on a terminal.
  void update(const job_status_report& report, int injected_failures);
  /// Removes the line (before the summary).
  void clear();

  /// Routes spdlog's default logger through a sink that clears the line first.
  void install_log_sink(const std::string& level);

 private:
  bool enabled_;
  bool tty_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_plain_{};
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// "1,234,567"
std::string with_thousands(std::int64_t n);

}  // namespace fjord
