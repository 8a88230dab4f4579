#include "actors/detail/pending_checkpoint.hpp"

namespace fjord {

pending_checkpoint::pending_checkpoint(std::int64_t checkpoint_id, std::int64_t timestamp_ms,
                                       bool is_final, std::set<subtask_key> expected)
  : checkpoint_id_(checkpoint_id),
    timestamp_ms_(timestamp_ms),
    is_final_(is_final),
    waiting_(std::move(expected)) {
}

pending_checkpoint::ack_result pending_checkpoint::acknowledge(subtask_state&& state) {
  subtask_key key{state.vertex, state.subtask};
  if (states_.count(key) > 0)
    return ack_result::duplicate;
  if (waiting_.erase(key) == 0)
    return ack_result::unknown_task;
  states_.emplace(std::move(key), std::move(state));
  return ack_result::accepted;
}

completed_checkpoint pending_checkpoint::finalize(const std::string& job_id,
                                                  std::int64_t completed_ms) && {
  completed_checkpoint result;
  result.job_id = job_id;
  result.checkpoint_id = checkpoint_id_;
  result.timestamp_ms = timestamp_ms_;
  result.completed_ms = completed_ms;
  result.is_final = is_final_;
  result.states.reserve(states_.size());
  for (auto& [key, state] : states_)
    result.states.push_back(std::move(state));
  return result;
}

}  // namespace fjord
