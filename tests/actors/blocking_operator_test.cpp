// Operators that block run their tasks detached: a sink stalled in its own I/O must not stall the
// JobManager or the other tasks that share the actor system's scheduler threads.
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/embedded_cluster.hpp"
#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "fjord/operator.hpp"
#include "fjord/operator_registry.hpp"
#include "operators/job_spec.hpp"
#include "tests/support/eventually.hpp"

using namespace fjord;
using namespace fjord::testing;
using namespace std::chrono_literals;

namespace {

/// A gate every stalling sink waits at, from its first record until the test opens it.
struct stall_gate {
  std::mutex mtx;
  std::condition_variable cv;
  bool open = false;
  std::atomic<int> stalled{0};  ///< sinks waiting at the gate now

  void wait() {
    std::unique_lock<std::mutex> lock{mtx};
    ++stalled;
    cv.wait(lock, [&] { return open; });
    --stalled;
  }
  void release() {
    {
      std::lock_guard<std::mutex> guard{mtx};
      open = true;
    }
    cv.notify_all();
  }
};

stall_gate& gate() {
  static stall_gate g;
  return g;
}

/// Blocks its thread on the first record, as a sink stuck in an fsync on a dead disk would.
class stalling_sink : public stream_operator {
 public:
  void process(const record&, collector&) override {
    if (!stalled_once_) {
      stalled_once_ = true;
      gate().wait();
    }
  }
  std::string snapshot(std::int64_t) override { return {}; }

 private:
  bool stalled_once_ = false;
};

void register_stalling_sink(const std::string& name, bool blocking) {
  operator_descriptor d;
  d.name = name;
  d.role = operator_role::sink;
  d.description = "stalls on its first record (tests)";
  d.validate = [](const operator_params& p) { p.allow_only({}); };
  d.create = [] { return std::make_unique<stalling_sink>(); };
  d.blocking = blocking;
  operator_registry::global().add(std::move(d));
}

job_graph stalling_job(const std::string& sink) {
  return parse_job_spec(R"({
    "name": "stalling sinks",
    "vertices": [
      {"id": "numbers", "operator": "sequence", "parallelism": 4,
       "params": {"from": 1, "to": 100000000, "rate_per_subtask": 1000}},
      {"id": "out", "operator": ")" + sink + R"(", "parallelism": 4, "params": {}}
    ],
    "edges": [{"from": "numbers", "to": "out", "partitioning": "forward"}],
    "checkpointing": {"interval_ms": 0}
  })",
                        operator_registry::global());
}

/// Two scheduler threads, as on this 2-core machine: four stalled shared tasks take both.
struct two_threads_config : runtime_config {
  two_threads_config() { set("scheduler.max-threads", 2); }
};

/// Whether the job manager answers a leader query within `wait`.
bool job_manager_answers(caf::actor_system& sys, const embedded_cluster& cluster,
                         caf::timespan wait) {
  caf::scoped_actor self{sys};
  bool answered = false;
  self->request(cluster.endpoint(), wait, leader_atom::value)
    .receive([&](const std::string& session) { answered = !session.empty(); },
             [&](caf::error&) {});
  return answered;
}

}  // namespace

TEST_CASE("the operators that do file I/O declare that they block") {
  auto& registry = operator_registry::global();
  REQUIRE(registry.find("transactional_file"));
  REQUIRE(registry.find("file_lines"));
  CHECK(registry.find("transactional_file")->blocking);
  CHECK(registry.find("file_lines")->blocking);
  CHECK_FALSE(registry.find("sequence")->blocking);
  CHECK_FALSE(registry.find("keyed_sum")->blocking);
}

TEST_CASE("a blocking sink stalled in I/O runs on its own thread, so the JobManager keeps "
          "answering (the same sink on the shared scheduler stalls it)") {
  register_stalling_sink("test_stall_detached", true);
  register_stalling_sink("test_stall_shared", false);
  two_threads_config cfg;
  caf::actor_system sys{cfg};
  embedded_cluster_options o;
  o.task_managers = 1;
  o.slots_per_task_manager = 4;
  embedded_cluster cluster{sys, o};
  job_client client{sys, cluster.endpoint()};
  REQUIRE(client.connect());
  REQUIRE(job_manager_answers(sys, cluster, 2s));

  // Declared blocking: all four sinks stall at the gate, each on its own thread.
  auto job = client.submit(stalling_job("test_stall_detached"));
  REQUIRE(job);
  REQUIRE(eventually([] { return gate().stalled.load() == 4; }, 20s));
  CHECK(job_manager_answers(sys, cluster, 2s));
  auto status = client.status(*job);
  REQUIRE(status);
  CHECK(status->state == job_state::running);
  CHECK(client.cancel(*job));
  gate().release();
  REQUIRE(eventually([&] {
    auto r = client.status(*job);
    return r && r->state == job_state::canceled;
  }));
  REQUIRE(eventually([] { return gate().stalled.load() == 0; }));

  // The control: not declared blocking, the stalled sinks take both scheduler threads and the
  // JobManager cannot answer until they are let go. (Proves the case above could fail.)
  {
    std::lock_guard<std::mutex> guard{gate().mtx};
    gate().open = false;
  }
  auto shared = client.submit(stalling_job("test_stall_shared"));
  REQUIRE(shared);
  REQUIRE(eventually([] { return gate().stalled.load() >= 2; }, 20s));
  CHECK_FALSE(job_manager_answers(sys, cluster, 1s));
  gate().release();
  CHECK(job_manager_answers(sys, cluster, 10s));
  CHECK(client.cancel(*shared));
}
