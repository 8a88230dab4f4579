// Retry policy for ZooKeeper operations: exponential backoff on retryable errors
// (connection_loss, operation_timeout), bounded attempts, nothing else retried.
// Callers write `retry.run([&] { return zk.get(path); })` instead of hand-rolled loops.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

#include "stores/zookeeper/zk_client.hpp"

namespace fjord::zk {

class retry_policy {
 public:
  retry_policy() = default;
  retry_policy(int max_attempts, std::chrono::milliseconds base_wait,
               std::chrono::milliseconds max_wait)
    : max_attempts_(max_attempts), base_wait_(base_wait), max_wait_(max_wait) {}

  int max_attempts() const { return max_attempts_; }

  /// The wait before attempt `attempt` (1-based; attempt 1 has no wait).
  std::chrono::milliseconds wait_before(int attempt) const {
    if (attempt <= 1)
      return std::chrono::milliseconds{0};
    auto wait = base_wait_ * (std::int64_t{1} << std::min(attempt - 2, 20));
    return wait < max_wait_ ? wait : max_wait_;
  }

  /// Runs `f`, retrying while it throws a retryable zk_error and attempts are left.
  template <class F>
  auto run(F&& f) const -> decltype(f()) {
    for (int attempt = 1;; ++attempt) {
      try {
        return f();
      } catch (const zk_error& e) {
        if (!is_retryable(e.code()) || attempt >= max_attempts_)
          throw;
        std::this_thread::sleep_for(wait_before(attempt + 1));
      }
    }
  }

 private:
  int max_attempts_ = 3;
  std::chrono::milliseconds base_wait_{100};
  std::chrono::milliseconds max_wait_{2000};
};

}  // namespace fjord::zk
