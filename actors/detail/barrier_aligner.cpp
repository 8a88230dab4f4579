#include "actors/detail/barrier_aligner.hpp"

#include <stdexcept>
#include <string>

namespace fjord {

barrier_aligner::barrier_aligner(std::size_t channels)
  : blocked_(channels, false), closed_(channels, false), open_(channels) {
  blocked_list_.reserve(channels);
}

std::optional<barrier_aligner::aligned>
barrier_aligner::on_barrier(std::size_t channel, std::int64_t checkpoint_id,
                            std::int64_t timestamp_ms, bool is_final) {
  if (channel >= blocked_.size())
    throw std::logic_error("barrier on unknown input channel " + std::to_string(channel));
  if (blocked_[channel] || closed_[channel])
    throw std::logic_error("barrier " + std::to_string(checkpoint_id) + " on input channel "
                           + std::to_string(channel) + ", which is blocked or closed");
  if (aligned_pending_release_)
    throw std::logic_error("barrier arrived before the previous alignment was released");
  if (!current_) {
    current_ = aligned{checkpoint_id, timestamp_ms, is_final};
    arrived_ = 0;
  } else if (current_->checkpoint_id != checkpoint_id) {
    throw std::logic_error("barrier " + std::to_string(checkpoint_id) + " while aligning "
                           + std::to_string(current_->checkpoint_id));
  }
  blocked_[channel] = true;
  blocked_list_.push_back(channel);
  ++arrived_;
  if (arrived_ < open_)
    return std::nullopt;
  aligned_pending_release_ = true;
  return current_;
}

void barrier_aligner::release() {
  if (!current_)
    return;
  bool is_final = current_->is_final;
  for (auto i : blocked_list_) {
    if (is_final && !closed_[i]) {
      closed_[i] = true;
      --open_;
    }
    blocked_[i] = false;
  }
  blocked_list_.clear();
  current_.reset();
  arrived_ = 0;
  aligned_pending_release_ = false;
}

}  // namespace fjord
