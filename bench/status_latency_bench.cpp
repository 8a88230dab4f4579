// Benchmark: JobManager status-request latency while a checkpoint store call is held blocked.
//
// A job (the exactly-once sum shape, rate-limited sources so it runs for the whole measurement,
// checkpoint every 50 ms) runs in an embedded cluster whose completed-checkpoint store is a
// standalone store wrapped so that add() waits on a latch once armed (injected through
// ha_services::checkpoint_recovery). Measured with job_client::status (request_job_status, a
// blocking client round trip), sequentially:
//   1. free: N requests while checkpoints complete normally;
//   2. blocked: the latch is armed, the next add() blocks in the store worker; N requests.
//      Checked before and after: exactly one add() is waiting, the latch was not released, no
//      add() returned, and the reported checkpoints_completed (once it caught up with the
//      store: reports are pushed every 200 ms) did not change during the measurement;
//   3. free again after the release (the coordinator catches up meanwhile).
//
//   status_latency_bench [--quick] [--requests N]
#include <atomic>
#include <cstdio>
#include <future>
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
#include "stores/ha_services.hpp"
#include "stores/standalone/standalone_stores.hpp"

namespace {

using namespace fjord;
using namespace fjord::bench;

/// Shared between the store (in its worker's thread) and the benchmark thread.
struct latch_control {
  std::atomic<bool> armed{false};
  std::atomic<int> waiting{0};      ///< add() calls blocked right now
  std::atomic<bool> released{false};
  std::atomic<std::int64_t> adds{0};
  std::promise<void> release_promise;
  std::shared_future<void> release = release_promise.get_future().share();

  void open() {
    if (!released.exchange(true))
      release_promise.set_value();
  }
};

class latched_store : public completed_checkpoint_store {
 public:
  latched_store(std::shared_ptr<latch_control> control, int retained)
    : control_(std::move(control)), inner_(retained) {}
  void recover() override { inner_.recover(); }
  void add(const completed_checkpoint& c) override {
    if (control_->armed) {
      ++control_->waiting;
      control_->release.wait();
      --control_->waiting;
    }
    inner_.add(c);
    ++control_->adds;
  }
  std::optional<completed_checkpoint> latest() override { return inner_.latest(); }
  std::vector<completed_checkpoint> all() override { return inner_.all(); }
  std::size_t size() override { return inner_.size(); }
  std::size_t max_retained() const override { return inner_.max_retained(); }
  void shutdown(job_state s) override { inner_.shutdown(s); }

 private:
  std::shared_ptr<latch_control> control_;
  standalone_completed_checkpoint_store inner_;
};

class latched_factory : public checkpoint_recovery_factory {
 public:
  explicit latched_factory(std::shared_ptr<latch_control> control)
    : control_(std::move(control)) {}
  std::unique_ptr<completed_checkpoint_store>
  create_completed_checkpoint_store(const std::string&, int retained) override {
    return std::make_unique<latched_store>(control_, retained);
  }
  std::unique_ptr<checkpoint_id_counter> create_checkpoint_id_counter(const std::string&) override {
    return std::make_unique<standalone_checkpoint_id_counter>();
  }

 private:
  std::shared_ptr<latch_control> control_;
};

struct latency {
  std::vector<double> us;
  job_status_report last;
};

latency measure(job_client& client, const std::string& job, int requests) {
  latency l;
  l.us.reserve(static_cast<std::size_t>(requests));
  for (int i = 0; i < requests; ++i) {
    auto start = clock_type::now();
    auto report = client.status(job);
    auto us = micros_since(start);
    if (!report)
      throw std::runtime_error("status request failed: " + describe(report.error()));
    if (report->state != job_state::running)
      throw std::runtime_error(std::string{"the job is no longer running but "} +
                               to_string(report->state) + "; raise its size");
    l.us.push_back(us);
    l.last = std::move(*report);
  }
  return l;
}

template <class F>
void wait_until(F&& condition, const char* what) {
  auto deadline = clock_type::now() + std::chrono::seconds(20);
  while (!condition()) {
    if (clock_type::now() > deadline)
      throw std::runtime_error(std::string{"timed out waiting until "} + what);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::string ms(double us) { return fmt::format("{:.3f}", us / 1000.0); }

int bench_main(int argc, char** argv) {
  arguments args{argc, argv};
  bool quick = args.flag("--quick");
  int requests = static_cast<int>(args.integer("--requests", quick ? 500 : 2000));
  args.expect_done();
  if (requests < 1)
    throw std::invalid_argument("--requests must be >= 1");
  spdlog::set_level(spdlog::level::warn);

  auto control = std::make_shared<latch_control>();
  auto services = make_standalone_ha_services();
  services.checkpoint_recovery = std::make_shared<latched_factory>(control);

  // Opens the latch on every way out: a blocked store worker would hang the shutdown.
  struct opener {
    latch_control& c;
    ~opener() { c.open(); }
  };
  runtime_config cfg;
  caf::actor_system sys{cfg};
  embedded_cluster_options options;
  options.task_managers = 2;
  options.slots_per_task_manager = 2;
  embedded_cluster cluster{sys, options, services};
  opener guard{*control};
  job_client client{sys, cluster.endpoint()};
  if (auto s = client.connect(); !s)
    throw std::runtime_error("connect: " + describe(s.error()));

  // 4 sources x 20,000 records/s for up to 10 minutes: it outlives the measurement, which
  // cancels it at the end.
  temp_dir out{"fjord-bench-status"};
  auto graph = parse_job_spec(fmt::format(R"({{
    "name": "status latency",
    "vertices": [
      {{"id": "numbers", "operator": "sequence", "parallelism": 4,
        "params": {{"from": 1, "to": 48000000000, "rate_per_subtask": 20000}}}},
      {{"id": "sums", "operator": "keyed_sum", "parallelism": 4, "params": {{"keys": 16}}}},
      {{"id": "out", "operator": "transactional_file", "parallelism": 2,
        "params": {{"output_dir": "{0}"}}}}
    ],
    "edges": [
      {{"from": "numbers", "to": "sums", "partitioning": "hash"}},
      {{"from": "sums", "to": "out", "partitioning": "rebalance"}}
    ],
    "checkpointing": {{"interval_ms": 50}}
  }})",
                                          out.str()),
                              operator_registry::global());
  auto job = client.submit(graph);
  if (!job)
    throw std::runtime_error("submit: " + describe(job.error()));
  wait_until([&] { return control->adds >= 3; }, "three checkpoints are stored");

  auto free_before = measure(client, *job, requests);

  control->armed = true;
  wait_until([&] { return control->waiting == 1; }, "a store add() is blocked on the latch");
  // The JobManager answers from the report its job pushes every report_interval_ms, so the
  // reported count may lag the store: wait until it shows every add() that returned.
  auto adds_before = control->adds.load();
  caf::expected<job_status_report> before{caf::sec::none};
  wait_until(
    [&] {
      before = client.status(*job);
      return before && before->checkpoints_completed == adds_before;
    },
    "the status report counts every stored checkpoint");
  auto blocked = measure(client, *job, requests);
  auto waiting_after = control->waiting.load();
  bool held = waiting_after == 1 && !control->released && control->adds == adds_before &&
              blocked.last.checkpoints_completed == before->checkpoints_completed;
  auto completed_while_blocked = blocked.last.checkpoints_completed;
  control->armed = false;
  control->open();
  wait_until([&] { return control->waiting == 0; }, "the blocked add() returned");
  wait_until(
    [&] {
      auto r = client.status(*job);
      return r && r->checkpoints_completed > completed_while_blocked;
    },
    "a checkpoint completes after the release");
  auto free_after = measure(client, *job, requests);
  client.cancel(*job);
  wait_for_end(client, *job, std::chrono::seconds(30));

  std::printf("### JobManager status latency (request_job_status round trip, %d sequential "
              "requests each)\n\n",
              requests);
  std::printf("Store add() held on a latch during the blocked series: %s (add() calls waiting "
              "before 1, after %d; checkpoints_completed %lld before, %lld after).\n\n",
              held ? "verified" : "NOT verified", waiting_after,
              static_cast<long long>(before->checkpoints_completed),
              static_cast<long long>(blocked.last.checkpoints_completed));
  auto row = [](const char* what, const latency& l) {
    return std::vector<std::string>{what, ms(median(l.us)), ms(percentile(l.us, 0.99)),
                                    ms(*std::max_element(l.us.begin(), l.us.end()))};
  };
  print_table({"series", "p50 ms", "p99 ms", "max ms"},
              {row("free (before)", free_before), row("store add() blocked", blocked),
               row("free (after release)", free_after)});
  double p99 = percentile(blocked.us, 0.99);
  std::printf("\nGoal: p99 <= 5 ms while a store call is blocked: %s (%.3f ms); blocked p99 / "
              "free p99 = %.2fx\n\n",
              p99 <= 5000 ? "met" : "NOT met", p99 / 1000,
              p99 / percentile(free_before.us, 0.99));
  return held ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  return fjord::bench::guarded_main("status_latency_bench",
                                    [&] { return bench_main(argc, argv); });
}
