// Checkpoint ids of one job: strictly increasing, across restarts and leader changes.
//
// Not thread-safe unless an implementation says so: owned by one store worker.
#pragma once

#include <cstdint>

#include "fjord/job_status.hpp"

namespace fjord {

class checkpoint_id_counter {
 public:
  virtual ~checkpoint_id_counter() = default;

  virtual void start() = 0;

  /// Stops using the counter. Deletes the persistent counter only if `final_state` is globally
  /// terminal (finished, canceled, failed); otherwise (suspended) it is kept for the next leader.
  virtual void shutdown(job_state final_state) = 0;

  /// Returns the current value and increments it. The first call on a new counter returns 1.
  virtual std::int64_t get_and_increment() = 0;

  /// The value the next get_and_increment() returns (the current value, without incrementing).
  virtual std::int64_t get() = 0;

  virtual void set_count(std::int64_t next) = 0;
};

}  // namespace fjord
