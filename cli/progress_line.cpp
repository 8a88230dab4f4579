#include "cli/progress_line.hpp"

#include <cstdio>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace fjord {

namespace {

std::mutex terminal_mutex;
bool line_visible = false;

/// Writes log lines to stderr, first erasing a visible progress line.
class clearing_sink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::lock_guard<std::mutex> guard{terminal_mutex};
    if (line_visible) {
      std::fputs("\r\033[K", stderr);
      line_visible = false;
    }
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

std::string with_thousands(std::int64_t n) {
  auto digits = std::to_string(n < 0 ? -n : n);
  std::string result;
  int count = 0;
  for (auto i = digits.rbegin(); i != digits.rend(); ++i) {
    if (count > 0 && count % 3 == 0)
      result.insert(result.begin(), ',');
    result.insert(result.begin(), *i);
    ++count;
  }
  return n < 0 ? "-" + result : result;
}

progress_line::progress_line(bool enabled) : enabled_(enabled), tty_(isatty(STDERR_FILENO) != 0) {
}

void progress_line::update(const job_status_report& r, int injected_failures) {
  if (!enabled_)
    return;
  auto now = std::chrono::steady_clock::now();
  auto elapsed = std::chrono::duration<double>(now - start_).count();
  auto text = fmt::format("[{:6.1f}s] {:<10} in {:>11}  out {:>11}  checkpoints {:>4}  restarts {}",
                          elapsed, to_string(r.state), with_thousands(r.records_in),
                          with_thousands(r.records_out), r.checkpoints_completed, r.restarts);
  if (injected_failures > 0)
    text += fmt::format(" ({} injected)", injected_failures);
  if (r.state == job_state::restarting && !r.failure.empty()) {
    // Why it restarts, e.g. "no slots: the job needs 9, 4 free": cut to fit a terminal line.
    constexpr std::size_t max_cause = 100;
    text += " after: " + (r.failure.size() > max_cause ? r.failure.substr(0, max_cause) + "..."
                                                          : r.failure);
  }
  std::lock_guard<std::mutex> guard{terminal_mutex};
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
    line_visible = true;
    shown_ = true;
  } else if (now - last_plain_ >= std::chrono::seconds(2)) {
    std::fprintf(stderr, "%s\n", text.c_str());
    last_plain_ = now;
  }
}

void progress_line::clear() {
  std::lock_guard<std::mutex> guard{terminal_mutex};
  if (line_visible) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    line_visible = false;
  }
}

void progress_line::install_log_sink(const std::string& level) {
  auto sink = std::make_shared<clearing_sink>();
  sink->set_pattern("%H:%M:%S.%e %^%-5l%$ %v");
  auto logger = std::make_shared<spdlog::logger>("fjord", sink);
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace fjord
