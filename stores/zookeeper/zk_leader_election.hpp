// Leader election on ZooKeeper (fjord::leader_election_service): an ephemeral-sequential latch
// node per contender under the latch path, the lowest sequence number leads, and each other
// contender watches only its predecessor (no herd effect). A grant carries a fresh UUID; the
// contender confirms it with its address, and the service then keeps an EPHEMERAL leader node
// (the encoded leader_info, owned by this session) in place: deleted or overwritten while we
// lead -> rewritten.
//
// Connection loss: by default leadership is revoked at once (the session may be gone already);
// with tolerate_suspended_connections it is kept while the session can still be alive: until
// the session expires or a third of the session timeout passed without reconnecting (the
// client notices silence only after two thirds of the timeout; the server may expire the
// session one third later). Expiry always revokes, and the service contends again with a new
// client from the factory. A grant is always revoked before the next one: never two at once.
//
// Threading: all ZooKeeper calls and all contender callbacks run on the service's own worker
// thread, one at a time, never under the service's lock (so a contender may call
// confirm_leadership or has_leadership from inside grant_leadership). confirm_leadership and
// has_leadership may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "stores/leader_election.hpp"
#include "stores/zookeeper/zk_client.hpp"

namespace fjord::zk {

/// Makes a new client with a new session (called on start and after a session expired).
using client_factory = std::function<client_ptr()>;

struct leader_election_options {
  std::string latch_path = "/leaderlatch";
  std::string leader_path = "/leader";
  bool tolerate_suspended_connections = false;
  /// Wait before trying again after a failed connect or a transient error.
  std::int64_t retry_wait_ms = 200;
};

namespace detail {

/// Runs posted tasks one at a time on the thread that calls run(), also after a delay.
/// ZooKeeper callbacks hold it by shared_ptr and only post to it, so an event that arrives
/// after close() is dropped instead of touching a destroyed service.
class serial_worker {
 public:
  void post(std::function<void()> task);
  void post_after(std::chrono::milliseconds delay, std::function<void()> task);
  /// Runs tasks until close(); returns after the task that is running then.
  void run();
  /// Drops the pending tasks; later posts are ignored.
  void close();

 private:
  using clock = std::chrono::steady_clock;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> ready_;
  std::multimap<clock::time_point, std::function<void()>> delayed_;
  bool closed_ = false;
};

}  // namespace detail

class zk_leader_election_service : public leader_election_service {
 public:
  zk_leader_election_service(client_factory factory, leader_election_options options);
  /// Stops the service (revoking a grant) if it is still running.
  ~zk_leader_election_service() override;

  void start(leader_contender* contender) override;
  /// Revokes a grant, closes the session (our latch node vanishes, so the next contender is
  /// granted at once) and joins the worker.
  void stop() override;
  void confirm_leadership(const std::string& session_id, const std::string& address) override;
  bool has_leadership(const std::string& session_id) override;
  /// Our latch node: ephemeral, so it vanishes with the session that won the election.
  std::string fencing_node(const std::string& session_id) override;

  /// The client of the current session (null before start or between sessions); for tests.
  client_ptr current_client() const;
  /// This contender's latch node ("/leaderlatch/latch-0000000003"), empty if none; for tests.
  std::string latch_node() const;

 private:
  // Worker thread only.
  void start_session(std::uint64_t generation);
  void create_latch_node(std::uint64_t generation);
  void check_latch(std::uint64_t generation);
  void on_connection(std::uint64_t generation, connection_state state);
  void write_leader();
  void grant();
  void revoke();
  void close_client();
  /// Transient trouble: retry later; a lost session: start a new one; else report.
  void on_error(std::uint64_t generation, const zk_error& e, std::function<void()> retry);
  bool is_started() const;

  client_factory factory_;
  leader_election_options options_;
  std::string instance_tag_;  ///< a UUID in our latch node's name, to find it after a lost reply
  std::shared_ptr<detail::serial_worker> worker_queue_;
  std::thread worker_;

  // Worker thread only.
  std::uint64_t generation_ = 0;   ///< one per session; events of older sessions are dropped
  std::string watched_predecessor_;  ///< latch node with an armed exists watch
  bool leader_watch_armed_ = false;
  bool suspended_ = false;
  std::uint64_t suspension_ = 0;  ///< counts suspensions, to match a tolerance deadline

  mutable std::mutex mutex_;
  leader_contender* contender_ = nullptr;
  bool started_ = false;
  client_ptr client_;
  std::string latch_node_;
  std::string granted_;  ///< the current grant's UUID, empty if not leader
  std::optional<std::string> confirmed_address_;
};

}  // namespace fjord::zk
