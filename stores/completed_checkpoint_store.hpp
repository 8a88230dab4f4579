// The completed checkpoints of one job, newest last; retains at most max_retained() of them
// (`state.checkpoints.num-retained`). Adding first stores the new one, then subsumes (discards)
// the oldest beyond the limit: a crash in between leaves one too many, never one too few.
//
// Not thread-safe: owned by one store worker.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "messages/checkpoint.hpp"
#include "fjord/job_status.hpp"

namespace fjord {

class completed_checkpoint_store {
 public:
  virtual ~completed_checkpoint_store() = default;

  /// Rebuilds the local view from durable storage (idempotent; a second call changes nothing).
  /// Unreadable entries are logged and skipped.
  virtual void recover() = 0;

  /// Stores `checkpoint` durably, then discards the oldest beyond max_retained().
  /// Throws store_error; if it throws, the checkpoint must be considered not completed.
  virtual void add(const completed_checkpoint& checkpoint) = 0;

  /// The newest readable checkpoint, if any.
  virtual std::optional<completed_checkpoint> latest() = 0;

  /// All retained checkpoints, oldest first.
  virtual std::vector<completed_checkpoint> all() = 0;

  virtual std::size_t size() = 0;
  virtual std::size_t max_retained() const = 0;

  /// From now on, add() writes only if the ZooKeeper node `fence()` names exists, checked in
  /// the same transaction (the leader's latch node: see leader_election_service::fencing_node);
  /// otherwise it throws store_error(fenced). An empty name: unfenced. Stores without
  /// ZooKeeper ignore it.
  virtual void set_write_fence(std::function<std::string()> fence) { (void)fence; }

  /// Stops using the store. Discards every checkpoint only if `final_state` is globally terminal;
  /// on suspension (leadership loss, shutdown) everything is kept.
  virtual void shutdown(job_state final_state) = 0;
};

}  // namespace fjord
