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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const trigger_checkpoint& a, const trigger_checkpoint& b) {
  return a.leader_session == b.leader_session
         && a.job_id == b.job_id
         && a.attempt == b.attempt
         && a.checkpoint_id == b.checkpoint_id
         && a.timestamp_ms == b.timestamp_ms
         && a.is_final == b.is_final;
}

inline bool operator!=(const trigger_checkpoint& a, const trigger_checkpoint& b) {
  return !(a == b);
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const acknowledge_checkpoint& a, const acknowledge_checkpoint& b) {
  return a.leader_session == b.leader_session
         && a.job_id == b.job_id
         && a.attempt == b.attempt
         && a.checkpoint_id == b.checkpoint_id
         && a.state == b.state;
}

inline bool operator!=(const acknowledge_checkpoint& a, const acknowledge_checkpoint& b) {
  return !(a == b);
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const decline_checkpoint& a, const decline_checkpoint& b) {
  return a.leader_session == b.leader_session
         && a.job_id == b.job_id
         && a.attempt == b.attempt
         && a.checkpoint_id == b.checkpoint_id
         && a.vertex == b.vertex
         && a.subtask == b.subtask
         && a.reason == b.reason;
}

inline bool operator!=(const decline_checkpoint& a, const decline_checkpoint& b) {
  return !(a == b);
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const notify_checkpoint_complete& a, const notify_checkpoint_complete& b) {
  return a.leader_session == b.leader_session
         && a.job_id == b.job_id
         && a.attempt == b.attempt
         && a.checkpoint_id == b.checkpoint_id
         && a.is_final == b.is_final;
}

inline bool operator!=(const notify_checkpoint_complete& a, const notify_checkpoint_complete& b) {
  return !(a == b);
}

}  // namespace fjord
