// Fencing by leader session on the deterministic scheduler, for the two directions whose
// "ignored" used to be proven by 300 ms of silence (the others are in tests/actors/fencing_test.cpp):
//
//   JobManager -> TaskManager  cancel_tasks under a stale session leaves the tasks running
//   job        -> task         start_task / trigger_checkpoint under a stale session ignored
//
// Each shows both sides: the stale message is consumed and nothing follows from it (disallow,
// and no actor has anything to do), the same message under the current session takes effect.
#include "messages/atoms.hpp"
#include "actors/task.hpp"
#include "actors/task_manager.hpp"
#include "messages/checkpoint_messages.hpp"
#include "messages/task_messages.hpp"
#include "tests/support/deployment_builder.hpp"
#include "tests/support/deterministic.hpp"

using namespace fjord;
using namespace fjord::testing;

namespace {

const std::string session = "11111111-1111-4111-8111-111111111111";
const std::string stale_session = "00000000-0000-4000-8000-000000000000";

/// A JobManager stand-in that leads under `session` and accepts every registration.
caf::behavior leading_job_manager(caf::event_based_actor*) {
  return {
    [](leader_atom) { return session; },
    [](const register_task_manager& r) { return task_manager_registered{r.leader_session, 1}; },
  };
}

}  // namespace

TEST_CASE_FIXTURE(deterministic_fixture,
                  "JobManager -> TaskManager: cancel_tasks under a stale session is ignored") {
  auto job_manager = sys.spawn(leading_job_manager);
  task_manager_options options;
  options.id = "tm-1";
  options.slots = 2;
  auto tm = spawn_task_manager(sys, caf::actor_cast<job_manager_endpoint_actor>(job_manager),
                               options);
  sched.run();  // the TaskManager asks for the session and registers under it
  auto job = spawn_recorder();  // the job, the coordinator and the deployer
  sched.run();
  task_deployment d = deployment_builder{"out", "stdout"}.input_channels(1).reporting_to(job);
  caf::send_as(job, tm, deploy_task{session, d});
  expect((deploy_task), from(job).to(tm));
  expect((task_actor), from(tm).to(job));
  auto task = caf::actor_cast<caf::actor>(last<task_actor>(job));
  REQUIRE(task);
  sched.run();  // the task initializes
  watch(job, task);

  self->send(tm, cancel_tasks{stale_session, d.job_id, 0});
  expect((cancel_tasks), from(self).to(tm));
  disallow((caf::exit_msg), to(task));
  CHECK(quiet());
  CHECK(recorded<caf::down_msg>(job).empty());

  self->send(tm, cancel_tasks{session, d.job_id, 0});
  expect((cancel_tasks), from(self).to(tm));
  expect((caf::exit_msg), from(tm).to(task));
  sched.run();  // down messages to the TaskManager and the watcher
  auto down = recorded<caf::down_msg>(job);
  REQUIRE(down.size() == 1);
  CHECK(down.front().source == task.address());
  CHECK(down.front().reason == caf::exit_reason::kill);
  self->send_exit(tm, caf::exit_reason::kill);
}

TEST_CASE_FIXTURE(deterministic_fixture,
                  "job -> task: start_task and trigger_checkpoint under a stale session are "
                  "ignored") {
  auto job = spawn_recorder();  // also the coordinator
  task_deployment d =
    deployment_builder{"numbers", "sequence",
                       R"({"from": 1, "to": 1000000000, "rate_per_subtask": 1000})"}
      .reporting_to(job);
  auto task = spawn_task(sys, session, d);
  sched.run();  // initialized, waiting for start_task

  caf::send_as(job, task, start_task{stale_session, d.job_id, 0, {}, {}});
  expect((start_task), from(job).to(task));
  disallow((task_state_changed), to(job));
  CHECK(quiet());  // not running: no state report, no first poll
  CHECK(recorded<task_state_changed>(job).empty());

  caf::send_as(job, task, start_task{session, d.job_id, 0, {}, {}});
  expect((start_task), from(job).to(task));
  expect((task_state_changed), from(task).to(job));
  CHECK(last<task_state_changed>(job).state == task_state::running);
  CHECK(last<task_state_changed>(job).leader_session == session);

  // The running source keeps polling itself; each trigger is consumed after at most one poll.
  caf::send_as(job, task, trigger_checkpoint{stale_session, d.job_id, 0, 1, 0, false});
  allow((poll_atom), from(task).to(task));
  expect((trigger_checkpoint), from(job).to(task));
  disallow((acknowledge_checkpoint), to(job));
  disallow((decline_checkpoint), to(job));
  CHECK_FALSE(has_mail(job));
  CHECK(recorded<acknowledge_checkpoint>(job).empty());

  caf::send_as(job, task, trigger_checkpoint{session, d.job_id, 0, 2, 0, false});
  allow((poll_atom), from(task).to(task));
  expect((trigger_checkpoint), from(job).to(task));
  expect((acknowledge_checkpoint), from(task).to(job));
  auto ack = last<acknowledge_checkpoint>(job);
  CHECK(ack.checkpoint_id == 2);
  CHECK(ack.leader_session == session);
  CHECK(recorded<decline_checkpoint>(job).empty());
  self->send_exit(task, caf::exit_reason::kill);
}
