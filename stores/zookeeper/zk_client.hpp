// One small interface for "a ZooKeeper-like service", with two implementations and two
// decorators:
//   - real_zk_client        (zk_real_client.hpp): the ZooKeeper C client, zookeeper_mt
//   - fake_zk_client        (zk_fake_client.hpp): in memory, for fast unit tests
//   - fault_injecting_zk_client (zk_fault_injector.hpp): a seeded decorator that fails an
//     operation *before* or *after* it was applied (the "did my write happen?" case)
//   - reconnecting_client   (zk_reconnecting_client.hpp): opens a new session when the old one
//     expired, for stores shared by one process.
//
// Paths are absolute within the client's root (chroot): "/jobgraphs/abc". The root given at
// connect time (e.g. "/fjord/default") is created on connect if missing.
//
// Thread-safety: every method may be called from any thread (the C client serializes calls).
// Watch callbacks and the connection listener run on the client's event thread: they must
// only enqueue work (for example `caf::anon_send`), never call back into the client.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fjord::zk {

/// Mirrors ZooKeeper's result codes that callers act upon.
enum class error_code {
  ok,
  no_node,
  node_exists,
  bad_version,
  not_empty,
  no_children_for_ephemerals,
  connection_loss,    ///< the request may or may not have been applied
  session_expired,    ///< the session is gone: start over with a new client
  operation_timeout,
  closing,            ///< the client is shutting down
  bad_arguments,
  marshalling_error,
  no_auth,            ///< the node's ACL refuses this session's identity
  system_error,       ///< anything else
};

const char* to_string(error_code e);

/// True if the request may be retried on the same session (transient connection trouble).
bool is_retryable(error_code e);
/// True if the session is gone: ephemerals and watches are lost, a new session is needed.
bool is_session_lost(error_code e);
/// True for errors that say "your request was wrong" (no_node, node_exists, bad_version, ...).
bool is_user_error(error_code e);

class zk_error : public std::runtime_error {
 public:
  zk_error(error_code code, const std::string& path, const std::string& what_happened);
  error_code code() const { return code_; }
  const std::string& path() const { return path_; }

 private:
  error_code code_;
  std::string path_;
};

struct node_stat {
  std::int64_t czxid = 0;
  std::int64_t mzxid = 0;
  std::int32_t version = 0;   ///< data version
  std::int32_t cversion = 0;  ///< children version: changes on every child add/remove
  std::int64_t ephemeral_owner = 0;  ///< session id of the owner, 0 for persistent nodes
  std::int32_t num_children = 0;
  std::int64_t ctime_ms = 0;
  std::int64_t mtime_ms = 0;
};

enum class create_mode { persistent, ephemeral, persistent_sequential, ephemeral_sequential };

enum class connection_state {
  connected,    ///< first connection of this session
  suspended,    ///< connection lost; the session may still be alive
  reconnected,  ///< connection back, same session (ephemerals and watches intact)
  expired,      ///< session lost for good; this client is dead
};

const char* to_string(connection_state s);

enum class watch_event_type { created, deleted, changed, child };

struct watch_event {
  watch_event_type type;
  std::string path;
};

/// Called at most once per registration (ZooKeeper watches are one-shot).
using watch_callback = std::function<void(const watch_event&)>;
using connection_listener = std::function<void(connection_state)>;

struct get_result {
  std::string data;
  node_stat stat;
};

struct children_result {
  std::vector<std::string> names;  ///< child names, not full paths, in no particular order
  node_stat stat;                  ///< of the parent
};

/// One operation of an atomic multi().
struct op {
  enum class kind { create, remove, set, check } type = kind::check;
  std::string path;
  std::string data;
  create_mode mode = create_mode::persistent;
  std::int32_t version = -1;  ///< -1: any version

  static op create(std::string path, std::string data, create_mode mode = create_mode::persistent);
  static op remove(std::string path, std::int32_t version = -1);
  static op set(std::string path, std::string data, std::int32_t version = -1);
  static op check(std::string path, std::int32_t version);
};

struct op_result {
  error_code code = error_code::ok;
  std::string created_path;  ///< for create ops
};

class client {
 public:
  virtual ~client() = default;

  /// Creates a node and returns its actual path (with the sequence suffix for sequential
  /// modes). Throws zk_error (node_exists, no_node for a missing parent, ...).
  virtual std::string create(const std::string& path, const std::string& data,
                             create_mode mode) = 0;

  /// Creates `path` and any missing parents as persistent nodes with empty data; no error if it
  /// exists already.
  virtual void create_recursive(const std::string& path) = 0;

  /// std::nullopt if the node does not exist. `watch`, if set, fires on change or deletion.
  virtual std::optional<get_result> get(const std::string& path, watch_callback watch = {}) = 0;

  /// Conditional set; version -1 means any. Throws zk_error (bad_version, no_node, ...).
  virtual node_stat set(const std::string& path, const std::string& data,
                        std::int32_t version) = 0;

  /// Conditional delete; version -1 means any. Throws zk_error (bad_version, no_node,
  /// not_empty, ...).
  virtual void remove(const std::string& path, std::int32_t version = -1) = 0;

  /// Deletes the node and everything below it; no error if it does not exist.
  virtual void remove_recursive(const std::string& path) = 0;

  /// std::nullopt if missing. `watch` fires on creation, change or deletion.
  virtual std::optional<node_stat> exists(const std::string& path, watch_callback watch = {}) = 0;

  /// Throws zk_error(no_node) if the parent is missing. `watch` fires on a child change.
  virtual children_result children(const std::string& path, watch_callback watch = {}) = 0;

  /// Applies all operations atomically or none. Returns the per-operation results; throws
  /// zk_error with the first failing operation's code if the transaction failed.
  virtual std::vector<op_result> multi(const std::vector<op>& ops) = 0;

  /// The listener receives every connection state change from now on. One listener per
  /// client; a second call replaces the first.
  virtual void set_connection_listener(connection_listener listener) = 0;

  /// The session id, 0 if not connected.
  virtual std::int64_t session_id() const = 0;

  /// The negotiated session timeout in milliseconds.
  virtual std::int64_t session_timeout_ms() const = 0;

  /// The last connection state observed.
  virtual connection_state state() const = 0;

  /// Closes the session: this session's ephemeral nodes are deleted at once.
  virtual void close() = 0;
};

using client_ptr = std::shared_ptr<client>;

/// Who may use the nodes a client creates: everyone (ZOO_OPEN_ACL_UNSAFE, the default) or only
/// the identity that created them (ZOO_CREATOR_ALL_ACL; needs digest authentication).
enum class acl_mode { open, creator };

/// How to reach ZooKeeper (the recovery.zookeeper.* keys).
struct connect_options {
  std::string quorum;                 ///< "host:port[,host:port...]"
  std::string root = "/fjord";        ///< every path of the client lives below it
  std::int64_t session_timeout_ms = 60000;
  std::int64_t connection_timeout_ms = 15000;  ///< how long connect() waits for the first
                                               ///< connection before throwing
  acl_mode acl = acl_mode::open;  ///< the ACL of every node this client creates
  /// "user:password": every session authenticates with the digest scheme before its first
  /// request. Empty: no identity.
  std::string digest;
};

}  // namespace fjord::zk
