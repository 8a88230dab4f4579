#include "stores/zookeeper/zk_client.hpp"

namespace fjord::zk {

const char* to_string(error_code e) {
  switch (e) {
    case error_code::ok:
      return "ok";
    case error_code::no_node:
      return "no node";
    case error_code::node_exists:
      return "node exists";
    case error_code::bad_version:
      return "bad version";
    case error_code::not_empty:
      return "node has children";
    case error_code::no_children_for_ephemerals:
      return "ephemeral nodes may not have children";
    case error_code::connection_loss:
      return "connection loss";
    case error_code::session_expired:
      return "session expired";
    case error_code::operation_timeout:
      return "operation timeout";
    case error_code::closing:
      return "client closing";
    case error_code::bad_arguments:
      return "bad arguments";
    case error_code::marshalling_error:
      return "marshalling error";
    case error_code::no_auth:
      return "not authorized (the node's ACL refuses this identity: check "
             "recovery.zookeeper.auth.digest-file)";
    case error_code::system_error:
      return "system error";
  }
  return "unknown error";
}

bool is_retryable(error_code e) {
  return e == error_code::connection_loss || e == error_code::operation_timeout;
}

bool is_session_lost(error_code e) {
  return e == error_code::session_expired || e == error_code::closing;
}

bool is_user_error(error_code e) {
  switch (e) {
    case error_code::no_node:
    case error_code::node_exists:
    case error_code::bad_version:
    case error_code::not_empty:
    case error_code::no_children_for_ephemerals:
    case error_code::bad_arguments:
      return true;
    default:
      return false;
  }
}

const char* to_string(connection_state s) {
  switch (s) {
    case connection_state::connected:
      return "connected";
    case connection_state::suspended:
      return "suspended";
    case connection_state::reconnected:
      return "reconnected";
    case connection_state::expired:
      return "expired";
  }
  return "unknown";
}

zk_error::zk_error(error_code code, const std::string& path, const std::string& what_happened)
  : std::runtime_error("ZooKeeper " + what_happened + " " + path + ": " + to_string(code)),
    code_(code),
    path_(path) {
}

op op::create(std::string path, std::string data, create_mode mode) {
  op o;
  o.type = kind::create;
  o.path = std::move(path);
  o.data = std::move(data);
  o.mode = mode;
  return o;
}

op op::remove(std::string path, std::int32_t version) {
  op o;
  o.type = kind::remove;
  o.path = std::move(path);
  o.version = version;
  return o;
}

op op::set(std::string path, std::string data, std::int32_t version) {
  op o;
  o.type = kind::set;
  o.path = std::move(path);
  o.data = std::move(data);
  o.version = version;
  return o;
}

op op::check(std::string path, std::int32_t version) {
  op o;
  o.type = kind::check;
  o.path = std::move(path);
  o.version = version;
  return o;
}

}  // namespace fjord::zk
