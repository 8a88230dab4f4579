// The checkpoint coordinator's lifecycle alone: attempts, triggering (interval, max-concurrent,
// min-pause), acknowledgements, discards and the final checkpoint.
#include <doctest/doctest.h>

#include "actors/detail/checkpoint_scheduler.hpp"

using namespace fjord;
using namespace std::chrono_literals;

namespace {

using trigger = checkpoint_scheduler::trigger_kind;
using outcome = checkpoint_scheduler::ack_outcome;
using phase = checkpoint_scheduler::phase;
using final_phase = checkpoint_scheduler::final_phase;

const auto t0 = checkpoint_scheduler::clock::time_point{} + 1h;

checkpoint_settings settings(std::int32_t max_concurrent = 1, std::int64_t min_pause_ms = 0) {
  checkpoint_settings s;
  s.interval_ms = 50;
  s.timeout_ms = 1000;
  s.max_concurrent = max_concurrent;
  s.min_pause_ms = min_pause_ms;
  return s;
}

std::set<subtask_key> two_tasks() {
  return {{"src", 0}, {"sink", 0}};
}

subtask_state state_of(const subtask_key& key, std::string bytes = "s") {
  return subtask_state{key.first, key.second, std::move(bytes)};
}

/// Triggers one periodic checkpoint of `attempt` with `id`; false if the scheduler refused.
bool trigger_periodic(checkpoint_scheduler& s, std::int32_t attempt, std::int64_t id,
                      checkpoint_scheduler::clock::time_point now = t0) {
  if (s.next_trigger(now, true) != trigger::periodic)
    return false;
  return s.on_id(attempt, id, false, 1000 + id, now);
}

}  // namespace

TEST_CASE("scheduler: nothing is triggered before an attempt runs, or after it stopped") {
  checkpoint_scheduler s{settings()};
  CHECK(s.current_phase() == phase::idle);
  CHECK(s.attempt() == -1);
  CHECK(s.next_trigger(t0, true) == trigger::none);
  CHECK_FALSE(s.arm_tick());
  s.start_attempt(0, two_tasks());
  CHECK(s.running());
  CHECK(s.arm_tick());
  CHECK_FALSE(s.arm_tick());  // armed already
  s.tick_fired();
  REQUIRE(trigger_periodic(s, 0, 1));
  CHECK(s.stop_attempt(0) == 1);  // the pending one is aborted
  CHECK(s.current_phase() == phase::idle);
  CHECK(s.pending_count() == 0);
  CHECK(s.next_trigger(t0, true) == trigger::none);
}

TEST_CASE("scheduler: a periodic tick triggers at most max-concurrent, one id request at a time") {
  checkpoint_scheduler s{settings(2)};
  s.start_attempt(0, two_tasks());
  CHECK(s.next_trigger(t0, false) == trigger::none);  // not a tick: no periodic checkpoint
  REQUIRE(s.next_trigger(t0, true) == trigger::periodic);
  CHECK(s.id_request_in_flight());
  CHECK(s.next_trigger(t0, true) == trigger::none);  // its id is not there yet
  REQUIRE(s.on_id(0, 1, false, 1000, t0));
  CHECK(trigger_periodic(s, 0, 2));
  CHECK(s.pending_count() == 2);
  CHECK(s.next_trigger(t0, true) == trigger::none);  // max-concurrent 2 reached
}

TEST_CASE("scheduler: min-pause counts from the last stored checkpoint") {
  checkpoint_scheduler s{settings(1, 100)};
  s.start_attempt(0, two_tasks());
  REQUIRE(trigger_periodic(s, 0, 1));
  REQUIRE(s.acknowledge(0, 1, state_of({"src", 0})).outcome == outcome::accepted);
  auto done = s.acknowledge(0, 1, state_of({"sink", 0}));
  REQUIRE(done.outcome == outcome::complete);
  REQUIRE(done.completed);
  CHECK(done.completed->checkpoint.checkpoint_id() == 1);
  CHECK(done.completed->started == t0);
  CHECK(s.pending_count() == 0);
  s.stored(1, t0 + 10ms);
  CHECK(s.next_trigger(t0 + 50ms, true) == trigger::none);
  CHECK(s.next_trigger(t0 + 110ms, true) == trigger::periodic);
}

TEST_CASE("scheduler: acknowledgements of another attempt are stale, unknown ids not pending, "
          "duplicates and strangers ignored, and an ignored state is not taken") {
  checkpoint_scheduler s{settings()};
  s.start_attempt(3, two_tasks());
  REQUIRE(trigger_periodic(s, 3, 7));
  auto a = state_of({"src", 0});
  CHECK(s.acknowledge(2, 7, std::move(a)).outcome == outcome::stale);
  CHECK(s.acknowledge(3, 8, state_of({"src", 0})).outcome == outcome::not_pending);
  CHECK(s.acknowledge(3, 7, state_of({"src", 0})).outcome == outcome::accepted);
  auto again = state_of({"src", 0}, "again");
  CHECK(s.acknowledge(3, 7, std::move(again)).outcome == outcome::ignored);
  CHECK(again.bytes == "again");  // left where it was
  CHECK(s.acknowledge(3, 7, state_of({"other", 0})).outcome == outcome::ignored);
  CHECK(s.is_pending(7));
}

TEST_CASE("scheduler: a stored checkpoint subsumes older pending ones") {
  checkpoint_scheduler s{settings(3)};
  s.start_attempt(0, {{"src", 0}});
  REQUIRE(trigger_periodic(s, 0, 1));
  REQUIRE(trigger_periodic(s, 0, 2));
  REQUIRE(trigger_periodic(s, 0, 3));
  auto done = s.acknowledge(0, 2, state_of({"src", 0}));
  REQUIRE(done.outcome == outcome::complete);
  CHECK(s.stored(2, t0) == 1);  // checkpoint 1 is subsumed, 3 stays
  CHECK_FALSE(s.is_pending(1));
  CHECK(s.is_pending(3));
}

TEST_CASE("scheduler: the final checkpoint waits until nothing else is pending, and a discarded "
          "final checkpoint is taken again") {
  checkpoint_scheduler s{settings()};
  s.start_attempt(0, two_tasks());
  CHECK_FALSE(s.request_final(1));  // not the running attempt
  CHECK(s.final_state() == final_phase::none);
  REQUIRE(trigger_periodic(s, 0, 1));
  REQUIRE(s.request_final(0));
  CHECK(s.final_state() == final_phase::requested);
  CHECK(s.next_trigger(t0, false) == trigger::none);  // checkpoint 1 still pending
  REQUIRE(s.discard(0, 1));
  REQUIRE(s.next_trigger(t0, false) == trigger::final_checkpoint);
  REQUIRE(s.on_id(0, 2, true, 2000, t0));
  CHECK(s.final_state() == final_phase::triggered);
  CHECK(s.next_trigger(t0, true) == trigger::none);  // no periodic one after the final
  auto d = s.discard(0, 2);
  REQUIRE(d);
  CHECK(d->is_final);
  CHECK(d->waiting == two_tasks());
  CHECK(s.final_state() == final_phase::requested);
  REQUIRE(s.next_trigger(t0, false) == trigger::final_checkpoint);
  CHECK(s.on_id(0, 3, true, 3000, t0));
}

TEST_CASE("scheduler: an id that arrives after its attempt ended, or after shutdown, is moot") {
  checkpoint_scheduler s{settings()};
  s.start_attempt(0, two_tasks());
  REQUIRE(s.next_trigger(t0, true) == trigger::periodic);
  s.stop_attempt(0);
  CHECK_FALSE(s.on_id(0, 1, false, 1000, t0));
  CHECK_FALSE(s.id_request_in_flight());
  s.start_attempt(1, two_tasks());
  REQUIRE(s.next_trigger(t0, true) == trigger::periodic);
  CHECK_FALSE(s.on_id(0, 2, false, 1000, t0));  // the id of an earlier attempt's trigger
  REQUIRE(s.next_trigger(t0, true) == trigger::periodic);
  CHECK(s.on_id_failed(1));  // a failure of the running attempt is reported
  REQUIRE(trigger_periodic(s, 1, 3));
  s.shut_down();
  CHECK(s.current_phase() == phase::shut_down);
  CHECK(s.pending_count() == 0);
  CHECK(s.next_trigger(t0, true) == trigger::none);
  CHECK_FALSE(s.request_final(1));
  CHECK_FALSE(s.discard(1, 3));
  CHECK(s.acknowledge(1, 3, state_of({"src", 0})).outcome == outcome::stale);
}
