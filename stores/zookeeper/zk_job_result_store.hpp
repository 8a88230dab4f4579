// The results of finished jobs in ZooKeeper: <job-results>/<job id> -> encoded job_result
// (small: kept in the znode itself, no file). A JobManager that recovers job graphs checks here
// first, so a job that already reached a globally terminal state is never run again after a
// failover (the graph may still be there if the old leader died between recording the result
// and removing the graph).
//
// Thread-safe: no mutable state; as safe as the client.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "serialization/records.hpp"
#include "stores/job_result_store.hpp"
#include "stores/zookeeper/zk_client.hpp"
#include "stores/zookeeper/zk_retry_policy.hpp"

namespace fjord {

class zk_job_result_store : public job_result_store {
 public:
  explicit zk_job_result_store(zk::client_ptr client,
                               std::string job_results_path = "/job-results",
                               zk::retry_policy retry = {});

  /// Records the result. Throws store_error(invalid_argument) unless its state is globally
  /// terminal or the job id is a valid znode name; an existing result of the job is replaced.
  void put(const job_result& result) override;

  /// std::nullopt if none; store_error(corrupt) if the znode cannot be decoded.
  std::optional<job_result> get(const std::string& job_id) override;

  bool contains(const std::string& job_id) override;

  /// Every result, sorted by job id; a corrupt one is logged and skipped.
  std::vector<job_result> all() override;

  /// Deletes the result; a missing one is fine.
  void remove(const std::string& job_id);

  /// Every job with a result, sorted.
  std::vector<std::string> job_ids();

 private:
  std::string path_of(const std::string& job_id) const;

  zk::client_ptr client_;
  std::string root_;
  zk::retry_policy retry_;
};

}  // namespace fjord
