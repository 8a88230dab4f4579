// Restart strategies: fixed delay, exponential delay, none. Decides whether the job may
// restart after its n-th failure and how long to wait first.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "messages/job_graph.hpp"

namespace fjord {

class restart_backoff {
 public:
  explicit restart_backoff(restart_settings settings) : settings_(settings) {}

  /// The delay before restart number `restart` (1-based), or std::nullopt if the strategy
  /// allows no more restarts: the job then fails for good.
  std::optional<std::chrono::milliseconds> delay_before(std::int32_t restart) const;

  const restart_settings& settings() const { return settings_; }

 private:
  restart_settings settings_;
};

}  // namespace fjord
