// Leader retrieval on ZooKeeper (fjord::leader_retrieval_service): watches the leader node
// (an exists watch, re-armed each time it fires), decodes the leader_info it holds and tells
// the listener only when (address, leader session) changed. A missing node means "no leader"
// and is reported as ("", "") once. Anyone who can write the node may forge it, so a node that
// cannot be decoded, or holds an address that is no host:port (port 1..65535) or a session that
// is no id, is logged once per value and skipped: the last leader stays (the real leader
// rewrites the node). A suspended connection changes nothing (the last leader stays valid
// until we know better, see reference 7.9); an expired session is replaced by a new client.
//
// Threading: ZooKeeper calls and listener callbacks run on the service's own worker thread,
// one at a time, never under a lock.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "stores/leader_election.hpp"
#include "stores/zookeeper/zk_leader_election.hpp"

namespace fjord::zk {

class zk_leader_retrieval_service : public leader_retrieval_service {
 public:
  zk_leader_retrieval_service(client_factory factory, std::string leader_path = "/leader",
                              std::int64_t retry_wait_ms = 200);
  ~zk_leader_retrieval_service() override;

  void start(leader_retrieval_listener* listener) override;
  void stop() override;

 private:
  // Worker thread only.
  void start_session(std::uint64_t generation);
  void check(std::uint64_t generation);
  void on_connection(std::uint64_t generation, connection_state state);
  void deliver(const std::string& address, const std::string& session_id);
  /// Logs (once per distinct value) that the leader node holds something unusable.
  void reject(const std::string& data, const std::string& why);

  client_factory factory_;
  std::string leader_path_;
  std::int64_t retry_wait_ms_;
  std::shared_ptr<detail::serial_worker> worker_queue_;
  std::thread worker_;

  std::mutex mutex_;
  bool started_ = false;
  leader_retrieval_listener* listener_ = nullptr;

  // Worker thread only.
  client_ptr client_;
  std::uint64_t generation_ = 0;
  bool watch_armed_ = false;
  std::optional<std::pair<std::string, std::string>> last_;
  std::optional<std::pair<std::size_t, std::size_t>> last_rejected_;  ///< hash, size
};

}  // namespace fjord::zk
