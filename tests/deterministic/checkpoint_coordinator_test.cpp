// The checkpoint coordinator alone on the deterministic scheduler, with recorders standing in
// for the job and its only task (also its only source) and a scripted store worker: an
// acknowledgement of an old attempt or another leader session is dropped, a checkpoint past its
// timeout is discarded exactly at its deadline, a decline fails a checkpoint at once, the tasks
// are notified only after the store confirmed, and checkpoint ids strictly increase.
//
// "Dropped" is exact: after the coordinator consumed the message, no actor has anything to do
// (no store request, no event, no notification) — no waiting for silence.
#include "actors/checkpoint_coordinator.hpp"
#include "messages/atoms.hpp"
#include "messages/internal_messages.hpp"
#include "messages/checkpoint_messages.hpp"
#include "tests/support/deterministic.hpp"

using namespace fjord;
using namespace fjord::testing;
using namespace std::chrono_literals;

namespace {

const std::string session = "session-1";
const std::string job_id = "0123456789abcdef0123456789abcdef";

/// Answers the checkpoint store worker's protocol (actors/store_workers.hpp) from memory.
struct scripted_store_state {
  std::int64_t next_id = 1;
  std::vector<std::int64_t> added;
  static inline const char* name = "fjord.test_checkpoint_store";
};

caf::behavior scripted_store(caf::stateful_actor<scripted_store_state>* self) {
  return {
    [=](next_id_atom) { return self->state.next_id++; },
    [=](add_atom, const completed_checkpoint& c) {
      self->state.added.push_back(c.checkpoint_id);
      return true;
    },
    [=](latest_atom) { return std::vector<completed_checkpoint>{}; },
    [=](shutdown_atom, job_state) { return true; },
  };
}

struct coordinator_fixture : deterministic_fixture {
  caf::actor job = spawn_recorder();
  caf::actor task = spawn_recorder();
  caf::actor store = sys.spawn(scripted_store);
  caf::actor coordinator;

  explicit coordinator_fixture(std::int64_t interval_ms = 20, std::int64_t timeout_ms = 60000) {
    checkpoint_settings s;
    s.interval_ms = interval_ms;
    s.timeout_ms = timeout_ms;
    coordinator = caf::actor_cast<caf::actor>(spawn_checkpoint_coordinator(
      sys, session, job_id, s, caf::actor_cast<checkpoint_listener_actor>(job),
      caf::actor_cast<checkpoint_store_worker_actor>(store)));
    sched.run();  // initializes every actor
  }

  ~coordinator_fixture() override { caf::anon_send_exit(coordinator, caf::exit_reason::kill); }

  void run_attempt(std::int32_t attempt) {
    attempt_running msg;
    msg.attempt = attempt;
    msg.sources = {caf::actor_cast<task_actor>(task)};
    msg.tasks = {{subtask_key{"src", 0}, caf::actor_cast<task_actor>(task)}};
    self->send(coordinator, msg);
    expect((attempt_running), from(self).to(coordinator));
  }

  /// The next periodic tick: the coordinator asks the store for an id and triggers the source.
  trigger_checkpoint next_trigger(std::chrono::milliseconds interval = 20ms) {
    CHECK(advance_time(interval) == 1);  // the tick, nothing else
    expect((tick_atom), from(coordinator).to(coordinator));
    expect((next_id_atom), from(coordinator).to(store));
    expect((std::int64_t), from(store).to(coordinator));
    expect((trigger_checkpoint), from(coordinator).to(task));
    CHECK(quiet());
    auto t = last<trigger_checkpoint>(task);
    CHECK(t.leader_session == session);
    CHECK(t.job_id == job_id);
    return t;
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

  /// Sends `msg` from the task and lets the coordinator consume it.
  template <class Message>
  void from_task(const Message& msg) {
    caf::send_as(task, coordinator, msg);
    expect((Message), from(task).to(coordinator));
  }

  /// The coordinator consumed `a` and did nothing: no store request, no event, no notification.
  void check_dropped(const acknowledge_checkpoint& a) {
    from_task(a);
    disallow((add_atom, completed_checkpoint), to(store));
    disallow((checkpoint_completed_event), to(job));
    disallow((notify_checkpoint_complete), to(task));
    CHECK(quiet());
  }

  /// The single acknowledgement of `t` completes it: stored first, the job and task told after.
  void complete(const trigger_checkpoint& t, std::int32_t attempt) {
    from_task(ack(t, attempt));
    expect((add_atom, completed_checkpoint), from(coordinator).to(store));
    // Not before the store confirmed: the notification is what lets sinks commit.
    disallow((notify_checkpoint_complete), to(task));
    disallow((checkpoint_completed_event), to(job));
    expect((bool), from(store).to(coordinator));
    expect((checkpoint_completed_event), from(coordinator).to(job));
    expect((notify_checkpoint_complete), from(coordinator).to(task));
    CHECK(quiet());
    CHECK(last<checkpoint_completed_event>(job).checkpoint_id == t.checkpoint_id);
    CHECK(last<notify_checkpoint_complete>(task).checkpoint_id == t.checkpoint_id);
    CHECK(last<notify_checkpoint_complete>(task).attempt == attempt);
  }

  std::vector<std::int64_t> stored() {
    return deref<caf::stateful_actor<scripted_store_state>>(store).state.added;
  }
};

/// Checkpoints once a second that expire after 150 ms.
struct short_timeout_fixture : coordinator_fixture {
  short_timeout_fixture() : coordinator_fixture(1000, 150) {}
};

}  // namespace

TEST_CASE_FIXTURE(coordinator_fixture,
                  "an acknowledgement from an old execution attempt or another leader session is "
                  "dropped") {
  run_attempt(2);
  auto t = next_trigger();
  CHECK(t.attempt == 2);
  check_dropped(ack(t, 1));  // stale attempt
  auto wrong_session = ack(t, 2);
  wrong_session.leader_session = "another-session";
  check_dropped(wrong_session);
  auto wrong_job = ack(t, 2);
  wrong_job.job_id = "ffffffffffffffffffffffffffffffff";
  check_dropped(wrong_job);
  // Still pending: the decline finds it.
  from_task(decline_checkpoint{session, job_id, 2, t.checkpoint_id, "src", 0, "probe"});
  expect((checkpoint_failed_event), from(coordinator).to(job));
  auto failed = last<checkpoint_failed_event>(job);
  CHECK(failed.checkpoint_id == t.checkpoint_id);
  CHECK(failed.reason == "declined by src#0: probe");
  CHECK(quiet());
  // The current attempt's acknowledgement completes the next checkpoint.
  auto next = next_trigger();
  CHECK(next.checkpoint_id > t.checkpoint_id);
  complete(next, 2);
  CHECK(stored() == std::vector<std::int64_t>{next.checkpoint_id});
}

TEST_CASE_FIXTURE(short_timeout_fixture,
                  "a checkpoint past its timeout is discarded with its state, exactly at its "
                  "deadline") {
  run_attempt(0);
  auto t = next_trigger(1000ms);
  CHECK(advance_time(149ms) == 0);
  CHECK(quiet());
  CHECK(recorded<checkpoint_failed_event>(job).empty());
  CHECK(advance_time(1ms) == 1);
  expect((expire_atom, std::int32_t, std::int64_t),
         from(coordinator).to(coordinator).with(_, 0, t.checkpoint_id));
  expect((checkpoint_failed_event), from(coordinator).to(job));
  auto failed = last<checkpoint_failed_event>(job);
  CHECK(failed.checkpoint_id == t.checkpoint_id);
  CHECK(failed.reason == "expired after 150 ms");
  CHECK(quiet());
  // A late acknowledgement does not resurrect it; the next checkpoint completes as usual.
  check_dropped(ack(t, 0));
  auto next = next_trigger(850ms);  // the next tick, 1000 ms after the first
  CHECK(next.checkpoint_id > t.checkpoint_id);
  complete(next, 0);
  CHECK(stored() == std::vector<std::int64_t>{next.checkpoint_id});
}

TEST_CASE_FIXTURE(coordinator_fixture, "a decline fails the checkpoint at once") {
  run_attempt(0);
  auto t = next_trigger();
  auto now = sched.clock().now();
  from_task(decline_checkpoint{session, job_id, 0, t.checkpoint_id, "src", 0, "not ready"});
  expect((checkpoint_failed_event), from(coordinator).to(job));
  CHECK(sched.clock().now() == now);  // no time passed, let alone the 60 s timeout
  auto failed = last<checkpoint_failed_event>(job);
  CHECK(failed.checkpoint_id == t.checkpoint_id);
  CHECK(failed.reason.find("not ready") != std::string::npos);
  CHECK_FALSE(failed.is_final);
  CHECK(quiet());
  // A late acknowledgement does not complete it; the next checkpoint completes as usual.
  check_dropped(ack(t, 0));
  auto next = next_trigger();
  complete(next, 0);
  CHECK(stored() == std::vector<std::int64_t>{next.checkpoint_id});
}

TEST_CASE_FIXTURE(coordinator_fixture, "checkpoint ids of one coordinator strictly increase") {
  run_attempt(0);
  std::int64_t previous = 0;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    auto t = next_trigger();
    CHECK(t.checkpoint_id > previous);
    previous = t.checkpoint_id;
    ids.push_back(t.checkpoint_id);
    complete(t, 0);
  }
  CHECK(stored() == ids);
}

TEST_CASE_FIXTURE(coordinator_fixture,
                  "acknowledgements of a stopped attempt are dropped and its checkpoint aborted") {
  run_attempt(0);
  auto t = next_trigger();
  self->send(coordinator, attempt_stopped{0});
  expect((attempt_stopped), from(self).to(coordinator));
  bool confirmed = false;  // answered at once: the job's restore read waits for it
  self->receive([&](bool b) { confirmed = b; }, caf::after(std::chrono::seconds(0)) >> [] {});
  CHECK(confirmed);
  check_dropped(ack(t, 0));
  // No further checkpoint of the stopped attempt: the next tick triggers nothing.
  CHECK(advance_time(20ms) == 1);
  expect((tick_atom), from(coordinator).to(coordinator));
  CHECK(quiet());
  CHECK(advance_time(20ms) == 0);  // the tick is not re-armed
  CHECK(recorded<trigger_checkpoint>(task).size() == 1);
}
