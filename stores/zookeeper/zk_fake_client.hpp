// In-memory ZooKeeper for fast unit tests: a `fake_zk_server` holds the tree, and any number of
// `fake_zk_client`s (one session each) share it, so two stores or two election contenders can
// race exactly as they would on a real server.
//
// Semantics follow ZooKeeper 3.8: data and children versions, ephemeral owner = session id,
// sequential suffix = the parent's cversion as 10 digits, one-shot watches (get/exists watches
// fire on change/deletion, exists also on creation, children watches on a child change or the
// node's deletion), atomic multi, no children under ephemerals, no delete of a non-empty node.
//
// Threading: every method may be called from any thread (one mutex per server). Like the real
// client, each fake client delivers its watch events and connection states on its own event
// thread, in order, never while holding a lock; callbacks must not call back into the client
// synchronously (they may on the fake, but the real client would deadlock).
//
// Test hooks: expire_session(), suspend(), reconnect(), flush_events().
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "stores/zookeeper/zk_client.hpp"

namespace fjord::zk {

namespace detail {
struct fake_tree;
struct fake_session;
struct fake_watches;
}  // namespace detail

/// The shared in-memory "server". Create with std::make_shared and pass to each client.
class fake_zk_server {
 public:
  fake_zk_server();
  ~fake_zk_server();
  fake_zk_server(const fake_zk_server&) = delete;
  fake_zk_server& operator=(const fake_zk_server&) = delete;

  /// Number of nodes in the whole tree, including "/" (for tests).
  std::size_t node_count() const;

 private:
  friend class fake_zk_client;
  mutable std::mutex mutex_;
  std::unique_ptr<detail::fake_tree> tree_;
  std::unique_ptr<detail::fake_watches> watches_;
  std::int64_t next_session_id_ = 0x100000001;
};

/// One session on a fake_zk_server. Paths are relative to `root` (created on construction).
class fake_zk_client : public client {
 public:
  explicit fake_zk_client(std::shared_ptr<fake_zk_server> server =
                            std::make_shared<fake_zk_server>(),
                          std::string root = "/fjord", std::int64_t session_timeout_ms = 60000);
  /// Closes the session (its ephemerals vanish) and joins the event thread.
  ~fake_zk_client() override;

  std::string create(const std::string& path, const std::string& data,
                     create_mode mode) override;
  void create_recursive(const std::string& path) override;
  std::optional<get_result> get(const std::string& path, watch_callback watch = {}) override;
  node_stat set(const std::string& path, const std::string& data, std::int32_t version) override;
  void remove(const std::string& path, std::int32_t version = -1) override;
  void remove_recursive(const std::string& path) override;
  std::optional<node_stat> exists(const std::string& path, watch_callback watch = {}) override;
  children_result children(const std::string& path, watch_callback watch = {}) override;
  std::vector<op_result> multi(const std::vector<op>& ops) override;
  void set_connection_listener(connection_listener listener) override;
  std::int64_t session_id() const override;
  std::int64_t session_timeout_ms() const override;
  connection_state state() const override;
  void close() override;

  // --- test hooks ---

  /// The server ends this session: its ephemerals are deleted (firing other sessions' watches),
  /// its own watches are dropped, the listener gets `expired`, and every later call throws
  /// session_expired.
  void expire_session();
  /// The connection drops: the listener gets `suspended`, calls throw connection_loss, and
  /// watch events are held back until reconnect() (the session and its ephemerals live on).
  void suspend();
  /// The connection is back with the same session: the listener gets `reconnected`, then the
  /// held-back watch events are delivered.
  void reconnect();
  /// Blocks until every event queued so far has been delivered (returns at once when called
  /// from this client's own event thread).
  void flush_events();

  const std::shared_ptr<fake_zk_server>& server() const { return server_; }

 private:
  std::string full_path(const std::string& path) const;
  /// Throws if the session is closed, expired or suspended. Requires server mutex.
  void check_usable(const std::string& path, const char* what) const;

  std::shared_ptr<fake_zk_server> server_;
  std::string root_;  ///< "" for the server root, else "/a/b"
  std::int64_t session_timeout_ms_;
  std::shared_ptr<detail::fake_session> session_;
};

}  // namespace fjord::zk
