// Bookkeeping of one checkpoint between trigger and completion: which subtasks still have to
// acknowledge, and the states collected so far. Split out of the coordinator actor so it can be
// tested alone (like Kudu's VoteCounter).
//
// Not thread-safe: owned by the checkpoint coordinator.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "messages/checkpoint.hpp"

namespace fjord {

class pending_checkpoint {
 public:
  enum class ack_result {
    accepted,      ///< a state we were waiting for
    duplicate,     ///< this subtask acknowledged already; ignored
    unknown_task,  ///< not a subtask of this checkpoint; ignored
  };

  pending_checkpoint(std::int64_t checkpoint_id, std::int64_t timestamp_ms, bool is_final,
                     std::set<subtask_key> expected);

  /// Takes `state` only when it is accepted.
  ack_result acknowledge(subtask_state&& state);

  bool complete() const { return waiting_.empty(); }
  std::int64_t checkpoint_id() const { return checkpoint_id_; }
  std::int64_t timestamp_ms() const { return timestamp_ms_; }
  bool is_final() const { return is_final_; }
  std::size_t acknowledged() const { return states_.size(); }
  std::size_t expected() const { return states_.size() + waiting_.size(); }
  const std::set<subtask_key>& waiting() const { return waiting_; }

  /// The completed checkpoint; only valid when complete().
  completed_checkpoint finalize(const std::string& job_id, std::int64_t completed_ms) &&;

 private:
  std::int64_t checkpoint_id_;
  std::int64_t timestamp_ms_;
  bool is_final_;
  std::set<subtask_key> waiting_;
  std::map<subtask_key, subtask_state> states_;
};

}  // namespace fjord
