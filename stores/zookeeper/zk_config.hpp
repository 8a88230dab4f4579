// The recovery.zookeeper.* configuration keys, read and validated in one place, and the
// connect() that turns them into a real client.
//
//   recovery.zookeeper.quorum                 host:port[,host:port...] (required)
//   recovery.zookeeper.path.root              /fjord
//   recovery.zookeeper.path.cluster-id        default   (client root = <root>/<cluster-id>)
//   recovery.zookeeper.path.latch             /leaderlatch
//   recovery.zookeeper.path.leader            /leader
//   recovery.zookeeper.path.jobgraphs         /jobgraphs
//   recovery.zookeeper.path.checkpoints       /checkpoints
//   recovery.zookeeper.path.checkpoint-counter /checkpoint-counter
//   recovery.zookeeper.path.job-results       /job-results
//   recovery.zookeeper.storageDir             (required)
//   recovery.zookeeper.client.session-timeout     60000 ms
//   recovery.zookeeper.client.connection-timeout  15000 ms
//   recovery.zookeeper.client.retry-wait          5000 ms
//   recovery.zookeeper.client.max-retry-attempts  3
//   recovery.zookeeper.client.tolerate-suspended-connections  false
//   recovery.zookeeper.client.acl             open | creator (only the digest identity)
//   recovery.zookeeper.auth.digest-file       a file with one line user:password (required
//                                             with creator)
#pragma once

#include <cstdint>
#include <string>

#include "fjord/configuration.hpp"
#include "stores/zookeeper/zk_client.hpp"
#include "stores/zookeeper/zk_leader_election.hpp"
#include "stores/zookeeper/zk_retry_policy.hpp"

namespace fjord::zk {

struct zookeeper_settings {
  std::string quorum;
  std::string root = "/fjord";
  std::string cluster_id = "default";
  std::string latch_path = "/leaderlatch";
  std::string leader_path = "/leader";
  std::string jobgraphs_path = "/jobgraphs";
  std::string checkpoints_path = "/checkpoints";
  std::string checkpoint_counter_path = "/checkpoint-counter";
  std::string job_results_path = "/job-results";
  std::string storage_dir;
  std::int64_t session_timeout_ms = 60000;
  std::int64_t connection_timeout_ms = 15000;
  std::int64_t retry_wait_ms = 5000;
  int max_retry_attempts = 3;
  bool tolerate_suspended_connections = false;
  acl_mode acl = acl_mode::open;
  std::string digest_file;
  std::string digest;  ///< "user:password" read from digest_file; empty without one

  /// Reads and validates the keys above. Throws config_error naming the key and the fix.
  static zookeeper_settings from(const configuration& config);

  /// "<root>/<cluster-id>": every path of the client lives below it.
  std::string client_root() const;
  connect_options to_connect_options() const;
  /// Exponential backoff from retry-wait; max-retry-attempts retries after the first try.
  retry_policy to_retry_policy() const;
  /// Latch and leader paths, tolerate-suspended-connections and retry-wait for the election.
  leader_election_options to_election_options() const;
};

/// Connects a real client to settings.quorum with root settings.client_root(). Throws
/// zk_error(connection_loss) naming the quorum if no connection is made in time.
client_ptr connect(const zookeeper_settings& settings);

/// A factory of new sessions (each call connects anew), for leader election and retrieval,
/// which replace an expired session.
client_factory make_client_factory(const zookeeper_settings& settings);

}  // namespace fjord::zk
