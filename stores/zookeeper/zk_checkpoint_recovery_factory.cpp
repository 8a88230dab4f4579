#include "stores/zookeeper/zk_checkpoint_recovery_factory.hpp"

#include "stores/zookeeper/zk_checkpoint_id_counter.hpp"
#include "stores/zookeeper/zk_completed_checkpoint_store.hpp"

namespace fjord {

zk_checkpoint_recovery_factory::zk_checkpoint_recovery_factory(
  zk::client_ptr client, std::shared_ptr<file_state_storage> storage,
  std::string checkpoints_path, std::string counter_path, zk::retry_policy retry)
  : client_(std::move(client)),
    storage_(std::move(storage)),
    checkpoints_path_(std::move(checkpoints_path)),
    counter_path_(std::move(counter_path)),
    retry_(retry) {
  if (!client_ || !storage_)
    throw store_error(store_error::kind::invalid_argument,
                      "the ZooKeeper checkpoint recovery factory needs a client and storage");
}

zk_checkpoint_recovery_factory::zk_checkpoint_recovery_factory(
  zk::client_ptr client, const zk::zookeeper_settings& settings)
  : zk_checkpoint_recovery_factory(std::move(client),
                                   std::make_shared<file_state_storage>(settings.storage_dir),
                                   settings.checkpoints_path, settings.checkpoint_counter_path,
                                   settings.to_retry_policy()) {
}

std::unique_ptr<completed_checkpoint_store>
zk_checkpoint_recovery_factory::create_completed_checkpoint_store(const std::string& job_id,
                                                                  int max_retained) {
  return std::make_unique<zk_completed_checkpoint_store>(client_, checkpoints_path_, job_id,
                                                         max_retained, storage_, retry_);
}

std::unique_ptr<checkpoint_id_counter>
zk_checkpoint_recovery_factory::create_checkpoint_id_counter(const std::string& job_id) {
  return std::make_unique<zk_checkpoint_id_counter>(client_, counter_path_, job_id, retry_);
}

}  // namespace fjord
