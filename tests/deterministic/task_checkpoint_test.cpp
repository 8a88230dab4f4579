// A task's checkpoint path on the deterministic scheduler: a source on trigger_checkpoint, a
// transformation on its aligned barrier; what each does when its snapshot fails; the final
// barrier, and that only the final checkpoint's commit finishes the task.
//
// One recorder plays the job, the coordinator, the upstream and the downstream task, so that
// its trace shows the order in which the task sent everything.
#include <memory>
#include <string>
#include <vector>

#include "actors/task.hpp"
#include "messages/atoms.hpp"
#include "messages/checkpoint_messages.hpp"
#include "messages/data_messages.hpp"
#include "messages/task_messages.hpp"
#include "fjord/operator.hpp"
#include "fjord/operator_registry.hpp"
#include "tests/support/deployment_builder.hpp"
#include "tests/support/deterministic.hpp"

using namespace fjord;
using namespace fjord::testing;

namespace {

const std::string session = "11111111-1111-4111-8111-111111111111";

/// What the scripted operators do; each test sets it before spawning its task.
struct operator_script {
  bool fail_snapshots = false;  ///< snapshot() throws "disk full"
  bool source_exhausted = false;  ///< the source's next poll reports the end of its input
};
operator_script script;

std::string scripted_snapshot() {
  if (script.fail_snapshots)
    throw std::runtime_error("disk full");
  return "state";
}

/// Emits nothing; idle (its next poll an hour away) until the script exhausts it.
class scripted_source : public source_operator {
 public:
  poll_result poll(collector&, std::size_t) override {
    if (script.source_exhausted)
      return {poll_status::exhausted, {}};
    return {poll_status::idle, std::chrono::hours{1}};
  }
  std::string snapshot(std::int64_t) override { return scripted_snapshot(); }
};

/// Forwards every record; at the end of its input emits 99 (what a window would still hold).
class scripted_transform : public stream_operator {
 public:
  void process(const record& r, collector& out) override { out.emit(r); }
  void end_of_input(collector& out) override { out.emit(record::of(std::int64_t{99})); }
  std::string snapshot(std::int64_t) override { return scripted_snapshot(); }
};

template <class Operator>
void register_scripted(const std::string& name, operator_role role) {
  operator_descriptor d;
  d.name = name;
  d.role = role;
  d.description = "follows the test's operator_script (tests)";
  d.validate = [](const operator_params& p) { p.allow_only({}); };
  d.create = [] { return std::make_unique<Operator>(); };
  operator_registry::global().add(std::move(d));
}

class task_fixture : public deterministic_fixture {
 public:
  task_fixture() {
    script = {};
    register_scripted<scripted_source>("test_scripted_source", operator_role::source);
    register_scripted<scripted_transform>("test_scripted_transform", operator_role::transform);
    register_scripted<scripted_transform>("test_scripted_sink", operator_role::sink);
  }
  /// Kills what is still running (a finished or failed task is gone already).
  ~task_fixture() override {
    for (auto& task : tasks_)
      self->send_exit(task, caf::exit_reason::kill);
  }

  caf::actor peer = spawn_recorder();  ///< job, coordinator, upstream and downstream

  /// Spawns the task of `op` (one input channel unless a source): created, not started.
  caf::actor deploy(const std::string& op, bool is_source) {
    auto d = deployment_builder{"v", op}.input_channels(is_source ? 0 : 1).reporting_to(peer);
    job_id = d.build().job_id;
    auto task = caf::actor_cast<caf::actor>(spawn_task(sys, session, d));
    sched.run();  // opened, waiting for start_task
    watch(peer, task);
    tasks_.push_back(task);
    return task;
  }

  /// A deployed task started with one output channel to the peer and credit for four batches;
  /// the trace starts after its RUNNING report.
  caf::actor start(const std::string& op, bool is_source) {
    auto task = deploy(op, is_source);
    auto peer_as_task = caf::actor_cast<task_actor>(peer);
    output_gate gate;
    gate.target_vertex = "down";
    gate.channels = {{peer_as_task, 0}};
    std::vector<input_channel> inputs;
    if (!is_source)
      inputs.push_back({peer_as_task, 0});
    caf::send_as(peer, task, start_task{session, job_id, 0, {gate}, inputs});
    caf::send_as(peer, task, credit{0, 4});
    sched.run();
    REQUIRE(trace() == "RUNNING");
    return task;
  }

  void trigger(const caf::actor& task, std::int64_t id, bool is_final) {
    caf::send_as(peer, task, trigger_checkpoint{session, job_id, 0, id, 1000 + id, is_final});
    sched.run();
  }
  void notify(const caf::actor& task, std::int64_t id, bool is_final) {
    caf::send_as(peer, task, notify_checkpoint_complete{session, job_id, 0, id, is_final});
    sched.run();
  }
  void barrier_in(const caf::actor& task, std::int64_t id, bool is_final) {
    caf::send_as(peer, task, barrier{0, id, 1000 + id, is_final});
    sched.run();
  }

  /// What the task sent since the last call, in order, one " | " between messages; credits and
  /// metrics left out.
  std::string trace() {
    std::string result;
    auto add = [&](const std::string& line) { result += (result.empty() ? "" : " | ") + line; };
    auto& received = deref<caf::stateful_actor<recorder_state>>(peer).state.received;
    for (; seen_ < received.size(); ++seen_) {
      auto& msg = received[seen_];
      if (msg.match_elements<acknowledge_checkpoint>()) {
        add("ack " + std::to_string(msg.get_as<acknowledge_checkpoint>(0).checkpoint_id));
      } else if (msg.match_elements<decline_checkpoint>()) {
        auto& d = msg.get_as<decline_checkpoint>(0);
        add("decline " + std::to_string(d.checkpoint_id) + ": " + d.reason);
      } else if (msg.match_elements<barrier>()) {
        auto& b = msg.get_as<barrier>(0);
        add("barrier " + std::to_string(b.checkpoint_id) + (b.is_final ? " final" : ""));
      } else if (msg.match_elements<data_batch>()) {
        std::string line = "records";
        for (auto& r : msg.get_as<data_batch>(0).records)
          line += " " + std::to_string(r.number);
        add(line);
      } else if (msg.match_elements<task_state_changed>()) {
        auto& s = msg.get_as<task_state_changed>(0);
        add(std::string{to_string(s.state)} + (s.error.empty() ? "" : ": " + s.error));
      } else if (msg.match_elements<end_of_input>()) {
        add("end of input");
      } else if (msg.match_elements<caf::down_msg>()) {
        add("down");
      }
    }
    return result;
  }

  std::string job_id;

 private:
  std::vector<caf::actor> tasks_;
  std::size_t seen_ = 0;
};

}  // namespace

TEST_CASE_FIXTURE(task_fixture, "a source takes a checkpoint on its trigger: barrier, then ack") {
  auto task = start("test_scripted_source", true);
  trigger(task, 1, false);
  CHECK(trace() == "barrier 1 | ack 1");
}

TEST_CASE_FIXTURE(task_fixture,
                  "a source whose snapshot fails declines, still emits the barrier (downstream "
                  "aligns on it) and takes the next checkpoint") {
  auto task = start("test_scripted_source", true);
  script.fail_snapshots = true;
  trigger(task, 1, false);
  CHECK(trace() == "decline 1: snapshot failed: disk full | barrier 1");
  script.fail_snapshots = false;
  trigger(task, 2, false);
  CHECK(trace() == "barrier 2 | ack 2");
}

TEST_CASE_FIXTURE(task_fixture,
                  "a source declines triggers before start_task, and a final one before the end "
                  "of its input") {
  auto created = deploy("test_scripted_source", true);
  trigger(created, 1, false);
  CHECK(trace() == "decline 1: task is not a running source");

  auto task = start("test_scripted_source", true);
  trigger(task, 2, true);
  CHECK(trace() == "decline 2: final checkpoint before the end of input");
}

TEST_CASE_FIXTURE(task_fixture,
                  "a source ends its stream with the final barrier, declines every later trigger "
                  "and finishes on the final commit only") {
  auto task = start("test_scripted_source", true);
  script.source_exhausted = true;
  trigger_timeouts();  // the idle source's next poll (and a metrics tick)
  sched.run();
  CHECK(trace() == "end of input");
  trigger(task, 2, true);
  CHECK(trace() == "barrier 2 final | ack 2");
  trigger(task, 3, false);
  CHECK(trace() == "decline 3: source already ended its stream");
  notify(task, 1, false);  // an earlier checkpoint's commit: the task stays
  CHECK(trace() == "");
  notify(task, 2, true);
  CHECK(trace() == "FINISHED | down");
}

TEST_CASE_FIXTURE(task_fixture, "a transformation declines triggers: it checkpoints on barriers") {
  auto task = start("test_scripted_transform", false);
  trigger(task, 1, false);
  CHECK(trace() == "decline 1: task is not a running source");
}

TEST_CASE_FIXTURE(task_fixture,
                  "a transformation whose snapshot fails declines, still forwards the barrier and "
                  "takes the next checkpoint") {
  auto task = start("test_scripted_transform", false);
  script.fail_snapshots = true;
  barrier_in(task, 3, false);
  CHECK(trace() == "decline 3: snapshot failed: disk full | barrier 3");
  script.fail_snapshots = false;
  barrier_in(task, 4, false);  // the alignment of 3 was released
  CHECK(trace() == "barrier 4 | ack 4");
}

TEST_CASE_FIXTURE(task_fixture,
                  "a sink whose snapshot fails declines and fails: its staged output is in an "
                  "unknown state (issue 9, defect 2)") {
  auto task = start("test_scripted_sink", false);
  script.fail_snapshots = true;
  barrier_in(task, 3, false);
  // Before the fix the sink declined and went on, and its next file truncated or skipped what
  // the failed snapshot had half staged.
  CHECK(trace() == "decline 3: snapshot failed: disk full | FAILED: sink snapshot failed: disk "
                   "full | down");
}

TEST_CASE_FIXTURE(task_fixture,
                  "a transformation whose final snapshot fails declines, forwards the final "
                  "barrier and fails") {
  auto task = start("test_scripted_transform", false);
  script.fail_snapshots = true;
  barrier_in(task, 5, true);
  CHECK(trace()
        == "decline 5: snapshot failed: disk full | records 99 | barrier 5 final"
           " | FAILED: final snapshot failed: disk full | down");
}

TEST_CASE_FIXTURE(task_fixture,
                  "a transformation's final checkpoint: what it still holds goes before the final "
                  "barrier, and the final commit finishes it") {
  auto task = start("test_scripted_transform", false);
  caf::send_as(peer, task, data_batch{0, {record::of(std::int64_t{1}), record::of(std::int64_t{2})}});
  sched.run();
  CHECK(trace() == "records 1 2");
  barrier_in(task, 5, true);
  CHECK(trace() == "records 99 | barrier 5 final | ack 5");
  notify(task, 5, false);  // the same id, not flagged final: only a commit
  CHECK(trace() == "");
  notify(task, 5, true);
  CHECK(trace() == "FINISHED | down");
}
