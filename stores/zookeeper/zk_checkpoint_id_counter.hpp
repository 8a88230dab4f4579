// The checkpoint id counter of one job in ZooKeeper: <checkpoint-counter>/<job> holds the next
// id as decimal text. get_and_increment() is a compare-and-set on the znode's data version, so
// ids are strictly increasing across instances and processes (a retried set whose first try
// was applied only leaves a gap, never a duplicate).
//
// While the connection is suspended every call throws store_error(unavailable) at once. The
// check reads the client's current connection state on every call instead of a flag set by a
// listener, so it cannot stay stuck after a reconnect (Flink's FLINK-14091 kept a SUSPENDED flag
// forever).
//
// Thread-safe: calls on one instance are serialized by a mutex; instances race through the CAS.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "stores/checkpoint_id_counter.hpp"
#include "stores/zookeeper/zk_client.hpp"
#include "stores/zookeeper/zk_retry_policy.hpp"

namespace fjord {

class zk_checkpoint_id_counter : public checkpoint_id_counter {
 public:
  /// `counter_path` is the parent of all jobs' counters ("/checkpoint-counter"). Throws
  /// store_error(invalid_argument) for a job id that is not a path segment.
  zk_checkpoint_id_counter(zk::client_ptr client, const std::string& counter_path,
                           std::string job_id, zk::retry_policy retry = {});

  /// Creates the counter with 1 unless it exists (then it continues where it was).
  void start() override;
  /// Deletes the counter only for a globally terminal state.
  void shutdown(job_state final_state) override;
  /// Throws store_error: unavailable (suspended, ZooKeeper unreachable), invalid_state (the
  /// counter node is gone: start() was not called or the job's data was deleted), corrupt
  /// (not a number), conflict (lost the CAS race max_cas_attempts times in a row).
  std::int64_t get_and_increment() override;
  std::int64_t get() override;
  /// Throws store_error(invalid_argument) for next < 1.
  void set_count(std::int64_t next) override;

  const std::string& path() const { return path_; }

  static constexpr int max_cas_attempts = 10000;

 private:
  void ensure_available() const;
  /// (value, data version) of the counter node.
  std::pair<std::int64_t, std::int32_t> read() const;

  zk::client_ptr client_;
  std::string parent_;
  std::string path_;
  std::string job_id_;
  zk::retry_policy retry_;
  std::mutex mutex_;
};

}  // namespace fjord
