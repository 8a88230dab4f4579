// The checkpoint coordinator alone, with scoped actors standing in for the job and the tasks:
// acknowledgements of an old attempt are dropped, a checkpoint past its timeout is discarded,
// and a decline fails a checkpoint at once.
//
// "Dropped" is proven by order, not by silence: the coordinator handles one sender's messages
// in the order they were sent, so a message sent after the one that must be dropped decides
// (a decline that still finds the checkpoint pending; the next checkpoint's notification
// arriving first).
#include <doctest/doctest.h>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/checkpoint_coordinator.hpp"
#include "actors/runtime_config.hpp"
#include "messages/checkpoint_messages.hpp"
#include "messages/internal_messages.hpp"
#include "stores/standalone/standalone_stores.hpp"

using namespace fjord;
using namespace std::chrono_literals;

namespace {

const std::string session = "session-1";
const std::string job_id = "0123456789abcdef0123456789abcdef";

struct coordinator_fixture {
  runtime_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor job{sys};   ///< receives checkpoint_completed/failed events
  caf::scoped_actor task{sys};  ///< the only task, also the only source
  checkpoint_coordinator_actor coordinator;

  explicit coordinator_fixture(std::int64_t timeout_ms = 60000) {
    checkpoint_settings s;
    s.interval_ms = 20;
    s.timeout_ms = timeout_ms;
    coordinator = spawn_checkpoint_coordinator(
      sys, session, job_id, s, caf::actor_cast<checkpoint_listener_actor>(job),
      std::make_shared<standalone_checkpoint_recovery_factory>());
  }

  ~coordinator_fixture() { job->send_exit(coordinator, caf::exit_reason::user_shutdown); }

  void run_attempt(std::int32_t attempt) {
    attempt_running msg;
    msg.attempt = attempt;
    msg.sources = {caf::actor_cast<task_actor>(task)};
    msg.tasks = {{subtask_key{"src", 0}, caf::actor_cast<task_actor>(task)}};
    job->send(coordinator, msg);
  }

  trigger_checkpoint next_trigger() {
    trigger_checkpoint result;
    task->receive([&](const trigger_checkpoint& t) { result = t; },
                  caf::after(5s) >> [] { FAIL("no trigger_checkpoint within 5 s"); });
    return result;
  }

  acknowledge_checkpoint ack(const trigger_checkpoint& t, std::int32_t attempt) {
    acknowledge_checkpoint a;
    a.leader_session = session;
    a.job_id = job_id;
    a.attempt = attempt;
    a.checkpoint_id = t.checkpoint_id;
    a.state = {"src", 0, "position"};
    return a;
  }

  /// The id of the next notify_checkpoint_complete the task gets (triggers in between ignored).
  std::int64_t next_notification() {
    std::int64_t id = -1;
    while (id < 0)
      task->receive([&](const notify_checkpoint_complete& n) { id = n.checkpoint_id; },
                    [&](const trigger_checkpoint&) {},
                    caf::after(5s) >> [&] {
                      FAIL("no notify_checkpoint_complete within 5 s");
                      id = 0;
                    });
    return id;
  }

  /// The checkpoint event the job gets next: "completed <id>" or "failed <id>: <reason>".
  std::string next_event() {
    std::string result = "none within 5 s";
    job->receive(
      [&](const checkpoint_completed_event& e) {
        result = "completed " + std::to_string(e.checkpoint_id);
      },
      [&](const checkpoint_failed_event& e) {
        result = "failed " + std::to_string(e.checkpoint_id) + ": " + e.reason;
      },
      caf::after(5s) >> [] {});
    return result;
  }

  /// True if the task gets a notification for `id` within `wait` (other messages ignored).
  bool notified(std::int64_t id, std::chrono::milliseconds wait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    bool got = false;
    while (!got) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
      if (left <= std::chrono::milliseconds::zero())
        return false;
      task->receive([&](const notify_checkpoint_complete& n) { got = n.checkpoint_id == id; },
                    [&](const trigger_checkpoint&) {},  // later periodic triggers
                    caf::after(left) >> [] {});
    }
    return true;
  }
};

}  // namespace

TEST_CASE_FIXTURE(coordinator_fixture,
                  "an acknowledgement from an old execution attempt is dropped") {
  run_attempt(2);
  auto t = next_trigger();
  CHECK(t.attempt == 2);
  task->send(coordinator, ack(t, 1));  // stale attempt
  auto wrong_session = ack(t, 2);
  wrong_session.leader_session = "another-session";
  task->send(coordinator, wrong_session);
  // Had either been taken, the checkpoint (one task) would be complete and this decline,
  // handled after them, would find nothing pending.
  task->send(coordinator, decline_checkpoint{session, job_id, 2, t.checkpoint_id, "src", 0,
                                             "probe"});
  CHECK(next_event() == "failed " + std::to_string(t.checkpoint_id) + ": declined by src#0: probe");
  // The current attempt's acknowledgement completes the next checkpoint.
  auto next = next_trigger();
  CHECK(next.checkpoint_id > t.checkpoint_id);
  task->send(coordinator, ack(next, 2));
  CHECK(next_notification() == next.checkpoint_id);
  CHECK(next_event() == "completed " + std::to_string(next.checkpoint_id));
}

TEST_CASE("a checkpoint past its timeout is discarded with its state") {
  coordinator_fixture f{150};
  f.run_attempt(0);
  auto t = f.next_trigger();
  std::string reason;
  auto started = std::chrono::steady_clock::now();
  f.job->receive([&](const checkpoint_failed_event& e) {
                   if (e.checkpoint_id == t.checkpoint_id)
                     reason = e.reason;
                 },
                 caf::after(5s) >> [] { FAIL("the expired checkpoint was not reported"); });
  CHECK(reason.find("expired") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started >= 100ms);
  // A late acknowledgement does not resurrect it: the first notification is the next one's.
  f.task->send(f.coordinator, f.ack(t, 0));
  auto next = f.next_trigger();
  f.task->send(f.coordinator, f.ack(next, 0));
  CHECK(f.next_notification() == next.checkpoint_id);
}

TEST_CASE_FIXTURE(coordinator_fixture, "a decline fails the checkpoint at once") {
  run_attempt(0);
  auto t = next_trigger();
  auto started = std::chrono::steady_clock::now();
  task->send(coordinator, decline_checkpoint{session, job_id, 0, t.checkpoint_id, "src", 0,
                                             "not ready"});
  std::string reason;
  job->receive([&](const checkpoint_failed_event& e) { reason = e.reason; },
               caf::after(5s) >> [] { FAIL("the decline was not reported"); });
  CHECK(reason.find("not ready") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < 5s);  // far below the 60 s timeout
  // A late acknowledgement does not complete it: the first notification is the next one's.
  task->send(coordinator, ack(t, 0));
  auto next = next_trigger();
  task->send(coordinator, ack(next, 0));
  CHECK(next_notification() == next.checkpoint_id);
}

TEST_CASE_FIXTURE(coordinator_fixture, "checkpoint ids of one coordinator strictly increase") {
  run_attempt(0);
  std::int64_t previous = 0;
  for (int i = 0; i < 5; ++i) {
    auto t = next_trigger();
    CHECK(t.checkpoint_id > previous);
    previous = t.checkpoint_id;
    task->send(coordinator, ack(t, 0));
    CHECK(notified(t.checkpoint_id, 5s));
  }
}
