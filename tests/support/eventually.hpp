// The one bounded poll of the tests, for outcomes produced on other threads or processes
// (real schedulers, ZooKeeper, child processes). Never use it to prove that something did NOT
// happen: a deterministic test (tests/deterministic/) proves a drop exactly.
#pragma once

#include <chrono>
#include <thread>

namespace fjord::testing {

/// Polls `condition` every 5 ms until it holds (true) or `limit` passed (its last value).
template <class Condition>
bool eventually(Condition&& condition,
                std::chrono::milliseconds limit = std::chrono::seconds{20}) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return true;
}

}  // namespace fjord::testing
