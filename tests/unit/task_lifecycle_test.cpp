// A task's lifecycle alone: start, a source's end of input, the final barrier, the final commit,
// finishing and failing, and which checkpoint triggers a task declines with which reason.
#include <doctest/doctest.h>

#include <string>

#include "actors/detail/task_lifecycle.hpp"

using namespace fjord;

namespace {

using role = task_lifecycle::role;
using phase = task_lifecycle::phase;
using refusal = task_lifecycle::trigger_refusal;

/// A lifecycle of `r` brought into `p` through its legal transitions (a source ends its input
/// on the way to ending), asserting each step.
task_lifecycle in_phase(role r, phase p) {
  task_lifecycle lc{r};
  if (p == phase::created)
    return lc;
  if (p == phase::failed) {
    REQUIRE(lc.fail());
    return lc;
  }
  REQUIRE(lc.start());
  if (p == phase::running)
    return lc;
  if (r == role::source)
    REQUIRE(lc.record_end_of_input());
  REQUIRE(lc.record_final_barrier(7));
  if (p == phase::ending)
    return lc;
  REQUIRE(lc.finish());
  return lc;
}

/// The reason a trigger is declined with, as the coordinator would report it; "" if taken.
std::string decline_reason(const task_lifecycle& lc, bool is_final) {
  auto r = lc.check_trigger(is_final);
  return r ? to_string(*r) : "";
}

}  // namespace

TEST_CASE("task lifecycle: a deployed task does nothing until it starts, and starts once") {
  task_lifecycle lc{role::source};
  CHECK(lc.current_phase() == phase::created);
  CHECK_FALSE(lc.active());
  CHECK_FALSE(lc.polling());
  CHECK_FALSE(lc.ignores_messages());
  REQUIRE(lc.start());
  CHECK(lc.current_phase() == phase::running);
  CHECK(lc.active());
  CHECK(lc.polling());
  CHECK_FALSE(lc.start());  // a second start_task
  CHECK(lc.current_phase() == phase::running);
}

TEST_CASE("task lifecycle: a task that ended, failed or is ending does not start again") {
  for (auto p : {phase::ending, phase::finished, phase::failed}) {
    CAPTURE(static_cast<int>(p));
    auto lc = in_phase(role::stream, p);
    CHECK_FALSE(lc.start());
    CHECK(lc.current_phase() == p);
  }
}

TEST_CASE("task lifecycle: a source records its end of input once, and only while running") {
  auto created = in_phase(role::source, phase::created);
  CHECK_FALSE(created.record_end_of_input());
  CHECK_FALSE(created.input_exhausted());

  auto lc = in_phase(role::source, phase::running);
  REQUIRE(lc.record_end_of_input());
  CHECK(lc.input_exhausted());
  CHECK_FALSE(lc.polling());  // nothing left to poll
  CHECK(lc.active());         // still takes its final checkpoint
  CHECK(lc.current_phase() == phase::running);
  CHECK_FALSE(lc.record_end_of_input());  // the second time

  auto failed = in_phase(role::source, phase::failed);
  CHECK_FALSE(failed.record_end_of_input());
  CHECK_FALSE(failed.input_exhausted());
}

TEST_CASE("task lifecycle: a stream operator has no input of its own to exhaust, and no polls") {
  auto lc = in_phase(role::stream, phase::running);
  CHECK_FALSE(lc.is_source());
  CHECK_FALSE(lc.polling());
  CHECK_FALSE(lc.record_end_of_input());
  CHECK_FALSE(lc.input_exhausted());
}

TEST_CASE("task lifecycle: the reasons a trigger is declined keep the texts the coordinator "
          "reports") {
  CHECK(std::string{to_string(refusal::not_a_running_source)} == "task is not a running source");
  CHECK(std::string{to_string(refusal::stream_ended)} == "source already ended its stream");
  CHECK(std::string{to_string(refusal::final_before_end_of_input)}
        == "final checkpoint before the end of input");
}

TEST_CASE("task lifecycle: a stream operator declines every trigger: it checkpoints on aligned "
          "barriers") {
  for (auto p : {phase::created, phase::running, phase::ending}) {
    CAPTURE(static_cast<int>(p));
    auto lc = in_phase(role::stream, p);
    CHECK(lc.check_trigger(false) == refusal::not_a_running_source);
    CHECK(lc.check_trigger(true) == refusal::not_a_running_source);
  }
}

TEST_CASE("task lifecycle: a source declines triggers before start_task") {
  auto lc = in_phase(role::source, phase::created);
  CHECK(decline_reason(lc, false) == "task is not a running source");
  CHECK(decline_reason(lc, true) == "task is not a running source");
}

TEST_CASE("task lifecycle: a running source takes periodic checkpoints, the final one only after "
          "its input") {
  auto lc = in_phase(role::source, phase::running);
  CHECK_FALSE(lc.check_trigger(false).has_value());
  CHECK(decline_reason(lc, true) == "final checkpoint before the end of input");
  REQUIRE(lc.record_end_of_input());
  CHECK_FALSE(lc.check_trigger(true).has_value());
  CHECK_FALSE(lc.check_trigger(false).has_value());  // a periodic one still, until the final
}

TEST_CASE("task lifecycle: a source that sent its final barrier declines every later trigger") {
  auto lc = in_phase(role::source, phase::ending);
  CHECK(decline_reason(lc, false) == "source already ended its stream");
  CHECK(decline_reason(lc, true) == "source already ended its stream");
}

TEST_CASE("task lifecycle: the final barrier ends the stream of a running task, with its id") {
  auto stream = in_phase(role::stream, phase::running);
  CHECK_FALSE(stream.final_checkpoint_id().has_value());
  REQUIRE(stream.record_final_barrier(12));
  CHECK(stream.current_phase() == phase::ending);
  CHECK(stream.final_checkpoint_id() == 12);
  CHECK(stream.active());  // still drains and commits until the final commit
  CHECK_FALSE(stream.ignores_messages());

  auto source = in_phase(role::source, phase::running);
  REQUIRE(source.record_end_of_input());
  REQUIRE(source.record_final_barrier(13));
  CHECK(source.current_phase() == phase::ending);
  CHECK(source.final_checkpoint_id() == 13);
  CHECK_FALSE(source.polling());
}

TEST_CASE("task lifecycle: a final barrier is refused before the start, before a source's end of "
          "input, a second time, and after the end") {
  auto created = in_phase(role::stream, phase::created);
  CHECK_FALSE(created.record_final_barrier(5));
  CHECK(created.current_phase() == phase::created);

  auto source = in_phase(role::source, phase::running);
  CHECK_FALSE(source.record_final_barrier(5));  // records may still follow
  CHECK(source.current_phase() == phase::running);
  CHECK_FALSE(source.final_checkpoint_id().has_value());

  auto ending = in_phase(role::stream, phase::ending);
  CHECK_FALSE(ending.record_final_barrier(8));
  CHECK(ending.final_checkpoint_id() == 7);  // the first one stands

  for (auto p : {phase::finished, phase::failed}) {
    CAPTURE(static_cast<int>(p));
    auto lc = in_phase(role::stream, p);
    CHECK_FALSE(lc.record_final_barrier(9));
    CHECK(lc.current_phase() == p);
  }
}

TEST_CASE("task lifecycle: only the commit of the final checkpoint it ended with is the final "
          "commit") {
  auto lc = in_phase(role::source, phase::ending);  // ended with checkpoint 7
  CHECK(lc.is_final_commit(7, true));
  CHECK_FALSE(lc.is_final_commit(6, false));  // an earlier checkpoint's commit, arriving late
  CHECK_FALSE(lc.is_final_commit(6, true));
  CHECK_FALSE(lc.is_final_commit(8, true));
  CHECK_FALSE(lc.is_final_commit(7, false));  // not flagged final

  // Nothing is the final commit before the final barrier or after the end.
  for (auto p : {phase::created, phase::running, phase::finished, phase::failed}) {
    CAPTURE(static_cast<int>(p));
    CHECK_FALSE(in_phase(role::source, p).is_final_commit(7, true));
  }
}

TEST_CASE("task lifecycle: a task finishes only from ending its stream, and then ignores "
          "everything") {
  for (auto p : {phase::created, phase::running, phase::failed}) {
    CAPTURE(static_cast<int>(p));
    auto lc = in_phase(role::stream, p);
    CHECK_FALSE(lc.finish());
    CHECK(lc.current_phase() == p);
  }
  auto lc = in_phase(role::stream, phase::ending);
  REQUIRE(lc.finish());
  CHECK(lc.current_phase() == phase::finished);
  CHECK(lc.ignores_messages());
  CHECK_FALSE(lc.active());
  CHECK_FALSE(lc.finish());  // the second time
}

TEST_CASE("task lifecycle: a task fails once from any phase before the end, and is reported "
          "once") {
  for (auto p : {phase::created, phase::running, phase::ending}) {
    CAPTURE(static_cast<int>(p));
    auto lc = in_phase(role::source, p);
    REQUIRE(lc.fail());
    CHECK(lc.current_phase() == phase::failed);
    CHECK(lc.ignores_messages());
    CHECK_FALSE(lc.active());
    CHECK_FALSE(lc.polling());
    CHECK_FALSE(lc.fail());  // a second failure: no second report
    CHECK(lc.current_phase() == phase::failed);
  }
}

TEST_CASE("task lifecycle: a finished task does not fail afterwards") {
  auto lc = in_phase(role::stream, phase::finished);
  CHECK_FALSE(lc.fail());
  CHECK(lc.current_phase() == phase::finished);
}
