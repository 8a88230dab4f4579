// Job and task states, and the status report a client gets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace fjord {

enum class job_state : std::uint8_t {
  created,
  running,
  restarting,
  finished,   ///< globally terminal
  canceled,   ///< globally terminal (by the user)
  failed,     ///< globally terminal (restarts exhausted or a fatal error)
  suspended,  ///< this JobManager stopped running it (leadership lost, shutdown): HA data kept
};

const char* to_string(job_state s);
/// Finished, canceled or failed: the only states whose end may delete HA data.
bool is_globally_terminal(job_state s);

enum class task_state : std::uint8_t { deploying, running, finished, canceled, failed };

const char* to_string(task_state s);

struct job_status_report {
  std::string job_id;
  std::string name;
  job_state state = job_state::created;
  std::int32_t attempt = 0;
  std::int32_t restarts = 0;
  std::int64_t checkpoints_completed = 0;
  std::int64_t checkpoints_failed = 0;
  std::int64_t latest_checkpoint_id = 0;    ///< 0: none yet
  std::int64_t restored_checkpoint_id = 0;  ///< checkpoint the current attempt started from
  std::int64_t records_in = 0;   ///< records emitted by the sources (current attempt)
  std::int64_t records_out = 0;  ///< records received by the sinks (current attempt)
  std::int32_t tasks_running = 0;
  std::int32_t tasks_total = 0;
  std::string failure;  ///< last failure cause, if any
  std::int64_t started_ms = 0;
  std::int64_t ended_ms = 0;
  /// Trigger-to-stored durations of the most recent completed checkpoints (at most 256), in
  /// microseconds, oldest first.
  std::vector<std::int64_t> checkpoint_durations_us;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_status_report& x) {
  return f(caf::meta::type_name("fjord.job_status_report"), x.job_id, x.name, x.state,
           x.attempt, x.restarts, x.checkpoints_completed, x.checkpoints_failed,
           x.latest_checkpoint_id, x.restored_checkpoint_id, x.records_in, x.records_out,
           x.tasks_running, x.tasks_total, x.failure, x.started_ms, x.ended_ms,
           x.checkpoint_durations_us);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const job_status_report& a, const job_status_report& b) {
  return a.job_id == b.job_id
         && a.name == b.name
         && a.state == b.state
         && a.attempt == b.attempt
         && a.restarts == b.restarts
         && a.checkpoints_completed == b.checkpoints_completed
         && a.checkpoints_failed == b.checkpoints_failed
         && a.latest_checkpoint_id == b.latest_checkpoint_id
         && a.restored_checkpoint_id == b.restored_checkpoint_id
         && a.records_in == b.records_in
         && a.records_out == b.records_out
         && a.tasks_running == b.tasks_running
         && a.tasks_total == b.tasks_total
         && a.failure == b.failure
         && a.started_ms == b.started_ms
         && a.ended_ms == b.ended_ms
         && a.checkpoint_durations_us == b.checkpoint_durations_us;
}

inline bool operator!=(const job_status_report& a, const job_status_report& b) {
  return !(a == b);
}

}  // namespace fjord
