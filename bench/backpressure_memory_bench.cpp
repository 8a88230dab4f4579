// Benchmark: peak memory (VmHWM) of the example pipeline when its sink is ~10x slower than its
// source, for 1,000,000 and 10,000,000 records: with credit-based flow control it must stay
// flat (bounded by the credits), not grow with the input.
//
// Pipeline: sequence 4 -> hash -> keyed_sum 4 (16 keys) -> rebalance -> bench_slow_sink 2,
// checkpoint every 100 ms. bench_slow_sink (registered here) spins per record, without
// sleeping, pacing each subtask to one record per `period_ns`, chosen so that the two sinks
// together take records 10x slower than the pipeline delivers them with a free sink (measured
// first: the same job with period 0), so the sink stage is the bottleneck by 10x and the
// sources are throttled by missing credits.
//
// Each size runs in a fresh process (this program re-executes itself with --child N), so that
// peaks do not mix; the parent measures the free rate, starts the children and prints the
// table.
//
//   backpressure_memory_bench [--quick] [--small N] [--large N]
//   backpressure_memory_bench --child N --period-ns NS     (one measurement; prints one line)
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
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

/// Spins per record, never sleeps, pacing itself to one record per `period`: record n of a
/// stretch is done no earlier than start + n * period. Pacing (rather than a fixed spin per
/// record) keeps its rate at 1 / period even when the noisy machine preempts it; a stretch
/// restarts when the sink fell behind by more than 10 ms (it was starved of input), so it never
/// bursts to catch up for long.
class slow_sink : public stream_operator {
 public:
  explicit slow_sink(std::int64_t period_ns) : period_(period_ns) {}
  void process(const record& r, collector&) override {
    auto now = clock_type::now();
    auto due = start_ + period_ * done_;
    if (done_ == 0 || now - due > std::chrono::milliseconds(10)) {
      start_ = now;
      done_ = 0;
      due = now;
    }
    while (clock_type::now() < due)
      checksum_ += static_cast<std::uint64_t>(r.text.size());
    ++done_;
  }
  std::string snapshot(std::int64_t) override { return std::to_string(checksum_); }

 private:
  std::chrono::nanoseconds period_;
  clock_type::time_point start_;
  std::int64_t done_ = 0;
  std::uint64_t checksum_ = 0;
};

void register_slow_sink(std::int64_t period_ns) {
  operator_descriptor d;
  d.name = "bench_slow_sink";
  d.role = operator_role::sink;
  d.description = "spins per record and drops it (benchmarks)";
  d.validate = [](const operator_params& p) { p.allow_only({}); };
  d.create = [period_ns] { return std::make_unique<slow_sink>(period_ns); };
  operator_registry::global().add(std::move(d));
}

struct run_result {
  double seconds = 0;
  std::int64_t idle_kb = 0;  ///< VmRSS with the cluster up, before the job
  std::int64_t checkpoints = 0;
};

run_result run_pipeline(std::int64_t records, std::int64_t period_ns) {
  register_slow_sink(period_ns);
  runtime_config cfg;
  caf::actor_system sys{cfg};
  embedded_cluster_options options;
  options.task_managers = 2;
  options.slots_per_task_manager = 2;
  embedded_cluster cluster{sys, options};
  job_client client{sys, cluster.endpoint()};
  if (auto s = client.connect(); !s)
    throw std::runtime_error("connect: " + describe(s.error()));
  auto graph = parse_job_spec(fmt::format(R"({{
    "name": "backpressure",
    "vertices": [
      {{"id": "numbers", "operator": "sequence", "parallelism": 4,
        "params": {{"from": 1, "to": {0}}}}},
      {{"id": "sums", "operator": "keyed_sum", "parallelism": 4, "params": {{"keys": 16}}}},
      {{"id": "out", "operator": "bench_slow_sink", "parallelism": 2}}
    ],
    "edges": [
      {{"from": "numbers", "to": "sums", "partitioning": "hash"}},
      {{"from": "sums", "to": "out", "partitioning": "rebalance"}}
    ],
    "checkpointing": {{"interval_ms": 100}}
  }})",
                                          records),
                              operator_registry::global());
  auto idle_kb = proc_status_kb("VmRSS");
  auto job = client.submit(graph);
  if (!job)
    throw std::runtime_error("submit: " + describe(job.error()));
  auto report = wait_for_end(client, *job, std::chrono::minutes(5),
                             std::chrono::milliseconds(20));
  if (report.state != job_state::finished)
    throw std::runtime_error("job ended " + std::string{to_string(report.state)} + ": " +
                             report.failure);
  if (report.records_out != records)
    throw std::runtime_error(fmt::format("sinks received {} records, expected {}",
                                         report.records_out, records));
  return {(report.ended_ms - report.started_ms) / 1000.0, idle_kb, report.checkpoints_completed};
}

int child_main(std::int64_t records, std::int64_t period_ns) {
  spdlog::set_level(spdlog::level::warn);
  auto r = run_pipeline(records, period_ns);
  std::printf("RESULT %lld %.3f %lld %lld %lld\n", static_cast<long long>(records), r.seconds,
              static_cast<long long>(proc_status_kb("VmHWM")), static_cast<long long>(r.idle_kb),
              static_cast<long long>(r.checkpoints));
  return 0;
}

struct child_result {
  std::int64_t records = 0;
  double seconds = 0;
  std::int64_t peak_kb = 0;
  std::int64_t idle_kb = 0;
  std::int64_t checkpoints = 0;
};

child_result run_child(std::int64_t records, std::int64_t period_ns) {
  auto command = fmt::format("/proc/{}/exe --child {} --period-ns {}", ::getpid(), records,
                             period_ns);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), &::pclose);
  if (!pipe)
    throw std::runtime_error("cannot run " + command);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr)
    output += buffer;
  int status = ::pclose(pipe.release());
  child_result r;
  long long n = 0, peak = 0, idle = 0, cps = 0;
  double s = 0;
  auto at = output.find("RESULT ");
  if (status != 0 || at == std::string::npos ||
      std::sscanf(output.c_str() + at, "RESULT %lld %lf %lld %lld %lld", &n, &s, &peak, &idle,
                  &cps) != 5)
    throw std::runtime_error("child run for " + std::to_string(records) +
                             " records failed: " + output);
  return {n, s, peak, idle, cps};
}

std::string mb(std::int64_t kb) { return fmt::format("{:.1f}", kb / 1024.0); }

int bench_main(int argc, char** argv) {
  arguments args{argc, argv};
  auto child = args.integer("--child", 0);
  if (child > 0) {
    auto period_ns = args.integer("--period-ns", 0);
    args.expect_done();
    return child_main(child, period_ns);
  }
  bool quick = args.flag("--quick");
  auto small = args.integer("--small", quick ? 100'000 : 1'000'000);
  auto large = args.integer("--large", quick ? 1'000'000 : 10'000'000);
  args.expect_done();
  if (small < 1 || large < 1)
    throw std::invalid_argument("--small and --large must be >= 1");

  spdlog::set_level(spdlog::level::warn);
  // The free rate: the same job with a sink that does not pace (best of two, in this process;
  // its memory is not measured).
  auto free_records = std::min<std::int64_t>(large, 1'000'000);
  double free_rate = 0;
  for (int i = 0; i < 2; ++i)
    free_rate = std::max(free_rate,
                         static_cast<double>(free_records) / run_pipeline(free_records, 0).seconds);
  // Two sinks, each one record per period_ns: the sink stage takes 2e9 / period_ns records/s.
  auto period_ns = static_cast<std::int64_t>(10 * 2e9 / free_rate);
  std::vector<child_result> results{run_child(small, period_ns), run_child(large, period_ns)};

  std::printf("### Peak memory with a slow sink (sequence 4 -> keyed_sum 4 -> slow sink 2, "
              "checkpoint every 100 ms)\n\n");
  std::printf("With a free sink the pipeline moves %s records/s; each slow sink spins to "
              "pace itself to one record per %lld ns, so the two take %s records/s (10x slower). Each size in a "
              "fresh process.\n\n",
              thousands(static_cast<std::int64_t>(free_rate)).c_str(),
              static_cast<long long>(period_ns),
              thousands(static_cast<std::int64_t>(2e9 / static_cast<double>(period_ns))).c_str());
  std::vector<std::vector<std::string>> rows;
  for (auto& r : results)
    rows.push_back({thousands(r.records), fmt::format("{:.1f}", r.seconds),
                    thousands(static_cast<std::int64_t>(r.records / r.seconds)),
                    std::to_string(r.checkpoints), mb(r.idle_kb), mb(r.peak_kb)});
  print_table({"records", "seconds", "records/s", "checkpoints", "RSS before submit MB",
               "peak RSS (VmHWM) MB"},
              rows);
  std::printf("\nMeasured sink-bound rate vs free rate: %.1fx slower (large run).\n",
              free_rate / (static_cast<double>(results[1].records) / results[1].seconds));
  auto growth = static_cast<double>(results[1].peak_kb) / static_cast<double>(results[0].peak_kb);
  std::printf("\nGoal: peak < 200 MB for %s records: %s (%.1f MB); %.0fx the records -> %.2fx "
              "the peak\n\n",
              thousands(large).c_str(), results[1].peak_kb < 200 * 1024 ? "met" : "NOT met",
              results[1].peak_kb / 1024.0, static_cast<double>(large) / small, growth);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return fjord::bench::guarded_main("backpressure_memory_bench",
                                    [&] { return bench_main(argc, argv); });
}
