// The completed checkpoints of one job in ZooKeeper: znodes <checkpoints>/<job>/<id padded to
// 19 digits> (so that name order is numeric order: 9 < 10, 99 < 100), each pointing to a file
// with the checkpoint (zk_state_handle_store).
//
// add() writes the new checkpoint's file, then creates its znode and deletes the znodes of the
// oldest beyond max_retained() in one atomic multi (so there is never one too few, and it costs
// one round trip), then deletes the subsumed files. If that transaction cannot apply (an old
// znode is already gone), the new one is stored alone and the old ones removed one by one; a
// failure to subsume is logged, never turned into a failed add (the new one is durable).
// recover() rebuilds the local list from ZooKeeper from scratch (idempotent): the newest
// max_retained() readable checkpoints, falling back past unreadable ones, which are logged and
// left in place; older readable ones are removed. shutdown() deletes everything (znodes, files,
// the job's node) only for a globally terminal job state.
//
// Not thread-safe: owned by one store worker.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "stores/completed_checkpoint_store.hpp"
#include "stores/zookeeper/zk_state_handle_store.hpp"

namespace fjord {

class zk_completed_checkpoint_store : public completed_checkpoint_store {
 public:
  /// `checkpoints_path` is the parent of all jobs' nodes ("/checkpoints"). Throws
  /// store_error(invalid_argument) if max_retained < 1 or the job id is not a path segment.
  /// Touches ZooKeeper only when used.
  zk_completed_checkpoint_store(zk::client_ptr client, const std::string& checkpoints_path,
                                std::string job_id, int max_retained,
                                std::shared_ptr<file_state_storage> storage,
                                zk::retry_policy retry = {});

  void recover() override;
  void add(const completed_checkpoint& checkpoint) override;
  std::optional<completed_checkpoint> latest() override;
  std::vector<completed_checkpoint> all() override;
  std::size_t size() override { return checkpoints_.size(); }
  std::size_t max_retained() const override { return max_retained_; }
  void shutdown(job_state final_state) override;
  void set_write_fence(std::function<std::string()> fence) override {
    handles_.core().set_write_fence(std::move(fence));
  }

  /// The znode path of this job's checkpoints.
  const std::string& root() const { return handles_.root(); }

  /// The znode name of a checkpoint id: 19 digits, zero-padded.
  static std::string node_name(std::int64_t checkpoint_id);

  /// The prefix of this job's checkpoint files: "completedCheckpoint-<job id>".
  static std::string file_prefix(const std::string& job_id);

 private:
  struct retained {
    subsumed_entry entry;  ///< znode name, version and file: what subsuming it deletes
    completed_checkpoint checkpoint;
  };

  std::string job_id_;
  std::size_t max_retained_;
  std::shared_ptr<file_state_storage> storage_;
  zk_state_handle_store<completed_checkpoint> handles_;
  /// Oldest first.
  std::deque<retained> checkpoints_;
};

}  // namespace fjord
