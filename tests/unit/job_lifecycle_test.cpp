// The job's execution attempts alone: every phase from restore to running, the reports of an
// earlier attempt dropped, "every task runs" and "every source ended" told once and in that
// order, restarts counted under the restart strategy, zombies, and the end of the job.
#include <doctest/doctest.h>

#include "actors/detail/job_lifecycle.hpp"

using namespace fjord;
using namespace std::chrono_literals;

namespace {

using phase = job_lifecycle::phase;
using deploy = job_lifecycle::deploy_outcome;
using event = job_lifecycle::task_event;
using failure = job_lifecycle::failure_outcome;
using down = job_lifecycle::down_kind;

const subtask_key src0{"src", 0};
const subtask_key src1{"src", 1};
const subtask_key sink0{"sink", 0};

restart_settings fixed_delay(std::int32_t max_attempts, std::int64_t delay_ms = 50) {
  restart_settings r;
  r.kind = restart_strategy_kind::fixed_delay;
  r.max_attempts = max_attempts;
  r.delay_ms = delay_ms;
  return r;
}

/// Two sources and a sink.
job_lifecycle make_lifecycle(restart_settings restart = fixed_delay(3)) {
  return job_lifecycle{restart, {{src0, true}, {src1, true}, {sink0, false}}};
}

/// Takes the current attempt from its beginning to deployed (phase wiring); returns the task
/// refs by subtask.
std::map<subtask_key, job_lifecycle::task_ref> deploy_all(job_lifecycle& lc) {
  auto attempt = lc.attempt();
  REQUIRE(lc.begin_attempt());
  REQUIRE(lc.on_restored(attempt));
  REQUIRE(lc.on_slots(attempt));
  std::map<subtask_key, job_lifecycle::task_ref> refs;
  for (auto& key : {src0, src1, sink0}) {
    auto r = lc.on_deployed(attempt, key);
    REQUIRE(r.outcome != deploy::stale);
    refs[key] = r.ref;
  }
  REQUIRE(lc.current_phase() == phase::wiring);
  return refs;
}

/// deploy_all, then every task reports running (phase running).
std::map<subtask_key, job_lifecycle::task_ref> run_all(job_lifecycle& lc) {
  auto refs = deploy_all(lc);
  auto attempt = lc.attempt();
  REQUIRE(lc.on_task_state(attempt, src0, task_state::running) == event::ignored);
  REQUIRE(lc.on_task_state(attempt, src1, task_state::running) == event::ignored);
  REQUIRE(lc.on_task_state(attempt, sink0, task_state::running) == event::all_running);
  REQUIRE(lc.current_phase() == phase::running);
  return refs;
}

}  // namespace

TEST_CASE("job lifecycle: an attempt goes restore, slots, deploy, wire, running, one step each") {
  auto lc = make_lifecycle();
  CHECK(lc.current_phase() == phase::created);
  CHECK(lc.state() == job_state::created);
  CHECK(lc.attempt() == 0);
  CHECK(lc.total_tasks() == 3);
  CHECK(lc.source_tasks() == 2);
  // Out of order, nothing moves.
  CHECK_FALSE(lc.on_restored(0));
  CHECK_FALSE(lc.on_slots(0));
  CHECK(lc.on_deployed(0, src0).outcome == deploy::stale);
  REQUIRE(lc.waiting_to_begin(0));
  REQUIRE(lc.begin_attempt());
  CHECK(lc.current_phase() == phase::restoring);
  CHECK_FALSE(lc.waiting_to_begin(0));
  CHECK_FALSE(lc.begin_attempt());  // begun already
  CHECK_FALSE(lc.on_slots(0));      // the restore comes first
  REQUIRE(lc.on_restored(0));
  CHECK(lc.current_phase() == phase::requesting_slots);
  CHECK_FALSE(lc.on_restored(0));  // once
  REQUIRE(lc.on_slots(0));
  CHECK(lc.current_phase() == phase::deploying);
  auto first = lc.on_deployed(0, src0);
  CHECK(first.outcome == deploy::accepted);
  CHECK(lc.on_deployed(0, src0).outcome == deploy::stale);  // a second task for one subtask
  CHECK(lc.on_deployed(0, {"nobody", 0}).outcome == deploy::stale);
  CHECK(lc.on_deployed(0, sink0).outcome == deploy::accepted);
  CHECK(lc.deployed_tasks() == 2);
  auto last = lc.on_deployed(0, src1);
  CHECK(last.outcome == deploy::all_there);
  CHECK(last.ref != first.ref);
  CHECK(lc.current_phase() == phase::wiring);
  CHECK(lc.state() == job_state::created);  // not running before every task says so
  CHECK(lc.on_task_state(0, src0, task_state::running) == event::ignored);
  CHECK(lc.on_task_state(0, src0, task_state::running) == event::ignored);  // repeated: one
  CHECK(lc.running_tasks() == 1);
  CHECK(lc.on_task_state(0, src1, task_state::running) == event::ignored);
  CHECK(lc.on_task_state(0, sink0, task_state::running) == event::all_running);
  CHECK(lc.current_phase() == phase::running);
  CHECK(lc.state() == job_state::running);
  CHECK(lc.running_tasks() == 3);
  // Told once: a repeated report of a running task does not start the attempt again.
  CHECK(lc.on_task_state(0, sink0, task_state::running) == event::ignored);
}

TEST_CASE("job lifecycle: every task finished ends the job, counted, not walked") {
  auto lc = make_lifecycle();
  run_all(lc);
  CHECK(lc.on_task_state(0, src0, task_state::finished) == event::ignored);
  CHECK(lc.on_task_state(0, src0, task_state::finished) == event::ignored);  // counted once
  CHECK(lc.finished_tasks() == 1);
  CHECK(lc.running_tasks() == 2);
  CHECK(lc.on_task_state(0, src1, task_state::finished) == event::ignored);
  CHECK(lc.on_task_state(0, sink0, task_state::finished) == event::all_finished);
  CHECK(lc.running_tasks() == 0);
  REQUIRE(lc.terminate(job_state::finished));
  CHECK(lc.state() == job_state::finished);
  CHECK(lc.current_phase() == phase::terminating);
  CHECK_FALSE(lc.terminate(job_state::canceled));  // ending already: the first end stays
  CHECK(lc.state() == job_state::finished);
}

TEST_CASE("job lifecycle: reports of an earlier attempt, or after the end, are ignored") {
  auto lc = make_lifecycle();
  auto old_refs = run_all(lc);
  auto d = lc.on_failure();
  REQUIRE(d.outcome == failure::restart);
  CHECK(d.stopped_attempt == 0);
  CHECK(lc.attempt() == 1);
  CHECK(lc.on_down(old_refs.at(src0)).kind == down::zombie);
  lc.on_stop_confirmed(0);
  deploy_all(lc);
  // The failed attempt's tasks still talk: none of it counts.
  CHECK_FALSE(lc.is_current(0));
  CHECK(lc.on_deployed(0, src0).outcome == deploy::stale);
  CHECK(lc.on_task_state(0, src0, task_state::running) == event::ignored);
  CHECK(lc.on_task_state(0, src0, task_state::failed) == event::ignored);
  CHECK(lc.on_task_state(0, src0, task_state::finished) == event::ignored);
  CHECK_FALSE(lc.on_end_of_input(0, src0));
  CHECK(lc.running_tasks() == 0);
  CHECK(lc.finished_tasks() == 0);
  CHECK(lc.exhausted_sources() == 0);
  CHECK(lc.on_down(old_refs.at(src1)).kind == down::unknown);  // given up on when it began
  // After the end, not even the current attempt's reports count.
  REQUIRE(lc.terminate(job_state::canceled));
  CHECK_FALSE(lc.is_current(1));
  CHECK(lc.on_task_state(1, src0, task_state::running) == event::ignored);
  CHECK(lc.on_task_state(1, src0, task_state::failed) == event::ignored);
  CHECK_FALSE(lc.on_end_of_input(1, src0));
  CHECK(lc.on_failure().outcome == failure::ignored);
  CHECK(lc.restarts() == 1);
  CHECK(lc.state() == job_state::canceled);
}

TEST_CASE("job lifecycle: every source ended is told once per attempt, and only once it runs") {
  auto lc = make_lifecycle();
  deploy_all(lc);
  // A fast source ends before the last task reports running: nothing is told yet, since the
  // coordinator drops a sources_exhausted that overtakes attempt_running.
  CHECK(lc.on_task_state(0, src0, task_state::running) == event::ignored);
  CHECK(lc.on_end_of_input(0, src0));
  CHECK_FALSE(lc.on_end_of_input(0, src0));  // once per source
  CHECK_FALSE(lc.on_end_of_input(0, sink0));  // not a source
  CHECK(lc.exhausted_sources() == 1);
  CHECK(lc.on_task_state(0, src1, task_state::running) == event::ignored);
  CHECK(lc.on_end_of_input(0, src1));
  CHECK(lc.exhausted_sources() == 2);
  CHECK_FALSE(lc.take_sources_exhausted());  // not running yet
  CHECK(lc.on_task_state(0, sink0, task_state::running) == event::all_running);
  CHECK(lc.take_sources_exhausted());
  CHECK_FALSE(lc.take_sources_exhausted());  // once
  // The next attempt counts its own sources again.
  REQUIRE(lc.on_failure().outcome == failure::restart);
  lc.on_stop_confirmed(0);
  CHECK(lc.exhausted_sources() == 0);
  run_all(lc);
  CHECK_FALSE(lc.take_sources_exhausted());
  CHECK(lc.on_end_of_input(1, src0));
  CHECK_FALSE(lc.take_sources_exhausted());  // one source of two
  CHECK(lc.on_end_of_input(1, src1));
  CHECK(lc.take_sources_exhausted());
  CHECK_FALSE(lc.take_sources_exhausted());
}

TEST_CASE("job lifecycle: a failure while a restart is scheduled does not count, one while the "
          "next attempt restores or deploys does") {
  auto lc = make_lifecycle(fixed_delay(3, 50));
  run_all(lc);
  auto first = lc.on_failure();
  REQUIRE(first.outcome == failure::restart);
  CHECK(first.delay == 50ms);
  CHECK(lc.restarts() == 1);
  CHECK(lc.current_phase() == phase::restart_scheduled);
  CHECK(lc.state() == job_state::restarting);
  CHECK(lc.running_tasks() == 0);  // its tasks are gone
  // Another task of the failed attempt dies meanwhile: the same failure, not a new one.
  CHECK(lc.on_failure().outcome == failure::ignored);
  CHECK(lc.restarts() == 1);
  CHECK(lc.attempt() == 1);
  lc.on_stop_confirmed(0);
  REQUIRE(lc.begin_attempt());
  // The restore fails: counts.
  auto second = lc.on_failure();
  REQUIRE(second.outcome == failure::restart);
  CHECK(second.stopped_attempt == 1);
  CHECK(lc.restarts() == 2);
  CHECK(lc.attempt() == 2);
  lc.on_stop_confirmed(1);
  // No slots while the next attempt waits for them: counts, and is the last one allowed.
  REQUIRE(lc.begin_attempt());
  REQUIRE(lc.on_restored(2));
  REQUIRE(lc.on_failure().outcome == failure::restart);
  CHECK(lc.restarts() == 3);
  lc.on_stop_confirmed(2);
  // A deployment fails: no restarts left.
  REQUIRE(lc.begin_attempt());
  REQUIRE(lc.on_restored(3));
  REQUIRE(lc.on_slots(3));
  CHECK(lc.on_failure().outcome == failure::no_restarts_left);
  CHECK(lc.restarts() == 4);  // the report shows the failure that ended it
  CHECK(lc.attempt() == 3);
  CHECK(lc.current_phase() == phase::deploying);  // the caller ends the job
  REQUIRE(lc.terminate(job_state::failed));
  CHECK(lc.state() == job_state::failed);
}

TEST_CASE("job lifecycle: the restart strategy none fails the job at its first failure") {
  restart_settings none;
  none.kind = restart_strategy_kind::none;
  auto lc = make_lifecycle(none);
  run_all(lc);
  CHECK(lc.on_failure().outcome == failure::no_restarts_left);
  CHECK(lc.restarts() == 1);
  CHECK(lc.attempt() == 0);
}

TEST_CASE("job lifecycle: the exponential delay grows with each counted restart") {
  restart_settings r;
  r.kind = restart_strategy_kind::exponential_delay;
  r.max_attempts = 5;
  r.delay_ms = 100;
  r.multiplier = 2.0;
  r.max_delay_ms = 300;
  auto lc = make_lifecycle(r);
  std::vector<std::chrono::milliseconds> delays;
  for (int i = 0; i < 3; ++i) {
    run_all(lc);
    auto d = lc.on_failure();
    REQUIRE(d.outcome == failure::restart);
    CHECK(lc.on_failure().outcome == failure::ignored);  // would double the delay if counted
    delays.push_back(d.delay);
    lc.on_stop_confirmed(d.stopped_attempt);
  }
  CHECK(delays == std::vector<std::chrono::milliseconds>{100ms, 200ms, 300ms});
}

TEST_CASE("job lifecycle: a stopped attempt's tasks are zombies until down; the next attempt "
          "waits for them and for the coordinator's confirmation") {
  auto lc = make_lifecycle();
  auto refs = run_all(lc);
  REQUIRE(lc.on_failure().outcome == failure::restart);
  CHECK(lc.zombie_count() == 3);
  CHECK(lc.waiting_for_stop_confirmation());
  lc.on_stop_confirmed(5);  // not the stopped attempt
  CHECK(lc.waiting_for_stop_confirmation());
  lc.on_stop_confirmed(0);
  CHECK_FALSE(lc.waiting_for_stop_confirmation());
  CHECK(lc.on_down(refs.at(src0)).kind == down::zombie);
  CHECK(lc.on_down(refs.at(src0)).kind == down::unknown);  // once
  CHECK(lc.on_down(refs.at(sink0)).kind == down::zombie);
  CHECK(lc.zombie_count() == 1);
  CHECK(lc.waiting_to_begin(1));
  // One never comes (its TaskManager is unreachable): the next attempt gives up on it.
  REQUIRE(lc.begin_attempt());
  CHECK_FALSE(lc.has_zombies());
  CHECK(lc.on_down(refs.at(src1)).kind == down::unknown);
}

TEST_CASE("job lifecycle: a live task's down is a failure unless it had finished") {
  auto lc = make_lifecycle();
  auto refs = run_all(lc);
  CHECK(lc.on_task_state(0, src0, task_state::finished) == event::ignored);
  auto gone = lc.on_down(refs.at(src0));
  CHECK(gone.kind == down::finished_task);
  CHECK(gone.key == src0);
  auto died = lc.on_down(refs.at(src1));
  CHECK(died.kind == down::live_task);
  CHECK(died.key == src1);
  REQUIRE(lc.on_failure().outcome == failure::restart);
  // Dead already: only the sink is left to wait for.
  CHECK(lc.zombie_count() == 1);
  CHECK(lc.on_down(refs.at(src1)).kind == down::unknown);
  CHECK(lc.on_down(refs.at(sink0)).kind == down::zombie);
}

TEST_CASE("job lifecycle: a task's failure report is passed on, canceled and deploying change "
          "only its state") {
  auto lc = make_lifecycle();
  run_all(lc);
  CHECK(lc.on_task_state(0, sink0, task_state::canceled) == event::ignored);
  CHECK(lc.state_of(sink0) == task_state::canceled);
  CHECK(lc.running_tasks() == 2);
  CHECK(lc.on_task_state(0, {"nobody", 0}, task_state::failed) == event::ignored);
  CHECK(lc.on_task_state(0, src1, task_state::failed) == event::failed);
  CHECK(lc.state_of(src1) == task_state::failed);
  CHECK(lc.running_tasks() == 1);
  CHECK_FALSE(lc.state_of({"nobody", 0}));
}

TEST_CASE("job lifecycle: the job ends from any phase, and its attempt's tasks become zombies") {
  auto lc = make_lifecycle();
  CHECK(lc.terminate(job_state::suspended));
  CHECK(lc.state() == job_state::suspended);
  CHECK_FALSE(lc.waiting_to_begin(0));
  CHECK_FALSE(lc.begin_attempt());

  auto running = make_lifecycle();
  auto refs = run_all(running);
  REQUIRE(running.terminate(job_state::canceled));
  CHECK(running.zombie_count() == 3);
  CHECK(running.running_tasks() == 0);
  CHECK(running.on_down(refs.at(src0)).kind == down::zombie);

  auto restarting = make_lifecycle();
  run_all(restarting);
  REQUIRE(restarting.on_failure().outcome == failure::restart);
  REQUIRE(restarting.terminate(job_state::suspended));
  CHECK_FALSE(restarting.waiting_to_begin(1));  // the scheduled restart does not begin
  CHECK(restarting.state() == job_state::suspended);
}
