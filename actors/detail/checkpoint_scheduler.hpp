// The checkpoint coordinator's lifecycle, without messages: which execution attempt it
// checkpoints, which checkpoints are pending and since when, when the next one may be triggered
// (interval, max-concurrent, min-pause), and the final checkpoint once every source ended. The
// coordinator actor (actors/checkpoint_coordinator.cpp) turns its decisions into messages and
// timers; everything here is plain state, tested alone (tests/unit/checkpoint_scheduler_test.cpp).
//
// Not thread-safe: owned by one coordinator.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "actors/detail/pending_checkpoint.hpp"
#include "messages/checkpoint.hpp"
#include "messages/job_graph.hpp"

namespace fjord {

class checkpoint_scheduler {
 public:
  using clock = std::chrono::steady_clock;

  enum class phase {
    idle,       ///< no attempt runs (none yet, or the last one stopped)
    running,    ///< checkpointing `attempt()`
    shut_down,  ///< the job ended: nothing is triggered or completed any more
  };

  enum class final_phase {
    none,       ///< sources still run
    requested,  ///< every source ended: the final checkpoint comes once nothing is pending
    triggered,  ///< the final checkpoint is pending (or being stored)
  };

  enum class trigger_kind { none, periodic, final_checkpoint };

  /// A checkpoint between trigger and the store's confirmation.
  struct pending_entry {
    pending_checkpoint checkpoint;
    clock::time_point started;
  };

  enum class ack_outcome {
    stale,        ///< another attempt, or none running: dropped
    not_pending,  ///< discarded already (declined, expired, subsumed) or never triggered
    ignored,      ///< a duplicate, or a subtask this checkpoint does not wait for
    accepted,     ///< counted; more are missing
    complete,     ///< the last one: `completed` holds the checkpoint, now off the pending list
  };

  struct ack_result {
    ack_outcome outcome = ack_outcome::stale;
    std::optional<pending_entry> completed;
  };

  /// A pending checkpoint given up (declined or expired).
  struct discarded {
    bool is_final = false;
    std::set<subtask_key> waiting;  ///< who had not acknowledged
  };

  explicit checkpoint_scheduler(checkpoint_settings settings);

  /// Every task of `attempt` runs: checkpoint it (pending checkpoints of earlier ones forgotten).
  void start_attempt(std::int32_t attempt, std::set<subtask_key> tasks);
  /// `attempt` is over: its pending checkpoints are aborted; returns how many. Another attempt's
  /// stop changes nothing.
  std::size_t stop_attempt(std::int32_t attempt);
  /// Every source of `attempt` ended; false (and nothing changes) if it is not the running one.
  bool request_final(std::int32_t attempt);
  /// The job ends: pending checkpoints dropped, nothing triggered any more.
  void shut_down();

  /// Whether the periodic tick should be armed now (interval set, running, not armed yet); if
  /// so it counts as armed until tick_fired().
  bool arm_tick();
  void tick_fired() { tick_armed_ = false; }

  /// What to trigger now, if anything: the final checkpoint as soon as nothing else is pending,
  /// else (on a periodic tick only) a periodic one within max-concurrent and min-pause. Anything
  /// but `none` puts an id request in flight until on_id() or on_id_failed().
  trigger_kind next_trigger(clock::time_point now, bool periodic_tick);

  /// The id for a trigger of `attempt` arrived. Registers the pending checkpoint and returns
  /// true; false if the trigger is moot (attempt over, shut down, final one triggered already).
  bool on_id(std::int32_t attempt, std::int64_t id, bool is_final, std::int64_t timestamp_ms,
             clock::time_point now);
  /// No id for a trigger of `attempt`: true if that concerns the running attempt.
  bool on_id_failed(std::int32_t attempt);

  /// Takes `state` only when it is accepted (outcome accepted or complete).
  ack_result acknowledge(std::int32_t attempt, std::int64_t id, subtask_state&& state);

  /// Gives up a pending checkpoint of `attempt` (declined, or expired); a final one may be
  /// triggered again. nullopt if it is not pending (or the attempt is not the running one).
  std::optional<discarded> discard(std::int32_t attempt, std::int64_t id);

  /// The store confirmed checkpoint `id`: older pending checkpoints are subsumed by it and
  /// dropped (returns how many), and min-pause counts from `now`.
  std::size_t stored(std::int64_t id, clock::time_point now);

  phase current_phase() const { return phase_; }
  final_phase final_state() const { return final_; }
  bool running() const { return phase_ == phase::running; }
  /// The attempt checkpointed now or last; -1 before the first.
  std::int32_t attempt() const { return attempt_; }
  bool is_pending(std::int64_t id) const { return pending_.count(id) > 0; }
  std::size_t pending_count() const { return pending_.size(); }
  bool id_request_in_flight() const { return id_in_flight_; }
  const checkpoint_settings& settings() const { return settings_; }

 private:
  checkpoint_settings settings_;
  phase phase_ = phase::idle;
  final_phase final_ = final_phase::none;
  std::int32_t attempt_ = -1;
  std::set<subtask_key> tasks_;
  std::map<std::int64_t, pending_entry> pending_;
  bool id_in_flight_ = false;
  bool tick_armed_ = false;
  std::optional<clock::time_point> last_stored_;
};

const char* to_string(checkpoint_scheduler::phase p);

}  // namespace fjord
