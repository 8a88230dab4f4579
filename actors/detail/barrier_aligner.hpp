// Barrier alignment of a task with several input channels (DESIGN.md, checkpoint protocol
// step 3): once barrier N arrived on a channel, that channel is blocked (its later records are
// held back) until barrier N arrived on every channel still open; then the task snapshots and
// forwards the barrier. Channels that delivered the final barrier are closed for good.
//
// Not thread-safe: owned by one task actor. Pure bookkeeping: the task decides what to hold.
// A barrier costs O(1) and a release O(channels blocked by it): a sink with 1,000 inputs must
// not count its open channels on each of the 1,000 barriers of a checkpoint.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace fjord {

class barrier_aligner {
 public:
  explicit barrier_aligner(std::size_t channels);

  struct aligned {
    std::int64_t checkpoint_id;
    std::int64_t timestamp_ms;
    bool is_final;
  };

  /// Barrier `checkpoint_id` arrived on `channel`. Returns the aligned checkpoint when this was
  /// the last channel it was missing on; the caller snapshots, forwards and calls release().
  /// Throws std::logic_error for a barrier on a blocked or closed channel, or for a barrier
  /// with another id while aligning (a protocol violation: per-channel FIFO forbids it).
  std::optional<aligned> on_barrier(std::size_t channel, std::int64_t checkpoint_id,
                                    std::int64_t timestamp_ms, bool is_final);

  /// Unblocks every channel after the aligned barrier was handled.
  void release();

  /// True if records from `channel` must be held back now.
  bool blocked(std::size_t channel) const { return blocked_[channel]; }
  bool closed(std::size_t channel) const { return closed_[channel]; }
  bool all_closed() const { return open_ == 0; }
  bool aligning() const { return current_.has_value(); }
  std::size_t channels() const { return blocked_.size(); }

 private:
  std::vector<bool> blocked_;
  std::vector<bool> closed_;
  std::vector<std::size_t> blocked_list_;  ///< the channels blocked_ marks, for release()
  std::size_t open_ = 0;                   ///< channels not closed
  std::optional<aligned> current_;
  std::size_t arrived_ = 0;
  bool aligned_pending_release_ = false;
};

}  // namespace fjord
