// Benchmark: does the checkpoint path stay linear in the number of tasks? (issue 8, item 7)
//
// Three figures, measured side by side in one process run (bare rounds alternated with job
// runs, as checkpoint_roundtrip_bench does):
//   1. round trip at 256 tasks: 128 `sequence` sources (100 records/s each) -> forward -> 128
//      null sinks, vs a bare CAF fan-out/fan-in to 256 actors;
//   2. round trip at 2,004 tasks: 1,000 `sequence` sources (100 records/s each) -> forward ->
//      1,000 `keyed_sum` -> rebalance -> 4 null sinks, vs a bare CAF fan-out/fan-in to 2,000
//      actors; and the per-task cost at 2,004 tasks against the per-task cost at 256;
//   3. the same 2,004-task job with 2,000 records/s per source (2 M records/s offered): records
//      per second delivered to the sinks (in the steady window, from the job's status reports)
//      against the offered rate, and its checkpoint durations.
// Checkpoint figures are the JobManager's trigger-to-stored durations
// (job_status_report::checkpoint_durations_us), without the first two checkpoints (deployment
// warm-up) and the final one (waits for the end of input). Checkpoint every 50 ms, in-memory
// store, 2 TaskManagers.
//
//   checkpoint_scaling_bench [--quick] [--runs N] [--seconds S] [--rounds N]
//                            [--load-seconds S] [--load-rate R] [--skip-load]
//                            [--metrics-ms M]   (task metrics interval; a diagnostic)
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/embedded_cluster.hpp"
#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "bench/bench_support.hpp"
#include "fjord/operator_registry.hpp"
#include "operators/job_spec.hpp"

namespace {

using namespace fjord;
using namespace fjord::bench;

using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;
using round_atom = caf::atom_constant<caf::atom("round")>;

caf::behavior bare_task(caf::event_based_actor* self) {
  return {
    [=](ping_atom, std::int64_t id, const caf::actor& coordinator) {
      self->send(coordinator, pong_atom::value, id, std::string(8, '\0'));
    },
  };
}

struct bare_coordinator_state {
  std::vector<caf::actor> targets;
  std::size_t received = 0;
  std::int64_t id = 0;
  clock_type::time_point began;
  caf::response_promise reply;
};

/// One round per `round_atom` request: pings every target, answers with the microseconds until
/// all replies of this round arrived.
caf::behavior bare_coordinator(caf::stateful_actor<bare_coordinator_state>* self,
                               std::vector<caf::actor> targets) {
  self->state.targets = std::move(targets);
  return {
    [=](round_atom) {
      auto& st = self->state;
      st.reply = self->make_response_promise();
      st.received = 0;
      ++st.id;
      st.began = clock_type::now();
      caf::actor me = caf::actor_cast<caf::actor>(self);
      for (auto& t : st.targets)
        self->send(t, ping_atom::value, st.id, me);
    },
    [=](pong_atom, std::int64_t id, const std::string&) {
      auto& st = self->state;
      if (id == st.id && ++st.received == st.targets.size())
        st.reply.deliver(micros_since(st.began));
    },
  };
}

struct bare_fan {
  std::vector<caf::actor> actors;
  caf::actor coordinator;
};

bare_fan make_bare(caf::actor_system& sys, int n) {
  bare_fan t;
  for (int i = 0; i < n; ++i)
    t.actors.push_back(sys.spawn(bare_task));
  t.coordinator = sys.spawn(bare_coordinator, t.actors);
  return t;
}

std::vector<double> run_bare(caf::actor_system& sys, const bare_fan& t, int rounds) {
  caf::scoped_actor self{sys};
  std::vector<double> out;
  for (int i = 0; i < rounds; ++i)
    self->request(t.coordinator, caf::infinite, round_atom::value)
      .receive([&](double us) { out.push_back(us); },
               [&](caf::error& e) { throw std::runtime_error("bare round: " + describe(e)); });
  return out;
}

struct job_shape {
  int sources;
  int sums;   ///< 0: sources -> forward -> `sources` null sinks
  int sinks;
  int tasks() const { return sums == 0 ? 2 * sources : sources + sums + sinks; }
};

constexpr job_shape small_job{128, 0, 128};
constexpr job_shape large_job{1000, 1000, 4};

struct job_run {
  std::vector<double> durations_us;
  std::int64_t completed = 0;
  std::int64_t failed = 0;
  double delivered_per_s = 0;  ///< in the steady window
  double window_s = 0;
};

std::string spec_of(const job_shape& shape, std::int64_t rate, double seconds) {
  auto to = static_cast<std::int64_t>(static_cast<double>(shape.sources * rate) * seconds);
  if (shape.sums == 0)
    return fmt::format(R"({{
      "name": "checkpoint scaling {3}",
      "vertices": [
        {{"id": "src", "operator": "sequence", "parallelism": {0},
          "params": {{"from": 1, "to": {1}, "rate_per_subtask": {2}}}}},
        {{"id": "sink", "operator": "bench_null", "parallelism": {0}}}
      ],
      "edges": [{{"from": "src", "to": "sink", "partitioning": "forward"}}],
      "checkpointing": {{"interval_ms": 50, "timeout_ms": 30000}}
    }})",
                       shape.sources, to, rate, shape.tasks());
  return fmt::format(R"({{
    "name": "checkpoint scaling {5}",
    "vertices": [
      {{"id": "src", "operator": "sequence", "parallelism": {0},
        "params": {{"from": 1, "to": {1}, "rate_per_subtask": {2}}}}},
      {{"id": "sum", "operator": "keyed_sum", "parallelism": {3}, "params": {{"keys": 16}}}},
      {{"id": "sink", "operator": "bench_null", "parallelism": {4}}}
    ],
    "edges": [{{"from": "src", "to": "sum", "partitioning": "forward"}},
              {{"from": "sum", "to": "sink", "partitioning": "rebalance"}}],
    "checkpointing": {{"interval_ms": 50, "timeout_ms": 30000}}
  }})",
                     shape.sources, to, rate, shape.sums, shape.sinks, shape.tasks());
}

/// Runs one job to its end. With `window`, also measures records/s delivered to the sinks
/// between `window.first` and `window.second` seconds after the job runs.
std::int64_t metrics_interval_ms = task_options{}.metrics_interval_ms;  ///< --metrics-ms

job_run run_job(caf::actor_system& sys, const job_shape& shape, std::int64_t rate, double seconds,
                std::pair<double, double> window = {0, 0}) {
  auto graph = parse_job_spec(spec_of(shape, rate, seconds), operator_registry::global());
  embedded_cluster_options options;
  options.task_managers = 2;
  options.slots_per_task_manager = (shape.sources + 1) / 2;
  options.tasks.metrics_interval_ms = metrics_interval_ms;
  embedded_cluster cluster{sys, options};
  job_client client{sys, cluster.endpoint()};
  if (auto s = client.connect(); !s)
    throw std::runtime_error("connect: " + describe(s.error()));
  auto job = client.submit(graph);
  if (!job)
    throw std::runtime_error("submit: " + describe(job.error()));
  job_run r;
  if (window.second > window.first) {
    // Wait until every task runs, then sample the sinks' input at the window's ends.
    auto deadline = clock_type::now() + std::chrono::seconds(120);
    for (;;) {
      auto report = client.status(*job);
      if (!report)
        throw std::runtime_error("status: " + describe(report.error()));
      if (report->state == job_state::running)
        break;
      if (is_globally_terminal(report->state) || clock_type::now() > deadline)
        throw std::runtime_error("job did not start running");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto running_at = clock_type::now();
    auto sample = [&](double at) {
      std::this_thread::sleep_until(running_at + std::chrono::duration_cast<clock_type::duration>(
                                                   std::chrono::duration<double>(at)));
      auto report = client.status(*job);
      if (!report)
        throw std::runtime_error("status: " + describe(report.error()));
      return std::make_pair(clock_type::now(), report->records_out);
    };
    auto [t0, n0] = sample(window.first);
    auto [t1, n1] = sample(window.second);
    r.window_s = std::chrono::duration<double>(t1 - t0).count();
    r.delivered_per_s = static_cast<double>(n1 - n0) / r.window_s;
  }
  auto report = wait_for_end(client, *job, std::chrono::seconds(600),
                             std::chrono::milliseconds(50));
  if (report.state != job_state::finished)
    throw std::runtime_error("job ended " + std::string{to_string(report.state)} + ": " +
                             report.failure);
  r.completed = report.checkpoints_completed;
  r.failed = report.checkpoints_failed;
  auto& d = report.checkpoint_durations_us;
  // The first two overlap deployment; the final one waits for the end of input.
  if (d.size() > 3)
    for (auto i = d.begin() + 2; i != d.end() - 1; ++i)
      r.durations_us.push_back(static_cast<double>(*i));
  return r;
}

std::string ms(double us) { return fmt::format("{:.2f}", us / 1000.0); }
std::string ratio(double a, double b) { return fmt::format("{:.1f}x", b > 0 ? a / b : 0.0); }
double max_of(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

int bench_main(int argc, char** argv) {
  arguments args{argc, argv};
  bool quick = args.flag("--quick");
  int runs = static_cast<int>(args.integer("--runs", quick ? 1 : 3));
  double seconds = static_cast<double>(args.integer("--seconds", quick ? 3 : 5));
  int rounds = static_cast<int>(args.integer("--rounds", quick ? 100 : 300));
  double load_seconds = static_cast<double>(args.integer("--load-seconds", quick ? 6 : 10));
  auto load_rate = args.integer("--load-rate", 2000);
  bool skip_load = args.flag("--skip-load");
  metrics_interval_ms = args.integer("--metrics-ms", metrics_interval_ms);
  args.expect_done();
  if (runs < 1 || seconds < 2 || rounds < 1 || load_seconds < 4 || load_rate < 1)
    throw std::invalid_argument("--runs, --rounds, --load-rate must be >= 1, --seconds >= 2, "
                                "--load-seconds >= 4");
  spdlog::set_level(spdlog::level::warn);
  register_null_sink();

  runtime_config cfg;
  caf::actor_system sys{cfg};
  auto fan_small = make_bare(sys, small_job.tasks());
  auto fan_large = make_bare(sys, 2000);
  run_bare(sys, fan_small, 20);
  run_bare(sys, fan_large, 20);

  std::vector<double> small_us, large_us, bare_small_us, bare_large_us;
  std::int64_t small_done = 0, small_failed = 0, large_done = 0, large_failed = 0;
  int block = rounds / (runs + 1) + 1;
  auto bare_block = [&] {
    auto s = run_bare(sys, fan_small, block);
    bare_small_us.insert(bare_small_us.end(), s.begin(), s.end());
    auto l = run_bare(sys, fan_large, block);
    bare_large_us.insert(bare_large_us.end(), l.begin(), l.end());
  };
  for (int i = 0; i < runs; ++i) {
    bare_block();
    auto s = run_job(sys, small_job, 100, seconds);
    small_us.insert(small_us.end(), s.durations_us.begin(), s.durations_us.end());
    small_done += s.completed;
    small_failed += s.failed;
    bare_block();
    auto l = run_job(sys, large_job, 100, seconds);
    large_us.insert(large_us.end(), l.durations_us.begin(), l.durations_us.end());
    large_done += l.completed;
    large_failed += l.failed;
    std::fprintf(stderr, "run %d: 256 tasks median %.2f ms, 2004 tasks median %.2f ms\n", i + 1,
                 median(s.durations_us) / 1000, median(l.durations_us) / 1000);
  }
  bare_block();

  auto p50 = [](const std::vector<double>& v) { return median(v); };
  auto p99 = [](const std::vector<double>& v) { return percentile(v, 0.99); };
  std::printf("### Checkpoint round trip at 256 and 2,004 tasks vs bare CAF fan-out/fan-in\n\n");
  std::printf("%d run(s) of each job of ~%.0f s (100 records/s per source), checkpoint every "
              "50 ms: 256 tasks %lld completed, %lld failed; 2,004 tasks %lld completed, %lld "
              "failed; %zu bare rounds of each size, alternated with the job runs.\n\n",
              runs, seconds, static_cast<long long>(small_done),
              static_cast<long long>(small_failed), static_cast<long long>(large_done),
              static_cast<long long>(large_failed), bare_small_us.size());
  print_table({"what", "samples", "median ms", "p99 ms", "max ms", "median vs bare", "per task us"},
              {
                {"Fjord checkpoint, 256 tasks", std::to_string(small_us.size()), ms(p50(small_us)),
                 ms(p99(small_us)), ms(max_of(small_us)), ratio(p50(small_us), p50(bare_small_us)),
                 fmt::format("{:.2f}", p50(small_us) / small_job.tasks())},
                {"bare CAF fan-out/fan-in to 256", std::to_string(bare_small_us.size()),
                 ms(p50(bare_small_us)), ms(p99(bare_small_us)), ms(max_of(bare_small_us)), "1.0x",
                 fmt::format("{:.2f}", p50(bare_small_us) / 256)},
                {"Fjord checkpoint, 2,004 tasks", std::to_string(large_us.size()),
                 ms(p50(large_us)), ms(p99(large_us)), ms(max_of(large_us)),
                 ratio(p50(large_us), p50(bare_large_us)),
                 fmt::format("{:.2f}", p50(large_us) / large_job.tasks())},
                {"bare CAF fan-out/fan-in to 2,000", std::to_string(bare_large_us.size()),
                 ms(p50(bare_large_us)), ms(p99(bare_large_us)), ms(max_of(bare_large_us)), "1.0x",
                 fmt::format("{:.2f}", p50(bare_large_us) / 2000)},
              });
  double small_ratio = p50(small_us) / p50(bare_small_us);
  double large_ratio = p50(large_us) / p50(bare_large_us);
  double per_task = (p50(large_us) / large_job.tasks()) / (p50(small_us) / small_job.tasks());
  std::printf("\nGoal 256 tasks <= 3x bare: %s (%.1fx)\n", small_ratio <= 3 ? "met" : "NOT met",
              small_ratio);
  std::printf("Goal 2,004 tasks <= 3x bare: %s (%.1fx)\n", large_ratio <= 3 ? "met" : "NOT met",
              large_ratio);
  std::printf("Goal per-task cost at 2,004 <= 1.5x per-task cost at 256: %s (%.2fx)\n\n",
              per_task <= 1.5 ? "met" : "NOT met", per_task);

  for (auto* t : {&fan_small, &fan_large}) {
    for (auto& a : t->actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(t->coordinator, caf::exit_reason::user_shutdown);
  }
  if (skip_load)
    return small_us.empty() || large_us.empty() ? 1 : 0;
  double offered = static_cast<double>(large_job.sources * load_rate);
  auto load = run_job(sys, large_job, load_rate, load_seconds, {2.0, load_seconds - 1.0});
  double delivered_ratio = load.delivered_per_s / offered;
  std::printf("### 2,004 tasks, %lld records/s per source (%s records/s offered), ~%.0f s\n\n",
              static_cast<long long>(load_rate),
              thousands(static_cast<std::int64_t>(offered)).c_str(), load_seconds);
  print_table({"what", "figure"},
              {
                {"records/s delivered to the sinks (steady window)",
                 fmt::format("{} over {:.1f} s",
                             thousands(static_cast<std::int64_t>(load.delivered_per_s)),
                             load.window_s)},
                {"delivered / offered", fmt::format("{:.2f}x", delivered_ratio)},
                {"checkpoints completed / failed",
                 fmt::format("{} / {}", load.completed, load.failed)},
                {"checkpoint median / p99 / max ms",
                 fmt::format("{} / {} / {}", ms(p50(load.durations_us)),
                             ms(p99(load.durations_us)), ms(max_of(load.durations_us)))},
              });
  std::printf("\nGoal delivered >= 0.95x offered: %s (%.2fx)\n\n",
              delivered_ratio >= 0.95 ? "met" : "NOT met", delivered_ratio);
  return small_us.empty() || large_us.empty() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  return fjord::bench::guarded_main("checkpoint_scaling_bench",
                                    [&] { return bench_main(argc, argv); });
}
