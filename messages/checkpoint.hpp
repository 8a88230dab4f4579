// Checkpoint data: what a task acknowledges and what a completed checkpoint holds. Persisted by
// the completed-checkpoint stores (cereal, serialization/records.hpp) and sent between actors.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace fjord {

/// One subtask of a job: (vertex, subtask index).
using subtask_key = std::pair<std::string, std::int32_t>;

/// "vertex#3".
std::string to_string(const subtask_key& key);

/// The snapshot of one subtask: opaque bytes written by its operator.
struct subtask_state {
  std::string vertex;
  std::int32_t subtask = 0;
  std::string bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subtask_state& x) {
  return f(caf::meta::type_name("fjord.subtask_state"), x.vertex, x.subtask, x.bytes);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const subtask_state& a, const subtask_state& b) {
  return a.vertex == b.vertex
         && a.subtask == b.subtask
         && a.bytes == b.bytes;
}

inline bool operator!=(const subtask_state& a, const subtask_state& b) {
  return !(a == b);
}

struct completed_checkpoint {
  std::string job_id;
  std::int64_t checkpoint_id = 0;
  std::int64_t timestamp_ms = 0;  ///< when it was triggered (wall clock)
  std::int64_t completed_ms = 0;  ///< when the last acknowledgement arrived
  bool is_final = false;          ///< taken after every source reached its end
  std::vector<subtask_state> states;

  /// The state of one subtask, or nullptr if the checkpoint holds none for it.
  const subtask_state* find(const std::string& vertex, std::int32_t subtask) const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, completed_checkpoint& x) {
  return f(caf::meta::type_name("fjord.completed_checkpoint"), x.job_id, x.checkpoint_id,
           x.timestamp_ms, x.completed_ms, x.is_final, x.states);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const completed_checkpoint& a, const completed_checkpoint& b) {
  return a.job_id == b.job_id
         && a.checkpoint_id == b.checkpoint_id
         && a.timestamp_ms == b.timestamp_ms
         && a.completed_ms == b.completed_ms
         && a.is_final == b.is_final
         && a.states == b.states;
}

inline bool operator!=(const completed_checkpoint& a, const completed_checkpoint& b) {
  return !(a == b);
}

}  // namespace fjord
