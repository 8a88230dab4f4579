// The logic split out of the actors: pending-checkpoint bookkeeping, barrier alignment,
// restart strategies and the wiring plan.
#include <doctest/doctest.h>

#include <stdexcept>

#include "actors/detail/barrier_aligner.hpp"
#include "actors/detail/pending_checkpoint.hpp"
#include "actors/detail/restart_backoff.hpp"
#include "actors/detail/wiring_plan.hpp"

using namespace fjord;

TEST_CASE("pending checkpoint completes only when every expected subtask acknowledged") {
  pending_checkpoint p{7, 1000, false, {{"src", 0}, {"src", 1}, {"sink", 0}}};
  CHECK_FALSE(p.complete());
  CHECK(p.acknowledge({"src", 0, "a"}) == pending_checkpoint::ack_result::accepted);
  CHECK(p.acknowledge({"src", 0, "again"}) == pending_checkpoint::ack_result::duplicate);
  CHECK(p.acknowledge({"other", 0, "x"}) == pending_checkpoint::ack_result::unknown_task);
  CHECK(p.acknowledge({"src", 5, "x"}) == pending_checkpoint::ack_result::unknown_task);
  CHECK(p.acknowledge({"src", 1, "b"}) == pending_checkpoint::ack_result::accepted);
  CHECK_FALSE(p.complete());
  CHECK(p.waiting() == std::set<subtask_key>{{"sink", 0}});
  CHECK(p.acknowledge({"sink", 0, "c"}) == pending_checkpoint::ack_result::accepted);
  REQUIRE(p.complete());
  auto done = std::move(p).finalize("job", 1005);
  CHECK(done.checkpoint_id == 7);
  CHECK(done.completed_ms == 1005);
  REQUIRE(done.states.size() == 3);
  REQUIRE(done.find("src", 0) != nullptr);
  CHECK(done.find("src", 0)->bytes == "a");  // the duplicate did not overwrite the first state
  CHECK(done.find("sink", 0)->bytes == "c");
}

TEST_CASE("barrier alignment holds back aligned channels until every open channel delivered") {
  barrier_aligner a{3};
  CHECK_FALSE(a.on_barrier(1, 4, 100, false).has_value());
  CHECK(a.blocked(1));
  CHECK_FALSE(a.blocked(0));
  CHECK_FALSE(a.on_barrier(0, 4, 100, false).has_value());
  auto aligned = a.on_barrier(2, 4, 100, false);
  REQUIRE(aligned.has_value());
  CHECK(aligned->checkpoint_id == 4);
  a.release();
  CHECK_FALSE(a.blocked(0));
  CHECK_FALSE(a.blocked(1));
  CHECK_FALSE(a.blocked(2));
}

TEST_CASE("barrier alignment rejects protocol violations") {
  barrier_aligner a{2};
  a.on_barrier(0, 4, 100, false);
  CHECK_THROWS_AS(a.on_barrier(0, 4, 100, false), std::logic_error);  // channel blocked
  CHECK_THROWS_AS(a.on_barrier(1, 5, 100, false), std::logic_error);  // another id
  CHECK_THROWS_AS(a.on_barrier(7, 4, 100, false), std::logic_error);  // unknown channel
}

TEST_CASE("a final barrier closes its channels for good") {
  barrier_aligner a{2};
  a.on_barrier(0, 9, 100, true);
  auto aligned = a.on_barrier(1, 9, 100, true);
  REQUIRE(aligned.has_value());
  CHECK(aligned->is_final);
  a.release();
  CHECK(a.closed(0));
  CHECK(a.closed(1));
  CHECK(a.all_closed());
  CHECK_THROWS_AS(a.on_barrier(0, 10, 100, false), std::logic_error);
}

TEST_CASE("a single-input task aligns at once") {
  barrier_aligner a{1};
  CHECK(a.on_barrier(0, 1, 5, false).has_value());
}

TEST_CASE("fixed-delay restarts a bounded number of times") {
  restart_settings s;
  s.kind = restart_strategy_kind::fixed_delay;
  s.max_attempts = 2;
  s.delay_ms = 150;
  restart_backoff b{s};
  CHECK(b.delay_before(1) == std::chrono::milliseconds{150});
  CHECK(b.delay_before(2) == std::chrono::milliseconds{150});
  CHECK_FALSE(b.delay_before(3).has_value());
}

TEST_CASE("exponential-delay grows by the multiplier up to the cap") {
  restart_settings s;
  s.kind = restart_strategy_kind::exponential_delay;
  s.max_attempts = 10;
  s.delay_ms = 100;
  s.multiplier = 2.0;
  s.max_delay_ms = 500;
  restart_backoff b{s};
  CHECK(b.delay_before(1) == std::chrono::milliseconds{100});
  CHECK(b.delay_before(2) == std::chrono::milliseconds{200});
  CHECK(b.delay_before(3) == std::chrono::milliseconds{400});
  CHECK(b.delay_before(4) == std::chrono::milliseconds{500});
  CHECK_FALSE(b.delay_before(11).has_value());
}

TEST_CASE("restart strategy none never restarts") {
  restart_settings s;
  s.kind = restart_strategy_kind::none;
  CHECK_FALSE(restart_backoff{s}.delay_before(1).has_value());
}

TEST_CASE("wiring plan: hash edges connect all-to-all, forward edges one-to-one") {
  job_graph g;
  g.vertices = {{"src", "sequence", 2, "{}"}, {"sum", "keyed_sum", 3, "{}"},
                {"sink", "stdout", 3, "{}"}};
  g.edges = {{"src", "sum", partitioning::hash}, {"sum", "sink", partitioning::forward}};
  auto plan = plan_wiring(g);
  REQUIRE(plan.size() == 8);
  // every sum subtask has one input channel per source subtask
  for (int j = 0; j < 3; ++j)
    CHECK(plan[{"sum", j}].inputs.size() == 2);
  // every source subtask has one gate with three channels, numbered 0..2
  auto& gate = plan[{"src", 1}].outputs.at(0);
  REQUIRE(gate.channels.size() == 3);
  // the receiver's channel points back at the sender's flat channel index
  for (std::int32_t k = 0; k < 3; ++k) {
    auto [receiver, receiver_channel] = gate.channels[static_cast<std::size_t>(k)];
    auto& back = plan[receiver].inputs.at(static_cast<std::size_t>(receiver_channel));
    CHECK(back.sender == subtask_key{"src", 1});
    CHECK(back.sender_channel == k);
  }
  // forward: sum#i -> sink#i only
  for (int i = 0; i < 3; ++i) {
    auto& out = plan[{"sum", i}].outputs.at(0);
    REQUIRE(out.channels.size() == 1);
    CHECK(out.channels[0].first == subtask_key{"sink", i});
    CHECK(plan[{"sink", i}].inputs.size() == 1);
  }
}

TEST_CASE("wiring plan rejects a forward edge between different parallelisms") {
  job_graph g;
  g.vertices = {{"a", "sequence", 2, "{}"}, {"b", "stdout", 3, "{}"}};
  g.edges = {{"a", "b", partitioning::forward}};
  CHECK_THROWS_AS(plan_wiring(g), std::invalid_argument);
}
