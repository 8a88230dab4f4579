// Creates the per-job ZooKeeper checkpoint stores (completed checkpoints under
// <checkpoints>/<job>, the id counter at <checkpoint-counter>/<job>) on one shared client and
// one file storage. The client is shared with the job-graph store and leader election; this
// factory never closes it.
//
// Thread-safe: holds only immutable configuration; the stores it makes are not thread-safe
// (owned by one store worker each), except the counter.
#pragma once

#include <memory>
#include <string>

#include "stores/checkpoint_recovery_factory.hpp"
#include "stores/zookeeper/file_state_storage.hpp"
#include "stores/zookeeper/zk_client.hpp"
#include "stores/zookeeper/zk_config.hpp"
#include "stores/zookeeper/zk_retry_policy.hpp"

namespace fjord {

class zk_checkpoint_recovery_factory : public checkpoint_recovery_factory {
 public:
  zk_checkpoint_recovery_factory(zk::client_ptr client,
                                 std::shared_ptr<file_state_storage> storage,
                                 std::string checkpoints_path = "/checkpoints",
                                 std::string counter_path = "/checkpoint-counter",
                                 zk::retry_policy retry = {});

  /// Paths and retry policy from the recovery.zookeeper.* settings; the file storage at
  /// settings.storage_dir (throws store_error if it is unusable).
  zk_checkpoint_recovery_factory(zk::client_ptr client, const zk::zookeeper_settings& settings);

  std::unique_ptr<completed_checkpoint_store>
  create_completed_checkpoint_store(const std::string& job_id, int max_retained) override;

  std::unique_ptr<checkpoint_id_counter>
  create_checkpoint_id_counter(const std::string& job_id) override;

  const std::shared_ptr<file_state_storage>& storage() const { return storage_; }

 private:
  zk::client_ptr client_;
  std::shared_ptr<file_state_storage> storage_;
  std::string checkpoints_path_;
  std::string counter_path_;
  zk::retry_policy retry_;
};

}  // namespace fjord
