// The real ZooKeeper client: fjord::zk::client over the C client `zookeeper_mt`
// (synchronous zoo_* calls, per-call watchers).
//
// Threading: every method may be called from any thread; the C client serializes requests.
// Watch callbacks and the connection listener run on the C client's single completion thread;
// they must not call this client synchronously (the reply would arrive on the very thread that
// waits for it: a deadlock) and must not destroy the client.
//
// Connection states: first connection -> connected; connection lost -> suspended; back with
// the same session -> reconnected; the server expired the session -> expired (the handle is
// dead and every later call throws session_expired: build a new client).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>

#include "stores/zookeeper/zk_client.hpp"

struct _zhandle;
struct ACL_vector;

namespace fjord::zk {

class real_zk_client : public client {
 public:
  /// Connects, waits for the first connection up to options.connection_timeout_ms (else throws
  /// zk_error(connection_loss) naming the quorum), authenticates with options.digest if set
  /// (waiting for the answer: no request goes out without the identity) and creates
  /// options.root if missing, every node with options.acl.
  static std::shared_ptr<real_zk_client> connect(const connect_options& options);

  /// Closes the session (its ephemerals vanish at once).
  ~real_zk_client() override;
  real_zk_client(const real_zk_client&) = delete;
  real_zk_client& operator=(const real_zk_client&) = delete;

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

  const connect_options& options() const { return options_; }

  /// Test hook: makes the server end this session, as Curator's KillSession does (a second
  /// connection with the same session id and password closes it). Returns once this client
  /// saw `expired`; throws zk_error if that did not happen after a few attempts.
  void kill_session_for_testing();

 private:
  struct watch_context;
  using handle_lock = std::shared_lock<std::shared_mutex>;

  explicit real_zk_client(connect_options options);

  static void on_session_event(_zhandle* zh, int type, int state, const char* path, void* ctx);
  static void on_watch_event(_zhandle* zh, int type, int state, const char* path, void* ctx);

  /// zoo_add_auth with options_.digest, waiting for the server's answer; throws zk_error and
  /// closes the handle if it is refused or does not come within the connection timeout.
  void authenticate();
  /// The ACL for nodes this client creates (options_.acl).
  const ACL_vector* acl() const;
  /// acl creator only: logs once per node if an existing node that Fjord's nodes live below
  /// lets anyone write, create or delete there.
  void warn_if_open(const std::string& full);
  void handle_session_state(_zhandle* zh, int state);
  void notify(connection_state s);
  std::string full_path(const std::string& path) const;
  std::string relative_path(const std::string& full) const;
  /// Locks the handle for one call; throws closing / session_expired if it is gone.
  handle_lock lock_handle(const std::string& path, const char* what) const;
  [[noreturn]] void fail(int rc, const std::string& path, const char* what) const;

  /// A context for one watch registration; ownership is tracked in watches_ so that it is
  /// freed exactly once: when it fires, when the session expires, or after close.
  watch_context* new_watch(watch_callback callback);
  /// True if `w` was still registered (the caller now owns it and must delete it).
  bool release_watch(watch_context* w);

  connect_options options_;
  std::string root_;  ///< "" for "/", else "/a/b"

  mutable std::shared_mutex handle_mutex_;  ///< shared per call, exclusive for close
  _zhandle* zh_ = nullptr;
  bool closed_ = false;

  mutable std::mutex state_mutex_;
  std::condition_variable state_cv_;
  connection_state state_ = connection_state::suspended;
  bool ever_connected_ = false;
  std::int64_t session_id_ = 0;
  connection_listener listener_;

  std::mutex acl_checked_mutex_;
  std::set<std::string> acl_checked_;

  std::mutex watches_mutex_;
  std::set<watch_context*> watches_;
};

/// Maps a ZooKeeper C client return code (ZOK, ZNONODE, ...) to error_code.
error_code from_zoo_rc(int rc);

}  // namespace fjord::zk
