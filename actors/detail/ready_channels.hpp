// The input channels of a task that have input it may take now (queued input, not held back by
// barrier alignment), in the order they became ready, each at most once. drain_inputs takes the
// next one in O(1) instead of scanning every channel for each batch: a sink with 1,000 input
// channels scanned up to 1,000 deques per batch. Taking the oldest and re-adding a channel that
// still has input at the back keeps the round robin the scan gave.
//
// Not thread-safe: owned by one task actor. Pure bookkeeping: the task says when a channel is
// ready; the set does not look at queues or the aligner.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace fjord {

class ready_channels {
 public:
  explicit ready_channels(std::size_t channels = 0);

  /// Adds `channel` at the back unless it is queued already. Throws std::out_of_range for a
  /// channel >= channels().
  void push(std::size_t channel);

  /// Removes and returns the channel that became ready first; nullopt if none is.
  std::optional<std::size_t> pop();

  bool contains(std::size_t channel) const { return queued_.at(channel); }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::size_t channels() const { return queued_.size(); }

 private:
  std::vector<bool> queued_;
  std::vector<std::size_t> ring_;  ///< capacity channels(): each channel is in it at most once
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace fjord
