// Creates the per-job checkpoint stores: the completed-checkpoint store and the id counter.
// Standalone: in memory. ZooKeeper: under /checkpoints/<job> and /checkpoint-counter/<job>.
#pragma once

#include <memory>
#include <string>

#include "stores/checkpoint_id_counter.hpp"
#include "stores/completed_checkpoint_store.hpp"

namespace fjord {

class checkpoint_recovery_factory {
 public:
  virtual ~checkpoint_recovery_factory() = default;

  virtual std::unique_ptr<completed_checkpoint_store>
  create_completed_checkpoint_store(const std::string& job_id, int max_retained) = 0;

  virtual std::unique_ptr<checkpoint_id_counter>
  create_checkpoint_id_counter(const std::string& job_id) = 0;
};

}  // namespace fjord
