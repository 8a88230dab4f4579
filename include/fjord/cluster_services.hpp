// A JobManager or a TaskManager of a cluster of processes, inside your own caf::actor_system
// (built with fjord::add_message_types and fjord::add_networking), configured by the same keys
// as `fjord jobmanager` and `fjord taskmanager` (README, "Configuration"):
//
//   fjord::job_manager_service jm{sys, config};         // contends for leadership, listens
//   fjord::task_manager_service tm{sys, config, 4};     // 4 slots, follows the leader
//   jm.await_stop();
//
// Both stop when destroyed; a JobManager keeps all HA data for the next leader.
#pragma once

#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include <fjord/configuration.hpp>

namespace fjord {

class job_manager_service {
 public:
  /// Starts the HA services of `config` (recovery.mode, recovery.zookeeper.*), the JobManager
  /// and its listener (standalone: on jobmanager.address; zookeeper: jobmanager.host and
  /// jobmanager.port, default an OS-chosen port). Throws config_error for bad settings and
  /// std::runtime_error when it cannot start (no ZooKeeper, the port is taken).
  job_manager_service(caf::actor_system& sys, const configuration& config);
  ~job_manager_service();

  job_manager_service(const job_manager_service&) = delete;
  job_manager_service& operator=(const job_manager_service&) = delete;

  /// "host:port" the JobManager listens on.
  const std::string& address() const;
  /// Asks the JobManager to stop (HA data is kept); returns at once.
  void stop();
  /// Blocks until the JobManager stopped; returns why if it failed ("" after stop()).
  std::string await_stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

class task_manager_service {
 public:
  /// Starts a TaskManager with `slots` slots that finds the leader through leader retrieval
  /// (standalone: jobmanager.address; zookeeper: recovery.zookeeper.*) and follows it. `id`
  /// names it in logs ("" gives tm-<pid>). Throws config_error for bad settings (slots < 1,
  /// taskmanager.network.*) and std::runtime_error when leader retrieval cannot start.
  task_manager_service(caf::actor_system& sys, const configuration& config, int slots,
                       std::string id = "");
  ~task_manager_service();

  task_manager_service(const task_manager_service&) = delete;
  task_manager_service& operator=(const task_manager_service&) = delete;

  const std::string& id() const;
  void stop();
  /// Blocks until the TaskManager stopped.
  void await_stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace fjord
