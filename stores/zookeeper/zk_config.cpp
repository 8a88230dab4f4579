#include "stores/zookeeper/zk_config.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "stores/zookeeper/zk_real_client.hpp"

namespace fjord::zk {

namespace {

constexpr const char* prefix = "recovery.zookeeper.";

std::string key(const std::string& name) {
  return prefix + name;
}

std::string strip_whitespace(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); }),
          s.end());
  return s;
}

/// Each entry must be host:port with a port in 1..65535 (the C client would only say
/// "connection loss" much later).
void validate_quorum(const std::string& quorum) {
  std::size_t start = 0;
  while (start <= quorum.size()) {
    auto end = quorum.find(',', start);
    if (end == std::string::npos)
      end = quorum.size();
    auto entry = quorum.substr(start, end - start);
    auto colon = entry.rfind(':');
    bool ok = colon != std::string::npos && colon > 0 && colon + 1 < entry.size();
    if (ok) {
      auto port = entry.substr(colon + 1);
      ok = port.size() <= 5 && std::all_of(port.begin(), port.end(), ::isdigit) &&
           std::stoi(port) >= 1 && std::stoi(port) <= 65535;
    }
    if (!ok)
      throw config_error(fmt::format(
        "{}quorum: '{}' is not a host:port list (e.g. zk1:2181,zk2:2181); bad entry '{}'",
        prefix, quorum, entry));
    start = end + 1;
  }
}

std::string read_path(const configuration& config, const std::string& name,
                      const std::string& fallback) {
  auto value = strip_whitespace(config.get_string(key(name), fallback));
  if (value.empty() || value[0] != '/' || (value.size() > 1 && value.back() == '/') ||
      value.find("//") != std::string::npos)
    throw config_error(fmt::format(
      "{}: '{}' is not a ZooKeeper path: it must start with '/', e.g. '{}'", key(name), value,
      fallback));
  return value;
}

std::int64_t read_positive_ms(const configuration& config, const std::string& name,
                              std::int64_t fallback) {
  auto value = config.get_duration(key(name), std::chrono::milliseconds(fallback)).count();
  if (value <= 0)
    throw config_error(fmt::format("{}: must be > 0, got {} ms", key(name), value));
  return value;
}

}  // namespace

zookeeper_settings zookeeper_settings::from(const configuration& config) {
  zookeeper_settings s;
  s.quorum = strip_whitespace(config.get_required(
    key("quorum"), "set it to the ZooKeeper servers, e.g. -D recovery.zookeeper.quorum="
                   "localhost:2181 (start one with scripts/zookeeper.sh start DIR)"));
  validate_quorum(s.quorum);
  s.root = read_path(config, "path.root", s.root);
  s.cluster_id = strip_whitespace(config.get_string(key("path.cluster-id"), s.cluster_id));
  if (s.cluster_id.empty() || s.cluster_id.find('/') != std::string::npos ||
      s.cluster_id == "." || s.cluster_id == "..")
    throw config_error(fmt::format("{}path.cluster-id: '{}' must be one non-empty path "
                                   "component without '/', e.g. 'default'",
                                   prefix, s.cluster_id));
  s.latch_path = read_path(config, "path.latch", s.latch_path);
  s.leader_path = read_path(config, "path.leader", s.leader_path);
  s.jobgraphs_path = read_path(config, "path.jobgraphs", s.jobgraphs_path);
  s.checkpoints_path = read_path(config, "path.checkpoints", s.checkpoints_path);
  s.checkpoint_counter_path =
    read_path(config, "path.checkpoint-counter", s.checkpoint_counter_path);
  s.job_results_path = read_path(config, "path.job-results", s.job_results_path);
  s.storage_dir = config.get_required(
    key("storageDir"), "set it to a directory that every JobManager can read and write, "
                       "e.g. -D recovery.zookeeper.storageDir=/var/lib/fjord/recovery");
  s.session_timeout_ms = read_positive_ms(config, "client.session-timeout", s.session_timeout_ms);
  s.connection_timeout_ms =
    read_positive_ms(config, "client.connection-timeout", s.connection_timeout_ms);
  s.retry_wait_ms = read_positive_ms(config, "client.retry-wait", s.retry_wait_ms);
  auto attempts = config.get_int(key("client.max-retry-attempts"), s.max_retry_attempts);
  if (attempts < 0 || attempts > 1000)
    throw config_error(fmt::format("{}client.max-retry-attempts: must be 0..1000, got {}",
                                   prefix, attempts));
  s.max_retry_attempts = static_cast<int>(attempts);
  s.tolerate_suspended_connections = config.get_bool(
    key("client.tolerate-suspended-connections"), s.tolerate_suspended_connections);
  return s;
}

std::string zookeeper_settings::client_root() const {
  return (root == "/" ? "" : root) + "/" + cluster_id;
}

connect_options zookeeper_settings::to_connect_options() const {
  connect_options o;
  o.quorum = quorum;
  o.root = client_root();
  o.session_timeout_ms = session_timeout_ms;
  o.connection_timeout_ms = connection_timeout_ms;
  return o;
}

retry_policy zookeeper_settings::to_retry_policy() const {
  auto wait = std::chrono::milliseconds(retry_wait_ms);
  return retry_policy(max_retry_attempts + 1, wait, wait * 8);
}

leader_election_options zookeeper_settings::to_election_options() const {
  leader_election_options o;
  o.latch_path = latch_path;
  o.leader_path = leader_path;
  o.tolerate_suspended_connections = tolerate_suspended_connections;
  o.retry_wait_ms = retry_wait_ms;
  return o;
}

client_factory make_client_factory(const zookeeper_settings& settings) {
  auto options = settings.to_connect_options();
  return [options] { return client_ptr(real_zk_client::connect(options)); };
}

client_ptr connect(const zookeeper_settings& settings) {
  return real_zk_client::connect(settings.to_connect_options());
}

}  // namespace fjord::zk
