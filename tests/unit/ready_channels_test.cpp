// The ready set of a task's input channels (actors/detail/ready_channels.hpp) and the O(1)
// bookkeeping of the barrier aligner over many channels.
#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

#include "actors/detail/barrier_aligner.hpp"
#include "actors/detail/ready_channels.hpp"

using namespace fjord;

TEST_CASE("ready channels come out in the order they became ready, each once") {
  ready_channels r{4};
  CHECK(r.empty());
  CHECK_FALSE(r.pop().has_value());
  r.push(2);
  r.push(0);
  r.push(2);  // queued already: no second entry
  CHECK(r.size() == 2);
  CHECK(r.contains(2));
  CHECK_FALSE(r.contains(1));
  CHECK(r.pop() == std::optional<std::size_t>{2});
  CHECK_FALSE(r.contains(2));
  r.push(3);
  r.push(2);  // ready again after it was taken: goes to the back
  CHECK(r.pop() == std::optional<std::size_t>{0});
  CHECK(r.pop() == std::optional<std::size_t>{3});
  CHECK(r.pop() == std::optional<std::size_t>{2});
  CHECK(r.empty());
  CHECK_FALSE(r.pop().has_value());
}

TEST_CASE("ready channels: re-adding a channel that still has input gives round robin") {
  // Three channels that always have input: taking the oldest and re-adding it at the back
  // visits them in turn, as the scan from the last position did.
  ready_channels r{3};
  r.push(0);
  r.push(1);
  r.push(2);
  std::vector<std::size_t> order;
  for (int k = 0; k < 7; ++k) {
    auto c = r.pop();
    REQUIRE(c.has_value());
    order.push_back(*c);
    r.push(*c);
  }
  CHECK(order == std::vector<std::size_t>{0, 1, 2, 0, 1, 2, 0});
  CHECK(r.size() == 3);
}

TEST_CASE("ready channels wrap around their ring with every channel queued") {
  ready_channels r{1000};
  for (std::size_t round = 0; round < 3; ++round) {
    for (std::size_t c = 0; c < 1000; ++c)
      r.push((c + round * 7) % 1000);
    CHECK(r.size() == 1000);
    for (std::size_t c = 0; c < 1000; ++c)
      CHECK(r.pop() == std::optional<std::size_t>{(c + round * 7) % 1000});
    CHECK(r.empty());
  }
}

TEST_CASE("ready channels reject a channel they do not have") {
  ready_channels r{2};
  CHECK_THROWS_AS(r.push(2), std::out_of_range);
  ready_channels none;
  CHECK(none.channels() == 0);
  CHECK_FALSE(none.pop().has_value());
}

TEST_CASE("barrier alignment over 1,000 channels, then only over those still open") {
  barrier_aligner a{1000};
  for (std::size_t c = 0; c < 999; ++c)
    CHECK_FALSE(a.on_barrier(c, 1, 10, false).has_value());
  CHECK(a.blocked(500));
  CHECK_FALSE(a.blocked(999));
  REQUIRE(a.on_barrier(999, 1, 10, false).has_value());
  a.release();
  for (std::size_t c = 0; c < 1000; ++c)
    REQUIRE_FALSE(a.blocked(c));

  CHECK_FALSE(a.all_closed());

  // The final checkpoint closes every channel; nothing is open to wait for afterwards.
  for (std::size_t c = 0; c < 999; ++c)
    CHECK_FALSE(a.on_barrier(c, 2, 20, true).has_value());
  CHECK_FALSE(a.all_closed());
  auto aligned = a.on_barrier(999, 2, 20, true);
  REQUIRE(aligned.has_value());
  CHECK(aligned->is_final);
  a.release();
  CHECK(a.all_closed());
  CHECK(a.closed(0));
  CHECK(a.closed(999));
  CHECK_THROWS_AS(a.on_barrier(3, 3, 30, false), std::logic_error);
}
