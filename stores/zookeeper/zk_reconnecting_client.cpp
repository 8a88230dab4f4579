#include "stores/zookeeper/zk_reconnecting_client.hpp"

#include <spdlog/spdlog.h>

namespace fjord::zk {

reconnecting_client::reconnecting_client(client_factory factory)
  : factory_(std::move(factory)), inner_(factory_()) {
}

client_ptr reconnecting_client::current() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return inner_;
}

void reconnecting_client::renew(const client_ptr& failed) {
  connection_listener listener;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (closed_ || inner_ != failed)
      return;  // closed, or another thread renewed already
    spdlog::warn("ZooKeeper session expired: connecting a new session for the stores");
    auto fresh = factory_();
    if (listener_)
      fresh->set_connection_listener(listener_);
    inner_ = std::move(fresh);
    listener = listener_;
  }
  if (listener)
    listener(connection_state::reconnected);
  try {
    failed->close();
  } catch (const std::exception&) {
    // the old session is dead anyway
  }
}

template <class F>
auto reconnecting_client::call(F&& f) -> decltype(f(std::declval<client&>())) {
  auto c = current();
  try {
    return f(*c);
  } catch (const zk_error& e) {
    if (!is_session_lost(e.code()) || closed_)
      throw;
    renew(c);
    return f(*current());
  }
}

std::string reconnecting_client::create(const std::string& path, const std::string& data,
                                        create_mode mode) {
  return call([&](client& c) { return c.create(path, data, mode); });
}

void reconnecting_client::create_recursive(const std::string& path) {
  call([&](client& c) { c.create_recursive(path); });
}

std::optional<get_result> reconnecting_client::get(const std::string& path,
                                                   watch_callback watch) {
  return call([&](client& c) { return c.get(path, watch); });
}

node_stat reconnecting_client::set(const std::string& path, const std::string& data,
                                   std::int32_t version) {
  return call([&](client& c) { return c.set(path, data, version); });
}

void reconnecting_client::remove(const std::string& path, std::int32_t version) {
  call([&](client& c) { c.remove(path, version); });
}

void reconnecting_client::remove_recursive(const std::string& path) {
  call([&](client& c) { c.remove_recursive(path); });
}

std::optional<node_stat> reconnecting_client::exists(const std::string& path,
                                                     watch_callback watch) {
  return call([&](client& c) { return c.exists(path, watch); });
}

children_result reconnecting_client::children(const std::string& path, watch_callback watch) {
  return call([&](client& c) { return c.children(path, watch); });
}

std::vector<op_result> reconnecting_client::multi(const std::vector<op>& ops) {
  return call([&](client& c) { return c.multi(ops); });
}

void reconnecting_client::set_connection_listener(connection_listener listener) {
  std::lock_guard<std::mutex> guard{mtx_};
  listener_ = listener;
  inner_->set_connection_listener(std::move(listener));
}

std::int64_t reconnecting_client::session_id() const {
  return current()->session_id();
}

std::int64_t reconnecting_client::session_timeout_ms() const {
  return current()->session_timeout_ms();
}

connection_state reconnecting_client::state() const {
  auto s = current()->state();
  return s == connection_state::expired ? connection_state::suspended : s;
}

void reconnecting_client::close() {
  client_ptr c;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    closed_ = true;
    c = inner_;
  }
  c->close();
}

}  // namespace fjord::zk
