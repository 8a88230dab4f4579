// Shared helpers of the runtime benchmarks (bench/*_bench.cpp): argument parsing without a
// dependency beyond fjord_runtime, percentiles, markdown tables, temporary directories, peak
// RSS, and running one job in an embedded cluster to its end.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "actors/job_client.hpp"
#include "actors/store_workers.hpp"
#include "fjord/job_status.hpp"
#include "fjord/operator.hpp"
#include "fjord/operator_registry.hpp"

namespace fjord::bench {

using clock_type = std::chrono::steady_clock;

/// `--name value` and `--flag` arguments; anything unknown is an error naming it.
class arguments {
 public:
  arguments(int argc, char** argv) : args_(argv + 1, argv + argc) {}

  bool flag(const std::string& name) {
    auto it = std::find(args_.begin(), args_.end(), name);
    if (it == args_.end())
      return false;
    args_.erase(it);
    return true;
  }

  std::int64_t integer(const std::string& name, std::int64_t fallback) {
    auto it = std::find(args_.begin(), args_.end(), name);
    if (it == args_.end())
      return fallback;
    if (it + 1 == args_.end())
      throw std::invalid_argument(name + " needs a value");
    std::size_t used = 0;
    std::int64_t value = 0;
    try {
      value = std::stoll(*(it + 1), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != (it + 1)->size())
      throw std::invalid_argument(name + " needs an integer, got '" + *(it + 1) + "'");
    args_.erase(it, it + 2);
    return value;
  }

  std::string text(const std::string& name, const std::string& fallback) {
    auto it = std::find(args_.begin(), args_.end(), name);
    if (it == args_.end())
      return fallback;
    if (it + 1 == args_.end())
      throw std::invalid_argument(name + " needs a value");
    auto value = *(it + 1);
    args_.erase(it, it + 2);
    return value;
  }

  /// Call after every option was taken: leftovers are typos.
  void expect_done() const {
    if (!args_.empty())
      throw std::invalid_argument("unknown argument '" + args_.front() + "'");
  }

 private:
  std::vector<std::string> args_;
};

/// The p-quantile (0..1) by nearest rank; 0 for no samples.
template <class T>
T percentile(std::vector<T> samples, double p) {
  if (samples.empty())
    return T{};
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(samples.size())));
  rank = std::clamp<std::size_t>(rank, 1, samples.size());
  return samples[rank - 1];
}

template <class T>
T median(std::vector<T> samples) {
  return percentile(std::move(samples), 0.5);
}

inline double micros_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
}

/// Prints a markdown table; every row has as many cells as the header.
inline void print_table(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  auto line = [](const std::vector<std::string>& cells) {
    std::string s = "|";
    for (auto& c : cells)
      s += " " + c + " |";
    std::printf("%s\n", s.c_str());
  };
  line(header);
  std::string sep = "|";
  for (std::size_t i = 0; i < header.size(); ++i)
    sep += "---|";
  std::printf("%s\n", sep.c_str());
  for (auto& r : rows)
    line(r);
  std::fflush(stdout);
}

/// "1,234,567"
inline std::string thousands(std::int64_t n) {
  auto digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

/// A fresh directory, removed with everything in it when the object goes away.
class temp_dir {
 public:
  explicit temp_dir(const std::string& prefix) {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path()
            / (prefix + "-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

/// A sink that drops every record and snapshots 8 bytes: the benchmarks' "bench_null" operator.
class null_sink : public stream_operator {
 public:
  void process(const record&, collector&) override { ++seen_; }
  std::string snapshot(std::int64_t) override { return std::string(8, '\0'); }

 private:
  std::int64_t seen_ = 0;
};

inline void register_null_sink() {
  operator_descriptor d;
  d.name = "bench_null";
  d.role = operator_role::sink;
  d.description = "drops every record (benchmarks)";
  d.validate = [](const operator_params& p) { p.allow_only({}); };
  d.create = [] { return std::make_unique<null_sink>(); };
  operator_registry::global().add(std::move(d));
}

/// A field of /proc/self/status in kB ("VmHWM", "VmRSS"); -1 if missing.
inline std::int64_t proc_status_kb(const std::string& field) {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, field.size() + 1, field + ":") == 0)
      return std::strtoll(line.c_str() + field.size() + 1, nullptr, 10);
  return -1;
}

/// Polls the job every `poll` until it is globally terminal or suspended; throws on a
/// failed status request or after `timeout`.
inline job_status_report wait_for_end(job_client& client, const std::string& job_id,
                                      std::chrono::milliseconds timeout,
                                      std::chrono::milliseconds poll = std::chrono::milliseconds(5)) {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    auto report = client.status(job_id);
    if (!report)
      throw std::runtime_error("status request failed: " + describe(report.error()));
    if (is_globally_terminal(report->state) || report->state == job_state::suspended)
      return *report;
    if (clock_type::now() > deadline)
      throw std::runtime_error(fmt::format(
        "job did not end in time: {}, records in {} out {}, checkpoints {} completed {} failed, "
        "tasks running {} of {}, restarts {}{}",
        to_string(report->state), report->records_in, report->records_out,
        report->checkpoints_completed, report->checkpoints_failed, report->tasks_running,
        report->tasks_total, report->restarts,
        report->failure.empty() ? "" : ", last failure: " + report->failure));
    std::this_thread::sleep_for(poll);
  }
}

/// Runs a benchmark body, turning exceptions into one line and exit code 1.
template <class F>
int guarded_main(const char* name, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return 1;
  }
}

}  // namespace fjord::bench
