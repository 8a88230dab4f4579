// A client that survives session expiry: when a call fails because the session is gone, it
// connects a new session through its factory and retries the call once. The stores share one
// such client, so an expired session (a long GC pause of the server, a frozen process) costs
// one reconnect instead of a JobManager that can never write again. Ephemeral nodes and watches
// of the old session are gone; stores use persistent nodes, and a new session is announced to
// the connection listener as `reconnected` (the job graph store, which installs the listener,
// re-arms its watch when the session expired).
//
// Thread-safe, like the clients it wraps.
#pragma once

#include <mutex>

#include "stores/zookeeper/zk_client.hpp"
#include "stores/zookeeper/zk_leader_election.hpp"

namespace fjord::zk {

class reconnecting_client : public client {
 public:
  /// Connects the first session at once (throws like the factory does).
  explicit reconnecting_client(client_factory factory);

  std::string create(const std::string& path, const std::string& data,
                     create_mode mode) override;
  void create_recursive(const std::string& path) override;
  std::optional<get_result> get(const std::string& path, watch_callback watch) override;
  node_stat set(const std::string& path, const std::string& data, std::int32_t version) override;
  void remove(const std::string& path, std::int32_t version) override;
  void remove_recursive(const std::string& path) override;
  std::optional<node_stat> exists(const std::string& path, watch_callback watch) override;
  children_result children(const std::string& path, watch_callback watch) override;
  std::vector<op_result> multi(const std::vector<op>& ops) override;
  void set_connection_listener(connection_listener listener) override;
  std::int64_t session_id() const override;
  std::int64_t session_timeout_ms() const override;
  connection_state state() const override;
  void close() override;

 private:
  client_ptr current() const;
  /// Replaces `failed` with a new session unless someone did so already.
  void renew(const client_ptr& failed);

  template <class F>
  auto call(F&& f) -> decltype(f(std::declval<client&>()));

  client_factory factory_;
  mutable std::mutex mtx_;
  client_ptr inner_;
  connection_listener listener_;
  bool closed_ = false;
};

}  // namespace fjord::zk
