// Probe of a JobManager process: request_job_status round trips through the middleman at a
// fixed rate, each recorded with its latency and outcome, split into the series before, during
// and after a ZooKeeper freeze. bench/zk_freeze_status_bench.sh runs it against a real cluster
// and SIGSTOPs the ZooKeeper server meanwhile; the script writes the wall-clock times of its
// SIGSTOP and SIGCONT (nanoseconds since the epoch, lines "stop NS" and "cont NS") into the
// freeze file, which the probe reads once its time is up.
//
// The probe talks to one JobManager at HOST:PORT and asks it for its leader session with
// job_client::connect, not through ZooKeeper: the client must not itself depend on the server
// that is frozen. When a request is refused as fenced (the JobManager leads again, under a new
// session), it asks for the new session and goes on; "not the leader" answers are counted as
// such. Requests are sequential (one outstanding); a slow answer delays the next one, so a stall
// shows as one long sample, not as many.
//
//   cluster_status_probe --jobmanager HOST:PORT --job JOB_ID --freeze-file FILE
//                        [--seconds 15] [--interval-us 2000] [--timeout-ms 10000]
#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/sec.hpp>

#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "actors/store_workers.hpp"
#include "bench/bench_support.hpp"

namespace {

using namespace fjord;
using namespace fjord::bench;

enum class outcome { running, other_state, not_leader, fenced, unknown_job, timeout, other_error };

constexpr int outcome_count = 7;

const char* to_string(outcome o) {
  switch (o) {
    case outcome::running: return "answer, job RUNNING";
    case outcome::other_state: return "answer, job in another state";
    case outcome::not_leader: return "error: not the leader";
    case outcome::fenced: return "error: fenced (old session)";
    case outcome::unknown_job: return "error: unknown job";
    case outcome::timeout: return "error: request timeout";
    case outcome::other_error: return "error: other";
  }
  return "?";
}

struct sample {
  std::int64_t sent_ns;  ///< wall clock, comparable with the script's `date +%s%N`
  double latency_us;
  outcome result;
  job_state state;  ///< of an answer
  std::int64_t checkpoints_completed;  ///< of an answer
};

/// "answer, job RUNNING", "error: not the leader", ...
std::string label(const sample& s) {
  if (s.result == outcome::running || s.result == outcome::other_state)
    return std::string{"answer, job "} + to_string(s.state);
  return to_string(s.result);
}

outcome classify(const caf::expected<job_status_report>& reply) {
  if (reply)
    return reply->state == job_state::running ? outcome::running : outcome::other_state;
  if (reply.error() == caf::sec::request_timeout)
    return outcome::timeout;
  if (reply.error() == errc::not_leader)
    return outcome::not_leader;
  if (reply.error() == errc::fenced)
    return outcome::fenced;
  if (reply.error() == errc::unknown_job)
    return outcome::unknown_job;
  return outcome::other_error;
}

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// The SIGSTOP and SIGCONT times the script wrote; throws if either is missing.
std::pair<std::int64_t, std::int64_t> read_freeze(const std::string& path) {
  std::ifstream in{path};
  std::string word;
  std::int64_t ns = 0;
  std::int64_t stop = 0;
  std::int64_t cont = 0;
  while (in >> word >> ns) {
    if (word == "stop")
      stop = ns;
    else if (word == "cont")
      cont = ns;
  }
  if (stop == 0 || cont == 0 || cont < stop)
    throw std::runtime_error("no complete freeze recorded in " + path
                             + " (expected lines 'stop NS' and 'cont NS')");
  return {stop, cont};
}

std::string ms(double us) { return fmt::format("{:.3f}", us / 1000.0); }

std::string seconds_from(std::int64_t ns, std::int64_t origin) {
  return fmt::format("{:+.2f}", static_cast<double>(ns - origin) / 1e9);
}

int probe_main(int argc, char** argv) {
  arguments args{argc, argv};
  auto address = args.text("--jobmanager", "");
  auto job = args.text("--job", "");
  auto freeze_file = args.text("--freeze-file", "");
  auto seconds = args.integer("--seconds", 15);
  auto interval_us = args.integer("--interval-us", 2000);
  auto timeout_ms = args.integer("--timeout-ms", 10000);
  args.expect_done();
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size())
    throw std::invalid_argument("--jobmanager needs HOST:PORT, got '" + address + "'");
  if (job.empty() || freeze_file.empty())
    throw std::invalid_argument("--job and --freeze-file are required");
  if (seconds < 1 || interval_us < 0 || timeout_ms < 1)
    throw std::invalid_argument("--seconds and --timeout-ms must be >= 1, --interval-us >= 0");
  auto host = address.substr(0, colon);
  auto port_text = address.substr(colon + 1);
  if (port_text.find_first_not_of("0123456789") != std::string::npos || port_text.size() > 5
      || std::stoi(port_text) > 65535)
    throw std::invalid_argument("--jobmanager: '" + port_text + "' is not a port");
  auto port = static_cast<std::uint16_t>(std::stoi(port_text));

  runtime_config cfg{true};
  caf::actor_system sys{cfg};
  auto jm = sys.middleman().remote_actor<job_manager_endpoint_actor>(host, port);
  if (!jm)
    throw std::runtime_error("cannot reach the JobManager at " + address + ": "
                             + describe(jm.error()));
  job_client client{sys, *jm, std::chrono::milliseconds{timeout_ms}};
  if (auto session = client.connect(std::chrono::seconds(10)); !session)
    throw std::runtime_error("the JobManager at " + address
                             + " does not lead: " + describe(session.error()));
  if (auto first = client.status(job); !first)
    throw std::runtime_error("status of job " + job + ": " + describe(first.error()));

  std::vector<sample> samples;
  samples.reserve(static_cast<std::size_t>(seconds * 1'000'000 / std::max<std::int64_t>(
                                                                     interval_us, 100)));
  int reconnects = 0;
  auto interval = std::chrono::microseconds{interval_us};
  auto end = clock_type::now() + std::chrono::seconds{seconds};
  auto next = clock_type::now();
  while (clock_type::now() < end) {
    std::this_thread::sleep_until(next);
    next = std::max(next + interval, clock_type::now());
    auto sent_ns = wall_ns();
    auto start = clock_type::now();
    auto reply = client.status(job);
    auto us = micros_since(start);
    auto result = classify(reply);
    samples.push_back({sent_ns, us, result, reply ? reply->state : job_state::created,
                       reply ? reply->checkpoints_completed : -1});
    if (result == outcome::fenced && client.connect(std::chrono::milliseconds(0)))
      ++reconnects;  // leads again under a new session: take it
  }

  auto [stop_ns, cont_ns] = read_freeze(freeze_file);
  struct series {
    const char* name;
    std::vector<double> us;
    std::array<int, outcome_count> counts{};
  };
  std::array<series, 3> split{{{"before the freeze", {}, {}},
                               {"ZooKeeper stopped", {}, {}},
                               {"after SIGCONT", {}, {}}}};
  // Per series and outcome: when it was seen, how fast, and (answers) the checkpoint count the
  // JobManager reported, which stops growing while the checkpoint store's call hangs on the
  // frozen ZooKeeper.
  struct window {
    std::int64_t first = 0;
    std::int64_t last = 0;
    std::vector<double> us;
    std::int64_t checkpoints_first = -1;
    std::int64_t checkpoints_last = -1;
  };
  std::map<std::pair<int, std::string>, window> windows;
  for (auto& s : samples) {
    int which = s.sent_ns < stop_ns ? 0 : s.sent_ns < cont_ns ? 1 : 2;
    auto& into = split[which];
    into.us.push_back(s.latency_us);
    ++into.counts[static_cast<int>(s.result)];
    auto& w = windows[{which, label(s)}];
    if (w.us.empty()) {
      w.first = s.sent_ns;
      w.checkpoints_first = s.checkpoints_completed;
    }
    w.us.push_back(s.latency_us);
    w.last = s.sent_ns;
    w.checkpoints_last = s.checkpoints_completed;
  }

  std::printf("ZooKeeper stopped for %.2f s; %zu requests (one every %lld us, sequential), "
              "%d reconnect(s) to a new leader session.\n\n",
              static_cast<double>(cont_ns - stop_ns) / 1e9, samples.size(),
              static_cast<long long>(interval_us), reconnects);
  std::vector<std::vector<std::string>> rows;
  for (auto& s : split) {
    auto c = [&](outcome o) { return std::to_string(s.counts[static_cast<int>(o)]); };
    auto errors = s.counts[static_cast<int>(outcome::unknown_job)]
                  + s.counts[static_cast<int>(outcome::timeout)]
                  + s.counts[static_cast<int>(outcome::other_error)];
    rows.push_back({s.name, std::to_string(s.us.size()), c(outcome::running),
                    c(outcome::other_state), c(outcome::not_leader), c(outcome::fenced),
                    std::to_string(errors), ms(median(s.us)), ms(percentile(s.us, 0.99)),
                    s.us.empty() ? "-" : ms(*std::max_element(s.us.begin(), s.us.end()))});
  }
  print_table({"series", "requests", "answered RUNNING", "answered other state", "not leader",
               "fenced", "other errors", "p50 ms", "p99 ms", "max ms"},
              rows);
  std::printf("\nOutcomes over time (seconds from SIGSTOP; SIGCONT at %s):\n\n",
              seconds_from(cont_ns, stop_ns).c_str());
  rows.clear();
  for (auto& [key, w] : windows)
    rows.push_back({split[key.first].name, key.second, std::to_string(w.us.size()),
                    seconds_from(w.first, stop_ns), seconds_from(w.last, stop_ns),
                    ms(median(w.us)), ms(percentile(w.us, 0.99)),
                    ms(*std::max_element(w.us.begin(), w.us.end())),
                    w.checkpoints_first < 0 ? "-"
                                            : std::to_string(w.checkpoints_first) + " .. "
                                                + std::to_string(w.checkpoints_last)});
  print_table({"series", "outcome", "count", "first s", "last s", "p50 ms", "p99 ms", "max ms",
               "checkpoints completed (reported)"},
              rows);
  // The slowest requests and when they were sent: tells a stall of the JobManager (several in
  // a row, at one moment) from the machine's scheduling noise (isolated, anywhere).
  auto slowest = samples;
  auto shown = std::min<std::size_t>(8, slowest.size());
  std::partial_sort(slowest.begin(), slowest.begin() + static_cast<std::ptrdiff_t>(shown),
                    slowest.end(),
                    [](auto& a, auto& b) { return a.latency_us > b.latency_us; });
  std::printf("\nSlowest %zu requests:\n\n", shown);
  rows.clear();
  for (std::size_t i = 0; i < shown; ++i)
    rows.push_back({ms(slowest[i].latency_us), seconds_from(slowest[i].sent_ns, stop_ns),
                    label(slowest[i])});
  print_table({"ms", "sent at s", "outcome"}, rows);
  double worst = 0;
  for (auto& s : split)
    worst = std::max(worst, percentile(s.us, 0.99));
  auto frozen_p99 = percentile(split[1].us, 0.99);
  std::printf("\nGoal p99 <= 5 ms while ZooKeeper is stopped: %s (%.3f ms; worst series p99 "
              "%.3f ms)\n",
              frozen_p99 <= 5000 ? "met" : "NOT met", frozen_p99 / 1000, worst / 1000);
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return fjord::bench::guarded_main("cluster_status_probe", [&] {
    try {
      return probe_main(argc, argv);
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "cluster_status_probe: %s\n", e.what());
      return 2;
    }
  });
}
