#include "common/config_keys.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "common/closest_match.hpp"
#include "fjord/configuration.hpp"

namespace fjord {

namespace {

// Sorted by name. Defaults as the code that reads each key has them.
const std::vector<config_key_info> all_keys = {
  {"config.allowed-prefixes",
   "prefixes (comma separated) of other tools' keys that may share the file, e.g. myapp.,logging."},
  {"execution.checkpointing.interval",
   "time between periodic checkpoints; 0 = only the final one (default: the spec's)"},
  {"execution.checkpointing.max-concurrent", "checkpoints pending at once (default 1)"},
  {"execution.checkpointing.min-pause", "pause after a completed checkpoint (default 0)"},
  {"execution.checkpointing.timeout",
   "a pending checkpoint older than this is discarded (default 10s)"},
  {"failpoints", "failpoints to arm, as FJORD_FAILPOINTS (tests; `fjord failpoints` lists them)"},
  {"jobmanager.address",
   "host:port of the JobManager; required in standalone mode (clients and TaskManagers use it)"},
  {"jobmanager.bind-host",
   "address the JobManager listens on (default: jobmanager.host; 0.0.0.0 for all interfaces)"},
  {"jobmanager.host",
   "address the JobManager announces to clients and TaskManagers in /leader (default 127.0.0.1)"},
  {"jobmanager.max-graph-bytes",
   "largest submitted job graph (its persisted size, plugins included) accepted (default 16 MiB)"},
  {"jobmanager.max-parallelism",
   "largest parallelism of one vertex the JobManager accepts (default 1024)"},
  {"jobmanager.max-tasks-per-job",
   "most subtasks over all vertices of one job the JobManager accepts (default 10000)"},
  {"jobmanager.port", "port the JobManager listens on with ZooKeeper; 0 = any free (default 0)"},
  {"jobmanager.slot-wait",
   "how long a job attempt waits for enough free slots before that is a failure (default 30s)"},
  {"recovery.mode", "standalone or zookeeper (default standalone)"},
  {"recovery.zookeeper.auth.digest-file",
   "file with one line user:password: Fjord's ZooKeeper identity (digest); required with "
   "client.acl creator"},
  {"recovery.zookeeper.client.acl",
   "ACL of the znodes Fjord creates: open (anyone, default) or creator (only the digest-file's "
   "identity)"},
  {"recovery.zookeeper.client.connection-timeout",
   "how long to wait for a ZooKeeper connection (default 15000 ms)"},
  {"recovery.zookeeper.client.max-retry-attempts",
   "retries of a failed ZooKeeper operation, 0 to 1000 (default 3)"},
  {"recovery.zookeeper.client.retry-wait",
   "first wait before a ZooKeeper retry (default 5000 ms)"},
  {"recovery.zookeeper.client.session-timeout", "ZooKeeper session timeout (default 60000 ms)"},
  {"recovery.zookeeper.client.tolerate-suspended-connections",
   "keep leadership while the connection is suspended, until the session is lost (default false)"},
  {"recovery.zookeeper.path.checkpoint-counter",
   "znode of the checkpoint id counters (default /checkpoint-counter)"},
  {"recovery.zookeeper.path.checkpoints", "znode of completed checkpoints (default /checkpoints)"},
  {"recovery.zookeeper.path.cluster-id",
   "the cluster's name below path.root (default default)"},
  {"recovery.zookeeper.path.job-results", "znode of job results (default /job-results)"},
  {"recovery.zookeeper.path.jobgraphs", "znode of submitted job graphs (default /jobgraphs)"},
  {"recovery.zookeeper.path.latch", "znode of the leader latch (default /leaderlatch)"},
  {"recovery.zookeeper.path.leader", "znode of the leader's address (default /leader)"},
  {"recovery.zookeeper.path.root", "root znode of every cluster (default /fjord)"},
  {"recovery.zookeeper.quorum", "ZooKeeper servers, host:port[,...]; required with zookeeper"},
  {"recovery.zookeeper.storageDir",
   "directory for job graphs and checkpoints that every JobManager shares; required with "
   "zookeeper"},
  {"restart-strategy", "fixed-delay, exponential-delay or none (default: the spec's)"},
  {"restart-strategy.attempts", "restarts before a job fails for good (default 10)"},
  {"restart-strategy.delay", "delay before a restart; the first one if exponential (200ms)"},
  {"restart-strategy.max-delay", "cap of the exponential delay (default 10s)"},
  {"restart-strategy.multiplier", "growth of the exponential delay, >= 1 (default 2)"},
  {"security.ssl.cafile",
   "PEM file of the cluster's CA: peers must hold a certificate it signed (required with TLS)"},
  {"security.ssl.certificate",
   "PEM certificate (chain) of this process, signed by security.ssl.cafile (required with TLS)"},
  {"security.ssl.enabled",
   "mutual TLS between every Fjord process: JobManagers, TaskManagers, clients (default false)"},
  {"security.ssl.key", "PEM private key of security.ssl.certificate (required with TLS)"},
  {"security.ssl.key-password", "password of an encrypted security.ssl.key"},
  {"security.ssl.key-password-file",
   "file whose first line is the password of an encrypted security.ssl.key"},
  {"state.checkpoints.num-retained", "completed checkpoints kept (default 2)"},
  {"taskmanager.bind-host",
   "address a TaskManager's data endpoint listens on (default: taskmanager.host)"},
  {"taskmanager.data.port",
   "port of a TaskManager's data endpoint, where its peers connect (default 0: any free one)"},
  {"taskmanager.file-roots",
   "directories (comma separated) job paths must lie in; unset = anywhere (default unset)"},
  {"taskmanager.host",
   "address a TaskManager announces for its data endpoint (default 127.0.0.1)"},
  {"taskmanager.max-slots",
   "most slots one TaskManager may offer; the JobManager refuses more (default 256)"},
  {"taskmanager.network.batch-size", "records per batch between tasks (default 4096)"},
  {"taskmanager.network.credits", "batches in flight per input channel (default 4)"},
  {"taskmanager.network.max-pending-batches",
   "batches per output channel before a task stops producing (default 2)"},
};

std::string trim(const std::string& s) {
  auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos)
    return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

}  // namespace

const std::vector<config_key_info>& known_config_keys() {
  return all_keys;
}

bool is_known_config_key(const std::string& key) {
  return std::any_of(all_keys.begin(), all_keys.end(),
                     [&](const config_key_info& k) { return key == k.name; });
}

std::optional<std::string> closest_config_key(const std::string& key) {
  std::vector<std::string> names;
  for (auto& k : all_keys)
    names.push_back(k.name);
  return closest_match(key, names);
}

std::vector<std::string> parse_allowed_prefixes(const std::string& text) {
  std::vector<std::string> result;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = std::min(text.find(',', start), text.size());
    auto prefix = trim(text.substr(start, end - start));
    if (!prefix.empty())
      result.push_back(prefix);
    start = end + 1;
  }
  return result;
}

void check_config_keys(const std::vector<std::string>& keys,
                       const std::vector<std::string>& allowed_prefixes,
                       const std::string& context) {
  for (auto& key : keys) {
    if (is_known_config_key(key))
      continue;
    auto allowed = std::any_of(allowed_prefixes.begin(), allowed_prefixes.end(),
                               [&](const std::string& p) { return key.rfind(p, 0) == 0; });
    if (allowed)
      continue;
    if (auto near = closest_config_key(key))
      throw config_error(fmt::format("{}unknown configuration key '{}' (did you mean '{}'?)",
                                     context, key, *near));
    throw config_error(fmt::format("{}unknown configuration key '{}' (keys of other tools can be "
                                   "allowed with {}, e.g. {}: myapp.)",
                                   context, key, allowed_prefixes_key, allowed_prefixes_key));
  }
}

}  // namespace fjord
