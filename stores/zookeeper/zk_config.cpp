#include "stores/zookeeper/zk_config.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <sys/stat.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/host_port.hpp"
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
/// "connection loss" much later), checked by the one host:port parser.
void validate_quorum(const std::string& quorum) {
  std::size_t start = 0;
  while (start <= quorum.size()) {
    auto end = quorum.find(',', start);
    if (end == std::string::npos)
      end = quorum.size();
    auto entry = quorum.substr(start, end - start);
    bool ok = parse_host_port(entry).value.has_value();
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

/// One line "user:password" (a trailing newline is fine). The password is a secret: no error
/// message shows the file's content.
std::string read_digest_file(const std::string& path) {
  auto name = key("auth.digest-file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw config_error(fmt::format("{}: cannot read '{}': {}", name, path, std::strerror(errno)));
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode))
      throw config_error(fmt::format("{}: '{}' is not a regular file", name, path));
    if ((st.st_mode & 077) != 0)
      spdlog::warn("{}: '{}' is readable by group or others (mode {:o}): chmod 600 it, it holds "
                   "the cluster's ZooKeeper password",
                   name, path, st.st_mode & 0777);
  }
  std::string text(4097, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > 4096)
    throw config_error(fmt::format("{}: '{}' is larger than 4 KiB; it must hold one line "
                                   "user:password",
                                   name, path));
  if (!text.empty() && text.back() == '\n')
    text.pop_back();
  if (!text.empty() && text.back() == '\r')
    text.pop_back();
  auto colon = text.find(':');
  bool printable = std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return c > 0x20 && c < 0x7f;
  });
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size() || !printable)
    throw config_error(fmt::format("{}: '{}' must hold one line user:password (a user name, ':', "
                                   "a password, no spaces or control characters)",
                                   name, path));
  return text;
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
  auto acl = strip_whitespace(config.get_string(key("client.acl"), "open"));
  std::transform(acl.begin(), acl.end(), acl.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (acl == "open")
    s.acl = acl_mode::open;
  else if (acl == "creator")
    s.acl = acl_mode::creator;
  else
    throw config_error(fmt::format("{}client.acl: '{}' is not an ACL: use open (anyone may read "
                                   "and write Fjord's znodes) or creator (only the identity of "
                                   "{}auth.digest-file)",
                                   prefix, config.get_string(key("client.acl"), ""), prefix));
  s.digest_file = config.get_string(key("auth.digest-file"), "");
  if (s.acl == acl_mode::creator && s.digest_file.empty())
    throw config_error(fmt::format("{}client.acl: creator needs an identity: set "
                                   "{}auth.digest-file to a file with one line user:password",
                                   prefix, prefix));
  if (!s.digest_file.empty())
    s.digest = read_digest_file(s.digest_file);
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
  o.acl = acl;
  o.digest = digest;
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
