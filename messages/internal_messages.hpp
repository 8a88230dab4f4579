// Messages between the actors of one process (job manager, job, checkpoint coordinator, store
// workers; a TaskManager and its leader retrieval). They never cross the middleman, so they are
// not registered: a peer that sends one is refused when CAF decodes it (unknown type).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/checkpoint.hpp"
#include "messages/fwd.hpp"
#include "fjord/job_status.hpp"

namespace fjord {

/// A slot granted to a job: subtask i of every vertex runs in slot i (slot sharing).
struct slot_assignment {
  task_manager_actor task_manager;
  std::string task_manager_id;
  std::string data_host;  ///< the TaskManager's data endpoint (empty: none, embedded)
  std::uint16_t data_port = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, slot_assignment& x) {
  return f(caf::meta::type_name("fjord.slot_assignment"), x.task_manager, x.task_manager_id,
           x.data_host, x.data_port);
}

/// job -> job manager. Reply: std::vector<slot_assignment>, or an error if too few are free.
/// Releases the job's previous slots first.
struct request_slots {
  std::string job_id;
  std::int32_t count = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, request_slots& x) {
  return f(caf::meta::type_name("fjord.request_slots"), x.job_id, x.count);
}

/// job -> job manager: the job ended on this JobManager (any final or suspended state).
struct job_terminated {
  job_status_report report;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_terminated& x) {
  return f(caf::meta::type_name("fjord.job_terminated"), x.report);
}

/// job manager -> job: stop running (leadership lost or shutdown); keep every piece of HA data.
struct suspend_job {
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, suspend_job& x) {
  return f(caf::meta::type_name("fjord.suspend_job"), x.reason);
}

/// job -> coordinator: every task of `attempt` is running; start checkpointing it.
struct attempt_running {
  std::int32_t attempt = 0;
  std::vector<task_actor> sources;
  std::vector<std::pair<subtask_key, task_actor>> tasks;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, attempt_running& x) {
  return f(caf::meta::type_name("fjord.attempt_running"), x.attempt, x.sources, x.tasks);
}

/// job -> coordinator: `attempt` is over; abort its pending checkpoints. Reply: true. The job
/// reads the checkpoint to restore from the checkpoint store worker only after this reply: every
/// store call the coordinator sent for the stopped attempt is then already in the worker's
/// mailbox (a local send enqueues at once), so the read sees a checkpoint the old attempt
/// completed, and its sinks' pending transactions are restored and committed, not re-emitted.
struct attempt_stopped {
  std::int32_t attempt = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, attempt_stopped& x) {
  return f(caf::meta::type_name("fjord.attempt_stopped"), x.attempt);
}

/// job -> coordinator: every source of `attempt` emitted its last record: take the final
/// checkpoint.
struct sources_exhausted {
  std::int32_t attempt = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sources_exhausted& x) {
  return f(caf::meta::type_name("fjord.sources_exhausted"), x.attempt);
}

/// job -> coordinator. Reply: bool, true once the stores shut down cleanly (HA data discarded
/// only for a globally terminal state), false if they failed to; the coordinator quits either way.
struct shutdown_coordinator {
  job_state final_state = job_state::suspended;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shutdown_coordinator& x) {
  return f(caf::meta::type_name("fjord.shutdown_coordinator"), x.final_state);
}

/// coordinator -> job.
struct checkpoint_completed_event {
  std::int32_t attempt = 0;
  std::int64_t checkpoint_id = 0;
  std::int64_t duration_us = 0;
  bool is_final = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_completed_event& x) {
  return f(caf::meta::type_name("fjord.checkpoint_completed_event"), x.attempt, x.checkpoint_id, x.duration_us, x.is_final);
}

/// coordinator -> job.
struct checkpoint_failed_event {
  std::int32_t attempt = 0;
  std::int64_t checkpoint_id = 0;
  std::string reason;
  bool is_final = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_failed_event& x) {
  return f(caf::meta::type_name("fjord.checkpoint_failed_event"), x.attempt, x.checkpoint_id, x.reason, x.is_final);
}

/// leader retrieval -> TaskManager (cluster mode): the leader is now at `address` ("host:port",
/// empty: unknown) under `session`. Sent in the TaskManager's own name (caf::send_as): the
/// TaskManager takes it from itself only.
struct leader_announcement {
  std::string address;
  std::string session;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, leader_announcement& x) {
  return f(caf::meta::type_name("fjord.leader_announcement"), x.address, x.session);
}

}  // namespace fjord
