// The checkpoint protocol between the CheckpointCoordinator and the task actors
// (DESIGN.md, "The checkpoint protocol"). All are fenced by the leader session and scoped to
// one execution attempt of one job; anything from another attempt or session is dropped.
#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

#include "messages/checkpoint.hpp"

namespace fjord {

/// Coordinator -> every source task.
struct trigger_checkpoint {
  std::string leader_session;
  std::string job_id;
  std::int32_t attempt = 0;
  std::int64_t checkpoint_id = 0;
  std::int64_t timestamp_ms = 0;
  bool is_final = false;  ///< sources end their stream after this barrier
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, trigger_checkpoint& x) {
  return f(caf::meta::type_name("fjord.trigger_checkpoint"), x.leader_session, x.job_id,
           x.attempt, x.checkpoint_id, x.timestamp_ms, x.is_final);
}

/// Task -> coordinator, after the task snapshotted its state for `checkpoint_id`.
struct acknowledge_checkpoint {
  std::string leader_session;
  std::string job_id;
  std::int32_t attempt = 0;
  std::int64_t checkpoint_id = 0;
  subtask_state state;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, acknowledge_checkpoint& x) {
  return f(caf::meta::type_name("fjord.acknowledge_checkpoint"), x.leader_session, x.job_id,
           x.attempt, x.checkpoint_id, x.state);
}

/// Task -> coordinator: this task cannot take the checkpoint; it fails at once.
struct decline_checkpoint {
  std::string leader_session;
  std::string job_id;
  std::int32_t attempt = 0;
  std::int64_t checkpoint_id = 0;
  std::string vertex;
  std::int32_t subtask = 0;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, decline_checkpoint& x) {
  return f(caf::meta::type_name("fjord.decline_checkpoint"), x.leader_session, x.job_id,
           x.attempt, x.checkpoint_id, x.vertex, x.subtask, x.reason);
}

/// Coordinator -> every task, only after the store confirmed the completed checkpoint.
struct notify_checkpoint_complete {
  std::string leader_session;
  std::string job_id;
  std::int32_t attempt = 0;
  std::int64_t checkpoint_id = 0;
  bool is_final = false;  ///< tasks finish after handling it
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, notify_checkpoint_complete& x) {
  return f(caf::meta::type_name("fjord.notify_checkpoint_complete"), x.leader_session,
           x.job_id, x.attempt, x.checkpoint_id, x.is_final);
}

}  // namespace fjord
