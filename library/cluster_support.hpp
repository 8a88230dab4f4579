// What the cluster commands (jobmanager, taskmanager, submit, list, status, cancel) share:
// loading the configuration, waiting for a termination signal, and finding the leader through
// leader retrieval (ZooKeeper's /leader, or the fixed jobmanager.address in standalone mode).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/detail/job_admission.hpp"
#include "actors/job_manager_endpoint.hpp"
#include "fjord/configuration.hpp"
#include "stores/leader_election.hpp"

namespace fjord {

/// -c FILE (optional) plus -D overrides. Throws config_error.
configuration load_configuration(const std::string& path, const std::vector<std::string>& defines);

/// `jobmanager.max-parallelism`, `jobmanager.max-tasks-per-job`, `jobmanager.max-graph-bytes`,
/// `taskmanager.max-slots` (integers >= 1) and `taskmanager.file-roots`. Throws
/// config_error naming the key.
job_limits job_limits_from(const configuration& config);

/// Blocks SIGINT and SIGTERM in the calling thread (call before any thread starts, so every
/// thread inherits it); on_termination_signal() then receives them.
void block_termination_signals();
/// Waits for SIGINT or SIGTERM on a helper thread and runs `on_signal` there.
void on_termination_signal(std::function<void(int)> on_signal);

struct leader_address {
  std::string host;
  std::uint16_t port = 0;
  std::string session;  ///< empty in standalone mode: ask the JobManager
  std::string text() const { return host + ":" + std::to_string(port); }
};

/// Follows the leader as announced by leader retrieval; thread-safe.
class leader_tracker : public leader_retrieval_listener {
 public:
  void notify_leader_address(const std::string& address, const std::string& session_id) override;
  void handle_error(const std::string& message) override;

  /// The current leader, waiting up to `timeout` for one that differs from `not_this`.
  std::optional<leader_address> wait(std::chrono::milliseconds timeout,
                                     const std::optional<leader_address>& not_this = {});
  std::string last_error();

 private:
  std::mutex mtx_;
  std::condition_variable cv_;
  std::optional<leader_address> current_;
  std::string error_;
};

/// Parses "host:port"; throws config_error naming `what`.
leader_address parse_address(const std::string& what, const std::string& text);

/// Connects to the JobManager at `leader` through the middleman (blocking; CLI only).
caf::expected<job_manager_endpoint_actor> connect_job_manager(caf::actor_system& sys,
                                                              const leader_address& leader);

}  // namespace fjord
